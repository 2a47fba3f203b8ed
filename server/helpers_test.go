package server_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/qr"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/mem"
)

// The production types satisfy the server's small interfaces.
var (
	_ server.Dialog    = (*intents.Dialog)(nil)
	_ server.Partner   = (*pay.Service)(nil)
	_ server.Accounts  = (*pay.Service)(nil)
	_ server.QR        = (*qr.Codes)(nil)
	_ server.Store     = shop.StateStore(nil)
	_ server.Ledger    = shop.OrderStore(nil)
	_ server.Watchlist = (*pay.Reconciler)(nil)
)

const adminSecret = "test-admin-secret"

// fixture is a fully wired server on a temporary bbolt store, with the fake
// platform's pay side for refunds.
type fixture struct {
	app      *fiber.App // the public application
	ops      *fiber.App // the operations application
	store    *bolt.Store
	svc      *pay.Service
	rec      *pay.Reconciler // Delay 1ns: checks orders at once
	offers   *pay.Offers
	codes    *qr.Codes
	platform *fakeplatform.Server
	now      time.Time // the QR clock; zero means time.Now
}

func newFixture(tb testing.TB, mods ...func(*server.Config)) *fixture {
	tb.Helper()
	cat, err := catalog.Default()
	if err != nil {
		tb.Fatal(err)
	}
	st, err := bolt.Open(filepath.Join(tb.TempDir(), "skill.db"), bolt.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	f := &fixture{store: st, platform: tsktest.NewPlatform(tb)}
	f.offers = &pay.Offers{Secret: []byte("offer-secret"), Store: st}
	state := mem.New(mem.Config{})
	ledger := &shop.Ledger{Store: st, Catalog: cat}
	f.svc = &pay.Service{Ledger: ledger, SkillID: tsktest.SkillID, Offers: f.offers, Platform: tsktest.PayClient(f.platform)}
	f.codes = &qr.Codes{Secret: []byte("qr-secret"), Now: func() time.Time {
		if f.now.IsZero() {
			return time.Now()
		}
		return f.now
	}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.svc.Logger = quiet
	f.rec = &pay.Reconciler{Service: f.svc, Delay: time.Nanosecond, Logger: quiet}
	dialog := intents.New(intents.Config{Catalog: cat, Sessions: state, Ledger: ledger, Payments: f.svc, Offers: f.offers, Logger: quiet})
	cfg := server.Config{
		SkillID:      tsktest.SkillID,
		PlatformKeys: []*rsa.PublicKey{&tsktest.PlatformKey.PublicKey},
		Secrets:      [][]byte{tsktest.Secret},
		PrivateKey:   tsktest.SkillKey,
		Dialog:       dialog,
		Partner:      f.svc,
		Store:        state,
		Ledger:       st,
		QR:           f.codes,
		Offers:       f.offers,
		Catalog:      cat,
		AdminSecret:  []byte(adminSecret),
		Watchlist:    f.rec,
		Logger:       quiet,
	}
	for _, m := range mods {
		m(&cfg)
	}
	f.app, f.ops = server.New(cfg), server.NewOps(cfg)
	return f
}

// listen serves the app on 127.0.0.1 (for what app.Test cannot show, such
// as a body over the limit) and returns its base URL.
func (f *fixture) listen(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go f.app.Listener(ln)
	tb.Cleanup(func() { _ = f.app.Shutdown() })
	return "http://" + ln.Addr().String()
}

// send posts body to url with the Authorization header over real HTTP.
//
// A server may answer an oversized body from its Content-Length and close
// the connection before the client has written it all; the client then sees
// a reset instead of the answer, so such a request is sent again.
func send(tb testing.TB, url string, body []byte, auth string) response {
	tb.Helper()
	resp, err := http.DefaultClient.Do(tsktest.NewHTTPRequest(url, body, auth))
	for try := 0; try < 5 && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)); try++ {
		resp, err = http.DefaultClient.Do(tsktest.NewHTTPRequest(url, body, auth))
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// response is what a test looks at in an answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorText returns the "error" of a JSON error body.
func (r response) errorText() string {
	var e server.ErrorBody
	_ = json.Unmarshal(r.body, &e)
	return e.Error
}

// do sends req to the application that serves its path: the operations
// one for health, metrics and the admin API, else the public one.
func (f *fixture) do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	app := f.app
	if opsPath(req.URL.Path) {
		app = f.ops
	}
	resp, err := app.Test(req, 10_000)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// opsPath reports whether a path is served by the operations application.
func opsPath(p string) bool {
	for _, prefix := range []string{"/admin/", "/healthz", "/readyz", "/metrics", "/debug/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// post sends body to path with the Authorization header (none when empty).
func (f *fixture) post(tb testing.TB, path string, body []byte, auth string) response {
	tb.Helper()
	return f.do(tb, tsktest.NewHTTPRequest("http://skill.test"+path, body, auth))
}

// get sends a GET with optional headers, given as name, value pairs.
func (f *fixture) get(tb testing.TB, path string, headers ...string) response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://skill.test"+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return f.do(tb, req)
}

// payReply decodes a pay reply and checks its signature with openssl.
func payReply(t *testing.T, r response) pay.Reply {
	t.Helper()
	var reply pay.Reply
	if err := json.Unmarshal(r.body, &reply); err != nil {
		t.Fatalf("reply %q (HTTP %d) is not JSON: %v", r.body, r.status, err)
	}
	opensslVerify(t, r.body, r.header.Get("Authorization"))
	return reply
}

// opensslVerify checks that header is a TSK-RSA2 signature by
// tsktest.SkillKey over body, with the openssl command line tool: the
// platform's view, independent of our own tsk package.
func opensslVerify(t *testing.T, body []byte, header string) {
	t.Helper()
	tsktest.Need(t, "openssl")
	a, err := tsk.ParseAuthorization(header)
	if err != nil || a.Algorithm != tsk.RSA2 {
		t.Fatalf("reply Authorization %q: %v", header, err)
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil {
		t.Fatalf("signature is not base64: %v", err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"pub.pem":     tsk.PublicKeyPEM(&tsktest.SkillKey.PublicKey),
		"sig.bin":     sig,
		"content.bin": append(bytes.Clone(body), a.Datetime...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", filepath.Join(dir, "pub.pem"),
		"-signature", filepath.Join(dir, "sig.bin"), filepath.Join(dir, "content.bin")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("openssl does not verify the reply signature: %v: %s", err, out)
	}
}
