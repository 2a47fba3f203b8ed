package main_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
)

// TestOpsListener: health, metrics, profiles and the admin API answer on
// SKILL_OPS_ADDR only; the public listener answers 404 for them. On
// SIGTERM /readyz answers 503 for SKILL_DRAIN while requests are still
// served, then the process exits 0.
func TestOpsListener(t *testing.T) {
	p := serve(t, environ(t.TempDir(), "SKILL_DRAIN=3s"))
	tok, err := admin.NewToken([]byte(adminSecret), time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/admin/orders", "/healthz", "/readyz", "/metrics", "/debug/pprof/cmdline"} {
		for _, base := range []string{p.url, p.ops} {
			req := mustGet(t, base+path)
			req.Header.Set("Authorization", "Bearer "+tok)
			r := do(t, req)
			want := http.StatusOK
			if base == p.url {
				want = http.StatusNotFound
			}
			if r.status != want {
				t.Errorf("GET %s%s: %d, want %d", base, path, r.status, want)
			}
		}
	}
	if r := do(t, mustGet(t, p.ops+"/skill")); r.status != http.StatusNotFound {
		t.Errorf("GET ops /skill: %d, want 404", r.status)
	}

	start := time.Now()
	if err := p.cmd.Process.Signal(sigterm); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		r := do(t, mustGet(t, p.ops+"/readyz"))
		if r.status == http.StatusServiceUnavailable && strings.Contains(string(r.body), "draining") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after SIGTERM: %d %s, want 503 draining", r.status, r.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := do(t, mustGet(t, p.ops+"/healthz")); r.status != http.StatusOK {
		t.Errorf("/healthz while draining: %d", r.status)
	}
	if r := do(t, mustGet(t, p.url+"/products/coins")); r.status != http.StatusOK {
		t.Errorf("public page while draining: %d", r.status)
	}
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatal("no exit after draining")
	}
	if code := exitCode(p.err); code != 0 || time.Since(start) < 3*time.Second {
		t.Fatalf("exit %d after %s; want 0 after the 3s drain", code, time.Since(start))
	}
}

// TestOrdersListWithoutAStore: the admin commands read; where no store is
// (a terminal in the wrong directory) they say so and make none (they made
// an empty one and said "no orders yet").
func TestOrdersListWithoutAStore(t *testing.T) {
	data := filepath.Join(t.TempDir(), "nowhere")
	for _, args := range [][]string{{"orders", "list"}, {"orders", "attention"}} {
		_, errOut, code := cli(t, environ(data), args...)
		if code == 0 || !strings.Contains(errOut, "no order store at") {
			t.Errorf("%v without a store: exit %d, %q", args, code, errOut)
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a store was made at %s (%v)", data, err)
	}
}
