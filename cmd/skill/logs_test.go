package main_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// headerTap is a reverse proxy in front of the fake platform that records
// the X-Request-Id of each call, by path.
type headerTap struct {
	mu  sync.Mutex
	ids map[string][]string
}

func newHeaderTap(t *testing.T, target string) (*headerTap, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	tap := &headerTap{ids: map[string][]string{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tap.mu.Lock()
		tap.ids[r.URL.Path] = append(tap.ids[r.URL.Path], r.Header.Get("X-Request-Id"))
		tap.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return tap, srv.URL
}

func (h *headerTap) get(path string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids[path]...)
}

// jsonLines parses every log line as a JSON object.
func jsonLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// TestJSONLogsWithRequestIDs: with SKILL_LOG_FORMAT=json every line is a
// JSON object; a request keeps the X-Request-Id it came with (or gets one,
// sent back), every line logged for it carries it, pay lines carry the
// trade_no, and the platform calls it makes send it on. Health checks are
// not logged at INFO.
func TestJSONLogsWithRequestIDs(t *testing.T) {
	platform := tsktest.NewPlatform(t)
	tap, tapURL := newHeaderTap(t, platform.URL)
	p := serve(t, environ(t.TempDir(), "SKILL_LOG_FORMAT=json", "SKILL_PLATFORM_URL="+tapURL+fakeplatform.PayPath))

	body, auth := tsktest.MustSignPay(t, fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200}))
	req := tsktest.NewHTTPRequest(p.url+"/pay/create-order", body, auth)
	req.Header.Set("X-Request-Id", "it-create-1")
	r := do(t, req)
	var reply struct{ TradeNo string }
	if err := json.Unmarshal(r.body, &reply); err != nil || r.status != 200 || reply.TradeNo == "" || r.header.Get("X-Request-Id") != "it-create-1" {
		t.Fatalf("create order: %d %s (X-Request-Id %q)", r.status, r.body, r.header.Get("X-Request-Id"))
	}
	tradeNo := reply.TradeNo
	platform.Pay(tradeNo, 200)
	body, auth = tsktest.MustSignPay(t, tsktest.MustShipNotify(t, platform.Platform, "u1", tradeNo))
	r = do(t, tsktest.NewHTTPRequest(p.url+"/pay/ship-notify", body, auth)) // no id: one is made
	shipID := r.header.Get("X-Request-Id")
	if r.status != 200 || len(shipID) != 16 {
		t.Fatalf("ship notify: %d, X-Request-Id %q", r.status, shipID)
	}
	raw, _ := json.Marshal(server.RefundRequest{Amount: 100})
	req, _ = http.NewRequest(http.MethodPost, p.ops+"/admin/orders/"+tradeNo+"/refund", strings.NewReader(string(raw)))
	tok, _ := admin.NewToken([]byte(adminSecret), time.Minute, time.Now())
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Request-Id", "it-refund-1")
	if r := do(t, req); r.status != 200 {
		t.Fatalf("refund: %d %s", r.status, r.body)
	}
	bad := tsktest.NewHTTPRequest(p.url+"/pay/create-order", []byte(`{}`), "")
	bad.Header.Set("X-Request-Id", "bad id with spaces")
	if r := do(t, bad); r.status != 401 || len(r.header.Get("X-Request-Id")) != 16 {
		t.Fatalf("unsigned: %d, X-Request-Id %q (an unfit id is replaced)", r.status, r.header.Get("X-Request-Id"))
	}
	for range 3 {
		do(t, mustGet(t, p.ops+"/healthz"))
	}
	scan := mustGet(t, p.url+"/wp-login.php")
	scan.Header.Set("X-Request-Id", "it-scan-1")
	if r := do(t, scan); r.status != 404 {
		t.Fatalf("a scanner's path: %d", r.status)
	}
	turn := fakeplatform.NewIntent("buy", map[string]string{"product": "万古神帝第35集"}, fakeplatform.WithRequestID("it-turn-1"))
	body, auth = tsktest.SignHMAC(turn)
	if r := do(t, tsktest.NewHTTPRequest(p.url+"/skill", body, auth)); r.status != 200 {
		t.Fatalf("skill turn: %d %s", r.status, r.body)
	}
	if got := tap.get(fakeplatform.PayPath + "refund"); len(got) != 1 || got[0] != "it-refund-1" {
		t.Errorf("the platform's refund call had X-Request-Id %q, want it-refund-1", got)
	}

	// The log is read from the process's pipe: wait for the last line.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(p.logs.String(), `"request_id":"it-turn-1"`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	byID := map[string][]map[string]any{}
	for _, l := range jsonLines(t, p.logs.String()) {
		if l["msg"] == "http request" && strings.HasPrefix(l["route"].(string), "/healthz") {
			t.Errorf("health check logged at %v: %v", l["level"], l)
		}
		if id, ok := l["request_id"].(string); ok {
			byID[id] = append(byID[id], l)
		}
		if l["request_id"] == "it-scan-1" && l["level"] != "INFO" {
			t.Errorf("a scanner's 404 logged at %v, want INFO", l["level"])
		}
		// Durations in seconds (slog's own JSON writes nanoseconds).
		if d, ok := l["duration"].(float64); l["msg"] == "http request" && (!ok || d <= 0 || d > 10) {
			t.Errorf("access line duration %v, want seconds: %v", l["duration"], l)
		}
	}
	// One line per request, with what the request did on it; the admin
	// refund's platform calls log lines of their own.
	for _, tt := range []struct {
		id    string
		msgs  []string
		event string
	}{
		{"it-create-1", []string{"http request"}, "pay: order created"},
		{shipID, []string{"http request"}, "pay: order delivered"},
		{"it-refund-1", []string{"pay: refund started", "pay: refund updated", "http request"}, ""},
	} {
		var got []string
		for _, l := range byID[tt.id] {
			msg := l["msg"].(string)
			got = append(got, msg)
			if msg != "http request" || strings.HasPrefix(l["route"].(string), "/pay/") {
				if l["trade_no"] != tradeNo {
					t.Errorf("request %s: line %q has trade_no %v, want %s", tt.id, msg, l["trade_no"], tradeNo)
				}
			}
			if msg == "http request" && tt.event != "" && l["event"] != tt.event {
				t.Errorf("request %s: event %v, want %q", tt.id, l["event"], tt.event)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.msgs))
		if !slices.Equal(got, want) {
			t.Errorf("request %s: lines %q, want %q: %v", tt.id, got, want, byID[tt.id])
		}
	}
	lines := byID["it-turn-1"]
	if len(lines) != 1 {
		t.Fatalf("a /skill turn logged %d lines, want 1: %v", len(lines), lines)
	}
	for k, v := range map[string]any{"msg": "http request", "intent": "buy", "state": "confirm", "device": "screenless", "type": "IntentRequest"} {
		if lines[0][k] != v {
			t.Errorf("the turn's line has %s=%v, want %v: %v", k, lines[0][k], v, lines[0])
		}
	}
	for _, l := range strings.Split(p.logs.String(), "\n") {
		if strings.Count(l, `"trade_no"`) > 1 {
			t.Errorf("a key twice on one line: %s", l)
		}
	}
	if lines[0]["session_id"] == "" || lines[0]["session_id"] == nil {
		t.Errorf("the turn's line has no session_id: %v", lines[0])
	}
}
