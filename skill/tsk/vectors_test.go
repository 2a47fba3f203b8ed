package tsk_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// vectorDir holds the interop vectors written by make_vectors.sh with
// openssl and python3, independently of this package.
const vectorDir = "../../testdata/tsk"

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// vectorTime returns the vectors' signing timestamp and a clock set to it.
func vectorTime(t testing.TB) (string, func() time.Time) {
	ts := strings.TrimSpace(string(readVector(t, "timestamp.txt")))
	at, err := tsk.ParseTime(ts)
	if err != nil {
		t.Fatal(err)
	}
	return ts, func() time.Time { return at }
}

func TestVectorKeysAgree(t *testing.T) {
	priv1, err := tsk.ParsePrivateKey(readVector(t, "rsa_private_pkcs1.pem"))
	if err != nil {
		t.Fatalf("PKCS#1 private: %v", err)
	}
	priv8, err := tsk.ParsePrivateKey(readVector(t, "rsa_private_pkcs8.pem"))
	if err != nil {
		t.Fatalf("PKCS#8 private: %v", err)
	}
	if !priv1.Equal(priv8) {
		t.Fatal("PKCS#1 and PKCS#8 private keys differ")
	}
	for _, name := range []string{"rsa_public_pkix.pem", "rsa_public_pkcs1.pem", "rsa_public.b64", "rsa_public_oneline.b64", "rsa_private_pkcs1.pem"} {
		t.Run(name, func(t *testing.T) {
			pub, err := tsk.ParsePublicKey(readVector(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(&priv1.PublicKey) {
				t.Fatal("public key does not match the private key")
			}
		})
	}
	if got, want := tsk.PublicKeyBase64(&priv1.PublicKey), strings.TrimSpace(string(readVector(t, "rsa_public_oneline.b64"))); got != want {
		t.Errorf("PublicKeyBase64 = %q, want openssl's %q", got, want)
	}
}

func TestVectorOpenSSLSignatureVerifies(t *testing.T) {
	body := readVector(t, "body.json")
	ts, now := vectorTime(t)
	pub, err := tsk.ParsePublicKey(readVector(t, "rsa_public.b64"))
	if err != nil {
		t.Fatal(err)
	}
	header := tsk.RSA2 + " Datetime=" + ts + ", Signature=" + strings.TrimSpace(string(readVector(t, "rsa2.sig")))
	v := tsk.PayVerifier(now, pub)
	if _, err := v.Verify(body, header); err != nil {
		t.Fatalf("openssl signature rejected: %v", err)
	}
	tampered := bytes.Replace(body, []byte("vec-user"), []byte("vec-usr2"), 1)
	if _, err := v.Verify(tampered, header); err == nil {
		t.Fatal("tampered body accepted")
	}
}

func TestVectorPythonHMAC(t *testing.T) {
	body := readVector(t, "body.json")
	ts, now := vectorTime(t)
	secret := readVector(t, "hmac_secret.txt")
	want := strings.TrimSpace(string(readVector(t, "hmac.sig")))
	at, _ := tsk.ParseTime(ts)
	if got, wantH := tsk.SignHMAC(body, at, secret), tsk.HMAC+" Datetime="+ts+", Signature="+want; got != wantH {
		t.Fatalf("SignHMAC = %q\nwant (python) %q", got, wantH)
	}
	v := &tsk.Verifier{Secrets: [][]byte{secret}, Now: now}
	if _, err := v.Verify(body, tsk.HMAC+" Datetime="+ts+", Signature="+strings.ToUpper(want)); err != nil {
		t.Fatalf("python HMAC (upper-cased) rejected: %v", err)
	}
}

// TestSignRSA2VerifiedByOpenSSL signs with this package and verifies with
// `openssl dgst -sha256 -verify`.
func TestSignRSA2VerifiedByOpenSSL(t *testing.T) {
	openssl := tsktest.Need(t, "openssl")
	priv, err := tsk.ParsePrivateKey(readVector(t, "rsa_private_pkcs8.pem"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"好的"},"shouldEndSession":true}}`)
	at := time.Date(2024, 2, 29, 23, 59, 58, 0, time.FixedZone("CST", 8*3600))
	header, err := tsk.SignRSA2(body, at, priv)
	if err != nil {
		t.Fatal(err)
	}
	a, err := tsk.ParseAuthorization(header)
	if err != nil {
		t.Fatal(err)
	}
	if a.Datetime != "20240229T155958Z" {
		t.Fatalf("Datetime = %q, want UTC 20240229T155958Z", a.Datetime)
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	content := append(append([]byte{}, body...), a.Datetime...)
	for name, data := range map[string][]byte{"content": content, "sig": sig} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(openssl, "dgst", "-sha256", "-verify", filepath.Join(vectorDir, "rsa_public_pkix.pem"),
		"-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "content"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl rejected our signature: %v\n%s", err, out)
	}
}
