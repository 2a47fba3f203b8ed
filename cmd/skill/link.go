package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// Login kinds (SKILL_LOGIN).
const (
	loginOIDC = "oidc"
	loginDev  = "dev"
)

// linking is account linking as configured: the mode, and when it is on,
// the authorization server's handler and the linker of skill requests.
type linking struct {
	mode    intents.LinkMode
	handler http.Handler
	linker  *oauth.Linker
}

// The pay service settles the duplicates a move to an account leaves.
var _ oauth.Settler = (*pay.Service)(nil)

// accounts is the dialog's port: nil when linking is off (a nil
// *oauth.Linker must not become a non-nil interface).
func (l linking) accounts() intents.Accounts {
	if l.linker == nil {
		return nil
	}
	return l.linker
}

// moves is the order page's and create-order's port: nil when linking
// is off.
func (l linking) moves() pay.Moves {
	if l.linker == nil {
		return nil
	}
	return l.linker
}

// newLinking builds account linking from SKILL_LINK, SKILL_LOGIN,
// SKILL_OAUTH_* and SKILL_OIDC_*: nothing when SKILL_LINK is off. Access
// tokens are keyed by a subkey of the token secret (every node shares it)
// for the audience of our skill id; codes and refresh tokens live in the
// order store. Orders moved to an account are checked for duplicates by
// the pay service (settler).
func newLinking(ctx context.Context, cfg config, store shop.OrderStore, settler oauth.Settler, tokenSecret []byte, publicURL string,
	now func() time.Time, log *slog.Logger) (linking, error) {
	s, err := cfg.linkSettings()
	if err != nil {
		return linking{}, err
	}
	mode, ttl, redirects := s.mode, s.ttl, s.redirects
	if mode == intents.LinkOff {
		return linking{mode: mode}, nil
	}
	grants, ok := store.(shop.LinkStore)
	if !ok {
		return linking{}, badSetting("SKILL_LINK", "the order store keeps no account links")
	}
	login, err := newLogin(ctx, cfg, tokenSecret, publicURL, now)
	if err != nil {
		return linking{}, err
	}
	tokens := &oauth.Tokens{Keys: [][]byte{subkey(tokenSecret, "access-token")}, Audience: cfg.SkillID, Now: now}
	srv, err := oauth.New(oauth.Config{ClientID: cfg.OAuthClientID, ClientSecret: cfg.OAuthClientSecret, RedirectURIs: redirects,
		Tokens: tokens, Grants: grants, Login: login, AccessTTL: ttl, Now: now, Logger: log})
	if err != nil {
		return linking{}, badSetting("SKILL_OAUTH_REDIRECT_URIS", "%v", err)
	}
	return linking{mode: mode, handler: srv.Handler(),
		linker: &oauth.Linker{Tokens: tokens, Orders: grants, Duplicates: settler, Now: now, Logger: log}}, nil
}

// linkSettings are the settings of account linking, parsed.
type linkSettings struct {
	mode      intents.LinkMode
	ttl       time.Duration
	redirects []string
}

// linkSettings parses and checks SKILL_LINK and, when linking is on,
// SKILL_LOGIN, SKILL_OAUTH_* and SKILL_OIDC_*, without opening anything: it
// runs before any file is written (check) and again when linking is built.
func (cfg config) linkSettings() (linkSettings, error) {
	mode, err := intents.ParseLinkMode(cfg.Link)
	if err != nil {
		return linkSettings{}, badSetting("SKILL_LINK", "%q: want off, optional or purchase", cfg.Link)
	}
	if mode == intents.LinkOff {
		return linkSettings{mode: mode}, nil
	}
	ttl, err := time.ParseDuration(cfg.OAuthAccessTTL)
	if err != nil || ttl < time.Minute || ttl > 24*time.Hour {
		return linkSettings{}, badSetting("SKILL_OAUTH_ACCESS_TTL", "%q: want a duration from 1m to 24h, e.g. 1h", cfg.OAuthAccessTTL)
	}
	switch cmpOr(cfg.Login, loginOIDC) {
	case loginDev:
		if cfg.Dev != "1" {
			return linkSettings{}, badSetting("SKILL_LOGIN", "dev signs anyone in as any account: for development only (set SKILL_DEV=1), use oidc in production")
		}
	case loginOIDC:
		if cfg.OIDCIssuer == "" || cfg.OIDCClientID == "" || cfg.OIDCClientSecret == "" {
			return linkSettings{}, badSetting("SKILL_LOGIN", "oidc needs SKILL_OIDC_ISSUER, SKILL_OIDC_CLIENT_ID and SKILL_OIDC_CLIENT_SECRET")
		}
	default:
		return linkSettings{}, badSetting("SKILL_LOGIN", "%q: want oidc or dev", cfg.Login)
	}
	var redirects []string
	for _, u := range strings.Split(cfg.OAuthRedirectURIs, ",") {
		if u = strings.TrimSpace(u); u != "" {
			redirects = append(redirects, u)
		}
	}
	switch {
	case cfg.OAuthClientID == "":
		return linkSettings{}, badSetting("SKILL_OAUTH_CLIENT_ID", "not set (SKILL_LINK=%s needs the client id given to the platform's console)", mode)
	case len(cfg.OAuthClientSecret) < 16:
		return linkSettings{}, badSetting("SKILL_OAUTH_CLIENT_SECRET", "not set or shorter than 16 characters")
	case len(redirects) == 0:
		return linkSettings{}, badSetting("SKILL_OAUTH_REDIRECT_URIS", "not set (the platform's redirect URI, from its console)")
	}
	return linkSettings{mode: mode, ttl: ttl, redirects: redirects}, nil
}

// newLogin is who signs in when linking: the developer's identity provider
// (oidc, the default), or the development form (dev), which needs
// SKILL_DEV=1.
func newLogin(ctx context.Context, cfg config, tokenSecret []byte, publicURL string, now func() time.Time) (oauth.Login, error) {
	switch cmpOr(cfg.Login, loginOIDC) {
	case loginDev:
		if cfg.Dev != "1" {
			return nil, badSetting("SKILL_LOGIN", "dev signs anyone in as any account: for development only (set SKILL_DEV=1), use oidc in production")
		}
		return oauth.DevLogin{}, nil
	case loginOIDC:
		if cfg.OIDCIssuer == "" || cfg.OIDCClientID == "" || cfg.OIDCClientSecret == "" {
			return nil, badSetting("SKILL_LOGIN", "oidc needs SKILL_OIDC_ISSUER, SKILL_OIDC_CLIENT_ID and SKILL_OIDC_CLIENT_SECRET")
		}
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		o, err := oauth.NewOIDC(cctx, oauth.OIDCConfig{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, RedirectURL: publicURL + "/oauth/callback",
			Key: subkey(tokenSecret, "oidc-state"), Now: now})
		if err != nil {
			return nil, badSetting("SKILL_OIDC_ISSUER", "%v", err)
		}
		return o, nil
	}
	return nil, badSetting("SKILL_LOGIN", "%q: want oidc or dev", cfg.Login)
}
