package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// NewOffer returns an offer for tests: two credits of user u for 200 fen,
// paid in the phone app, made at the given instant and valid for a week.
func NewOffer(id, userID string, createdAt time.Time) shop.Offer {
	return shop.Offer{
		ID:        id,
		UserID:    userID,
		Items:     []shop.Line{{ItemID: "credits", Quantity: 2, Amount: 200}},
		TotalAmt:  200,
		Intent:    json.RawMessage(`{"name":"play","slots":{"product":"credits"}}`),
		PayIn:     shop.PayInApp,
		CreatedAt: createdAt.UTC(),
		ExpiresAt: createdAt.Add(7 * 24 * time.Hour).UTC(),
	}
}

// DiffOffer returns "" if the offers are equal as stored (their JSON),
// otherwise both, as (-want +got).
func DiffOffer(want, got shop.Offer) string {
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(w) == string(g) {
		return ""
	}
	return fmt.Sprintf("(-want +got)\n-%s\n+%s", w, g)
}

// fresh is a creation instant whose offers no store has forgotten: stores
// forget by their own clock, which is the real one.
func fresh() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func mustCreateOffer(t *testing.T, s shop.OrderStore, o shop.Offer) shop.Offer {
	t.Helper()
	got, created, err := s.CreateOffer(context.Background(), o)
	if err != nil || !created {
		t.Fatalf("CreateOffer(%q) = created %v, %v; want created", o.ID, created, err)
	}
	return got
}

func testOfferCreateThenGet(t *testing.T, s shop.OrderStore) {
	o := NewOffer("of1", "u1", fresh())
	if d := DiffOffer(o, mustCreateOffer(t, s, o)); d != "" {
		t.Errorf("CreateOffer returned %s", d)
	}
	got, err := s.Offer(context.Background(), "of1")
	if err != nil {
		t.Fatalf("Offer: %v", err)
	}
	if d := DiffOffer(o, got); d != "" {
		t.Errorf("Offer %s", d)
	}
}

func testOfferCreateExisting(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	first := NewOffer("of1", "u1", fresh())
	mustCreateOffer(t, s, first)
	other := NewOffer("of1", "u2", fresh().Add(time.Hour))
	other.TotalAmt = 1
	got, created, err := s.CreateOffer(ctx, other)
	if err != nil || created {
		t.Fatalf("second CreateOffer = created %v, %v; want not created, nil", created, err)
	}
	if d := DiffOffer(first, got); d != "" {
		t.Errorf("second CreateOffer returned %s", d)
	}
	if got, err := s.Offer(ctx, "of1"); err != nil || DiffOffer(first, got) != "" {
		t.Errorf("after second CreateOffer, Offer = %+v, %v; want the first", got, err)
	}
}

func testOfferNotFound(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	_, err := s.Offer(ctx, "missing")
	if !errors.Is(err, shop.ErrNotFound) || shop.ErrorCode(err) != shop.ENOTFOUND {
		t.Errorf("Offer(missing) error = %v; want one wrapping ErrNotFound", err)
	}
	if _, _, err := s.CreateOffer(ctx, NewOffer("", "u1", fresh())); shop.ErrorClass(err) != shop.EINVALID {
		t.Errorf("CreateOffer with an empty id: %v; want EINVALID", err)
	}
}

// testOfferForgotten: an offer is kept past its expiry for
// shop.OfferRetention, and may be forgotten after.
func testOfferForgotten(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	now := fresh()
	expired := NewOffer("expired", "u1", now.Add(-8*24*time.Hour)) // a day past expiry
	mustCreateOffer(t, s, expired)
	if got, err := s.Offer(ctx, "expired"); err != nil || DiffOffer(expired, got) != "" {
		t.Errorf("an expired offer within retention: %+v, %v; want it kept", got, err)
	}
	old := NewOffer("old", "u1", now.Add(-7*24*time.Hour-shop.OfferRetention-time.Hour))
	if _, _, err := s.CreateOffer(ctx, old); err != nil {
		t.Fatalf("CreateOffer(old): %v", err)
	}
	if _, err := s.Offer(ctx, "old"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("an offer past retention: %v; want ErrNotFound", err)
	}
	// Creating more offers (which may prune) keeps what is within retention.
	mustCreateOffer(t, s, NewOffer("new", "u1", now))
	if _, err := s.Offer(ctx, "expired"); err != nil {
		t.Errorf("after another CreateOffer, the expired offer within retention: %v", err)
	}
}

// testOfferKeysInjective: every awkward id is its own offer, and offers
// live apart from orders of the same id.
func testOfferKeysInjective(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	now := fresh()
	for i, id := range awkwardIDs {
		if id == "" {
			continue
		}
		mustCreateOffer(t, s, NewOffer(id, fmt.Sprintf("u%d", i), now))
	}
	for i, id := range awkwardIDs {
		if id == "" {
			continue
		}
		got, err := s.Offer(ctx, id)
		if err != nil || got.ID != id || got.UserID != fmt.Sprintf("u%d", i) {
			t.Errorf("Offer(%q) = %q of %q, %v", id, got.ID, got.UserID, err)
		}
	}
	mustCreate(t, s, NewOrder("victim", "u-order", base))
	if got, err := s.Offer(ctx, "victim"); err != nil || got.UserID != "u0" {
		t.Errorf("an order with an offer's id changed the offer: %+v, %v", got, err)
	}
	if got := mustGet(t, s, "victim"); got.UserID != "u-order" {
		t.Errorf("an offer with an order's id changed the order: %+v", got)
	}
}

// testOfferConcurrentCreate: of 20 concurrent creates of one id exactly one
// creates it, and every one returns that offer.
func testOfferConcurrentCreate(t *testing.T, s shop.OrderStore) {
	const n = 20
	now := fresh()
	type result struct {
		o       shop.Offer
		created bool
		err     error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			o, created, err := s.CreateOffer(context.Background(), NewOffer("of1", fmt.Sprintf("u%d", i), now))
			results <- result{o, created, err}
		}()
	}
	created, users := 0, map[string]bool{}
	for range n {
		r := <-results
		if r.err != nil {
			t.Errorf("CreateOffer: %v", r.err)
			continue
		}
		if r.created {
			created++
		}
		users[r.o.UserID] = true
	}
	if created != 1 || len(users) != 1 {
		t.Errorf("%d creates won, %d distinct offers returned; want exactly 1 and 1", created, len(users))
	}
}
