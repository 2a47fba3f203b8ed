package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
)

// The public application serves what the platform and phones reach; health,
// metrics, profiles and the admin API are on the operations one only.
func TestOpsAndPublicSplit(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("voicepay_up 1\n"))
	})
	var draining atomic.Bool
	f := newFixture(t, func(c *server.Config) { c.Metrics = metrics; c.Draining = draining.Load })
	tok := mustToken(t, adminSecret, time.Hour, time.Now())
	for _, path := range []string{"/admin/orders", "/healthz", "/readyz", "/metrics", "/debug/pprof/"} {
		req, _ := http.NewRequest(http.MethodGet, "http://skill.test"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := f.app.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, resp.StatusCode)
		}
		if r := f.get(t, path, "Authorization", "Bearer "+tok); r.status != http.StatusOK {
			t.Errorf("ops %s: %d %s", path, r.status, r.body)
		}
	}
	if r := f.get(t, "/metrics"); !strings.Contains(string(r.body), "voicepay_up 1") {
		t.Errorf("/metrics: %s", r.body)
	}
	for _, path := range []string{"/skill", "/pay/create-order"} {
		req, _ := http.NewRequest(http.MethodPost, "http://skill.test"+path, nil)
		resp, err := f.ops.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("ops %s: %d, want 404", path, resp.StatusCode)
		}
	}
	draining.Store(true)
	if r := f.get(t, "/readyz"); r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "draining") {
		t.Errorf("/readyz while draining: %d %s", r.status, r.body)
	}
	if r := f.get(t, "/healthz"); r.status != http.StatusOK {
		t.Errorf("/healthz while draining: %d", r.status)
	}
}

// TestOpsIndex: GET / on the operations application lists its endpoints,
// every route it serves, instead of a 404.
func TestOpsIndex(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	f := newFixture(t, func(c *server.Config) { c.Metrics = metrics })
	index := func(f *fixture) (int, string, string) {
		resp, err := f.ops.Test(httptest.NewRequest(http.MethodGet, "/", nil), 10_000)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	}
	status, ctype, body := index(f)
	if status != http.StatusOK || !strings.HasPrefix(ctype, "text/plain") {
		t.Fatalf("GET /: %d %s\n%s", status, ctype, body)
	}
	for _, route := range f.ops.GetRoutes(true) {
		if route.Method == http.MethodHead || route.Path == "/" {
			continue
		}
		path := regexp.MustCompile(`:(\w+)`).ReplaceAllString(route.Path, "{$1}")
		if !regexp.MustCompile(`(?m)^` + route.Method + ` +` + regexp.QuoteMeta(path) + `(\s|\[|$)`).MatchString(body) {
			t.Errorf("GET / does not list %s %s:\n%s", route.Method, path, body)
		}
	}
	off := newFixture(t, func(c *server.Config) { c.AdminSecret = nil })
	if status, _, body := index(off); status != http.StatusOK || !strings.Contains(body, "disabled") || strings.Contains(body, "/admin/orders") {
		t.Errorf("GET / without an admin secret: %d\n%s", status, body)
	}
}
