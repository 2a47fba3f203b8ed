package qr_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/qr"
)

var pngHeader = []byte("\x89PNG\r\n\x1a\n")

func newCodes(now *time.Time) *qr.Codes {
	return &qr.Codes{Secret: []byte("test-secret"), Now: func() time.Time { return *now }, Size: 256, CacheSize: 2}
}

func TestPNG(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCodes(&now)
	tok := c.Token("https://pay.example/o/T1")
	if strings.ContainsAny(tok, "+/= ") {
		t.Fatalf("token %q is not URL-safe", tok)
	}
	png, etag, err := c.PNG(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, pngHeader) {
		t.Fatalf("not a PNG: % x", png[:8])
	}
	if etag == "" || etag[0] != '"' {
		t.Errorf("etag %q, want a quoted string", etag)
	}
	png2, etag2, err := c.PNG(tok)
	if err != nil {
		t.Fatal(err)
	}
	if &png2[0] != &png[0] || etag2 != etag {
		t.Error("second call did not return the cached image")
	}
	if got := c.Renders(); got != 1 {
		t.Errorf("renders = %d, want 1", got)
	}
	// Another token for the same content hits the cache too.
	now = now.Add(time.Minute)
	if _, _, err := c.PNG(c.Token("https://pay.example/o/T1")); err != nil || c.Renders() != 1 {
		t.Errorf("same content re-rendered: err=%v renders=%d", err, c.Renders())
	}
}

func TestPNGInvalid(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCodes(&now)
	good := c.Token("content")
	other := (&qr.Codes{Secret: []byte("another secret"), Now: c.Now}).Token("content")
	head, _, _ := strings.Cut(good, ".")
	_, sig, _ := strings.Cut(other, ".")
	tests := []struct {
		name, token string
		advance     time.Duration
	}{
		{"empty", "", 0},
		{"no signature", head, 0},
		{"garbage", "!!!.???", 0},
		{"other secret", other, 0},
		{"swapped signature", head + "." + sig, 0},
		{"tampered content", "eyJjIjoiZXZpbCIsImUiOjk5OTk5OTk5OTl9." + strings.SplitN(good, ".", 2)[1], 0},
		{"expired", good, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := now
			now = now.Add(tt.advance)
			defer func() { now = saved }()
			if _, _, err := c.PNG(tt.token); !errors.Is(err, qr.ErrInvalid) {
				t.Errorf("PNG(%q) error = %v, want ErrInvalid", tt.token, err)
			}
		})
	}
	if _, _, err := c.PNG(good); err != nil {
		t.Errorf("good token rejected: %v", err)
	}
	if _, _, err := (&qr.Codes{}).PNG((&qr.Codes{}).Token("x")); !errors.Is(err, qr.ErrInvalid) {
		t.Errorf("empty secret: error = %v, want ErrInvalid", err)
	}
}

func TestPNGConcurrentFirstHit(t *testing.T) {
	now := time.Now()
	c := newCodes(&now)
	tok := c.Token("concurrent")
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, _, err := c.PNG(tok); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := c.Renders(); got != 1 {
		t.Errorf("renders = %d, want 1", got)
	}
}

func TestPNGEviction(t *testing.T) {
	now := time.Now()
	c := newCodes(&now) // CacheSize 2
	for i := range 3 {
		if _, _, err := c.PNG(c.Token(fmt.Sprint("c", i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.PNG(c.Token("c2")); err != nil || c.Renders() != 3 {
		t.Fatalf("recent entry evicted: renders=%d", c.Renders())
	}
	if _, _, err := c.PNG(c.Token("c0")); err != nil || c.Renders() != 4 {
		t.Fatalf("oldest entry not evicted: renders=%d", c.Renders())
	}
}

func BenchmarkPNG(b *testing.B) {
	b.Run("first", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c := &qr.Codes{Secret: []byte("s")}
			if _, _, err := c.PNG(c.Token(fmt.Sprint("https://pay.example/o/", i))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := &qr.Codes{Secret: []byte("s")}
		tok := c.Token("https://pay.example/o/T1")
		if _, _, err := c.PNG(tok); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, _, err := c.PNG(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func ExampleCodes() {
	c := &qr.Codes{Secret: []byte("secret")}
	png, _, err := c.PNG(c.Token("https://example.com/pay/T123"))
	fmt.Println(err, string(png[1:4]))
	// Output: <nil> PNG
}
