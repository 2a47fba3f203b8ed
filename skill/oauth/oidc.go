package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// OIDCConfig configures an OIDC login. Issuer, ClientID, ClientSecret,
// RedirectURL and Key are required.
type OIDCConfig struct {
	// Issuer is the identity provider's issuer URL (its discovery document
	// is at Issuer/.well-known/openid-configuration).
	Issuer string
	// ClientID and ClientSecret are the skill's credentials at the provider.
	ClientID     string
	ClientSecret string
	// RedirectURL is our /oauth/callback as the provider must call it.
	RedirectURL string
	// Key signs the state that carries the authorization request across
	// the provider's sign-in.
	Key []byte
	// Scopes asked besides openid (none by default: sub is all we need).
	Scopes []string
	// HTTP talks to the provider (nil: a 10-second client).
	HTTP *http.Client
	// Now is the clock of the state's expiry (time.Now).
	Now func() time.Time
}

// loginTTL is how long a person may take to sign in at the provider.
const loginTTL = MaxCodeTTL

// loginCookie binds a sign-in to the browser that started it; its value is
// also the PKCE verifier of the exchange with the provider.
const loginCookie = "voicepay_login"

// Errors of the OIDC callback, checked with errors.Is.
var (
	// ErrLoginState: the callback's state is forged, stale, or from
	// another browser.
	ErrLoginState = errors.New("oauth: login state invalid")
	// ErrLoginRefused: the provider refused the person or the exchange, or
	// its ID token did not verify.
	ErrLoginRefused = errors.New("oauth: login refused by the identity provider")
)

// OIDC signs people in at the skill developer's identity provider
// (coreos/go-oidc and golang.org/x/oauth2): the authorization request
// redirects there, and the provider's callback finishes it. The account
// is the provider's sub.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	secure   bool
}

var _ Callback = (*OIDC)(nil)

// NewOIDC reads the provider's discovery document and returns the login.
func NewOIDC(ctx context.Context, c OIDCConfig) (*OIDC, error) {
	switch {
	case c.Issuer == "" || c.ClientID == "" || c.ClientSecret == "" || c.RedirectURL == "":
		return nil, errors.New("oauth: oidc: issuer, client id, client secret and redirect URL are required")
	case len(c.Key) == 0:
		return nil, errors.New("oauth: oidc: no key")
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, c.HTTP), c.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oauth: oidc: %w", err)
	}
	return &OIDC{
		cfg: c,
		oauth: oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: provider.Endpoint(),
			RedirectURL: c.RedirectURL, Scopes: append([]string{oidc.ScopeOpenID}, c.Scopes...)},
		verifier: provider.Verifier(&oidc.Config{ClientID: c.ClientID, Now: c.Now}),
		secure:   strings.HasPrefix(c.RedirectURL, "https://"),
	}, nil
}

// loginState is what the state parameter carries, signed, across the
// provider's sign-in.
type loginState struct {
	Params  string `json:"p"` // the authorization request, URL-encoded
	Nonce   string `json:"n"`
	Binding string `json:"b"` // SHA-256 of the login cookie
	Expires int64  `json:"e"` // unix seconds
}

// Authenticate sends the browser to the provider, with a signed state
// carrying the authorization request, a nonce for the ID token, and PKCE;
// a cookie binds the sign-in to this browser.
func (o *OIDC) Authenticate(w http.ResponseWriter, r *http.Request) (string, error) {
	verifier := oauth2.GenerateVerifier()
	st := loginState{Params: r.Form.Encode(), Nonce: randomString(16), Binding: digest(verifier),
		Expires: o.cfg.Now().Add(loginTTL).Unix()}
	state, err := o.sign(st)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: verifier, Path: "/oauth/", MaxAge: int(loginTTL / time.Second),
		HttpOnly: true, Secure: o.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
	return "", nil
}

// Callback checks the state and the cookie, exchanges the code (with the
// PKCE verifier), verifies the ID token and its nonce, and returns the
// authorization request's parameters and the provider's sub.
func (o *OIDC) Callback(w http.ResponseWriter, r *http.Request) (url.Values, string, error) {
	q := r.URL.Query()
	st, err := o.open(q.Get("state"))
	if err != nil {
		return nil, "", err
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !hmac.Equal([]byte(digest(c.Value)), []byte(st.Binding)) {
		return nil, "", fmt.Errorf("%w: not the browser that started the sign-in", ErrLoginState)
	}
	params, err := url.ParseQuery(st.Params)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrLoginState, err)
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/oauth/", MaxAge: -1, HttpOnly: true, Secure: o.secure})
	if e := q.Get("error"); e != "" {
		return params, "", fmt.Errorf("%w: %s", ErrLoginRefused, e)
	}
	ctx := oidc.ClientContext(r.Context(), o.cfg.HTTP)
	tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(c.Value))
	if err != nil {
		return params, "", fmt.Errorf("%w: exchange: %w", ErrLoginRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return params, "", fmt.Errorf("%w: id token: %w", ErrLoginRefused, err)
	}
	if !hmac.Equal([]byte(idt.Nonce), []byte(st.Nonce)) {
		return params, "", fmt.Errorf("%w: id token nonce", ErrLoginRefused)
	}
	if err := shop.CheckAccount(idt.Subject); err != nil {
		return params, "", fmt.Errorf("%w: sub: %w", ErrLoginRefused, err)
	}
	return params, idt.Subject, nil
}

// sign encodes a state: base64url(JSON) "." base64url(HMAC-SHA256).
func (o *OIDC) sign(st loginState) (string, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	b := base64.RawURLEncoding.EncodeToString(body)
	return b + "." + base64.RawURLEncoding.EncodeToString(o.mac(b)), nil
}

// open verifies and decodes a state that has not expired.
func (o *OIDC) open(state string) (loginState, error) {
	b, tag, ok := strings.Cut(state, ".")
	sig, err := base64.RawURLEncoding.DecodeString(tag)
	if !ok || err != nil || !hmac.Equal(sig, o.mac(b)) {
		return loginState{}, fmt.Errorf("%w: signature", ErrLoginState)
	}
	body, err := base64.RawURLEncoding.DecodeString(b)
	var st loginState
	if err == nil {
		err = json.Unmarshal(body, &st)
	}
	if err != nil {
		return loginState{}, fmt.Errorf("%w: %w", ErrLoginState, err)
	}
	if o.cfg.Now().Unix() >= st.Expires {
		return loginState{}, fmt.Errorf("%w: expired", ErrLoginState)
	}
	return st, nil
}

func (o *OIDC) mac(b string) []byte {
	m := hmac.New(sha256.New, o.cfg.Key)
	m.Write([]byte("oidc-state\x00"))
	m.Write([]byte(b))
	return m.Sum(nil)
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
