package pay_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// refShape is what a platform may allow as a charge's userId.
var refShape = regexp.MustCompile(`^[0-9A-Za-z_-]{1,32}$`)

func TestOffers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f := e.offers
	offer := shop.Offer{UserID: "u1", Items: []shop.Line{line("credits", 2, 200), line("album", 1, 500)}, TotalAmt: 700,
		Intent: []byte(`{"name":"play"}`)}
	ref, err := f.Issue(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	if !refShape.MatchString(ref) || len(ref) != pay.OfferRefLen || !pay.IsOfferRef(ref) {
		t.Errorf("reference %q (%d characters) is not a short opaque reference", ref, len(ref))
	}
	got, err := f.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "u1" || got.TotalAmt != 700 || len(got.Items) != 2 || string(got.Intent) != `{"name":"play"}` ||
		!got.CreatedAt.Equal(e.clock.Now()) || !got.ExpiresAt.Equal(e.clock.Now().Add(pay.DefaultOfferTTL)) || got.ID == "" {
		t.Errorf("Resolve = %+v", got)
	}
	if strings.Contains(ref, "u1") {
		t.Errorf("reference %q shows the user", ref)
	}
	if again, _ := f.Issue(ctx, offer); again == ref {
		t.Error("two offers got the same reference")
	}

	other, _ := (&pay.Offers{Secret: []byte("other"), Store: e.store, Now: e.clock.Now}).Issue(ctx, offer)
	tests := []struct {
		name string
		ref  string
		want error
	}{
		{"another key", other, pay.ErrOfferInvalid},
		{"tag altered", ref[:len(ref)-1] + flip(ref[len(ref)-1]), pay.ErrOfferInvalid},
		{"id altered", ref[:3] + flip(ref[3]) + ref[4:], pay.ErrOfferInvalid},
		{"cut", ref[:len(ref)-1], pay.ErrOfferInvalid},
		{"empty", "", pay.ErrOfferInvalid},
		{"a user id", "u1", pay.ErrOfferInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Resolve(ctx, tc.ref); !errors.Is(err, tc.want) {
				t.Errorf("Resolve(%q) = %v, want %v", tc.ref, err, tc.want)
			}
		})
	}

	e.clock.Advance(pay.DefaultOfferTTL - time.Second)
	if _, err := f.Resolve(ctx, ref); err != nil {
		t.Errorf("just before the TTL: %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := f.Resolve(ctx, ref); !errors.Is(err, pay.ErrOfferExpired) {
		t.Errorf("after the TTL: %v, want ErrOfferExpired", err)
	}
	if o, err := f.Lookup(ctx, ref); err != nil || o.UserID != "u1" {
		t.Errorf("Lookup of an expired offer = %+v, %v; want it", o, err)
	}
	// A forged reference that is also expired is invalid, not expired.
	if _, err := f.Resolve(ctx, other); !errors.Is(err, pay.ErrOfferInvalid) {
		t.Errorf("forged and expired: %v", err)
	}
	// The store forgot it: a genuine reference to nothing.
	elsewhere := &pay.Offers{Secret: f.Secret, Store: newEnv(t).store, Now: e.clock.Now}
	if _, err := elsewhere.Resolve(ctx, ref); !errors.Is(err, pay.ErrOfferUnknown) {
		t.Errorf("a reference to no stored offer: %v, want ErrOfferUnknown", err)
	}

	for name, bad := range map[string]shop.Offer{"no user": {Items: offer.Items, TotalAmt: 700}, "no items": {UserID: "u1"}} {
		if ref, err := f.Issue(ctx, bad); err == nil {
			t.Errorf("Issue with %s = %q, want an error", name, ref)
		}
	}
	if _, err := (&pay.Offers{Secret: f.Secret}).Issue(ctx, offer); err == nil {
		t.Error("Issue without a store succeeded")
	}
}

func TestMatchOffer(t *testing.T) {
	offer := shop.Offer{UserID: "u1", Items: []shop.Line{line("credits", 2, 200), line("album", 1, 500)}, TotalAmt: 700}
	req := func(total shop.Fen, lines ...shop.Line) pay.CreateOrderRequest {
		return pay.CreateOrderRequest{Details: lines, TotalAmt: total}
	}
	tests := []struct {
		name string
		req  pay.CreateOrderRequest
		ok   bool
	}{
		{"same", req(700, line("credits", 2, 200), line("album", 1, 500)), true},
		{"reordered", req(700, line("album", 1, 500), line("credits", 2, 200)), true},
		{"other total", req(701, line("credits", 2, 200), line("album", 1, 500)), false},
		{"other quantity", req(700, line("credits", 3, 200), line("album", 1, 500)), false},
		{"missing line", req(200, line("credits", 2, 200)), false},
		{"extra line", req(800, line("credits", 2, 200), line("album", 1, 500), line("ep1", 1, 100)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := pay.MatchOffer(offer, tc.req)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, pay.ErrOfferMismatch)) {
				t.Errorf("MatchOffer = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// orderLater issues an offer on one service and places its order, two hours
// later, on another: what a restart or another node sees.
func orderLater(t *testing.T, issuer, orderer *env) {
	t.Helper()
	ctx := context.Background()
	ref, err := issuer.offers.Issue(ctx, shop.Offer{UserID: "u-later", Items: []shop.Line{line("credits", 2, 200)}, TotalAmt: 200})
	if err != nil {
		t.Fatal(err)
	}
	orderer.clock.Advance(2 * time.Hour)
	r := orderer.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 2, 200)))
	if !r.OK() {
		t.Fatalf("order two hours after the offer, elsewhere: %+v, want SUCCESS", r)
	}
	if o := orderer.order(t, r.TradeNo); o.UserID != "u-later" || o.OfferID == "" {
		t.Errorf("order %+v, want u-later's from the offer", o)
	}
}

// TestOfferSurvivesRestart: an offer made before the skill restarts (its
// bbolt file closed and opened again) is ordered after.
func TestOfferSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "skill.db")
	st, err := bolt.Open(path, bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	before := newEnvWithStore(t, st)
	ctx := context.Background()
	ref, err := before.offers.Issue(ctx, shop.Offer{UserID: "u-later", Items: []shop.Line{line("credits", 2, 200)}, TotalAmt: 200})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = bolt.Open(path, bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	after := newEnvWithStore(t, st)
	if r := after.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 2, 200))); !r.OK() {
		t.Fatalf("order after a restart: %+v, want SUCCESS", r)
	}
}

// TestOfferOnAnyNode: two services on one Redis; the offer made on one is
// ordered on the other, also after redis-server restarts.
func TestOfferOnAnyNode(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	node := func() *env {
		st, err := redis.New(ctx, srv.URL(), redis.Config{Prefix: "nodes:"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return newEnvWithStore(t, st)
	}
	a, b := node(), node()
	orderLater(t, a, b)

	ref, err := b.offers.Issue(ctx, shop.Offer{UserID: "u-restart", Items: []shop.Line{line("credits", 1, 100)}, TotalAmt: 100})
	if err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	if r := a.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 1, 100))); !r.OK() {
		t.Fatalf("order after redis restarted, on the other node: %+v, want SUCCESS", r)
	}
}
