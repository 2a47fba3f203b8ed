package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
)

const (
	clientID = "dingdang"
	secret   = "a-secret-of-the-platform"
	redirect = "https://platform.example/link/callback"
)

// env is an authorization server over HTTP on a bbolt store, with a clock
// the test moves.
type env struct {
	srv    *httptest.Server
	store  *bolt.Store
	tokens *oauth.Tokens
	mu     sync.Mutex
	now    time.Time
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func newEnv(t *testing.T, login oauth.Login) *env {
	t.Helper()
	return newEnvGrants(t, login, nil)
}

// newEnvGrants is newEnv with the server's grants passed through wrap
// (a fault injector around the store), unless wrap is nil.
func newEnvGrants(t *testing.T, login oauth.Login, wrap func(oauth.Grants) oauth.Grants) *env {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{store: st, now: time.Now()}
	e.tokens = &oauth.Tokens{Keys: [][]byte{[]byte("a key of thirty-two bytes or so.")}, Audience: "test-skill", Now: e.clock}
	if login == nil {
		login = oauth.DevLogin{}
	}
	var grants oauth.Grants = st
	if wrap != nil {
		grants = wrap(st)
	}
	s, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: secret, RedirectURIs: []string{redirect, "https://platform.example/other"},
		Tokens: e.tokens, Grants: grants, Login: login, Now: e.clock, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) client() *fakeplatform.OAuthClient {
	return &fakeplatform.OAuthClient{SkillURL: e.srv.URL, ClientID: clientID, ClientSecret: secret, RedirectURI: redirect}
}

// quiet drops the server's log lines.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize sends an authorization request with the query's parameters
// over the defaults and returns the answer, not following redirects.
func (e *env) authorize(t *testing.T, over url.Values) *http.Response {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "state": {"st"}, "login_hint": {"acct-alice"}}
	for k, v := range over {
		if v[0] == "" {
			q.Del(k)
		} else {
			q[k] = v
		}
	}
	resp, err := noRedirect.Get(e.srv.URL + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// code runs an authorization request and returns its code.
func (e *env) code(t *testing.T, over url.Values) string {
	t.Helper()
	resp := e.authorize(t, over)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// tokenReply is a token endpoint answer.
type tokenReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (r tokenReply) str(k string) string { s, _ := r.body[k].(string); return s }

// token calls the token endpoint: POST form (with Basic when basic is
// set, else client_id/client_secret in the form), or GET with the form
// in the query.
func (e *env) token(t *testing.T, method string, basic bool, form url.Values) tokenReply {
	t.Helper()
	r, err := e.tokenCall(method, basic, form)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tokenCall is token without a test to fail: safe off the test goroutine.
func (e *env) tokenCall(method string, basic bool, form url.Values) (tokenReply, error) {
	form = cloneValues(form)
	if !basic {
		if form.Get("client_id") == "" {
			form.Set("client_id", clientID)
		}
		if _, ok := form["client_secret"]; !ok {
			form.Set("client_secret", secret)
		}
	}
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/oauth/token?"+form.Encode(), nil)
	} else {
		req, _ = http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basic {
		req.SetBasicAuth(clientID, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return tokenReply{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := tokenReply{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		return out, fmt.Errorf("token endpoint answered %d %q: %w", resp.StatusCode, raw, err)
	}
	return out, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestGrantWithPlatformClient(t *testing.T) {
	e := newEnv(t, nil)
	for _, pkce := range []bool{false, true} {
		c := e.client()
		c.PKCE = pkce
		tok, err := c.Link(context.Background(), "acct-alice")
		if err != nil {
			t.Fatalf("pkce %v: %v", pkce, err)
		}
		if acct, err := e.tokens.Verify(tok.AccessToken); err != nil || acct != "acct-alice" || tok.TokenType != "Bearer" || tok.RefreshToken == "" {
			t.Fatalf("pkce %v: tokens %+v: account %q, %v", pkce, tok, acct, err)
		}
		if left := time.Until(tok.Expiry); left < 59*time.Minute || left > time.Hour {
			t.Errorf("access token expires in %v, want an hour", left)
		}
		again, err := c.Refresh(context.Background(), tok.RefreshToken)
		if err != nil || again.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh: %+v, %v; want a new refresh token", again, err)
		}
		e.advance(oauth.DefaultRetryGrace + time.Second)
		if _, err := c.Refresh(context.Background(), tok.RefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("reusing a rotated refresh token: %v, want invalid_grant", err)
		}
		if _, err := c.Refresh(context.Background(), again.RefreshToken); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("the token rotated to, after a reuse: %v, want invalid_grant (its family revoked)", err)
		}
	}
}

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t, nil)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		for _, basic := range []bool{true, false} {
			code := e.code(t, nil)
			r := e.token(t, method, basic, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}})
			if r.status != 200 || r.str("access_token") == "" || r.str("refresh_token") == "" || r.str("token_type") != "Bearer" ||
				r.body["expires_in"] != float64(3600) || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("%s basic=%v: %d %v", method, basic, r.status, r.body)
			}
			if acct, err := e.tokens.Verify(r.str("access_token")); err != nil || acct != "acct-alice" {
				t.Errorf("access token: %q, %v", acct, err)
			}
			if again := e.token(t, method, basic, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}); again.status != 400 || again.str("error") != "invalid_grant" {
				t.Errorf("code used twice: %d %v, want 400 invalid_grant", again.status, again.body)
			}
			ref := e.token(t, method, basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.str("refresh_token")}})
			if ref.status != 200 || ref.str("refresh_token") == r.str("refresh_token") || ref.str("access_token") == "" {
				t.Fatalf("refresh: %d %v", ref.status, ref.body)
			}
			e.advance(oauth.DefaultRetryGrace + time.Second)
			if reuse := e.token(t, method, basic, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.str("refresh_token")}}); reuse.status != 400 || reuse.str("error") != "invalid_grant" {
				t.Errorf("old refresh token reused: %d %v, want 400 invalid_grant", reuse.status, reuse.body)
			}
		}
	}
}

