package tsk_test

import (
	"bytes"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestKeyRoundTrip(t *testing.T) {
	k := tsktest.SkillKey
	priv, err := tsk.ParsePrivateKey(tsk.PrivateKeyPEM(k))
	if err != nil || !priv.Equal(k) {
		t.Fatalf("PrivateKeyPEM round trip: %v", err)
	}
	b64 := tsk.PublicKeyBase64(&k.PublicKey)
	if strings.ContainsAny(b64, "\n\r -") {
		t.Fatalf("PublicKeyBase64 is not one bare line: %q", b64)
	}
	// Line-wrapped, indented and with CRLF: still a key.
	var wrapped strings.Builder
	for i := 0; i < len(b64); i += 50 {
		wrapped.WriteString("  " + b64[i:min(i+50, len(b64))] + "\r\n")
	}
	inputs := map[string][]byte{
		"PublicKeyPEM":      tsk.PublicKeyPEM(&k.PublicKey),
		"one-line base64":   []byte(b64),
		"wrapped base64":    []byte(wrapped.String()),
		"unpadded base64":   []byte(strings.TrimRight(b64, "=")),
		"private PEM":       tsk.PrivateKeyPEM(k),
		"pem with preamble": append([]byte("\n\n"), tsk.PublicKeyPEM(&k.PublicKey)...),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			pub, err := tsk.ParsePublicKey(in)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(&k.PublicKey) {
				t.Fatal("wrong key")
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	notRSA := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")})
	for name, in := range map[string][]byte{
		"empty":       nil,
		"spaces":      []byte("  \n"),
		"not base64":  []byte("this is not a key!"),
		"base64 junk": []byte("aGVsbG8gd29ybGQ="),
		"bad PEM":     []byte("-----BEGIN PUBLIC KEY-----\nnope"),
		"junk DER":    notRSA,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tsk.ParsePublicKey(in); err == nil {
				t.Error("ParsePublicKey succeeded")
			}
			if _, err := tsk.ParsePrivateKey(in); err == nil {
				t.Error("ParsePrivateKey succeeded")
			}
		})
	}
	if _, err := tsk.ParsePrivateKey(tsk.PublicKeyPEM(&tsktest.SkillKey.PublicKey)); err == nil {
		t.Error("ParsePrivateKey accepted a public key")
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	privPath := write("skill.pem", tsktest.SkillKeyPEM())
	k, err := tsk.LoadPrivateKey(privPath)
	if err != nil || !k.Equal(tsktest.SkillKey) {
		t.Fatalf("LoadPrivateKey: %v", err)
	}
	keys, err := tsk.LoadPublicKeys([]string{
		write("a.pem", tsk.PublicKeyPEM(&tsktest.PlatformKey.PublicKey)),
		write("b.b64", []byte(tsk.PublicKeyBase64(&tsktest.SkillKey.PublicKey)+"\n")),
	})
	if err != nil || len(keys) != 2 || !keys[0].Equal(&tsktest.PlatformKey.PublicKey) || !keys[1].Equal(&tsktest.SkillKey.PublicKey) {
		t.Fatalf("LoadPublicKeys = %d keys, %v", len(keys), err)
	}
	if _, err := tsk.LoadPublicKeys([]string{privPath, filepath.Join(dir, "missing")}); err == nil {
		t.Error("LoadPublicKeys with a missing file succeeded")
	}
	if _, err := tsk.LoadPrivateKey(write("bad", []byte("x"))); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("LoadPrivateKey(bad) = %v, want an error naming the file", err)
	}
}

func TestSecretRedacted(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	s := tsk.Secret("hunter2-super-secret")
	log.Info("config", "skill_secret", s)
	log.Info("config", slog.Any("secret", s))
	if strings.Contains(buf.String(), "hunter2") || !strings.Contains(buf.String(), "[redacted]") {
		t.Fatalf("secret leaked or not redacted: %s", buf.String())
	}
	if got := s.String(); got != "[redacted]" {
		t.Errorf("String = %q", got)
	}
}
