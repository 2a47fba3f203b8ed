package fakeplatform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// OAuthClient plays the platform's part of account linking against a
// skill's authorization server: the authorization request (signed in at
// once with login_hint, which the skill's development login honours), then
// the token exchange and refreshes with golang.org/x/oauth2, the client
// authenticated with HTTP Basic. SkillURL, ClientID, ClientSecret and
// RedirectURI are required.
type OAuthClient struct {
	SkillURL     string // the skill's base URL: /oauth/authorize and /oauth/token are under it
	ClientID     string
	ClientSecret string
	RedirectURI  string
	// PKCE sends an S256 code challenge with the authorization request.
	PKCE bool
	HTTP *http.Client // nil: a 10-second client
}

func (c *OAuthClient) config() *oauth2.Config {
	base := strings.TrimRight(c.SkillURL, "/")
	return &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: c.RedirectURI,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInHeader}}
}

func (c *OAuthClient) ctx(ctx context.Context) context.Context {
	h := c.HTTP
	if h == nil {
		h = &http.Client{Timeout: 10 * time.Second}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, h)
}

// Link runs the whole grant for the account and returns the tokens: the
// access token the platform then puts in the user's skill requests.
func (c *OAuthClient) Link(ctx context.Context, account string) (*oauth2.Token, error) {
	var opts []oauth2.AuthCodeOption
	verifier := oauth2.GenerateVerifier()
	if c.PKCE {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	code, err := c.Authorize(ctx, account, verifier)
	if err != nil {
		return nil, err
	}
	tok, err := c.config().Exchange(c.ctx(ctx), code, opts...)
	if err != nil {
		return nil, fmt.Errorf("fakeplatform: token exchange: %w", err)
	}
	return tok, nil
}

// Authorize sends the authorization request with login_hint=account (and
// the verifier's S256 challenge when PKCE is set) and returns the code the
// skill redirects back with; the redirect is not followed.
func (c *OAuthClient) Authorize(ctx context.Context, account, verifier string) (string, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	state := hex.EncodeToString(b[:])
	opts := []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("login_hint", account)}
	if c.PKCE {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.config().AuthCodeURL(state, opts...), nil)
	if err != nil {
		return "", err
	}
	h := *c.httpClient()
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := h.Do(req)
	if err != nil {
		return "", fmt.Errorf("fakeplatform: authorize: %w", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		return "", fmt.Errorf("fakeplatform: authorize: HTTP %d, no redirect", resp.StatusCode)
	}
	q := loc.Query()
	switch {
	case q.Get("error") != "":
		return "", fmt.Errorf("fakeplatform: authorize: %s", q.Get("error"))
	case q.Get("state") != state:
		return "", errors.New("fakeplatform: authorize: the state did not come back")
	case q.Get("code") == "":
		return "", errors.New("fakeplatform: authorize: no code")
	}
	return q.Get("code"), nil
}

// Refresh exchanges a refresh token for new tokens.
func (c *OAuthClient) Refresh(ctx context.Context, refresh string) (*oauth2.Token, error) {
	src := c.config().TokenSource(c.ctx(ctx), &oauth2.Token{RefreshToken: refresh})
	tok, err := src.Token()
	if err != nil {
		return nil, fmt.Errorf("fakeplatform: refresh: %w", err)
	}
	return tok, nil
}

func (c *OAuthClient) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}
