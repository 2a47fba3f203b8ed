package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
)

// OAuthClient is what the platform's console is given for account
// linking, and the skill's SKILL_OAUTH_* settings in the sandbox.
type OAuthClient struct {
	ClientID     string
	ClientSecret string
	RedirectURI  string
}

// OAuthClientID is the client id the sandbox's platform links with.
const OAuthClientID = "dingdang-sandbox"

// LinkCallbackPath is the sandbox platform's redirect URI path.
const LinkCallbackPath = "/sandbox/link/callback"

// oauthClient derives the sandbox's account-linking client from its keys:
// the secret is keyed by the HMAC secret, so it is stable across starts.
func oauthClient(k Keys, platformURL string) OAuthClient {
	m := hmac.New(sha256.New, []byte(k.Secret))
	m.Write([]byte("sandbox oauth client"))
	return OAuthClient{ClientID: OAuthClientID, ClientSecret: hex.EncodeToString(m.Sum(nil))[:32],
		RedirectURI: platformURL + LinkCallbackPath}
}

// LinkRequest is the body of POST /sandbox/link: the user links their
// account in the Dingdang app.
type LinkRequest struct {
	User    string `json:"user"`    // default "alice"
	Account string `json:"account"` // the account name to sign in as (the skill's development login)
}

// LinkReply says what the platform got from the skill's authorization
// server; the access token rides on the user's later skill requests.
type LinkReply struct {
	User        string `json:"user"`
	Account     string `json:"account"`
	AccessToken string `json:"accessToken"`
	TokenType   string `json:"tokenType"`
	ExpiresIn   int64  `json:"expiresIn"`
	Next        string `json:"next"`
}

// Link plays the platform's part of account linking for the user: the
// authorization request signed in at once with login_hint (the skill's
// development login), the token exchange; from then on the access token is
// in context.System.user.accessToken of the user's requests, on every
// device. The simulator shows it as one of the user's turns.
func (c *Console) Link(ctx context.Context, in LinkRequest) (*LinkReply, error) {
	if c.OAuth == nil {
		return nil, errors.New("account linking is not set up in this sandbox")
	}
	name := strings.TrimSpace(in.Account)
	if name == "" {
		return nil, errors.New(`no "account": the account name to link, e.g. {"user":"alice","account":"acct-alice"}`)
	}
	var reply *LinkReply
	_, err := c.act("", in.User, "关联账号 "+name, func(acc *account, _ *speaker, t *Turn) (*Answer, error) {
		t.Device = AppDevice // done in the phone app, not said to a speaker
		tok, err := c.OAuth.Link(ctx, name)
		if err != nil {
			return nil, err
		}
		acc.linked = name
		c.setToken(acc, tok)
		var expires int64
		if !tok.Expiry.IsZero() {
			expires = int64(time.Until(tok.Expiry).Round(time.Second) / time.Second)
		}
		reply = &LinkReply{User: acc.id, Account: name, AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresIn: expires,
			Next: fmt.Sprintf(`POST /sandbox/say {"user":%q,"text":"我的账号"}`, acc.id)}
		return &Answer{Speech: "已在叮当App里关联账号" + name, ShouldEndSession: true}, nil
	})
	return reply, err
}

// setToken gives the account's speakers the access token, remembering
// its refresh token and when it expires by the sandbox's clock (which
// /sandbox/platform/advance moves, as it moves the skill's).
func (c *Console) setToken(acc *account, tok *oauth2.Token) {
	acc.token, acc.refresh, acc.expiry, acc.issued = tok.AccessToken, tok.RefreshToken, time.Time{}, c.now()
	if !tok.Expiry.IsZero() {
		acc.expiry = c.now().Add(time.Until(tok.Expiry))
	}
	if tok.RefreshToken == "" {
		acc.refresh = ""
	}
	for _, s := range acc.speakers {
		s.token = tok.AccessToken
	}
}

// refreshToken renews the account's access token with its refresh token
// when it has expired, or is about to, as the platform does before it
// sends a request (the skill would take an expired one for no link at
// all), and when the sandbox's clock was rewound past its issue.
// A refusal (the link revoked) leaves the old token, which the skill then
// refuses.
func (c *Console) refreshToken(acc *account) {
	now := c.now()
	rewound := now.Before(acc.issued) // the clock went back past the token's issue: the skill refuses it
	if acc.token == "" || acc.refresh == "" || c.OAuth == nil || !rewound && (acc.expiry.IsZero() || now.Before(acc.expiry.Add(-time.Minute))) {
		return
	}
	tok, err := c.OAuth.Refresh(context.Background(), acc.refresh)
	if err != nil {
		c.log().Warn("sandbox: access token not refreshed", "user", acc.id, "err", err)
		return
	}
	c.setToken(acc, tok)
}

// AppDevice is the Device of a turn done in the Dingdang phone app
// (linking an account) rather than on a speaker.
const AppDevice = "app"

// linkCallback is the platform's redirect URI: a browser that signed in
// with the skill's form lands here. The sandbox links with POST
// /sandbox/link instead, so it only says so.
func linkCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if e := r.URL.Query().Get("error"); e != "" {
		fmt.Fprintf(w, "The skill refused the link: %s\n", e)
		return
	}
	fmt.Fprintf(w, "Authorization code received (%d characters). The sandbox links users with POST /sandbox/link.\n", len(r.URL.Query().Get("code")))
}

// withToken is the access token option of a speaker's requests, if linked.
func (s *speaker) withToken() []fakeplatform.Option {
	if s.token == "" {
		return nil
	}
	return []fakeplatform.Option{fakeplatform.WithAccessToken(s.token)}
}

// now is the sandbox's time.
func (c *Console) now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}

// log is the console's logger.
func (c *Console) log() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}
