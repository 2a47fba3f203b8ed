package main_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

const (
	linkClientID    = "dingdang"
	linkSecret      = "the-platform-client-secret"
	linkRedirect    = "https://platform.example/link/callback"
	linkTokenSecret = "a token secret of at least thirty-two characters"
)

// linkEnv is the configuration of a server that links accounts with the
// development login.
func linkEnv(data, payURL, mode string, extra ...string) []string {
	return environ(data, append([]string{"SKILL_PLATFORM_URL=" + payURL, "SKILL_LINK=" + mode, "SKILL_LOGIN=dev", "SKILL_DEV=1",
		"SKILL_OAUTH_CLIENT_ID=" + linkClientID, "SKILL_OAUTH_CLIENT_SECRET=" + linkSecret,
		"SKILL_OAUTH_REDIRECT_URIS=https://other.example/cb," + linkRedirect, "SKILL_TOKEN_SECRET=" + linkTokenSecret}, extra...)...)
}

// speaker talks to a running server as the platform does for one user.
type speaker struct {
	t     *testing.T
	url   string
	user  string
	token string
}

func (s *speaker) say(intent string, slots map[string]string) *tsk.Response {
	s.t.Helper()
	opts := []fakeplatform.Option{fakeplatform.WithDeviceKind(device.Screened), fakeplatform.WithUser(s.user),
		fakeplatform.WithSession("session-" + s.user), fakeplatform.WithAccessToken(s.token)}
	body, auth := tsktest.SignRSA2(fakeplatform.NewIntent(intent, slots, opts...))
	r := do(s.t, tsktest.NewHTTPRequest(s.url+"/skill", body, auth))
	if r.status != 200 {
		s.t.Fatalf("%s: %d %s", intent, r.status, r.body)
	}
	tsktest.ValidateResponse(s.t, r.body)
	return tsktest.MustDecodeResponse(s.t, r.body)
}

// buy buys a product to the end: offer, create order, payment, ship
// notify. It returns the tradeNo.
func (s *speaker) buy(platform *fakeplatform.Server, product string) string {
	s.t.Helper()
	return s.pay(platform, s.offer(product))
}

// offer asks for a product and says yes: the Charge, not paid yet.
func (s *speaker) offer(product string) tsk.Charge {
	s.t.Helper()
	s.say("buy", map[string]string{"product": product})
	resp := s.say("yes", nil)
	for _, d := range resp.Response.Directives {
		if c, ok := d.(tsk.Charge); ok {
			return c
		}
	}
	s.t.Fatalf("no Charge: %+v", resp.Response)
	return tsk.Charge{}
}

// pay orders and pays what a Charge offered, and the platform notifies
// the payment. It returns the tradeNo.
func (s *speaker) pay(platform *fakeplatform.Server, charge tsk.Charge) string {
	s.t.Helper()
	ctx := context.Background()
	req := fakeplatform.ChargeOrder(tsktest.SkillID, charge.Payload.ChargeInfo)
	reply, err := tsktest.PlatformFor(s.url).CreateOrder(ctx, req)
	if err != nil || !reply.OK() {
		s.t.Fatalf("create order: %+v, %v", reply, err)
	}
	platform.Pay(reply.TradeNo, req.TotalAmt)
	ship := tsktest.MustShipNotify(s.t, platform.Platform, req.UserToken, reply.TradeNo)
	if r, err := tsktest.PlatformFor(s.url).ShipNotify(ctx, ship); err != nil || !r.OK() {
		s.t.Fatalf("ship notify: %+v, %v", r, err)
	}
	return reply.TradeNo
}

// TestLinkAccounts runs account linking against the real binary, on both
// stores: the whole grant over HTTP, then purchases that follow the account.
func TestLinkAccounts(t *testing.T) {
	linkedServes(t, func(t *testing.T, p *proc, platform *fakeplatform.Server) {
		testGrant(t, p.url)
		testPurchasesFollowAccount(t, p, platform)
	})
}

