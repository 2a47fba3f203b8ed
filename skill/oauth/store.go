package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Grants keeps authorization codes and refresh tokens by a hash of each;
// every shop.LinkStore is one.
type Grants interface {
	PutGrant(ctx context.Context, key string, g shop.Grant) error
	Grant(ctx context.Context, key string) (shop.Grant, error)
	TakeGrant(ctx context.Context, key string) (shop.Grant, error)
}

// tokenStore is the library's token storage on Grants. Codes and refresh
// tokens are kept under "code:"/"refresh:" and the SHA-256 of the secret,
// never the secret; access tokens are JWTs, verified without storage, so
// nothing is kept of them. Taking a code or a refresh token is one atomic
// TakeGrant: of two concurrent redemptions one fails (invalid_grant).
//
// The library checks expiry with time.Now; the store checks it with the
// service's clock, so what it returns always counts as fresh to the
// library, with the time left by the service's clock.
type tokenStore struct {
	grants Grants
	now    func() time.Time
}

var _ oauth2.TokenStore = (*tokenStore)(nil)

func grantKey(kind, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return kind + ":" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// Create stores an authorization code, or the refresh token of newly
// issued tokens.
func (s *tokenStore) Create(ctx context.Context, ti oauth2.TokenInfo) error {
	now := s.now().UTC()
	g := shop.Grant{Account: ti.GetUserID(), ClientID: ti.GetClientID(), Scope: ti.GetScope(), CreatedAt: now}
	switch {
	case ti.GetCode() != "":
		g.RedirectURI = ti.GetRedirectURI()
		g.Challenge, g.ChallengeMethod = ti.GetCodeChallenge(), string(ti.GetCodeChallengeMethod())
		g.ExpiresAt = now.Add(ti.GetCodeExpiresIn())
		return s.grants.PutGrant(ctx, grantKey("code", ti.GetCode()), g)
	case ti.GetRefresh() != "":
		g.ExpiresAt = now.Add(ti.GetRefreshExpiresIn())
		return s.grants.PutGrant(ctx, grantKey("refresh", ti.GetRefresh()), g)
	}
	return nil
}

// GetByCode returns what a code stands for, or nil when it is unknown,
// used or expired.
func (s *tokenStore) GetByCode(ctx context.Context, code string) (oauth2.TokenInfo, error) {
	g, err := s.grants.Grant(ctx, grantKey("code", code))
	if err != nil {
		return nil, missing(err)
	}
	t := s.token(g)
	t.Code, t.RedirectURI = code, g.RedirectURI
	t.CodeChallenge, t.CodeChallengeMethod = g.Challenge, g.ChallengeMethod
	t.CodeCreateAt, t.CodeExpiresIn = time.Now(), g.ExpiresAt.Sub(s.now())
	return t, nil
}

// RemoveByCode uses the code up; one already used is refused.
func (s *tokenStore) RemoveByCode(ctx context.Context, code string) error {
	if _, err := s.grants.TakeGrant(ctx, grantKey("code", code)); err != nil {
		if errors.Is(err, shop.ErrNotFound) {
			return oerrors.ErrInvalidAuthorizeCode
		}
		return err
	}
	return nil
}

// GetByRefresh returns what a refresh token stands for, or nil when it is
// unknown, already rotated or expired.
func (s *tokenStore) GetByRefresh(ctx context.Context, refresh string) (oauth2.TokenInfo, error) {
	g, err := s.grants.Grant(ctx, grantKey("refresh", refresh))
	if err != nil {
		return nil, missing(err)
	}
	t := s.token(g)
	t.Refresh, t.RefreshCreateAt, t.RefreshExpiresIn = refresh, time.Now(), g.ExpiresAt.Sub(s.now())
	return t, nil
}

// RemoveByRefresh retires a refresh token as it rotates; one already
// retired (a reuse, or a concurrent refresh that won) is refused.
func (s *tokenStore) RemoveByRefresh(ctx context.Context, refresh string) error {
	if _, err := s.grants.TakeGrant(ctx, grantKey("refresh", refresh)); err != nil {
		if errors.Is(err, shop.ErrNotFound) {
			return oerrors.ErrInvalidRefreshToken
		}
		return err
	}
	return nil
}

// RemoveByAccess and GetByAccess have nothing to do: access tokens are not
// stored.
func (s *tokenStore) RemoveByAccess(context.Context, string) error { return nil }

// GetByAccess finds nothing: access tokens are verified, not looked up.
func (s *tokenStore) GetByAccess(context.Context, string) (oauth2.TokenInfo, error) {
	return nil, nil
}

func (s *tokenStore) token(g shop.Grant) *models.Token {
	t := models.NewToken()
	t.ClientID, t.UserID, t.Scope = g.ClientID, g.Account, g.Scope
	return t
}

// missing turns "not found" into the library's "no such token" (nil, nil);
// other errors (storage down) are returned.
func missing(err error) error {
	if errors.Is(err, shop.ErrNotFound) {
		return nil
	}
	return err
}

// clientStore knows the one client: the platform.
type clientStore struct{ client *models.Client }

// GetByID returns the platform's client, or nil for any other id.
func (c clientStore) GetByID(_ context.Context, id string) (oauth2.ClientInfo, error) {
	if id != c.client.ID {
		return nil, oerrors.ErrInvalidClient
	}
	return c.client, nil
}

// codes generates authorization codes: 32 random bytes.
type codes struct{}

// Token returns a new code.
func (codes) Token(context.Context, *oauth2.GenerateBasic) (string, error) {
	return randomString(32), nil
}

// access generates access tokens (Tokens.Issue) and refresh tokens (32
// random bytes).
type access struct{ tokens *Tokens }

// Token returns a new access token for the grant's account, and a refresh
// token when asked.
func (a access) Token(_ context.Context, data *oauth2.GenerateBasic, refresh bool) (string, string, error) {
	tok, err := a.tokens.Issue(data.UserID, data.TokenInfo.GetAccessExpiresIn())
	if err != nil {
		return "", "", err
	}
	if !refresh {
		return tok, "", nil
	}
	return tok, randomString(32), nil
}
