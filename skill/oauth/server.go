package oauth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Defaults and bounds of Config.
const (
	DefaultAccessTTL  = time.Hour
	DefaultRefreshTTL = 90 * 24 * time.Hour
	// DefaultRetryGrace is Config.RetryGrace's default: longer than a
	// client's timeout and retry, far shorter than a thief's patience.
	DefaultRetryGrace = 30 * time.Second
	// MaxCodeTTL is how long an authorization code lives at most (the
	// platform's rule), and by default.
	MaxCodeTTL = 10 * time.Minute
	// maxForm bounds the body of /oauth/authorize and /oauth/token.
	maxForm = 16 << 10
)

// Config configures a Server. ClientID, ClientSecret, RedirectURIs,
// Tokens, Grants and Login are required; New refuses a configuration
// without them.
type Config struct {
	// ClientID and ClientSecret are the platform's credentials, as entered
	// in its console.
	ClientID     string
	ClientSecret string
	// RedirectURIs are the redirect_uri values allowed, matched exactly.
	RedirectURIs []string
	// Tokens issues the access tokens.
	Tokens *Tokens
	// Grants keeps codes and refresh tokens (the order store's backend).
	Grants Grants
	// Login says who the person at the browser is.
	Login Login
	// AccessTTL is how long an access token is valid (DefaultAccessTTL).
	AccessTTL time.Duration
	// RefreshTTL is how long an unused refresh token stays valid; each
	// refresh starts it again (DefaultRefreshTTL).
	RefreshTTL time.Duration
	// RetryGrace is how long after a refresh token is rotated it may be
	// presented again as the retry of a refresh whose answer was lost
	// (DefaultRetryGrace). Presented later, or once the token it was
	// rotated to has been used, it is a reuse, and revokes every token
	// rotated from the same authorization.
	RetryGrace time.Duration
	// CodeTTL is how long an authorization code can be redeemed
	// (MaxCodeTTL, which is also its bound).
	CodeTTL time.Duration
	// Now is the clock of every expiry (time.Now).
	Now func() time.Time
	// Logger gets a line per grant issued or refused (slog.Default()).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.AccessTTL <= 0 {
		c.AccessTTL = DefaultAccessTTL
	}
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = DefaultRefreshTTL
	}
	if c.RetryGrace <= 0 {
		c.RetryGrace = DefaultRetryGrace
	}
	if c.CodeTTL <= 0 || c.CodeTTL > MaxCodeTTL {
		c.CodeTTL = MaxCodeTTL
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// validate checks the settings once, at construction.
func (c Config) validate() error {
	switch {
	case c.ClientID == "":
		return errors.New("oauth: no client id")
	case len(c.ClientSecret) < 16:
		return errors.New("oauth: the client secret must be at least 16 characters")
	case len(c.RedirectURIs) == 0:
		return errors.New("oauth: no redirect URI allowed")
	case c.Tokens == nil || c.Grants == nil || c.Login == nil:
		return errors.New("oauth: no tokens, grants or login")
	}
	for _, u := range c.RedirectURIs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.Fragment != "" {
			return fmt.Errorf("oauth: redirect URI %q: want an absolute http(s) URL without a fragment", u)
		}
	}
	return nil
}

// Server is the authorization server: /oauth/authorize, /oauth/token and,
// with an identity provider, /oauth/callback. It is safe for concurrent
// use.
type Server struct {
	cfg Config
	lib *server.Server
}

