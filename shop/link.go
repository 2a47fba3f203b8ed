package shop

import (
	"context"
	"strings"
	"time"
)

// Account linking (the platform's OAuth 2.0 authorization-code grant, the
// skill being the authorization server) makes purchases belong to a person
// rather than to a platform userId, which may change when the user adds the
// skill again. The owner of offers, orders and entitlements is then an
// account: the owner string AccountOwner(id), which no platform userId can
// be (the dialog refuses userIds that look like one).

// AccountPrefix starts every account owner string.
const AccountPrefix = "account:"

// MaxAccountID bounds the length of an account id, in bytes.
const MaxAccountID = 128

// CauseLinked starts the cause of the history entry an order gets when it
// moves to a linked account (Order.MoveOwner).
const CauseLinked = "linked"

// AccountOwner returns the owner string of a linked account.
func AccountOwner(account string) string { return AccountPrefix + account }

// AccountOf returns the account id of an owner string; ok is false for a
// platform userId.
func AccountOf(owner string) (account string, ok bool) {
	return strings.CutPrefix(owner, AccountPrefix)
}

// CheckAccount checks an account id: 1..MaxAccountID bytes of UTF-8 without
// control characters (CheckID). The error is EINVALID, EBadID.
func CheckAccount(account string) error {
	if account == "" || len(account) > MaxAccountID {
		return Coded(EINVALID, EBadID, "account id must be 1..%d bytes", MaxAccountID)
	}
	return CheckID("account id", account)
}

// MoveOwner gives the order to another owner (a platform user's order to
// the account they linked), recording the move in the history without
// changing the state, and marks it Unsettled: open until the account's
// orders are checked for duplicates. Moving to the current owner is
// ErrNoChange.
func (o *Order) MoveOwner(to string, at time.Time) error {
	if o.UserID == to {
		return ErrNoChange
	}
	o.History = append(o.History, Transition{From: o.State, To: o.State, At: at.UTC(),
		Cause: CauseLinked + ": " + o.UserID + " → " + to})
	o.UserID = to
	o.UpdatedAt = at.UTC()
	o.Unsettled, o.UnsettledAt = true, at.UTC()
	return nil
}

// Recheck marks the order Unsettled: a refund of its one-time products
// failed, so it gives them again, and its owner's orders must be checked
// for one given twice (another order delivered while the refund was
// under way).
func (o *Order) Recheck(at time.Time) {
	if !o.Unsettled {
		o.Unsettled, o.UnsettledAt = true, at.UTC()
	}
}

// UnsettledSince is when the order became Unsettled: UnsettledAt, or for
// orders stored before it was kept, their last change.
func (o *Order) UnsettledSince() time.Time {
	if o.UnsettledAt.IsZero() {
		return o.UpdatedAt
	}
	return o.UnsettledAt
}

// SettledMoved records that the order, moved to an account or Recheck-ed,
// was checked for duplicates among its owner's orders; ErrNoChange when it
// needed no check.
func (o *Order) SettledMoved() error {
	if !o.Unsettled {
		return ErrNoChange
	}
	o.Unsettled, o.UnsettledAt = false, time.Time{}
	return nil
}

// Grant is what an account-linking secret stands for: an authorization
// code (minutes, used once) or a refresh token (rotated at each use). The
// secret itself is never stored: stores key a grant by a hash of it.
type Grant struct {
	Account     string `json:"account"`
	ClientID    string `json:"clientId"`
	RedirectURI string `json:"redirectUri,omitempty"`
	Scope       string `json:"scope,omitempty"`
	// Challenge and ChallengeMethod are an authorization code's PKCE
	// code_challenge, when the client sent one.
	Challenge       string    `json:"challenge,omitempty"`
	ChallengeMethod string    `json:"challengeMethod,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	ExpiresAt       time.Time `json:"expiresAt"`
	// Family names the refresh tokens rotated, one from the other, out of
	// one authorization: reusing a retired one revokes them all.
	Family string `json:"family,omitempty"`
	// Next is, for a retired refresh token, the key of the token it was
	// rotated to.
	Next string `json:"next,omitempty"`
	// Superseded marks a retired refresh token that was never presented:
	// a retry of the refresh that issued it rotated its family on without
	// it. Presenting it is a reuse at any time.
	Superseded bool `json:"superseded,omitempty"`
}

// LinkStore is the storage port of account linking, kept in the order
// store's backend (bbolt or Redis) so that a code issued by one node is
// redeemed on another. One conformance suite (store/storetest.RunLinks)
// runs against both. Every method is safe for concurrent use.
type LinkStore interface {
	// PutGrant stores g under key (a hash of its secret, opaque to the
	// store), replacing what was there, until g.ExpiresAt. An empty key is
	// EINVALID.
	PutGrant(ctx context.Context, key string, g Grant) error
	// Grant returns the grant under key, or an error wrapping ErrNotFound
	// when there is none or it has expired by the store's clock.
	Grant(ctx context.Context, key string) (Grant, error)
	// TakeGrant deletes the grant under key and returns it: of concurrent
	// takers exactly one gets it, the others (and an expired grant) get an
	// error wrapping ErrNotFound. It makes codes single-use and refresh
	// tokens rotate.
	TakeGrant(ctx context.Context, key string) (Grant, error)
	// MoveOrders gives every order of owner from to owner to
	// (Order.MoveOwner at at) and returns how many moved. Each order moves
	// atomically, whole and with its history entry, and never belongs to
	// both or neither; moving again moves nothing, so it is idempotent.
	MoveOrders(ctx context.Context, from, to string, at time.Time) (moved int, err error)
}
