package tsk

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SignRSA2 signs body at the given time with key (TSK-RSA2: SHA256withRSA,
// RSASSA-PKCS1-v1_5, standard base64) and returns the full Authorization
// header value.
func SignRSA2(body []byte, at time.Time, key *rsa.PrivateKey) (string, error) {
	if key == nil {
		return "", errors.New("tsk: sign rsa2: nil private key")
	}
	ts := FormatTime(at)
	sum := sha256.Sum256(signingContent(body, ts))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("tsk: sign rsa2: %w", err)
	}
	return Auth{Algorithm: RSA2, Datetime: ts, Signature: base64.StdEncoding.EncodeToString(sig)}.String(), nil
}

// verifyRSA2 reports whether sig (base64) is a signature of the signing
// content by one of the keys.
func verifyRSA2(body []byte, ts, sig string, keys []*rsa.PublicKey) bool {
	raw, err := decodeBase64(sig)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(signingContent(body, ts))
	for _, k := range keys {
		if k != nil && rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], raw) == nil {
			return true
		}
	}
	return false
}

// decodeBase64 accepts standard base64 with or without padding, and the
// URL-safe alphabet, ignoring embedded whitespace.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("tsk: not base64")
}