// linkedServes runs story against `skill serve` with account linking
// optional, once on bbolt and once on Redis, and checks that the server
// then stops cleanly.
func linkedServes(t *testing.T, story func(t *testing.T, p *proc, platform *fakeplatform.Server)) {
	for _, store := range []string{"bbolt", "redis"} {
		t.Run(store, func(t *testing.T) {
			platform := tsktest.NewPlatform(t)
			var extra []string
			if store == "redis" {
				extra = append(extra, "SKILL_REDIS_URL="+redistest.Start(t).URL())
			}
			p := serve(t, linkEnv(t.TempDir(), platform.PayURL(), "optional", extra...))
			story(t, p, platform)
			if code := p.stop(t, sigterm); code != 0 {
				t.Fatalf("exit %d\n%s", code, p.logs.String())
			}
		})
	}
}

func testGrant(t *testing.T, base string) {
	ctx := context.Background()
	c := &fakeplatform.OAuthClient{SkillURL: base, ClientID: linkClientID, ClientSecret: linkSecret, RedirectURI: linkRedirect, PKCE: true}
	tok, err := c.Link(ctx, "acct-alice")
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("link: %+v, %v", tok, err)
	}
	again, err := c.Refresh(ctx, tok.RefreshToken)
	if err != nil || again.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %+v, %v", again, err)
	}
	// Presented again at once, the first token counts as the retry of a
	// refresh whose answer was lost: it rotates again, and the token that
	// answer carried is superseded. Presenting that one is a reuse, which
	// revokes the family: the retry's token too.
	retried, err := c.Refresh(ctx, tok.RefreshToken)
	if err != nil || retried.RefreshToken == again.RefreshToken {
		t.Fatalf("a retry of the refresh: %+v, %v", retried, err)
	}
	for _, reused := range []string{again.RefreshToken, retried.RefreshToken} {
		if _, err := c.Refresh(ctx, reused); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("a superseded refresh token, then its family: %v, want invalid_grant", err)
		}
	}

	// The token endpoint by hand: form credentials, GET, a used code, a
	// wrong secret, a wrong redirect_uri.
	token := func(method string, form url.Values) result {
		req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if method == http.MethodGet {
			req, _ = http.NewRequest(http.MethodGet, base+"/oauth/token?"+form.Encode(), nil)
		}
		return do(t, req)
	}
	c.PKCE = false
	code, err := c.Authorize(ctx, "acct-alice", "")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {linkRedirect},
		"client_id": {linkClientID}, "client_secret": {"wrong-secret-wrong-secret"}}
	if r := token(http.MethodPost, form); r.status != 401 || !strings.Contains(string(r.body), `"invalid_client"`) {
		t.Fatalf("wrong secret: %d %s", r.status, r.body)
	}
	form.Set("client_secret", linkSecret)
	form.Set("redirect_uri", "https://other.example/cb")
	if r := token(http.MethodGet, form); r.status != 400 || !strings.Contains(string(r.body), `"invalid_grant"`) {
		t.Fatalf("another redirect_uri than the code's: %d %s", r.status, r.body)
	}
	form.Set("redirect_uri", linkRedirect)
	if r := token(http.MethodGet, form); r.status != 200 || !strings.Contains(string(r.body), `"access_token"`) {
		t.Fatalf("GET with form credentials: %d %s", r.status, r.body)
	}
	if r := token(http.MethodPost, form); r.status != 400 || !strings.Contains(string(r.body), `"invalid_grant"`) {
		t.Fatalf("the code used again: %d %s", r.status, r.body)
	}

	// An unregistered redirect_uri is never redirected to.
	q := url.Values{"response_type": {"code"}, "client_id": {linkClientID}, "redirect_uri": {"https://evil.example/cb"}, "state": {"s"}, "login_hint": {"a"}}
	req := mustGet(t, base+"/oauth/authorize?"+q.Encode())
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
		t.Fatalf("unregistered redirect_uri: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The development login page, for a browser.
	q.Set("redirect_uri", linkRedirect)
	q.Del("login_hint")
	if r := do(t, mustGet(t, base+"/oauth/authorize?"+q.Encode())); r.status != 200 || !strings.Contains(string(r.body), `name="account"`) {
		t.Fatalf("login page: %d %s", r.status, r.body)
	}
}

