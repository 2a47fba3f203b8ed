package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestQR(t *testing.T) {
	f := newFixture(t)
	token := f.codes.Token("https://skill.example/products/abc")
	r := f.get(t, "/qr/"+token+".png")
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(r.body), "\x89PNG") {
		t.Fatalf("QR: %d %q", r.status, r.header.Get("Content-Type"))
	}
	etag := r.header.Get("ETag")
	if etag == "" || r.header.Get("Cache-Control") != "public, max-age=600" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, r.header.Get("Cache-Control"))
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if r := f.get(t, "/qr/"+token+".png", "If-None-Match", inm); r.status != http.StatusNotModified || len(r.body) != 0 || r.header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: %d, %d bytes", inm, r.status, len(r.body))
		}
	}
	if r := f.get(t, "/qr/"+token+".png", "If-None-Match", `"other"`); r.status != 200 {
		t.Errorf("other ETag: %d", r.status)
	}

	forged := token[:len(token)-2] + "AA"
	if forged == token { // the signature happened to end so
		forged = token[:len(token)-2] + "EA"
	}
	for _, p := range []string{"/qr/" + forged + ".png", "/qr/" + token, "/qr/.png", "/qr/x.png"} {
		if r := f.get(t, p); r.status != 404 || r.errorText() != "not found" {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	f.now = time.Now().Add(time.Hour) // expired
	if r := f.get(t, "/qr/"+token+".png"); r.status != 404 {
		t.Errorf("expired token: %d", r.status)
	}
}

func TestProductPage(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/products/ep35")
	page := string(r.body)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page, "万古神帝第35集") || !strings.Contains(page, "2元") || !strings.Contains(page, "请在叮当App中完成支付") {
		t.Fatalf("product page: %d %s", r.status, page)
	}
	if r := f.get(t, "/products/nope"); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "链接无效") {
		t.Fatalf("unknown product: %d %q, want a page a phone can read", r.status, r.body)
	}
}

// downStore is a store whose every call fails.
type downStore struct{}

func (downStore) Remember(context.Context, string, time.Duration) (bool, error) {
	return false, shop.Errorf(shop.EUNAVAILABLE, "down")
}
func (downStore) Ping(context.Context) error { return errors.New("down") }

func TestHealth(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := f.get(t, p); r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	downCfg := server.Config{Store: downStore{}}
	down := &fixture{app: server.New(downCfg), ops: server.NewOps(downCfg)}
	if r := down.get(t, "/healthz"); r.status != 200 {
		t.Errorf("healthz with the store down: %d", r.status)
	}
	if r := down.get(t, "/readyz"); r.status != 503 || !strings.Contains(string(r.body), `"store":"dialogs"`) {
		t.Errorf("readyz with the dialog store down: %d %s, want 503 naming it", r.status, r.body)
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{shop.Errorf(shop.EINVALID, "x"), 400},
		{shop.Errorf(shop.ENOTFOUND, "x"), 404},
		{shop.ErrNotFound, 404},
		{shop.Errorf(shop.ECONFLICT, "x"), 409},
		{shop.Errorf(shop.EUNAUTHORIZED, "x"), 401},
		{shop.Errorf(shop.EUNAVAILABLE, "x"), 503},
		{errors.New("boom"), 500},
		{shop.Errorf("weird", "x"), 500},
	}
	for _, tt := range tests {
		if got := server.StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