// New checks the configuration and returns the server.
func New(c Config) (*Server, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	s := &Server{cfg: c}

	m := manage.NewManager()
	m.MapAuthorizeGenerate(codes{})
	m.MapAccessGenerate(access{tokens: c.Tokens})
	m.MapTokenStorage(&tokenStore{grants: c.Grants, now: c.Now, grace: c.RetryGrace, familyTTL: c.RefreshTTL, log: c.Logger})
	m.MapClientStorage(clientStore{client: &models.Client{ID: c.ClientID, Secret: c.ClientSecret, Domain: c.RedirectURIs[0]}})
	m.SetAuthorizeCodeExp(c.CodeTTL)
	m.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: c.AccessTTL, RefreshTokenExp: c.RefreshTTL, IsGenerateRefresh: true})
	m.SetRefreshTokenCfg(&manage.RefreshingConfig{AccessTokenExp: c.AccessTTL, RefreshTokenExp: c.RefreshTTL,
		IsGenerateRefresh: true, IsResetRefreshTime: true, IsRemoveAccess: true, IsRemoveRefreshing: true})
	m.SetValidateURIHandler(func(_, redirect string) error {
		if !s.allowed(redirect) {
			return oerrors.ErrInvalidRedirectURI
		}
		return nil
	})

	sc := server.NewConfig()
	sc.AllowGetAccessRequest = true // the platform may use GET (PROTOCOL.md §4)
	sc.AllowedResponseTypes = []oauth2.ResponseType{oauth2.Code}
	sc.AllowedGrantTypes = []oauth2.GrantType{oauth2.AuthorizationCode, oauth2.Refreshing}
	lib := server.NewServer(sc, m)
	lib.ClientInfoHandler = s.client
	lib.UserAuthorizationHandler = func(_ http.ResponseWriter, r *http.Request) (string, error) {
		if a, ok := r.Context().Value(accountKey{}).(string); ok && a != "" {
			return a, nil
		}
		return "", oerrors.ErrAccessDenied
	}
	lib.InternalErrorHandler = s.internalError
	lib.ResponseErrorHandler = responseStatus
	lib.ResponseTokenHandler = s.respond
	s.lib = lib
	return s, nil
}

// accountKey carries the signed-in account to the library's
// UserAuthorizationHandler.
type accountKey struct{}

// Handler serves the endpoints under /oauth/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/authorize", s.authorize)
	mux.HandleFunc("GET /oauth/token", s.token)
	mux.HandleFunc("POST /oauth/token", s.token)
	if _, ok := s.cfg.Login.(Callback); ok {
		mux.HandleFunc("GET /oauth/callback", s.callback)
	}
	return mux
}

// allowed reports whether a redirect_uri is one of the registered ones.
func (s *Server) allowed(redirect string) bool { return slices.Contains(s.cfg.RedirectURIs, redirect) }

// authorize serves GET and POST /oauth/authorize. A request that does not
// name our client and a registered redirect_uri gets an error page, never
// a redirect; other errors go back to the redirect_uri with the state.
// Once the Login knows the account, the code is issued and the browser
// sent back.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "请求无法解析。")
		return
	}
	if !s.checkClient(w, r.Form) {
		return
	}
	if rt := r.Form.Get("response_type"); rt != string(oauth2.Code) {
		s.redirectError(w, r, r.Form, "unsupported_response_type")
		return
	}
	account, err := s.cfg.Login.Authenticate(w, r)
	if err != nil {
		s.cfg.Logger.Error("oauth: login failed", "err", err)
		s.redirectError(w, r, r.Form, "server_error")
		return
	}
	if account != "" {
		s.grant(w, r, account)
	}
}

// checkClient answers with an error page unless the request names our
// client and a registered redirect_uri.
func (s *Server) checkClient(w http.ResponseWriter, q url.Values) bool {
	switch {
	case q.Get("client_id") != s.cfg.ClientID:
		errorPage(w, http.StatusBadRequest, "未知的应用（client_id）。")
		return false
	case !s.allowed(q.Get("redirect_uri")):
		errorPage(w, http.StatusBadRequest, "回调地址（redirect_uri）未登记。")
		return false
	}
	return true
}

// grant issues a code for the account and redirects to the client.
func (s *Server) grant(w http.ResponseWriter, r *http.Request, account string) {
	if err := shop.CheckAccount(account); err != nil {
		s.redirectError(w, r, r.Form, "access_denied")
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), accountKey{}, account))
	if err := s.lib.HandleAuthorizeRequest(w, r); err != nil {
		// Refused before the library could redirect (a bad PKCE
		// challenge): the client and redirect_uri are ours, so say it there.
		data, _, _ := s.lib.GetErrorData(err)
		code, _ := data["error"].(string)
		s.cfg.Logger.Warn("oauth: authorize refused", "error", code)
		s.redirectError(w, r, r.Form, code)
		return
	}
	if loc, err := url.Parse(w.Header().Get("Location")); err == nil && loc.Query().Get("code") != "" {
		s.cfg.Logger.Info("oauth: code issued", "account", account)
	}
}