func testPurchasesFollowAccount(t *testing.T, p *proc, platform *fakeplatform.Server) {
	ctx := context.Background()
	c := &fakeplatform.OAuthClient{SkillURL: p.url, ClientID: linkClientID, ClientSecret: linkSecret, RedirectURI: linkRedirect}
	owner := shop.AccountOwner("acct-bob")

	// An unlinked purchase, then the first request with a token moves it.
	old := &speaker{t: t, url: p.url, user: "bob-old"}
	first := old.buy(platform, "ep35")
	tok, err := c.Link(ctx, "acct-bob")
	if err != nil {
		t.Fatal(err)
	}
	old.token = tok.AccessToken
	if r := old.say("my_purchases", nil); !strings.Contains(r.Response.OutputSpeech.Text, "万古神帝第35集") {
		t.Fatalf("after linking: %q", r.Response.OutputSpeech.Text)
	}
	// A second linking moves nothing again.
	tok2, err := c.Link(ctx, "acct-bob")
	if err != nil {
		t.Fatal(err)
	}
	old.token = tok2.AccessToken
	old.say("my_purchases", nil)

	// A purchase with the token is the account's, and plays for another
	// userId with the same token.
	second := old.buy(platform, "ep36")
	fresh := &speaker{t: t, url: p.url, user: "bob-new", token: tok2.AccessToken}
	r := fresh.say("play", map[string]string{"product": "万古神帝第36集"})
	if len(r.Response.Directives) == 0 || r.Response.Directives[0].DirectiveType() != tsk.DirectiveAudioPlay {
		t.Fatalf("the account's purchase for a new userId: %q %+v", r.Response.OutputSpeech.Text, r.Response.Directives)
	}

	var list server.OrderList
	if status := adminGet(t, p.ops, "/admin/orders?account=acct-bob", &list); status != 200 || len(list.Orders) != 2 {
		t.Fatalf("the account's orders: %d %+v", status, list)
	}
	for _, o := range list.Orders {
		moves := 0
		for _, h := range o.History {
			if strings.HasPrefix(h.Cause, shop.CauseLinked) {
				moves++
			}
		}
		want := map[string]int{first: 1, second: 0}[o.TradeNo]
		if o.UserID != owner || o.Account != "acct-bob" || moves != want {
			t.Errorf("order %s: owner %s, %d moves in its history; want %s and %d", o.TradeNo, o.UserID, moves, owner, want)
		}
	}
	if status := adminGet(t, p.ops, "/admin/orders?user=bob-old", &list); status != 200 || len(list.Orders) != 0 {
		t.Errorf("bob-old still owns %d orders", len(list.Orders))
	}

	// Expired, forged and other-audience tokens count as none: no 5xx,
	// nothing of the account, a warning in the log.
	key := hmac.New(sha256.New, []byte(linkTokenSecret))
	key.Write([]byte("dingdang-skill/access-token"))
	mint := func(k []byte, aud string, at time.Time) string {
		tok, err := (&oauth.Tokens{Keys: [][]byte{k}, Audience: aud, Now: func() time.Time { return at }}).Issue("acct-bob", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if valid := mint(key.Sum(nil), tsktest.SkillID, time.Now()); valid == "" {
		t.Fatal("no token")
	} else if r := (&speaker{t: t, url: p.url, user: "bob-x", token: valid}).say("my_account", nil); !strings.Contains(r.Response.OutputSpeech.Text, "acct-bob") {
		t.Fatalf("a token minted with the service's key is refused: %q (the key derivation changed?)", r.Response.OutputSpeech.Text)
	}
	for name, bad := range map[string]string{
		"expired":        mint(key.Sum(nil), tsktest.SkillID, time.Now().Add(-2*time.Hour)),
		"forged":         mint([]byte("not the service's key"), tsktest.SkillID, time.Now()),
		"other audience": mint(key.Sum(nil), "another-skill", time.Now()),
	} {
		r := (&speaker{t: t, url: p.url, user: "bob-x", token: bad}).say("my_account", nil)
		if !strings.Contains(r.Response.OutputSpeech.Text, "账号关联已经失效了") {
			t.Errorf("%s token: %q", name, r.Response.OutputSpeech.Text)
		}
	}
	if !strings.Contains(p.logs.String(), "level=WARN msg=\"oauth: access token refused") {
		t.Errorf("no warning for refused tokens in the log")
	}
	out, errOut, code := cli(t, p.cmd.Env, "orders", "list", "--account", "acct-bob", "--server", p.ops)
	if code != 0 || !strings.Contains(out, first) || !strings.Contains(out, second) {
		t.Errorf("orders list --account: exit %d\n%s%s", code, out, errOut)
	}
}

// TestLinkDuplicateRefunded: an offer made before linking, paid after the
// same episode was bought with the account (on another speaker), is
// delivered to the platform user; once the next request moves it to the account, the account has
// the episode twice, and the later payment is refunded as a duplicate.
func TestLinkDuplicateRefunded(t *testing.T) {
	linkedServes(t, testDuplicateAcrossLink)
}

func testDuplicateAcrossLink(t *testing.T, p *proc, platform *fakeplatform.Server) {
	ctx := context.Background()
	c := &fakeplatform.OAuthClient{SkillURL: p.url, ClientID: linkClientID, ClientSecret: linkSecret, RedirectURI: linkRedirect}
	carol := &speaker{t: t, url: p.url, user: "carol-old"}
	stale := carol.offer("ep35") // still valid, not paid
	tok, err := c.Link(ctx, "acct-carol")
	if err != nil {
		t.Fatal(err)
	}
	other := &speaker{t: t, url: p.url, user: "carol-new", token: tok.AccessToken} // another speaker, linked
	kept := other.buy(platform, "ep35")
	dup := carol.pay(platform, stale) // for carol-old, who owns nothing
	carol.token = tok.AccessToken
	carol.say("my_purchases", nil) // moves it to the account

	var list server.OrderList
	if status := adminGet(t, p.ops, "/admin/orders?account=acct-carol", &list); status != 200 || len(list.Orders) != 2 {
		t.Fatalf("the account's orders: %d %+v", status, list)
	}
	for _, o := range list.Orders {
		switch o.TradeNo {
		case kept:
			if o.State != shop.StateDelivered || len(o.Refunds) != 0 {
				t.Errorf("kept %s: %s, refunds %+v", kept, o.State, o.Refunds)
			}
		case dup:
			if o.State != shop.StateRefunding || len(o.Refunds) != 1 || o.Refunds[0].Amount != o.TotalAmt {
				t.Errorf("duplicate %s: %s, refunds %+v; want its whole payment refunding", dup, o.State, o.Refunds)
			}
		}
	}
	if platform.Refunds(dup) != 1 || platform.Refunds(kept) != 0 {
		t.Errorf("the platform has %d refunds of the duplicate, %d of the order kept; want 1 and 0", platform.Refunds(dup), platform.Refunds(kept))
	}
}

// TestLinkPurchaseMode: with SKILL_LINK=purchase an unlinked buy gets the
// LinkAccount card (schema-valid) and no Charge.
func TestLinkPurchaseMode(t *testing.T) {
	p := serve(t, linkEnv(t.TempDir(), "http://127.0.0.1:1/", "purchase"))
	s := &speaker{t: t, url: p.url, user: "carol"}
	r := s.say("buy", map[string]string{"product": "ep35"})
	if r.Response.Card == nil || r.Response.Card.Type != tsk.CardLinkAccount || len(r.Response.Directives) != 0 ||
		r.Response.OutputSpeech.Text != "请在叮当App里关联账号后再购买。" {
		t.Fatalf("unlinked buy: %+v", r.Response)
	}
	p.stop(t, sigterm)
}

func TestLinkStartErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"bad mode", []string{"SKILL_LINK=always"}, "skill: SKILL_LINK: "},
		{"dev login without SKILL_DEV", []string{"SKILL_DEV=", "SKILL_PLATFORM_URL=https://p.example.com/", "SKILL_PUBLIC_URL=https://skill.example.com"},
			"skill: SKILL_LOGIN: dev signs anyone in"},
		{"oidc without a provider", []string{"SKILL_LOGIN=oidc"}, "skill: SKILL_LOGIN: oidc needs"},
		{"unknown login", []string{"SKILL_LOGIN=ldap"}, "skill: SKILL_LOGIN: "},
		{"no client id", []string{"SKILL_OAUTH_CLIENT_ID="}, "skill: SKILL_OAUTH_CLIENT_ID: not set"},
		{"short secret", []string{"SKILL_OAUTH_CLIENT_SECRET=short"}, "skill: SKILL_OAUTH_CLIENT_SECRET: "},
		{"no redirect", []string{"SKILL_OAUTH_REDIRECT_URIS="}, "skill: SKILL_OAUTH_REDIRECT_URIS: not set"},
		{"relative redirect", []string{"SKILL_OAUTH_REDIRECT_URIS=/cb"}, "skill: SKILL_OAUTH_REDIRECT_URIS: "},
		{"access TTL", []string{"SKILL_OAUTH_ACCESS_TTL=2d"}, "skill: SKILL_OAUTH_ACCESS_TTL: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := cli(t, linkEnv(t.TempDir(), "http://127.0.0.1:1/", "optional", tt.env...), "serve")
			if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and one line starting %q", code, errOut, tt.want)
			}
		})
	}
}

