package pay

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// DefaultOfferTTL is how long an offer can be ordered when Offers.TTL is 0:
// a week, since on a screenless speaker the order is placed later, in the
// phone app.
const DefaultOfferTTL = 7 * 24 * time.Hour

// The offer reference: "of_", the offer's id (9 random bytes), and a tag
// (the first 12 bytes of HMAC-SHA256 of the id), both base64url without
// padding. 31 characters of [0-9A-Za-z_-]: within the 32 a platform may
// allow a charge's userId.
const (
	offerRefPrefix = "of_"
	offerIDBytes   = 9
	offerTagBytes  = 12
	offerIDLen     = offerIDBytes * 4 / 3
	// OfferRefLen is the length of every offer reference.
	OfferRefLen = len(offerRefPrefix) + offerIDLen + offerTagBytes*4/3
)

// b64 encodes offer ids and tags.
var b64 = base64.RawURLEncoding

// Offer errors, checked with errors.Is.
var (
	// ErrOfferInvalid means the reference was altered or forged (its tag
	// does not verify), or is not a reference at all.
	ErrOfferInvalid = errors.New("pay: offer invalid")
	// ErrOfferUnknown means a genuine reference names no offer in the
	// store: never stored there, or forgotten past its retention.
	ErrOfferUnknown = errors.New("pay: offer unknown")
	// ErrOfferExpired means the offer exists but is past its TTL.
	ErrOfferExpired = errors.New("pay: offer expired")
	// ErrOfferMismatch means a create order asks for something other than
	// what the offer said.
	ErrOfferMismatch = errors.New("pay: order does not match offer")
)

// OfferStore keeps offers; every shop.OrderStore is one.
type OfferStore interface {
	CreateOffer(ctx context.Context, o shop.Offer) (stored shop.Offer, created bool, err error)
	Offer(ctx context.Context, id string) (shop.Offer, error)
}

// Offers issues and resolves offer references. An offer (shop.Offer) is a
// durable record in the store; its reference, a short opaque string with a
// keyed tag, goes out as a Charge's userId and comes back as create-order's
// userToken, so the order can be checked against exactly what was offered,
// on any node and after a restart, for the offer's TTL. Secret and Store
// are required.
type Offers struct {
	Secret []byte           // HMAC key of the tags
	Store  OfferStore       // where offers are kept
	TTL    time.Duration    // how long an offer can be ordered; 0 means DefaultOfferTTL
	Now    func() time.Time // the clock; nil means time.Now
}

func (f *Offers) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Issue stores the offer (UserID, Items, TotalAmt, Intent, PayIn) with a
// fresh random id, made now and valid for the TTL, and returns its
// reference.
func (f *Offers) Issue(ctx context.Context, o shop.Offer) (string, error) {
	switch {
	case len(f.Secret) == 0 || f.Store == nil:
		return "", errors.New("pay: offers: no secret or no store configured")
	case strings.TrimSpace(o.UserID) == "" || len(o.Items) == 0:
		return "", errors.New("pay: offers: an offer needs a user and items")
	case !o.PayIn.Valid():
		return "", fmt.Errorf("pay: offers: no such place to pay as %q", o.PayIn)
	}
	ttl := f.TTL
	if ttl <= 0 {
		ttl = DefaultOfferTTL
	}
	now := f.now().UTC()
	o.CreatedAt, o.ExpiresAt = now, now.Add(ttl)
	// 72 random bits make a collision unlikely; one is retried, never
	// overwritten.
	for range 3 {
		var raw [offerIDBytes]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return "", fmt.Errorf("pay: offers: %w", err)
		}
		o.ID = b64.EncodeToString(raw[:])
		_, created, err := f.Store.CreateOffer(ctx, o)
		if err != nil {
			return "", fmt.Errorf("pay: offers: store: %w", err)
		}
		if created {
			return f.Ref(o.ID), nil
		}
	}
	return "", errors.New("pay: offers: no free offer id")
}

// Ref returns the reference of the offer with the given id (an order's
// OfferID), as Issue returned it; "" for an empty id.
func (f *Offers) Ref(id string) string {
	if id == "" {
		return ""
	}
	return offerRefPrefix + id + f.tag(id)
}

// Lookup returns the offer a reference names, expired or not. Errors wrap
// ErrOfferInvalid (altered, forged or malformed) or ErrOfferUnknown (no
// such offer); any other is the store's trouble.
func (f *Offers) Lookup(ctx context.Context, ref string) (shop.Offer, error) {
	if !IsOfferRef(ref) || len(f.Secret) == 0 || f.Store == nil {
		return shop.Offer{}, ErrOfferInvalid
	}
	id, tag := ref[len(offerRefPrefix):len(offerRefPrefix)+offerIDLen], ref[len(offerRefPrefix)+offerIDLen:]
	if !hmac.Equal([]byte(tag), []byte(f.tag(id))) {
		return shop.Offer{}, ErrOfferInvalid
	}
	o, err := f.Store.Offer(ctx, id)
	if errors.Is(err, shop.ErrNotFound) {
		return shop.Offer{}, ErrOfferUnknown
	}
	if err != nil {
		return shop.Offer{}, fmt.Errorf("pay: offer %s: %w", id, err)
	}
	return o, nil
}

// offerIDOf returns the offer id of a reference, without checking its tag
// (for a message the platform signed, naming an order's offer).
func offerIDOf(ref string) (string, bool) {
	if !IsOfferRef(ref) {
		return "", false
	}
	return ref[len(offerRefPrefix) : len(offerRefPrefix)+offerIDLen], true
}

// Resolve returns the offer a reference names if it can still be ordered:
// as Lookup, and an expired offer is an error wrapping ErrOfferExpired.
func (f *Offers) Resolve(ctx context.Context, ref string) (shop.Offer, error) {
	o, err := f.Lookup(ctx, ref)
	if err != nil {
		return shop.Offer{}, err
	}
	if o.Expired(f.now()) {
		return shop.Offer{}, ErrOfferExpired
	}
	return o, nil
}

// tag is the keyed tag of an offer id, domain-separated from other uses of
// the key.
func (f *Offers) tag(id string) string {
	m := hmac.New(sha256.New, f.Secret)
	m.Write([]byte("offer\x00"))
	m.Write([]byte(id))
	return b64.EncodeToString(m.Sum(nil)[:offerTagBytes])
}

// IsOfferRef reports whether s has the shape of an offer reference (not
// whether it is genuine): "of_" and 28 characters of [0-9A-Za-z_-]. A
// userToken of any other shape is a plain user id.
func IsOfferRef(s string) bool {
	if len(s) != OfferRefLen || !strings.HasPrefix(s, offerRefPrefix) {
		return false
	}
	for i := len(offerRefPrefix); i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// MatchOffer reports whether req asks for exactly the offered lines (item
// ids, quantities and amounts, in any order) and total; otherwise an error
// wrapping ErrOfferMismatch.
func MatchOffer(o shop.Offer, req CreateOrderRequest) error {
	if req.TotalAmt != o.TotalAmt {
		return fmt.Errorf("%w: totalAmt %d, offered %d", ErrOfferMismatch, req.TotalAmt, o.TotalAmt)
	}
	if !slices.Equal(canonicalLines(o.Items), canonicalLines(req.Details)) {
		return fmt.Errorf("%w: details differ from the offer", ErrOfferMismatch)
	}
	return nil
}

// looksLikeJWT reports whether a userToken has the shape of a JWT: three
// non-empty dot-separated parts, as the signed offer tokens of earlier
// versions had. Such a token is refused rather than taken for a user id.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	return len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != ""
}
