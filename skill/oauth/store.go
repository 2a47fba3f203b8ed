package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
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
// nothing is kept of them. Taking a code is one atomic TakeGrant: of two
// concurrent redemptions one fails (invalid_grant).
//
// Refresh tokens rotate (RFC 9700 §4.14.2). The tokens rotated, one from
// the other, out of one authorization are a family. A retired token leaves
// a record under "rotated:" naming its family and the token it rotated to,
// for as long as it would have lived. Presenting a retired token again is a
// reuse: someone kept a copy. Then the whole family is revoked (a
// "revoked:" record the family's tokens are checked against), so a thief's
// copy and the platform's token both stop working, and the user links
// again. One exception keeps a lost answer from unlinking the user: within
// grace of its rotation, the retired token may be presented again as the
// retry of a refresh whose answer never arrived. That retry rotates the
// family once more and supersedes the token whose answer was lost, which
// counts as a reuse from then on. Once the token it rotated to has been
// used, the retired token is a reuse even within grace: that answer did
// arrive, at someone.
//
// A rotation stores the successor and the records of the retired tokens
// before it takes the live token (the one atomic step, which decides
// between concurrent rotations), so no single storage failure can lose a
// record the retry needs: a record names the successor, and while the
// token it retires is still live the record is not looked at. A failure
// at or before the take keeps the successor (a record may name it; its
// secret was never sent, so it is of use to a retry only) and answers
// with the error: the client tries again. The winner of the take writes
// the records again, over those of a concurrent rotation that lost.
//
// The library checks expiry with time.Now; the store checks it with the
// service's clock, so what it returns always counts as fresh to the
// library, with the time left by the service's clock.
type tokenStore struct {
	grants Grants
	now    func() time.Time
	// grace is how long after its rotation a retired refresh token may be
	// presented again as a retry.
	grace time.Duration
	// familyTTL is how long a revoked family stays revoked: as long as a
	// token of it can live.
	familyTTL time.Duration
	log       *slog.Logger
}

var _ oauth2.TokenStore = (*tokenStore)(nil)

func grantKey(kind, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return kind + ":" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func familyKey(family string) string { return "revoked:" + family }

// rotating is the token GetByRefresh returns: the library's, with what
// Create needs to rotate the family from it.
type rotating struct {
	*models.Token
	family  string
	from    string      // the key of the live token to take: the presented one, or in a retry the one it rotated to
	live    shop.Grant  // from's record
	retired string      // the key of the presented token's "rotated:" record
	retry   *shop.Grant // in a retry: the presented token's record
}

// Create stores an authorization code, or the refresh token of newly
// issued tokens. A refresh token rotated from another takes that one's
// place (rotate).
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
		r, ok := ti.(*rotating)
		if g.Family = randomString(12); ok && r.family != "" {
			g.Family = r.family
		}
		key := grantKey("refresh", ti.GetRefresh())
		if err := s.grants.PutGrant(ctx, key, g); err != nil || !ok {
			return err
		}
		return s.rotate(ctx, r, key)
	}
	return nil
}

// rotate retires the token r was read from now that key, its successor,
// is stored: it records the retired tokens, then takes the live one. Of
// concurrent rotations from one token one wins the take and writes its
// records again; the others fail with invalid_grant and take back their
// successor, unless their record outlived the winner's (named). A storage failure
// before or at the take is returned, the successor kept.
func (s *tokenStore) rotate(ctx context.Context, r *rotating, key string) error {
	records := s.records(r, key)
	for _, rec := range records {
		if err := s.grants.PutGrant(ctx, rec.key, rec.g); err != nil {
			return err
		}
	}
	if _, err := s.grants.TakeGrant(ctx, r.from); err != nil {
		if !errors.Is(err, shop.ErrNotFound) {
			return err // taken or not: the records stand, and the successor they name
		}
		if s.named(ctx, records, key) {
			// Lost the take, but a record written over the winner's
			// names this successor: it stays, so that a retry within
			// grace still finds a live token (its secret was sent to
			// nobody).
			return oerrors.ErrInvalidRefreshToken
		}
		if _, derr := s.grants.TakeGrant(ctx, key); derr != nil && !errors.Is(derr, shop.ErrNotFound) {
			s.log.Error("oauth: an unused refresh token could not be deleted", "err", derr)
		}
		return oerrors.ErrInvalidRefreshToken
	}
	for _, rec := range records {
		s.record(ctx, rec.key, rec.g)
	}
	return nil
}

// named reports whether one of the stored records names key as the token
// it rotated to (or cannot be read: then key must stay all the same).
func (s *tokenStore) named(ctx context.Context, records []retiredRecord, key string) bool {
	for _, rec := range records {
		g, err := s.grants.Grant(ctx, rec.key)
		if err != nil && !errors.Is(err, shop.ErrNotFound) || err == nil && g.Next == key {
			return true
		}
	}
	return false
}