// refresh presents a refresh token and returns the answer.
func (e *env) refresh(t *testing.T, token string) tokenReply {
	t.Helper()
	return e.token(t, http.MethodPost, true, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

// link runs an authorization and returns its refresh token.
func (e *env) link(t *testing.T) string {
	t.Helper()
	r := e.token(t, http.MethodPost, true, url.Values{"grant_type": {"authorization_code"}, "code": {e.code(t, nil)}, "redirect_uri": {redirect}})
	if r.status != 200 || r.str("refresh_token") == "" {
		t.Fatalf("link: %d %v", r.status, r.body)
	}
	return r.str("refresh_token")
}

// TestRefreshRotation follows RFC 9700 §4.14.2: a refresh token presented
// again after its rotation revokes every token of its family, except as
// the retry of a refresh whose answer was lost, within the grace.
func TestRefreshRotation(t *testing.T) {
	ok := func(t *testing.T, r tokenReply) string {
		t.Helper()
		if r.status != 200 || r.str("refresh_token") == "" {
			t.Fatalf("refresh: %d %v, want 200", r.status, r.body)
		}
		return r.str("refresh_token")
	}
	refused := func(t *testing.T, r tokenReply, what string) {
		t.Helper()
		if r.status != 400 || r.str("error") != "invalid_grant" {
			t.Errorf("%s: %d %v, want 400 invalid_grant", what, r.status, r.body)
		}
	}
	t.Run("ReuseRevokesTheFamily", func(t *testing.T) {
		e := newEnv(t, nil)
		first := e.link(t)
		other := e.link(t) // another authorization of the same account
		second := ok(t, e.refresh(t, first))
		third := ok(t, e.refresh(t, second))
		e.advance(oauth.DefaultRetryGrace + time.Second)
		refused(t, e.refresh(t, first), "the first token, reused")
		refused(t, e.refresh(t, third), "the family's live token")
		refused(t, e.refresh(t, second), "a token of the revoked family")
		ok(t, e.refresh(t, other))
	})
	t.Run("RetryWithinGrace", func(t *testing.T) {
		e := newEnv(t, nil)
		first := e.link(t)
		lost := ok(t, e.refresh(t, first)) // its answer never arrives
		e.advance(oauth.DefaultRetryGrace - time.Second)
		retried := ok(t, e.refresh(t, first))
		if retried == lost {
			t.Fatal("the retry got the lost token again")
		}
		next := ok(t, e.refresh(t, retried))
		e.advance(time.Hour)
		ok(t, e.refresh(t, next))
	})
	t.Run("SupersededTokenIsAReuse", func(t *testing.T) {
		e := newEnv(t, nil)
		first := e.link(t)
		lost := ok(t, e.refresh(t, first))
		retried := ok(t, e.refresh(t, first))
		refused(t, e.refresh(t, lost), "the token a retry superseded")
		refused(t, e.refresh(t, retried), "the family's live token")
	})
	t.Run("RetryAfterTheNewTokenWasUsed", func(t *testing.T) {
		// A thief with a copy of the first token rotates it twice within
		// the grace; the platform's retry of it is then a reuse.
		e := newEnv(t, nil)
		first := e.link(t)
		second := ok(t, e.refresh(t, first))
		third := ok(t, e.refresh(t, second))
		refused(t, e.refresh(t, first), "a retry whose successor was used")
		refused(t, e.refresh(t, third), "the thief's token, after the reuse")
	})
	t.Run("RetryAfterARetry", func(t *testing.T) {
		// The successor a retry rotated to is used: the first token
		// presented again is a reuse, within the grace too.
		e := newEnv(t, nil)
		first := e.link(t)
		ok(t, e.refresh(t, first)) // lost
		retried := ok(t, e.refresh(t, first))
		next := ok(t, e.refresh(t, retried))
		refused(t, e.refresh(t, first), "a retry whose successor was used")
		refused(t, e.refresh(t, next), "the family's live token, after the reuse")
	})
	t.Run("ConcurrentRefreshes", func(t *testing.T) {
		e := newEnv(t, nil)
		first := e.link(t)
		var wg sync.WaitGroup
		answers := make([]tokenReply, 8)
		errs := make([]error, len(answers))
		for i := range answers {
			wg.Go(func() {
				answers[i], errs[i] = e.tokenCall(http.MethodPost, true, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first}})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		// Each answer is a rotation (the ones after the first are
		// retries within the grace, each superseding the one before) or
		// invalid_grant (a race lost); one token of the family is live.
		live := 0
		for _, r := range answers {
			switch {
			case r.status == 200:
				sum := sha256.Sum256([]byte(r.str("refresh_token")))
				if _, err := e.store.Grant(context.Background(), "refresh:"+base64.RawURLEncoding.EncodeToString(sum[:])); err == nil {
					live++
				}
			case r.str("error") != "invalid_grant":
				t.Errorf("a concurrent refresh: %d %v", r.status, r.body)
			}
		}
		if live != 1 {
			t.Errorf("%d of the tokens issued to concurrent refreshes are live, want exactly 1", live)
		}
	})
}

func TestTokenErrors(t *testing.T) {
	e := newEnv(t, nil)
	ac := func(code, redirectURI string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	}
	tests := []struct {
		name   string
		form   func() url.Values
		status int
		err    string
	}{
		{"wrong secret", func() url.Values {
			f := ac(e.code(t, nil), redirect)
			f.Set("client_secret", "not-the-secret")
			return f
		}, 401, "invalid_client"},
		{"no secret", func() url.Values { f := ac(e.code(t, nil), redirect); f.Set("client_secret", ""); return f }, 401, "invalid_client"},
		{"other client", func() url.Values { f := ac(e.code(t, nil), redirect); f.Set("client_id", "someone"); return f }, 401, "invalid_client"},
		{"wrong secret on refresh", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_secret": {"nope"}}
		}, 401, "invalid_client"},
		{"unregistered redirect_uri", func() url.Values { return ac(e.code(t, nil), "https://evil.example/cb") }, 400, "invalid_grant"},
		{"another registered redirect_uri", func() url.Values { return ac(e.code(t, nil), "https://platform.example/other") }, 400, "invalid_grant"},
		{"unknown code", func() url.Values { return ac("no-such-code", redirect) }, 400, "invalid_grant"},
		{"no code", func() url.Values { return ac("", redirect) }, 400, "invalid_request"},
		{"expired code", func() url.Values {
			c := e.code(t, nil)
			e.advance(oauth.MaxCodeTTL + time.Second)
			return ac(c, redirect)
		}, 400, "invalid_grant"},
		{"unknown refresh token", func() url.Values { return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}} }, 400, "invalid_grant"},
		{"no grant type", func() url.Values { return url.Values{} }, 400, "invalid_request"},
		{"client credentials", func() url.Values { return url.Values{"grant_type": {"client_credentials"}} }, 400, "unsupported_grant_type"},
		{"password", func() url.Values { return url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}} }, 400, "unsupported_grant_type"},
		{"PKCE without the verifier", func() url.Values {
			return ac(e.code(t, url.Values{"code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"}}), redirect)
		}, 400, "invalid_grant"},
		{"PKCE with a wrong verifier", func() url.Values {
			f := ac(e.code(t, url.Values{"code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"S256"}}), redirect)
			f.Set("code_verifier", strings.Repeat("B", 43))
			return f
		}, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.token(t, http.MethodPost, false, tt.form())
			if r.status != tt.status || r.str("error") != tt.err {
				t.Errorf("%d %v, want %d %s", r.status, r.body, tt.status, tt.err)
			}
			if tt.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		name     string
		over     url.Values
		status   int
		redirErr string // the error sent back to the redirect_uri, or "" for a page
	}{
		{"unknown client", url.Values{"client_id": {"someone"}}, 400, ""},
		{"no client", url.Values{"client_id": {""}}, 400, ""},
		{"unregistered redirect_uri", url.Values{"redirect_uri": {"https://evil.example/cb"}}, 400, ""},
		{"no redirect_uri", url.Values{"redirect_uri": {""}}, 400, ""},
		{"implicit grant", url.Values{"response_type": {"token"}}, 302, "unsupported_response_type"},
		{"short PKCE challenge", url.Values{"code_challenge": {"short"}}, 302, "invalid_request"},
		{"PKCE method unknown", url.Values{"code_challenge": {strings.Repeat("A", 43)}, "code_challenge_method": {"MD5"}}, 302, "invalid_request"},
		{"bad account name", url.Values{"login_hint": {"a\tb"}}, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.authorize(t, tt.over)
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (Location %q)", resp.StatusCode, tt.status, resp.Header.Get("Location"))
			}
			if tt.redirErr == "" {
				if resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Errorf("want an error page, got Location %q", resp.Header.Get("Location"))
				}
				return
			}
			if !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("error") != tt.redirErr || loc.Query().Get("state") != "st" || loc.Query().Get("code") != "" {
				t.Errorf("redirect %q, want %s?error=%s&state=st", loc, redirect, tt.redirErr)
			}
		})
	}
}

