package tsk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Envelope is how Tencent Cloud SCF wraps an HTTP exchange: the request
// arrives as {"header": {...}, "body": "<JSON as a string>"} and the reply
// goes back in the same shape. The Body string holds the exact bytes that
// were signed.
type Envelope struct {
	Header map[string]string `json:"header"`
	Body   string            `json:"body"`
}

// IsEnvelope reports whether body is an SCF envelope rather than a bare skill
// request: a JSON object with a string "body", and no "version" or
// "request" of its own.
func IsEnvelope(body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	// The common case without parsing the whole body: a skill request
	// whose first key is its own.
	if k := firstKey(body); k == "version" || k == "request" {
		return false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) != nil {
		return false
	}
	if _, ok := probe["version"]; ok {
		return false
	}
	if _, ok := probe["request"]; ok {
		return false
	}
	b := bytes.TrimSpace(probe["body"])
	return len(b) > 0 && b[0] == '"'
}

// firstKey returns the first key of a JSON object, or "" when it is not a
// plain one (escapes are left to the full parse).
func firstKey(obj []byte) string {
	rest := bytes.TrimLeft(obj[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexAny(rest[1:], `"\`)
	if end < 0 || rest[1+end] != '"' {
		return ""
	}
	return string(rest[1 : 1+end])
}

// DecodeEnvelope parses an SCF envelope.
func DecodeEnvelope(data []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return Envelope{}, fmt.Errorf("tsk: decode envelope: %w", err)
	}
	return e, nil
}

// Get returns the header named key, compared case-insensitively.
func (e Envelope) Get(key string) string {
	if v, ok := e.Header[key]; ok {
		return v
	}
	for k, v := range e.Header {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// WrapResponse wraps a response body (and extra headers, such as a reply's
// Authorization) in an SCF envelope with Content-Type application/json.
func WrapResponse(body []byte, header map[string]string) ([]byte, error) {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	return json.Marshal(Envelope{Header: h, Body: string(body)})
}