// retiredRecord is a "rotated:" record to store.
type retiredRecord struct {
	key string
	g   shop.Grant
}

// records returns the records a rotation from r to key leaves: the
// presented token's, naming key and stamped now; in a retry, the token
// whose answer was lost first, superseded, then the presented one's,
// with the grace still counted from its own rotation. In that order a
// failure between them leaves the presented token's record naming the
// live token whose answer was lost: a retry still finds it.
func (s *tokenStore) records(r *rotating, key string) []retiredRecord {
	rec := r.live
	rec.CreatedAt, rec.Next = s.now().UTC(), key
	if r.retry == nil {
		return []retiredRecord{{r.retired, rec}}
	}
	rec.Superseded = true
	presented := *r.retry
	presented.Next = key
	return []retiredRecord{{retiredKey(r.from), rec}, {r.retired, presented}}
}

// retiredKey is the key of the record a refresh token, kept under
// refreshKey, leaves when it is retired.
func retiredKey(refreshKey string) string {
	return "rotated:" + strings.TrimPrefix(refreshKey, "refresh:")
}

// record stores the record of a retired refresh token under key again,
// after the take. The rotation is done by then and the record was stored
// before it: a failure here is logged and only leaves the record of a
// concurrent rotation that lost, if one overwrote it.
func (s *tokenStore) record(ctx context.Context, key string, g shop.Grant) {
	if err := s.grants.PutGrant(ctx, key, g); err != nil {
		s.log.Error("oauth: the record of a retired refresh token could not be stored", "err", err)
	}
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
// unknown, expired, of a revoked family, or retired (a reuse, which
// revokes its family) other than as a retry within grace (retried).
func (s *tokenStore) GetByRefresh(ctx context.Context, refresh string) (oauth2.TokenInfo, error) {
	key := grantKey("refresh", refresh)
	r := &rotating{from: key, retired: retiredKey(key)}
	g, err := s.grants.Grant(ctx, key)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		if ok, err := s.retried(ctx, r); !ok || err != nil {
			return nil, err
		}
		g = *r.retry
	case err != nil:
		return nil, err
	default:
		r.live = g
	}
	if revoked, err := s.revoked(ctx, g.Family); revoked || err != nil {
		return nil, err
	}
	r.Token, r.family = s.token(g), g.Family
	r.Refresh, r.RefreshCreateAt, r.RefreshExpiresIn = refresh, time.Now(), g.ExpiresAt.Sub(s.now())
	return r, nil
}

// retried finds whether a refresh token that is not live, r.from, is
// presented again as a retry: it was rotated within grace, not
// superseded, and the token it rotated to is live, unused. Then it sets r
// to rotate from that token. A token it rotated to that was used (rotated
// on by whoever holds it) makes the presentation a reuse, as does one
// past grace or superseded: retried revokes the family and says no. A
// token it rotated to that is gone otherwise (taken by a concurrent retry,
// or expired) is no retry either, but no reuse.
func (s *tokenStore) retried(ctx context.Context, r *rotating) (bool, error) {
	g, err := s.grants.Grant(ctx, r.retired)
	if err != nil {
		return false, missing(err)
	}
	if g.Superseded || s.now().Sub(g.CreatedAt) > s.grace {
		return false, s.reused(ctx, g)
	}
	next, err := s.grants.Grant(ctx, g.Next)
	if errors.Is(err, shop.ErrNotFound) {
		used, err := s.grants.Grant(ctx, retiredKey(g.Next))
		if err == nil && !used.Superseded {
			return false, s.reused(ctx, g)
		}
		return false, missing(err)
	}
	if err != nil {
		return false, err
	}
	r.from, r.live, r.retry = g.Next, next, &g
	return true, nil
}

// reused revokes the family of a retired refresh token presented again.
func (s *tokenStore) reused(ctx context.Context, g shop.Grant) error {
	if g.Family == "" {
		return nil
	}
	now := s.now().UTC()
	mark := shop.Grant{Account: g.Account, ClientID: g.ClientID, Family: g.Family, CreatedAt: now, ExpiresAt: now.Add(s.familyTTL)}
	if err := s.grants.PutGrant(ctx, familyKey(g.Family), mark); err != nil {
		return err
	}
	s.log.Warn("oauth: a retired refresh token was presented again; its family is revoked", "account", g.Account)
	return nil
}

// revoked reports whether the family was revoked.
func (s *tokenStore) revoked(ctx context.Context, family string) (bool, error) {
	if family == "" {
		return false, nil
	}
	_, err := s.grants.Grant(ctx, familyKey(family))
	if errors.Is(err, shop.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// RemoveByRefresh has nothing left to do after a rotation (Create took
// the token); any other token it deletes.
func (s *tokenStore) RemoveByRefresh(ctx context.Context, refresh string) error {
	if _, err := s.grants.TakeGrant(ctx, grantKey("refresh", refresh)); err != nil && !errors.Is(err, shop.ErrNotFound) {
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