func TestDevLoginForm(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.authorize(t, url.Values{"login_hint": {""}})
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, `name="viewport"`) || !strings.Contains(page, `name="account"`) ||
		!strings.Contains(page, `name="state" value="st"`) {
		t.Fatalf("login page %d:\n%s", resp.StatusCode, page)
	}
	// The form posts back with the request's parameters and the name typed.
	form := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "state": {"st"}, "account": {"爱丽丝"}}
	resp, err := noRedirect.PostForm(e.srv.URL+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if resp.StatusCode != 302 || code == "" {
		t.Fatalf("posting the form: %d %q", resp.StatusCode, loc)
	}
	r := e.token(t, http.MethodPost, true, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}})
	if acct, err := e.tokens.Verify(r.str("access_token")); err != nil || acct != "爱丽丝" {
		t.Errorf("signed in as %q, %v; want the name typed", acct, err)
	}
}

func TestNewChecksSettings(t *testing.T) {
	tokens := &oauth.Tokens{Keys: [][]byte{[]byte("k")}, Audience: "a"}
	ok := oauth.Config{ClientID: "c", ClientSecret: secret, RedirectURIs: []string{redirect}, Tokens: tokens, Grants: nil, Login: oauth.DevLogin{}}
	for name, c := range map[string]oauth.Config{
		"no client":      {ClientSecret: secret, RedirectURIs: []string{redirect}, Tokens: tokens, Login: oauth.DevLogin{}},
		"short secret":   {ClientID: "c", ClientSecret: "short", RedirectURIs: []string{redirect}, Tokens: tokens, Login: oauth.DevLogin{}},
		"no redirect":    {ClientID: "c", ClientSecret: secret, Tokens: tokens, Login: oauth.DevLogin{}},
		"relative":       {ClientID: "c", ClientSecret: secret, RedirectURIs: []string{"/cb"}, Tokens: tokens, Login: oauth.DevLogin{}},
		"no grant store": ok,
	} {
		if _, err := oauth.New(c); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