// TestLinkWithOIDC links through a real local OIDC provider (mockoidc):
// SKILL_LOGIN=oidc sends the browser there, its callback comes back to the
// binary, and the account is the provider's sub.
func TestLinkWithOIDC(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Shutdown()
	cfg := m.Config()
	p := serve(t, linkEnv(t.TempDir(), "http://127.0.0.1:1/", "optional", "SKILL_LOGIN=oidc", // SKILL_DEV stays 1 for http on loopback; the dev login is not used
		"SKILL_OIDC_ISSUER="+cfg.Issuer, "SKILL_OIDC_CLIENT_ID="+cfg.ClientID, "SKILL_OIDC_CLIENT_SECRET="+cfg.ClientSecret))
	user := mockoidc.DefaultUser()
	user.Subject = "idp-42"
	m.QueueUser(user)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), linkRedirect) {
			return http.ErrUseLastResponse // the platform's page: stop there
		}
		return nil
	}}
	q := url.Values{"response_type": {"code"}, "client_id": {linkClientID}, "redirect_uri": {linkRedirect}, "state": {"st"}}
	resp, err := browser.Get(p.url + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("after signing in at the provider: %d %q\n%s", resp.StatusCode, loc, p.logs.String())
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {linkRedirect}}
	req, _ := http.NewRequest(http.MethodPost, p.url+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(linkClientID, linkSecret)
	r := do(t, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(r.body, &tok); err != nil || r.status != 200 {
		t.Fatalf("token: %d %s", r.status, r.body)
	}
	s := &speaker{t: t, url: p.url, user: "dave", token: tok.AccessToken}
	if r := s.say("my_account", nil); !strings.Contains(r.Response.OutputSpeech.Text, "idp-42") {
		t.Fatalf("linked account: %q", r.Response.OutputSpeech.Text)
	}
	p.stop(t, sigterm)
}
