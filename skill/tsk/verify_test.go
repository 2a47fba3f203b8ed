package tsk_test

import (
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

var (
	t0    = time.Date(2019, 5, 20, 19, 35, 5, 0, time.UTC)
	clock = func() time.Time { return t0 }
	body  = []byte(`{"version":"1.0","request":{"type":"LaunchRequest"}}`)
)

func mustRSA2(t testing.TB, b []byte, at time.Time, k *rsa.PrivateKey) string {
	t.Helper()
	h, err := tsk.SignRSA2(b, at, k)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVerify(t *testing.T) {
	oldSecret := []byte("old-secret")
	v := &tsk.Verifier{
		Secrets:    [][]byte{oldSecret, tsktest.Secret},
		PublicKeys: []*rsa.PublicKey{&tsktest.SkillKey.PublicKey, &tsktest.PlatformKey.PublicKey},
		Now:        clock,
	}
	rsaOnly := tsk.PayVerifier(clock, v.PublicKeys...)
	rsaOnly.Secrets = v.Secrets // even with secrets, a pay verifier refuses HMAC
	rsaSig := mustRSA2(t, body, t0, tsktest.PlatformKey)
	a, _ := tsk.ParseAuthorization(rsaSig)
	tests := []struct {
		name    string
		v       *tsk.Verifier
		body    []byte
		header  string
		wantErr error
	}{
		{"rsa2 ok", v, body, rsaSig, nil},
		{"hmac ok", v, body, tsk.SignHMAC(body, t0, tsktest.Secret), nil},
		{"hmac first of rotated secrets", v, body, tsk.SignHMAC(body, t0, oldSecret), nil},
		{"rotated second key accepted", v, body, mustRSA2(t, body, t0, tsktest.SkillKey), nil},
		{"3 minutes old is in the window", v, body, tsk.SignHMAC(body, t0.Add(-3*time.Minute), tsktest.Secret), nil},
		{"3 minutes ahead is in the window", v, body, tsk.SignHMAC(body, t0.Add(3*time.Minute), tsktest.Secret), nil},
		{"unsigned", v, body, "", tsk.ErrNotSigned},
		{"blank", v, body, "   ", tsk.ErrNotSigned},
		{"malformed header", v, body, "TSK-RSA2 Datetime=20190520T193505Z", tsk.ErrMalformedHeader},
		{"malformed datetime", v, body, tsk.RSA2 + " Datetime=2019-05-20, Signature=" + a.Signature, tsk.ErrMalformedHeader},
		{"unknown algorithm", v, body, "TSK-MD5 Datetime=20190520T193505Z, Signature=abc", tsk.ErrUnknownAlgorithm},
		{"rsa2 to a pay verifier", rsaOnly, body, rsaSig, nil},
		{"hmac to a pay verifier", rsaOnly, body, tsk.SignHMAC(body, t0, tsktest.Secret), tsk.ErrAlgorithmNotAllowed},
		{"hmac without secrets", &tsk.Verifier{Now: clock}, body, tsk.SignHMAC(body, t0, tsktest.Secret), tsk.ErrAlgorithmNotAllowed},
		{"rsa2 without keys", &tsk.Verifier{Now: clock}, body, rsaSig, tsk.ErrAlgorithmNotAllowed},
		{"wrong hmac secret", v, body, tsk.SignHMAC(body, t0, []byte("nope")), tsk.ErrBadSignature},
		{"wrong rsa key", &tsk.Verifier{PublicKeys: []*rsa.PublicKey{&tsktest.SkillKey.PublicKey}, Now: clock}, body, rsaSig, tsk.ErrBadSignature},
		{"signature not base64", v, body, tsk.RSA2 + " Datetime=" + a.Datetime + ", Signature=!!!", tsk.ErrBadSignature},
		{"body tampered", v, append([]byte(" "), body...), rsaSig, tsk.ErrBadSignature},
		{"datetime swapped", v, body, tsk.RSA2 + " Datetime=20190520T193506Z, Signature=" + a.Signature, tsk.ErrBadSignature},
		{"4 minutes old", v, body, mustRSA2(t, body, t0.Add(-4*time.Minute), tsktest.PlatformKey), tsk.ErrStale},
		{"4 minutes ahead", v, body, mustRSA2(t, body, t0.Add(4*time.Minute), tsktest.PlatformKey), tsk.ErrFuture},
		{"custom window", &tsk.Verifier{Secrets: v.Secrets, Now: clock, Window: time.Minute}, body, tsk.SignHMAC(body, t0.Add(-2*time.Minute), tsktest.Secret), tsk.ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Verify(tt.body, tt.header)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("Verify: %v", err)
			case tt.wantErr == nil:
				if got.Signature == "" || got.Datetime == "" {
					t.Errorf("Verify returned empty Auth %+v", got)
				}
			case tt.wantErr == errAny:
				if err == nil {
					t.Fatal("Verify succeeded, want an error")
				}
			case !errors.Is(err, tt.wantErr):
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// errAny marks a case where any error will do.
var errAny = errors.New("any error")

func TestVerifyHexCaseOfSignature(t *testing.T) {
	h := tsk.SignHMAC(body, t0, tsktest.Secret)
	a, _ := tsk.ParseAuthorization(h)
	a.Signature = strings.ToUpper(a.Signature)
	v := &tsk.Verifier{Secrets: [][]byte{tsktest.Secret}, Now: clock}
	if _, err := v.Verify(body, a.String()); err != nil {
		t.Fatalf("upper-case hex rejected: %v", err)
	}
}

func TestVerifyDefaultClock(t *testing.T) {
	v := &tsk.Verifier{Secrets: [][]byte{tsktest.Secret}}
	if _, err := v.Verify(body, tsk.SignHMAC(body, time.Now(), tsktest.Secret)); err != nil {
		t.Fatalf("signed now, rejected with the real clock: %v", err)
	}
	if _, err := v.Verify(body, tsk.SignHMAC(body, t0, tsktest.Secret)); !errors.Is(err, tsk.ErrStale) {
		t.Fatalf("signed in 2019: err = %v, want ErrStale", err)
	}
}

func TestSignHMACKnownAnswer(t *testing.T) {
	// HMAC-SHA256("key", "{}20170720T193559Z"), computed with python3's hmac module.
	got := tsk.SignHMAC([]byte("{}"), time.Date(2017, 7, 20, 19, 35, 59, 0, time.UTC), []byte("key"))
	want := "TSK-HMAC-SHA256-BASIC Datetime=20170720T193559Z, Signature=" + knownHMAC
	if got != want {
		t.Fatalf("SignHMAC =\n %q\nwant\n %q", got, want)
	}
}

const knownHMAC = "e42a713da953c242c0f36490645d5e32e70dfd83a6356959a326c73b9595a37a"
