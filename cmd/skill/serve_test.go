package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestServe(t *testing.T) {
	platform := tsktest.NewPlatform(t) // for refunds and the reconciler
	data := t.TempDir()
	env := environ(data, "SKILL_PLATFORM_URL="+platform.PayURL())
	p := serve(t, env)

	for name, sign := range map[string]func(*tsk.Request) ([]byte, string){"hmac": tsktest.SignHMAC, "rsa2": tsktest.SignRSA2} {
		body, auth := sign(fakeplatform.NewLaunch())
		r := do(t, tsktest.NewHTTPRequest(p.url+"/skill", body, auth))
		if r.status != 200 {
			t.Fatalf("%s launch: %d %s", name, r.status, r.body)
		}
		tsktest.ValidateResponse(t, r.body)
	}

	now := time.Now()
	body, _ := tsktest.SignRSA2(fakeplatform.NewLaunch())
	replayBody, replayAuth := tsktest.SignRSA2(fakeplatform.NewLaunch())
	if r := do(t, tsktest.NewHTTPRequest(p.url+"/skill", replayBody, replayAuth)); r.status != 200 {
		t.Fatalf("first send: %d %s", r.status, r.body)
	}
	otherBody, otherAuth := tsktest.SignRSA2(fakeplatform.NewLaunch(fakeplatform.WithSkill("other-skill")))
	bad := []byte(`{"version":`)
	big := append([]byte(`{"x":"`), bytes.Repeat([]byte("y"), server.DefaultBodyLimit)...)
	big = append(big, `"}`...)
	for _, tt := range []struct {
		name       string
		body       []byte
		auth       string
		wantStatus int
		wantError  string
	}{
		{"unsigned", body, "", 401, "not signed"},
		{"wrong signature", body, tsktest.SignReply(body, now), 401, "bad signature"},
		{"wrong algorithm", body, strings.Replace(tsktest.SignBodyRSA2(body, now), tsk.RSA2, "TSK-MD5", 1), 401, "unknown algorithm"},
		{"4 min old", body, tsktest.SignBodyRSA2(body, now.Add(-4*time.Minute)), 401, "stale"},
		{"4 min ahead", body, tsktest.SignBodyHMAC(body, now.Add(4*time.Minute)), 401, "future"},
		{"other skill", otherBody, otherAuth, 401, "wrong skill"},
		{"replayed", replayBody, replayAuth, 401, "replayed"},
		{"malformed JSON", bad, tsktest.SignBodyRSA2(bad, now), 400, "invalid request"},
		{"oversized", big, tsktest.SignBodyRSA2(big, now), 413, "body too large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r result
			if len(tt.body) > server.DefaultBodyLimit {
				r = headOnly(t, p.url+"/skill", tt.auth, len(tt.body))
			} else {
				r = do(t, tsktest.NewHTTPRequest(p.url+"/skill", tt.body, tt.auth))
			}
			if r.status != tt.wantStatus || r.errorText() != tt.wantError {
				t.Fatalf("got %d %s, want %d %q", r.status, r.body, tt.wantStatus, tt.wantError)
			}
		})
	}

	// A screened purchase: the offer card's QR image and the order page it
	// leads a phone to are served by the same process.
	qrURL, _ := screenedOffer(t, p.url)
	if !strings.HasPrefix(qrURL, p.url+"/qr/") {
		t.Fatalf("QR URL %q is not under %s", qrURL, p.url)
	}
	if r := do(t, mustGet(t, qrURL)); r.status != 200 || r.header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR image: %d %q", r.status, r.header.Get("Content-Type"))
	}
	page := qrContent(t, qrURL)
	if r := do(t, mustGet(t, page)); !strings.HasPrefix(page, p.url+"/orders/") || r.status != 200 ||
		!strings.Contains(string(r.body), "2元") || !strings.Contains(string(r.body), "等待支付") {
		t.Fatalf("the page the QR code leads to (%s): %d %s", page, r.status, r.body)
	}

	// A purchase's pay side: create order, then ship notify, signed with
	// the platform's key; the fake platform checks each reply's signature.
	create := fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "coins", Quantity: 3, Amount: 300})
	reply, err := tsktest.PlatformFor(p.url).CreateOrder(context.Background(), create)
	if err != nil || !reply.OK() || reply.TradeNo == "" {
		t.Fatalf("create order: %+v, %v", reply, err)
	}
	tradeNo := reply.TradeNo
	platform.Pay(tradeNo, 300)
	ship := tsktest.MustShipNotify(t, platform.Platform, "u1", tradeNo)
	if reply, err := tsktest.PlatformFor(p.url).ShipNotify(context.Background(), ship); err != nil || !reply.OK() {
		t.Fatalf("ship notify: %+v, %v", reply, err)
	}
	hmacBody, _ := tsktest.MustSignPay(t, ship)
	if r := do(t, tsktest.NewHTTPRequest(p.url+"/pay/ship-notify", hmacBody, tsktest.SignBodyHMAC(hmacBody, now))); r.status != 401 {
		t.Fatalf("HMAC-signed ship notify: %d %s", r.status, r.body)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		if r := do(t, mustGet(t, p.ops+path)); r.status != 200 {
			t.Errorf("%s: %d", path, r.status)
		}
	}

	// The CLI through the admin API; the store itself is locked meanwhile.
	out, errOut, code := cli(t, env, "orders", "show", tradeNo, "--server", p.ops, "--json")
	if code != 0 || !strings.Contains(out, `"state": "DELIVERED"`) || !strings.Contains(out, `"deliveries": 1`) {
		t.Fatalf("orders show --server --json: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = cli(t, env, "orders", "show", tradeNo, "--server", p.ops)
	if code != 0 || !regexp.MustCompile(`(?m)^state +DELIVERED$`).MatchString(out) || !strings.Contains(out, "+08:00") {
		t.Fatalf("orders show --server: exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := cli(t, env, "orders", "list"); code != 1 || !strings.Contains(errOut, "--server") {
		t.Fatalf("orders list on a locked store: exit %d: %s", code, errOut)
	}
	tok, _, _ := cli(t, env, "admin-token", "--operator", "bob", "--ttl", "10m")
	noSecret := append(env, "SKILL_ADMIN_SECRET=")
	out, errOut, code = cli(t, noSecret, "refund", tradeNo, "--amount", "100", "--reason", "cli test", "--server", p.ops, "--token", strings.TrimSpace(tok), "--json")
	if code != 0 || !strings.Contains(out, `"state": "REFUNDING"`) || !strings.Contains(out, `"by": "bob"`) || platform.Calls("refund") != 1 {
		t.Fatalf("refund --server --token --json: exit %d, %d platform calls\n%s%s", code, platform.Calls("refund"), out, errOut)
	}

	out, errOut, code = cli(t, env, "orders", "attention", "--server", p.ops)
	if code != 0 || out != "nothing needs attention\n" {
		t.Fatalf("orders attention --server: exit %d\n%s%s", code, out, errOut)
	}

	if code := p.stop(t, sigterm); code != 0 {
		t.Fatalf("exit status after SIGTERM: %d\n%s", code, p.logs.String())
	}
	if !strings.Contains(p.logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", p.logs.String())
	}
	out, errOut, code = cli(t, env, "reconcile", "--once")
	if code != 0 || !strings.Contains(out, "refunds_settled=1") {
		t.Fatalf("reconcile --once: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = cli(t, env, "orders", "list")
	if code != 0 || !strings.Contains(out, tradeNo) || !strings.Contains(out, "PARTIALLY_REFUNDED") {
		t.Fatalf("orders list from the store: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = cli(t, env, "orders", "attention", "--json")
	if code != 0 || strings.Join(strings.Fields(out), "") != `{"items":[]}` {
		t.Fatalf("orders attention from the store: exit %d\n%s%s", code, out, errOut)
	}
}

func TestStartErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"public key as private key", []string{"SKILL_PRIVATE_KEY=" + skillPubPEM},
			"skill: SKILL_PRIVATE_KEY: " + skillPubPEM + ": not an RSA private key (it is a public key)"},
		{"missing private key", []string{"SKILL_PRIVATE_KEY=" + missing},
			"skill: SKILL_PRIVATE_KEY: " + missing + ": no such file or directory"},
		{"private key as platform key", []string{"SKILL_TSK_PUBLIC_KEY=" + skillPrivPEM},
			"skill: SKILL_TSK_PUBLIC_KEY: " + skillPrivPEM + ": is a private key; want the platform's public key"},
		{"no platform key", []string{"SKILL_TSK_PUBLIC_KEY="}, "skill: SKILL_TSK_PUBLIC_KEY: not set"},
		{"catalog is not a catalog", []string{"SKILL_CATALOG=" + skillPrivPEM}, "skill: SKILL_CATALOG: "},
		{"bad log level", []string{"SKILL_LOG_LEVEL=loud"}, "skill: SKILL_LOG_LEVEL: "},
		{"bad payment window", []string{"SKILL_PAYMENT_WINDOW=soon"}, "skill: SKILL_PAYMENT_WINDOW: "},
		{"payment window too short", []string{"SKILL_PAYMENT_WINDOW=30s"}, "skill: SKILL_PAYMENT_WINDOW: "},
		{"offer TTL not a duration", []string{"SKILL_OFFER_TTL=a week"}, `skill: SKILL_OFFER_TTL: "a week": want a duration from 1m to 90d`},
		{"offer TTL too short", []string{"SKILL_OFFER_TTL=30s"}, `skill: SKILL_OFFER_TTL: "30s": want`},
		{"offer TTL too long", []string{"SKILL_OFFER_TTL=91d"}, `skill: SKILL_OFFER_TTL: "91d": want`},
		{"offer TTL negative days", []string{"SKILL_OFFER_TTL=-1d"}, `skill: SKILL_OFFER_TTL: "-1d": want`},
		{"no skill id", []string{"SKILL_ID="}, "skill: SKILL_ID: not set"},
		{"skill id too long", []string{"SKILL_ID=" + strings.Repeat("x", 33)}, "skill: SKILL_ID: "},
		{"no catalog", []string{"SKILL_CATALOG="}, "skill: SKILL_CATALOG: not set"},
		{"public URL not a URL", []string{"SKILL_PUBLIC_URL=not-a-url"}, "skill: SKILL_PUBLIC_URL: "},
		{"public URL http off loopback", []string{"SKILL_PUBLIC_URL=http://skill.example.com"}, "skill: SKILL_PUBLIC_URL: "},
		{"public URL http without dev", []string{"SKILL_DEV=", "SKILL_PLATFORM_URL=https://p.example.com/", "SKILL_PUBLIC_URL=http://127.0.0.1:8080"}, "skill: SKILL_PUBLIC_URL: "},
		{"no public URL without dev", []string{"SKILL_DEV=", "SKILL_PLATFORM_URL=https://p.example.com/"}, "skill: SKILL_PUBLIC_URL: not set"},
		{"platform URL http without dev", []string{"SKILL_DEV=", "SKILL_PUBLIC_URL=https://skill.example.com"}, "skill: SKILL_PLATFORM_URL: "},
		{"no public URL off loopback", []string{"SKILL_ADDR=:0"}, "skill: SKILL_PUBLIC_URL: not set"},
		{"platform URL not http", []string{"SKILL_PLATFORM_URL=ftp:/x"}, "skill: SKILL_PLATFORM_URL: "},
		{"platform URL with query", []string{"SKILL_PLATFORM_URL=https://p.example.com/?a=1"}, "skill: SKILL_PLATFORM_URL: "},
		{"short admin secret", []string{"SKILL_ADMIN_SECRET=short"}, "skill: SKILL_ADMIN_SECRET: 5 bytes"},
		{"short token secret", []string{"SKILL_TOKEN_SECRET=short"}, "skill: SKILL_TOKEN_SECRET: 5 bytes"},
		{"bad redis URL", []string{"SKILL_REDIS_URL=http://x", "SKILL_TOKEN_SECRET=" + testTokenSecret}, "skill: SKILL_REDIS_URL: "},
		{"redis without a token secret", []string{"SKILL_REDIS_URL=redis://127.0.0.1:1/0"}, "skill: SKILL_TOKEN_SECRET: not set: with SKILL_REDIS_URL"},
		{"bad log format", []string{"SKILL_LOG_FORMAT=xml"}, "skill: SKILL_LOG_FORMAT: "},
		{"bad drain", []string{"SKILL_DRAIN=-1s"}, "skill: SKILL_DRAIN: "},
		{"bad sign slots", []string{"SKILL_SIGN_SLOTS=0"}, "skill: SKILL_SIGN_SLOTS: "},
		{"bad dev", []string{"SKILL_DEV=yes"}, "skill: SKILL_DEV: "},
		{"cert without key", []string{"SKILL_TLS_CERT=" + skillPubPEM}, "skill: SKILL_TLS_KEY: not set"},
		{"cert not a cert", []string{"SKILL_TLS_CERT=" + skillPubPEM, "SKILL_TLS_KEY=" + skillPrivPEM}, "skill: SKILL_TLS_CERT: "},
		{"ops address taken", []string{"SKILL_OPS_ADDR=256.0.0.1:0"}, "skill: SKILL_OPS_ADDR: "},
	}
	// A Redis that cannot be reached yet is exit status 1: a supervisor
	// restarts the server (2 would tell it not to).
	t.Run("redis unreachable", func(t *testing.T) {
		_, errOut, code := cli(t, environ(filepath.Join(t.TempDir(), "data"), "SKILL_REDIS_URL=redis://127.0.0.1:1/0", "SKILL_TOKEN_SECRET="+testTokenSecret), "serve")
		if want := "skill: SKILL_REDIS_URL: redis://127.0.0.1:1/0: "; code != 1 || !strings.HasPrefix(errOut, want) {
			t.Fatalf("exit %d, stderr %q; want 1 and %q", code, errOut, want)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, errOut, code := cli(t, environ(data, tt.env...), "serve")
			if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and one line starting %q", code, errOut, tt.want)
			}
			if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the data directory was made before the configuration was found wrong: %v", err)
			}
		})
	}
	// An empty flag is an empty setting, not the default.
	if _, errOut, code := cli(t, environ(t.TempDir()), "serve", "--skill-id", ""); code != 2 || !strings.HasPrefix(errOut, "skill: SKILL_ID: empty") {
		t.Fatalf("--skill-id \"\": exit %d, %q", code, errOut)
	}
	// The flag wins over the variable.
	_, errOut, code := cli(t, environ(t.TempDir()), "serve", "--private-key", missing)
	if code != 2 || !strings.Contains(errOut, missing) {
		t.Fatalf("--private-key: exit %d, %q", code, errOut)
	}
}

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	env := environ(t.TempDir())
	out, errOut, code := cli(t, env, "keygen", "--out", dir)
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errOut)
	}
	line := strings.TrimSpace(out)
	if strings.Count(out, "\n") != 1 || strings.ContainsAny(line, " -") {
		t.Fatalf("keygen printed %q, want one line of base64", out)
	}
	der, err := base64.StdEncoding.DecodeString(line)
	if err != nil {
		t.Fatal(err)
	}
	var pem strings.Builder
	pem.WriteString("-----BEGIN PUBLIC KEY-----\n")
	for s := base64.StdEncoding.EncodeToString(der); s != ""; {
		n := min(64, len(s))
		pem.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	pem.WriteString("-----END PUBLIC KEY-----\n")
	pemPath := filepath.Join(t.TempDir(), "pub.pem")
	if err := os.WriteFile(pemPath, []byte(pem.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tsktest.Need(t, "openssl")
	text, err := exec.Command("openssl", "pkey", "-pubin", "-in", pemPath, "-noout", "-text").CombinedOutput()
	if err != nil || !strings.Contains(string(text), "2048 bit") {
		t.Fatalf("openssl pkey -pubin: %v\n%s", err, text)
	}

	priv := filepath.Join(dir, "skill_private.pem")
	if fi, err := os.Stat(priv); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, %v", fi, err)
	}
	k, err := tsk.LoadPrivateKey(priv)
	if err != nil || tsk.PublicKeyBase64(&k.PublicKey) != line {
		t.Fatalf("the private key does not match the printed public key: %v", err)
	}
	if _, errOut, code := cli(t, env, "keygen", "--out", dir); code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("keygen over existing keys: exit %d: %s", code, errOut)
	}
	if out2, _, code := cli(t, env, "keygen", "--out", dir, "--force"); code != 0 || out2 == out {
		t.Fatalf("keygen --force: exit %d", code)
	}
}

