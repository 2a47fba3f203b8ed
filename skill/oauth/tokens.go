package oauth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Why an access token is refused, checked with errors.Is. A refused token
// counts as no token: the request is the platform user's, not an account's.
var (
	// ErrTokenMalformed: not a JWT, or not one of ours in shape (no
	// subject, a subject that is no account id).
	ErrTokenMalformed = errors.New("oauth: access token malformed")
	// ErrTokenSignature: signed with another key or algorithm (forged).
	ErrTokenSignature = errors.New("oauth: access token signature invalid")
	// ErrTokenExpired: past its exp (or not valid yet).
	ErrTokenExpired = errors.New("oauth: access token expired")
	// ErrTokenAudience: issued by someone else or for another audience.
	ErrTokenAudience = errors.New("oauth: access token for another audience")
)

// leeway is how far clocks of the nodes that issue and verify may differ.
const leeway = 30 * time.Second

// Tokens issues and verifies access tokens: JWTs signed with HS256 by the
// service, carrying the account id as sub, for one audience (the skill),
// valid for a TTL. Verification needs no storage, so every node verifies
// what any node issued. Keys[0] signs; every key verifies, so a key can be
// rotated. Keys and Audience are required.
type Tokens struct {
	Keys     [][]byte
	Issuer   string           // iss (DefaultIssuer when empty)
	Audience string           // aud
	Now      func() time.Time // nil: time.Now
}

// DefaultIssuer is the iss of access tokens when Tokens.Issuer is empty.
const DefaultIssuer = "voicepay"

func (k *Tokens) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *Tokens) issuer() string {
	if k.Issuer != "" {
		return k.Issuer
	}
	return DefaultIssuer
}

// Issue returns an access token of the account, valid for ttl from now.
func (k *Tokens) Issue(account string, ttl time.Duration) (string, error) {
	if len(k.Keys) == 0 || len(k.Keys[0]) == 0 || k.Audience == "" {
		return "", errors.New("oauth: tokens: no key or no audience")
	}
	if err := shop.CheckAccount(account); err != nil {
		return "", fmt.Errorf("oauth: issue token: %w", err)
	}
	now := k.now()
	claims := jwt.RegisteredClaims{
		Issuer:    k.issuer(),
		Subject:   account,
		Audience:  jwt.ClaimStrings{k.Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		ID:        randomString(12),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(k.Keys[0])
	if err != nil {
		return "", fmt.Errorf("oauth: issue token: %w", err)
	}
	return s, nil
}

// Verify returns the account of a valid access token, or an error wrapping
// one of the ErrToken… reasons.
func (k *Tokens) Verify(token string) (string, error) {
	if len(k.Keys) == 0 || k.Audience == "" {
		return "", errors.New("oauth: tokens: no key or no audience")
	}
	var last error
	for _, key := range k.Keys {
		var claims jwt.RegisteredClaims
		_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return key, nil },
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithAudience(k.Audience),
			jwt.WithIssuer(k.issuer()), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway), jwt.WithTimeFunc(k.now))
		if err == nil {
			if shop.CheckAccount(claims.Subject) != nil {
				return "", ErrTokenMalformed
			}
			return claims.Subject, nil
		}
		last = reason(err)
		if !errors.Is(last, ErrTokenSignature) {
			break // the signature verified: another key will not help
		}
	}
	return "", last
}

// reason maps a jwt error to the ErrToken… it means.
func reason(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Errorf("%w: %w", ErrTokenSignature, err)
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Errorf("%w: %w", ErrTokenExpired, err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience), errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fmt.Errorf("%w: %w", ErrTokenAudience, err)
	}
	return fmt.Errorf("%w: %w", ErrTokenMalformed, err)
}

// randomString returns n random bytes, base64url without padding.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
