package qr_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/qr"
)

func TestLink(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCodes(&now)
	fields := []string{"user-1", "ep35", "1"}
	tok := c.Link(fields...)
	if strings.ContainsAny(tok, "+/=. ") || len(tok) > 64 {
		t.Fatalf("link %q (%d chars) is not short and URL-safe", tok, len(tok))
	}
	got, issued, err := c.OpenLink(tok)
	if err != nil || strings.Join(got, "|") != "user-1|ep35|1" || !issued.Equal(now) {
		t.Fatalf("OpenLink = %q, %v, %v", got, issued, err)
	}
	// Fields are kept apart whatever they contain.
	for _, fs := range [][]string{{"a", "bc"}, {"ab", "c"}, {"", "abc"}, {"a\x00b", "用户|1"}, {}} {
		got, _, err := c.OpenLink(c.Link(fs...))
		if err != nil || strings.Join(got, "\x01") != strings.Join(fs, "\x01") || len(got) != len(fs) {
			t.Errorf("fields %q came back %q, %v", fs, got, err)
		}
	}

	other := &qr.Codes{Secret: []byte("another secret"), Now: c.Now}
	bad := map[string]string{
		"empty":     "",
		"garbage":   "!!!",
		"short":     tok[:10],
		"other key": other.Link(fields...),
		"flipped":   tok[:5] + string(tok[5]^1) + tok[6:],
		"png token": c.Token("content"),
		"truncated": tok[:len(tok)-1],
		"extended":  tok + "A",
		"no secret": (&qr.Codes{Now: c.Now}).Link(fields...),
	}
	for name, b := range bad {
		if _, _, err := c.OpenLink(b); !errors.Is(err, qr.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if _, _, err := (&qr.Codes{Now: c.Now}).OpenLink(tok); !errors.Is(err, qr.ErrInvalid) {
		t.Errorf("a Codes without a secret opened a link: %v", err)
	}
	// Links live LinkTTL (default DefaultLinkTTL), not the images' TTL.
	now = now.Add(qr.DefaultTTL + time.Hour)
	if _, _, err := c.OpenLink(tok); err != nil {
		t.Errorf("link after the image TTL: %v", err)
	}
	now = now.Add(qr.DefaultLinkTTL)
	if _, _, err := c.OpenLink(tok); !errors.Is(err, qr.ErrInvalid) {
		t.Errorf("expired link: %v", err)
	}
}
