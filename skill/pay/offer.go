package pay

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// DefaultOfferTTL is how long an offer token is good for when Offers.TTL is 0.
const DefaultOfferTTL = 15 * time.Minute

// Offer errors, checked with errors.Is.
var (
	// ErrOfferExpired means the offer token was genuine but is past its TTL.
	ErrOfferExpired = errors.New("pay: offer expired")
	// ErrOfferInvalid means the offer token is malformed, forged, or signed
	// with another key or algorithm.
	ErrOfferInvalid = errors.New("pay: offer invalid")
	// ErrOfferMismatch means a create order asks for something other than
	// what the offer said.
	ErrOfferMismatch = errors.New("pay: order does not match offer")
)

// Offer is what the skill offered a user in the Charge directive. Issued as
// a signed token and passed as the charge's userId, it comes back as the
// create order's userToken, so the order can be checked against exactly what
// was offered and carry the user's original intent.
type Offer struct {
	UserID   string          `json:"uid"`
	Items    []shop.Line     `json:"items"`
	TotalAmt shop.Fen        `json:"total"`
	Intent   json.RawMessage `json:"intent,omitempty"`
}

// Match reports whether req asks for exactly the offered lines (item ids,
// quantities and amounts, in any order) and total; otherwise an error
// wrapping ErrOfferMismatch.
func (o Offer) Match(req CreateOrderRequest) error {
	if req.TotalAmt != o.TotalAmt {
		return fmt.Errorf("%w: totalAmt %d, offered %d", ErrOfferMismatch, req.TotalAmt, o.TotalAmt)
	}
	if !slices.Equal(canonicalLines(o.Items), canonicalLines(req.Details)) {
		return fmt.Errorf("%w: details differ from the offer", ErrOfferMismatch)
	}
	return nil
}

// Offers issues and verifies offer tokens: JWTs signed with HS256.
type Offers struct {
	Secret []byte           // HMAC key; required
	TTL    time.Duration    // token lifetime; 0 means DefaultOfferTTL
	Now    func() time.Time // the clock; nil means time.Now
}

type offerClaims struct {
	jwt.RegisteredClaims
	Offer
}

func (f *Offers) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Issue signs the offer, valid from now for the TTL.
func (f *Offers) Issue(o Offer) (string, error) {
	if len(f.Secret) == 0 {
		return "", errors.New("pay: offers: no secret configured")
	}
	ttl := f.TTL
	if ttl <= 0 {
		ttl = DefaultOfferTTL
	}
	now := f.now()
	c := offerClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Offer: o,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(f.Secret)
	if err != nil {
		return "", fmt.Errorf("pay: offers: sign: %w", err)
	}
	return s, nil
}

// Verify checks the token's signature (HS256 only) and expiry and returns
// its offer. Errors wrap ErrOfferExpired or ErrOfferInvalid.
func (f *Offers) Verify(token string) (Offer, error) {
	if len(f.Secret) == 0 {
		return Offer{}, fmt.Errorf("%w: no secret configured", ErrOfferInvalid)
	}
	var c offerClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return f.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(f.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenExpired):
		return Offer{}, fmt.Errorf("%w: %w", ErrOfferExpired, err)
	default:
		return Offer{}, fmt.Errorf("%w: %w", ErrOfferInvalid, err)
	}
	if strings.TrimSpace(c.UserID) == "" || len(c.Items) == 0 {
		return Offer{}, fmt.Errorf("%w: empty offer", ErrOfferInvalid)
	}
	return c.Offer, nil
}

// looksLikeJWT reports whether a userToken has the shape of a JWT: three
// non-empty dot-separated parts.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	return len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != ""
}
