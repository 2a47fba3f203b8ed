package server_test

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// A client that fails authentication FailBurst times is refused with 429
// and Retry-After, unsigned, until its bucket fills again; other clients
// (told apart behind a trusted proxy by X-Forwarded-For) are not. A signed
// request from that client's address is served all the same: the platform
// may share it (40 junk requests held off its signed ship notifies).
func TestFailedAuthRateLimit(t *testing.T) {
	f := newFixture(t, func(c *server.Config) {
		c.FailBurst, c.FailRate = 3, 0.01
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	base := f.listen(t)
	junk := func(path, xff string) response {
		req := tsktest.NewHTTPRequest(base+path, []byte(`{}`), "")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return response{status: resp.StatusCode, header: resp.Header}
	}
	for i := range 3 {
		if r := junk("/pay/create-order", "203.0.113.7"); r.status != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, r.status)
		}
	}
	r := junk("/pay/create-order", "203.0.113.7")
	if r.status != 429 || r.header.Get("Retry-After") == "" || r.header.Get("Authorization") != "" {
		t.Fatalf("4th failure: %d, Retry-After %q, Authorization %q; want 429, a wait, no signature",
			r.status, r.header.Get("Retry-After"), r.header.Get("Authorization"))
	}
	if r := junk("/skill", "203.0.113.7"); r.status != 429 {
		t.Errorf("/skill from the same client: %d, want 429", r.status)
	}
	// A spoofed X-Forwarded-For entry on the left does not escape the
	// bucket: the proxy appended the address it saw.
	if r := junk("/pay/create-order", "198.51.100.1, 203.0.113.7"); r.status != 429 {
		t.Errorf("spoofed left entry: %d, want 429", r.status)
	}
	signed := func(path string, body []byte, auth string) *http.Response {
		req := tsktest.NewHTTPRequest(base+path, body, auth)
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	notify := pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: "u1", TransactionID: "TX1", TradeNo: "TNOSUCHORDER", TotalAmt: 100, NonceStr: "n1"}
	nb, na := tsktest.MustSignPay(t, notify)
	if resp := signed("/pay/ship-notify", nb, na); resp.StatusCode != 200 || resp.Header.Get("Authorization") == "" {
		t.Errorf("a signed ship notify from the limited address: %d, signed %q; want 200, signed", resp.StatusCode, resp.Header.Get("Authorization"))
	}
	lb, la := tsktest.SignRSA2(fakeplatform.NewLaunch())
	if resp := signed("/skill", lb, la); resp.StatusCode != 200 {
		t.Errorf("a signed skill request from the limited address: %d, want 200", resp.StatusCode)
	}
	if r := junk("/pay/create-order", "203.0.113.7"); r.status != 429 {
		t.Errorf("junk after the signed ones: %d, want 429", r.status)
	}
	if r := junk("/pay/create-order", "203.0.113.8"); r.status != 401 {
		t.Errorf("another client: %d, want 401", r.status)
	}
	body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch())
	req := tsktest.NewHTTPRequest(base+"/skill", body, auth)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("a signed request from another client: %v %v", resp.StatusCode, err)
	}
}

// Without trusted proxies X-Forwarded-For is ignored: the peer is the client.
func TestUntrustedForwardedFor(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.FailBurst, c.FailRate = 2, 0.01 })
	base := f.listen(t)
	for i, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		req := tsktest.NewHTTPRequest(base+"/pay/ship-notify", []byte(`{}`), "")
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 429, false: 401}[i == 2]; resp.StatusCode != want {
			t.Errorf("request %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}