func TestAdminToken(t *testing.T) {
	out, _, code := cli(t, environ(t.TempDir()), "admin-token", "--ttl", "10m")
	if code != 0 || strings.Count(strings.TrimSpace(out), ".") != 2 {
		t.Fatalf("admin-token: exit %d, %q", code, out)
	}
	_, errOut, code := cli(t, environ(t.TempDir(), "SKILL_ADMIN_SECRET="), "admin-token")
	if code != 2 || !strings.HasPrefix(errOut, "skill: SKILL_ADMIN_SECRET: not set") {
		t.Fatalf("admin-token without a secret: exit %d, %q", code, errOut)
	}
	if _, errOut, code := cli(t, environ(t.TempDir(), "SKILL_ADMIN_SECRET=short"), "admin-token"); code != 2 || !strings.HasPrefix(errOut, "skill: SKILL_ADMIN_SECRET: 5 bytes") {
		t.Fatalf("admin-token with a short secret: exit %d, %q", code, errOut)
	}
	if _, errOut, code := cli(t, environ(t.TempDir()), "admin-token", "--ttl", "25h"); code != 2 || !strings.Contains(errOut, "at most 24h") {
		t.Fatalf("admin-token --ttl 25h: exit %d, %q", code, errOut)
	}
}

// screenedOffer buys ep35 on a screened speaker (buy, then yes) and returns
// the offer card's QR image URL and the offer token sent as the Charge's userId.
func screenedOffer(t *testing.T, base string) (qrURL, offerToken string) {
	t.Helper()
	opts := []fakeplatform.Option{fakeplatform.WithDeviceKind(device.Screened), fakeplatform.WithUser("screen-user"), fakeplatform.WithSession("screen-session")}
	var resp *tsk.Response
	for _, req := range []*tsk.Request{
		fakeplatform.NewIntent("buy", map[string]string{"product": "ep35"}, opts...),
		fakeplatform.NewIntent("yes", nil, opts...),
	} {
		body, auth := tsktest.SignRSA2(req)
		r := do(t, tsktest.NewHTTPRequest(base+"/skill", body, auth))
		if r.status != 200 {
			t.Fatalf("%s: %d %s", req.Request.Intent.Name, r.status, r.body)
		}
		tsktest.ValidateResponse(t, r.body)
		resp = tsktest.MustDecodeResponse(t, r.body)
	}
	for _, d := range resp.Response.Directives {
		switch d := d.(type) {
		case tsk.Charge:
			offerToken = d.Payload.ChargeInfo.UserID
		case tsk.RenderTemplate:
			if d.Template.BackgroundImage != nil {
				qrURL = d.Template.BackgroundImage.Source.URL
			}
		}
	}
	if qrURL == "" || offerToken == "" {
		t.Fatalf("no offer card with a QR code and offer in %+v", resp)
	}
	return qrURL, offerToken
}