// callback serves GET /oauth/callback: the identity provider sends the
// person back; the original authorization request goes on with the
// account it signed in.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	params, account, err := s.cfg.Login.(Callback).Callback(w, r)
	if params == nil {
		s.cfg.Logger.Warn("oauth: login callback refused", "err", err)
		errorPage(w, http.StatusBadRequest, "登录已失效，请回到叮当App重新关联。")
		return
	}
	if !s.checkClient(w, params) {
		return
	}
	orig := r.Clone(r.Context())
	orig.Method, orig.Body, orig.PostForm = http.MethodGet, http.NoBody, url.Values{}
	orig.URL.RawQuery, orig.Form = params.Encode(), params
	if err != nil {
		s.cfg.Logger.Warn("oauth: login failed at the identity provider", "err", err)
		s.redirectError(w, orig, params, "access_denied")
		return
	}
	s.grant(w, orig, account)
}

// redirectError sends the browser back to the (checked) redirect_uri with
// an RFC 6749 error code and the state.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, q url.Values, code string) {
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		errorPage(w, http.StatusBadRequest, "回调地址无效。")
		return
	}
	v := u.Query()
	v.Set("error", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// token serves GET and POST /oauth/token: grant_type authorization_code
// or refresh_token; the client authenticates with HTTP Basic or in the
// form.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		s.tokenError(w, oerrors.ErrInvalidRequest)
		return
	}
	switch gt := oauth2.GrantType(r.Form.Get("grant_type")); gt {
	case oauth2.AuthorizationCode, oauth2.Refreshing:
		_ = s.lib.HandleTokenRequest(w, r) // it writes every answer (respond)
	case "":
		s.tokenError(w, oerrors.ErrInvalidRequest)
	default:
		s.tokenError(w, oerrors.ErrUnsupportedGrantType)
	}
}

// client authenticates the client, by HTTP Basic or in the form, on every
// grant (the library itself checks the secret of code grants only).
func (s *Server) client(r *http.Request) (string, string, error) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
	if !idOK || !secretOK {
		return "", "", oerrors.ErrInvalidClient
	}
	return id, secret, nil
}

func (s *Server) tokenError(w http.ResponseWriter, err error) {
	data, status, header := s.lib.GetErrorData(err)
	_ = s.respond(w, data, header, status)
}

// respond writes a token endpoint answer (tokens or an error) as JSON,
// never cached, and logs a refusal.
func (s *Server) respond(w http.ResponseWriter, data map[string]any, header http.Header, status ...int) error {
	code := http.StatusOK
	if len(status) > 0 && status[0] > 0 {
		code = status[0]
	}
	h := w.Header()
	for k := range header {
		h.Set(k, header.Get(k))
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if code == http.StatusOK {
		s.cfg.Logger.Info("oauth: tokens issued")
	} else {
		s.cfg.Logger.Warn("oauth: token request refused", "error", data["error"], "status", code)
	}
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(data)
}

// internalError maps the library's own errors, and storage failures, to
// RFC 6749 codes: a bad, used, expired or mismatched code or refresh token
// is invalid_grant; storage down is temporarily_unavailable (503).
func (s *Server) internalError(err error) *oerrors.Response {
	switch {
	case errors.Is(err, oerrors.ErrInvalidRedirectURI), errors.Is(err, oerrors.ErrInvalidAuthorizeCode),
		errors.Is(err, oerrors.ErrInvalidRefreshToken), errors.Is(err, oerrors.ErrExpiredRefreshToken),
		errors.Is(err, oerrors.ErrMissingCodeVerifier), errors.Is(err, oerrors.ErrInvalidCodeChallenge),
		errors.Is(err, oerrors.ErrMissingCodeChallenge):
		return &oerrors.Response{Error: oerrors.ErrInvalidGrant, Description: err.Error()}
	case shop.ErrorClass(err) == shop.EUNAVAILABLE:
		s.cfg.Logger.Error("oauth: storage unavailable", "err", err)
		return &oerrors.Response{Error: oerrors.ErrTemporarilyUnavailable}
	}
	s.cfg.Logger.Error("oauth: internal error", "err", err)
	return nil // server_error
}

// responseStatus sets RFC 6749's statuses: 401 for invalid_client (with a
// Basic challenge), 500 and 503 for the server's own trouble, 400 for the
// rest.
func responseStatus(re *oerrors.Response) {
	switch re.Error {
	case oerrors.ErrInvalidClient:
		re.StatusCode = http.StatusUnauthorized
		re.SetHeader("WWW-Authenticate", `Basic realm="oauth"`)
	case oerrors.ErrServerError:
		re.StatusCode = http.StatusInternalServerError
	case oerrors.ErrTemporarilyUnavailable:
		re.StatusCode = http.StatusServiceUnavailable
	default:
		re.StatusCode = http.StatusBadRequest
	}
}
