package qr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// linkVersion starts every link payload, so the format can change.
const linkVersion = 1

// linkTagSize is how many bytes of the HMAC a link keeps: 96 bits are
// plenty to stop forgery of a read-only page link, and keep the QR small.
const linkTagSize = 12

// maxLinkFields bounds what OpenLink decodes.
const maxLinkFields = 8

// Link signs fields and the time now into a short, URL-safe token for a
// page a QR code leads to (the phone page of an offer and its order). Unlike
// Token, the fields are kept apart whatever they contain, nothing is
// encoded as JSON, and the token lives LinkTTL, long enough to come back
// for help or a refund. The fields are signed, not encrypted.
//
//	base64url(version ‖ uvarint(unix issued) ‖ (uvarint(len) ‖ field)… ‖ hmac-sha256[:12])
func (c *Codes) Link(fields ...string) string {
	c.init()
	b := []byte{linkVersion}
	b = binary.AppendUvarint(b, uint64(c.now().Unix()))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	b = append(b, c.linkTag(b)...)
	return b64.EncodeToString(b)
}

// OpenLink verifies a Link token and returns its fields and when it was
// issued. A malformed, forged or expired link is ErrInvalid.
func (c *Codes) OpenLink(token string) (fields []string, issued time.Time, err error) {
	c.init()
	raw, err := b64.DecodeString(token)
	if err != nil || len(c.Secret) == 0 || len(raw) < 2+linkTagSize {
		return nil, time.Time{}, ErrInvalid
	}
	payload, tag := raw[:len(raw)-linkTagSize], raw[len(raw)-linkTagSize:]
	if !hmac.Equal(tag, c.linkTag(payload)) || payload[0] != linkVersion {
		return nil, time.Time{}, ErrInvalid
	}
	rest := payload[1:]
	unix, n := binary.Uvarint(rest)
	if n <= 0 || unix > 1<<40 {
		return nil, time.Time{}, ErrInvalid
	}
	rest = rest[n:]
	for len(rest) > 0 {
		size, n := binary.Uvarint(rest)
		if n <= 0 || size > uint64(len(rest)-n) || len(fields) == maxLinkFields {
			return nil, time.Time{}, ErrInvalid
		}
		fields = append(fields, string(rest[n:n+int(size)]))
		rest = rest[n+int(size):]
	}
	issued = time.Unix(int64(unix), 0).UTC()
	if !c.now().Before(issued.Add(c.linkTTL)) {
		return nil, time.Time{}, ErrInvalid
	}
	return fields, issued, nil
}

// linkTag is the truncated HMAC of a link payload, domain-separated from
// the image tokens' signatures.
func (c *Codes) linkTag(payload []byte) []byte {
	m := hmac.New(sha256.New, c.Secret)
	m.Write([]byte("qr-link\x00"))
	m.Write(payload)
	return m.Sum(nil)[:linkTagSize]
}
