package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

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
		acc.token, acc.linked = tok.AccessToken, name
		for _, s := range acc.speakers {
			s.token = tok.AccessToken
		}
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