// qrContent returns what the QR image at url encodes, read from its token
// (base64url JSON {"c": content, "e": expiry}, then a signature), as a phone
// scanning it would.
func qrContent(t *testing.T, url string) string {
	t.Helper()
	token := strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], ".png")
	payload, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("QR token %q: %v", token, err)
	}
	var v struct {
		C string `json:"c"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.C == "" {
		t.Fatalf("QR token payload %s: %v", raw, err)
	}
	return v.C
}

// TestVersion: `skill version` and `skill --version` print the module,
// its version, the VCS revision and the Go version from the build info.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, errOut, code := cli(t, environ(t.TempDir()), args...)
		if code != 0 || errOut != "" {
			t.Fatalf("%v: exit %d, %q", args, code, errOut)
		}
		for _, want := range []string{"skill ", "module   github.com/dingdang-voicepay/voicepay\n", "revision ", "go       go1."} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: no %q in\n%s", args, want, out)
			}
		}
	}
	// A build with VCS stamping names its revision.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if err := exec.Command("git", "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not in a git work tree")
	}
	bin2 := filepath.Join(t.TempDir(), "skill")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin2, ".").CombinedOutput(); err != nil {
		t.Skipf("go build -buildvcs=true: %v\n%s", err, out)
	}
	if m, _ := exec.Command("go", "version", "-m", bin2).Output(); !strings.Contains(string(m), "vcs.revision") {
		t.Skip("the toolchain recorded no VCS revision here (a git worktree has no .git directory)")
	}
	head, _ := exec.Command("git", "rev-parse", "HEAD").Output()
	out, err := exec.Command(bin2, "version").Output()
	if err != nil || !strings.Contains(string(out), "revision "+strings.TrimSpace(string(head))) {
		t.Fatalf("version of a stamped build: %v\n%s", err, out)
	}
}

// testTokenSecret is a SKILL_TOKEN_SECRET long enough for serve.
const testTokenSecret = "serve-test-token-secret-of-32-bytes-or-more"

// TestServeSurvivesSIGHUP: without a certificate to reload, SIGHUP (a
// systemd reload) is logged and the server goes on serving.
func TestServeSurvivesSIGHUP(t *testing.T) {
	p := serve(t, environ(t.TempDir()))
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.logs.String(), "SIGHUP: nothing to reload") {
		if time.Now().After(deadline) {
			t.Fatalf("no log line for SIGHUP:\n%s", p.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(p.ops + "/healthz")
	if err != nil {
		t.Fatalf("after SIGHUP: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz after SIGHUP: %d", resp.StatusCode)
	}
}

// headOnly sends the head of a POST whose Content-Length is length and no
// body, and reads the answer: an oversized body is refused on its head (a
// client sending the whole of it raced the server closing the connection,
// and lost the answer to a reset).
func headOnly(t *testing.T, rawURL, auth string, length int) result {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n",
		u.Path, u.Host, auth, length)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}
