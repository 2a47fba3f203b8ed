package qr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// ErrInvalid reports a token that is malformed, forged (its signature does
// not verify) or expired.
var ErrInvalid = errors.New("qr: invalid or expired token")

// claims is the signed part of a token.
type claims struct {
	Content string `json:"c"`
	Expires int64  `json:"e"` // unix seconds
}

var b64 = base64.RawURLEncoding

// Token signs content with an expiry of now+TTL and returns the compact,
// URL-safe token to put in a QR image URL.
func (c *Codes) Token(content string) string {
	c.init()
	payload, _ := json.Marshal(claims{Content: content, Expires: c.now().Add(c.ttl).Unix()})
	head := b64.EncodeToString(payload)
	return head + "." + b64.EncodeToString(c.sign(head))
}

// verify checks a token's signature and expiry and returns its content.
func (c *Codes) verify(token string) (string, error) {
	if len(c.Secret) == 0 {
		return "", ErrInvalid // no secret configured: nothing can be trusted
	}
	head, sig, ok := strings.Cut(token, ".")
	if !ok || head == "" || sig == "" {
		return "", ErrInvalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, c.sign(head)) {
		return "", ErrInvalid
	}
	payload, err := b64.DecodeString(head)
	if err != nil {
		return "", ErrInvalid
	}
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return "", ErrInvalid
	}
	if !c.now().Before(time.Unix(cl.Expires, 0)) {
		return "", ErrInvalid
	}
	return cl.Content, nil
}

func (c *Codes) sign(head string) []byte {
	m := hmac.New(sha256.New, c.Secret)
	m.Write([]byte(head))
	return m.Sum(nil)
}
