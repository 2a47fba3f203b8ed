package tsk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
)

// SignHMAC signs body at the given time with secret (TSK-HMAC-SHA256-BASIC)
// and returns the full Authorization header value.
func SignHMAC(body []byte, at time.Time, secret []byte) string {
	ts := FormatTime(at)
	return Auth{Algorithm: HMAC, Datetime: ts, Signature: hmacHex(body, ts, secret)}.String()
}

// hmacHex is the lowercase hex HMAC-SHA256 of the signing content.
func hmacHex(body []byte, ts string, secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyHMAC reports whether sig (hex, any case) is the HMAC of the signing
// content under one of the secrets.
func verifyHMAC(body []byte, ts, sig string, secrets [][]byte) bool {
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	ok := false
	for _, s := range secrets {
		m := hmac.New(sha256.New, s)
		m.Write(body)
		m.Write([]byte(ts))
		if hmac.Equal(m.Sum(nil), got) {
			ok = true // keep going: constant work whichever key matches
		}
	}
	return ok
}

// Secret is a shared secret (the SkillSecret of TSK-HMAC-SHA256-BASIC, or any
// other key material). It logs as "[redacted]" through log/slog and prints
// the same way with fmt's %v and %s.
type Secret []byte

// LogValue implements slog.LogValuer: a Secret never reaches a log.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String returns "[redacted]", so fmt never prints the secret either.
func (Secret) String() string { return "[redacted]" }

// GoString returns "[redacted]" for %#v.
func (Secret) GoString() string { return "tsk.Secret([redacted])" }

var _ slog.LogValuer = Secret(nil)
