package oauth_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/dingdang-voicepay/voicepay/skill/oauth"
)

// startOIDC runs a real OIDC provider on 127.0.0.1 (mockoidc) and returns
// it with a login against it whose callback is at the skill's URL (set
// once the test server runs).
func startOIDC(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

// lateLogin is a Login built once the skill's URL is known.
type lateLogin struct{ *oauth.OIDC }

func TestOIDCLogin(t *testing.T) {
	m := startOIDC(t)
	login := &lateLogin{}
	e := newEnv(t, login)
	cfg := m.Config()
	o, err := oauth.NewOIDC(context.Background(), oauth.OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: e.srv.URL + "/oauth/callback", Key: []byte("state key"), Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	login.OIDC = o
	user := mockoidc.DefaultUser()
	user.Subject = "idp-user-42"
	m.QueueUser(user)

	// A browser: follows the provider's redirects, keeps cookies, stops at
	// the platform's redirect_uri.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "state": {"st"}}
	resp, err := browser.Get(e.srv.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if resp.StatusCode != http.StatusFound || code == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("after the provider's sign-in: %d %q", resp.StatusCode, loc)
	}
	r := e.token(t, http.MethodPost, true, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}})
	if acct, err := e.tokens.Verify(r.str("access_token")); err != nil || acct != "idp-user-42" {
		t.Errorf("linked account %q, %v; want the provider's sub", acct, err)
	}

	// A callback from another browser (no cookie), or with a forged
	// state, signs nobody in.
	for name, u := range map[string]string{
		"no cookie":    e.srv.URL + "/oauth/callback?state=" + url.QueryEscape(stateOf(t, e, browser)) + "&code=x",
		"forged state": e.srv.URL + "/oauth/callback?state=eyJwIjoiIn0.AAAA&code=x",
	} {
		resp, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d Location %q; want an error page", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	// The provider refusing the person sends the platform access_denied.
	resp, err = browser.Get(e.srv.URL + "/oauth/callback?error=access_denied&state=" + url.QueryEscape(stateOf(t, e, browser)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" {
		t.Errorf("refused at the provider: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// stateOf starts a sign-in in the browser and returns the state it sends
// to the provider (without going there).
func stateOf(t *testing.T, e *env, browser *http.Client) string {
	t.Helper()
	b := *browser
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "state": {"st"}}
	resp, err := b.Get(e.srv.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return loc.Query().Get("state")
}
