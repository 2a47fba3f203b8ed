package pay_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestCreateOrderRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.buy(t, "owner", line("ep1", 1, 990)) // for "already_owned"
	e.create(t, "someone", line("credits", 2, 200))

	offer := shop.Offer{UserID: "u-offer", Items: []shop.Line{line("credits", 3, 300)}, TotalAmt: 300}
	good, err := e.offers.Issue(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.offers.Issue(ctx, offer)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := (&pay.Offers{Secret: []byte("not-our-secret"), Store: e.store, Now: e.clock.Now}).Issue(ctx, offer)
	unknown, _ := (&pay.Offers{Secret: []byte("test-offer-secret"), Store: newEnv(t).store, Now: e.clock.Now}).Issue(ctx, offer)
	pastOffers := &pay.Offers{Secret: []byte("test-offer-secret"), Store: e.store,
		Now: func() time.Time { return e.clock.Now().Add(-pay.DefaultOfferTTL - time.Second) }}
	expired, _ := pastOffers.Issue(ctx, offer)
	// Another offer's tag on this one's id, and one character of the id
	// changed.
	swappedTag := good[:len(good)-16] + other[len(other)-16:]
	alteredID := good[:5] + flip(good[5]) + good[6:]

	base := func(mod func(*pay.CreateOrderRequest)) pay.CreateOrderRequest {
		r := fakeplatform.NewCreateOrder("u1", line("credits", 2, 200), line("album", 1, 500))
		r.NonceStr = "nonce0123456789"
		if mod != nil {
			mod(&r)
		}
		return r
	}
	withOffer := func(tok string, lines ...shop.Line) pay.CreateOrderRequest {
		return fakeplatform.NewCreateOrder(tok, lines...)
	}
	withTotal := func(r pay.CreateOrderRequest, total shop.Fen) pay.CreateOrderRequest {
		r.TotalAmt = total
		return r
	}
	tests := []struct {
		name string
		req  pay.CreateOrderRequest
		msg  string
	}{
		{"tampered total", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = 1 }), "total_mismatch"},
		{"total above sum", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = 701 }), "total_mismatch"},
		{"tampered line amount", base(func(r *pay.CreateOrderRequest) { r.Details[0].Amount = 1; r.TotalAmt = 501 }), "amount_mismatch"},
		{"price not the catalog's", base(func(r *pay.CreateOrderRequest) { r.Details[1].Amount = 499; r.TotalAmt = 699 }), "amount_mismatch"},
		{"unknown item", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = "nope" }), "unknown_item"},
		{"non-alphanumeric item", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = "album'--" }), "unknown_item"},
		{"quantity 0", base(func(r *pay.CreateOrderRequest) { r.Details[0].Quantity = 0; r.Details[0].Amount = 0; r.TotalAmt = 500 }), "bad_quantity"},
		{"quantity negative", base(func(r *pay.CreateOrderRequest) {
			r.Details[0].Quantity = -2
			r.Details[0].Amount = -200
			r.TotalAmt = 300
		}), "bad_quantity"},
		{"quantity huge", base(func(r *pay.CreateOrderRequest) {
			r.Details[0].Quantity = 1000
			r.Details[0].Amount = 100000
			r.TotalAmt = 100500
		}), "bad_quantity"},
		{"entitlement quantity 2", base(func(r *pay.CreateOrderRequest) {
			r.Details[1].Quantity = 2
			r.Details[1].Amount = 1000
			r.TotalAmt = 1200
		}), "quantity_must_be_1"},
		{"amount_overflow", withTotal(withOffer("u1", line("huge", 2, math.MinInt64)), 1), "amount_overflow"},
		{"amount near MaxInt64", withOffer("u1", line("huge", 1, math.MaxInt64)), "amount_mismatch"},
		{"sum overflows", withTotal(withOffer("u1", line("huge", 1, 1<<62), line("huge2", 1, 1<<62)), math.MaxInt64), "amount_overflow"},
		{"negative total", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = -700 }), "bad_total"},
		{"duplicate item", withOffer("u1", line("credits", 1, 100), line("credits", 1, 100)), "duplicate_item"},
		{"no_items", base(func(r *pay.CreateOrderRequest) { r.Details = nil; r.TotalAmt = 0 }), "no_items"},
		{"wrong_skill_id", base(func(r *pay.CreateOrderRequest) { r.SkillID = "other-skill" }), "wrong_skill_id"},
		{"empty skillId", base(func(r *pay.CreateOrderRequest) { r.SkillID = "" }), "bad_skill_id"},
		{"skillId too long", base(func(r *pay.CreateOrderRequest) { r.SkillID = strings.Repeat("s", 33) }), "bad_skill_id"},
		{"nonceStr too long", base(func(r *pay.CreateOrderRequest) { r.NonceStr = strings.Repeat("n", 33) }), "bad_nonce"},
		{"nonceStr empty", base(func(r *pay.CreateOrderRequest) { r.NonceStr = "" }), "bad_nonce"},
		{"itemId too long", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = strings.Repeat("a", 33) }), "bad_item_id"},
		{"userToken empty", base(func(r *pay.CreateOrderRequest) { r.UserToken = "" }), "missing_user_token"},
		{"user_token_too_long", base(func(r *pay.CreateOrderRequest) { r.UserToken = strings.Repeat("u", 4097) }), "user_token_too_long"},
		{"already owned", withOffer("owner", line("ep1", 1, 990)), "already_owned"},
		{"userToken with NUL", withOffer("owner\x00zz", line("credits", 1, 100)), "bad_user_token"},
		{"userToken with a newline", withOffer("owner\nzz", line("credits", 1, 100)), "bad_user_token"},
		{"userToken with DEL", withOffer("owner\x7f", line("credits", 1, 100)), "bad_user_token"},
		{"userToken with a C1 control", withOffer("owner\u0085", line("credits", 1, 100)), "bad_user_token"},
		{"offer with another's tag", withOffer(swappedTag, line("credits", 3, 300)), "bad_offer"},
		{"offer id altered", withOffer(alteredID, line("credits", 3, 300)), "bad_offer"},
		{"offer forged", withOffer(forged, line("credits", 3, 300)), "bad_offer"},
		{"offer made up", withOffer("of_"+strings.Repeat("A", 28), line("credits", 3, 300)), "bad_offer"},
		{"unknown_offer", withOffer(unknown, line("credits", 3, 300)), "unknown_offer"},
		{"offer_expired", withOffer(expired, line("credits", 3, 300)), "offer_expired"},
		{"former offer token", withOffer("a.b.c", line("credits", 3, 300)), "bad_offer"},
		{"order differs from offer", withOffer(good, line("credits", 4, 400)), "offer_mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.ledger(t)
			r := e.svc.CreateOrder(ctx, tc.req)
			if r.RetCode != pay.RetFail || r.RetMsg != tc.msg || r.TradeNo != "" {
				t.Errorf("CreateOrder = %+v, want FAIL %q", r, tc.msg)
			}
			if len(r.RetMsg) > pay.MaxRetMsg {
				t.Errorf("retMsg %q longer than %d", r.RetMsg, pay.MaxRetMsg)
			}
			if after := e.ledger(t); after != before {
				t.Errorf("ledger changed:\n%s\n->\n%s", before, after)
			}
		})
	}
}

func TestCreateOrderIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := fakeplatform.NewCreateOrder("u1", line("credits", 2, 200), line("album", 1, 500))
	r1 := e.svc.CreateOrder(ctx, req)
	r2 := e.svc.CreateOrder(ctx, req)
	// The same lines in another order are the same request.
	req.Details[0], req.Details[1] = req.Details[1], req.Details[0]
	r3 := e.svc.CreateOrder(ctx, req)
	if !r1.OK() || r1 != r2 || r1 != r3 {
		t.Fatalf("replies differ: %+v %+v %+v", r1, r2, r3)
	}
	orders, err := e.store.Orders(ctx, shop.OrderFilter{})
	if err != nil || len(orders) != 1 {
		t.Fatalf("%d orders (%v), want 1", len(orders), err)
	}
	o := orders[0]
	if o.UserID != "u1" || o.State != shop.StateCreated || o.TotalAmt != 700 || !o.ExpiresAt.Equal(o.CreatedAt.Add(30*time.Minute)) {
		t.Errorf("stored order = %+v", o)
	}
	// Another nonce is another order.
	req.NonceStr = pay.NonceStr()
	if r4 := e.svc.CreateOrder(ctx, req); !r4.OK() || r4.TradeNo == r1.TradeNo {
		t.Errorf("new nonce: %+v, first %s", r4, r1.TradeNo)
	}
}

func TestCreateOrderRepeatAfterDelivery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := fakeplatform.NewCreateOrder("u1", line("credits", 2, 200))
	r := e.svc.CreateOrder(ctx, req)
	e.plat.Pay(r.TradeNo, 200)
	if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, "u1", r.TradeNo)); !r.OK() {
		t.Fatal(r)
	}
	before := e.ledger(t)
	if got := e.svc.CreateOrder(ctx, req); got.OK() {
		t.Errorf("repeat after delivery = %+v, want FAIL", got)
	}
	if e.ledger(t) != before {
		t.Error("ledger changed")
	}
}

// flip returns another character of the offer alphabet.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestCreateOrderWithOffer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	intent := json.RawMessage(`{"intent":"play","slots":{"episode":"1"}}`)
	ref, err := e.offers.Issue(ctx, shop.Offer{UserID: "u-42", Items: []shop.Line{line("ep1", 1, 990)}, TotalAmt: 990, Intent: intent, PayIn: shop.PayInApp})
	if err != nil {
		t.Fatal(err)
	}
	r := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("ep1", 1, 990)))
	if !r.OK() || len(r.TradeNo) > 32 {
		t.Fatalf("CreateOrder = %+v", r)
	}
	o := e.order(t, r.TradeNo)
	offer, err := e.offers.Lookup(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.UserID != "u-42" || string(o.Intent) != string(intent) || o.OfferID != offer.ID || o.OfferID == "" || o.PayIn != shop.PayInApp {
		t.Errorf("order user %q intent %s offer %q paid in %q; want u-42, the offer's intent and id %q, in the app", o.UserID, o.Intent, o.OfferID, o.PayIn, offer.ID)
	}
}

// TestCreateOrderPlainUser: a userToken that is not an offer reference is a
// plain user id, checked against the catalog's prices, with no offer.
func TestCreateOrderPlainUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, user := range []string{"u1", "of_short", strings.Repeat("x", 31), "of_" + strings.Repeat("A", 27) + "."} {
		r := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(user, line("credits", 1, 100)))
		if !r.OK() {
			t.Errorf("CreateOrder for %q = %+v, want SUCCESS", user, r)
			continue
		}
		if o := e.order(t, r.TradeNo); o.UserID != user || o.OfferID != "" {
			t.Errorf("order for %q: user %q offer %q", user, o.UserID, o.OfferID)
		}
	}
	if r := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder("u1", line("credits", 1, 99))); r.RetMsg != "amount_mismatch" {
		t.Errorf("a plain user's order below the price: %+v", r)
	}
}

// downStore is a real store that fails every call while down, as a full
// disk or a lost connection would: with a plain error (no code), which the
// service must count as its own trouble.
type downStore struct {
	shop.OrderStore
	down atomic.Bool
}

var errDown = errors.New("store down")

func (s *downStore) CreateOrder(ctx context.Context, o shop.Order) (shop.Order, bool, error) {
	if s.down.Load() {
		return shop.Order{}, false, errDown
	}
	return s.OrderStore.CreateOrder(ctx, o)
}

func (s *downStore) Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error) {
	if s.down.Load() {
		return nil, errDown
	}
	return s.OrderStore.Orders(ctx, f)
}

func (s *downStore) Order(ctx context.Context, tradeNo string) (shop.Order, error) {
	if s.down.Load() {
		return shop.Order{}, errDown
	}
	return s.OrderStore.Order(ctx, tradeNo)
}

func TestCreateOrderStoreDown(t *testing.T) {
	st := &downStore{OrderStore: newEnv(t).store}
	e := newEnvWithStore(t, st)
	st.down.Store(true)
	for _, req := range []pay.CreateOrderRequest{
		fakeplatform.NewCreateOrder("u1", line("ep1", 1, 990)),     // reads what u1 owns first
		fakeplatform.NewCreateOrder("u1", line("credits", 1, 100)), // goes straight to the write
	} {
		if r := e.svc.CreateOrder(context.Background(), req); r.RetCode != pay.RetFail || r.RetMsg != pay.RetryMsg {
			t.Errorf("store down: %+v, want FAIL %s", r, pay.RetryMsg)
		}
	}
	notify := pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: "u1", TradeNo: "T1", TransactionID: "x", TotalAmt: 1, NonceStr: "n1"}
	if r := e.svc.ShipNotify(context.Background(), notify); r.RetMsg != pay.RetryMsg {
		t.Errorf("ShipNotify with the store down = %+v, want FAIL %s", r, pay.RetryMsg)
	}
	st.down.Store(false)
	if r := e.svc.ShipNotify(context.Background(), notify); r.RetMsg != "unknown_trade_no" {
		t.Errorf("ShipNotify unknown = %+v", r)
	}
}

// One offer is paid once: a create order of it with another nonceStr,
// after an order of it was paid, is FAIL offer_paid and stores nothing
// (each new nonceStr made a new order, and coins bought with one "是的"
// were charged twice). Orders of it left unpaid do not stop another, and
// the paid order's own request again is answered as before.
func TestCreateOrderOfferPaidOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref, err := e.offers.Issue(ctx, shop.Offer{UserID: "u-7", Items: []shop.Line{line("credits", 3, 300)}, TotalAmt: 300})
	if err != nil {
		t.Fatal(err)
	}
	unpaid := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 3, 300)))
	req := fakeplatform.NewCreateOrder(ref, line("credits", 3, 300))
	paid := e.svc.CreateOrder(ctx, req)
	if !unpaid.OK() || !paid.OK() || unpaid.TradeNo == paid.TradeNo {
		t.Fatalf("two orders of the offer before payment: %+v, %+v", unpaid, paid)
	}
	e.plat.Pay(paid.TradeNo, 300)
	if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, ref, paid.TradeNo)); !r.OK() {
		t.Fatal(r)
	}
	before := e.ledger(t)
	if r := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 3, 300))); r.RetCode != pay.RetFail || r.RetMsg != pay.EOfferPaid {
		t.Errorf("another order of the paid offer = %+v, want FAIL %s", r, pay.EOfferPaid)
	}
	if r := e.svc.CreateOrder(ctx, req); r.RetMsg != pay.EOrderSettled {
		t.Errorf("the paid order's request again = %+v, want FAIL %s", r, pay.EOrderSettled)
	}
	if e.ledger(t) != before {
		t.Error("ledger changed")
	}
}

// movedTo is account linking's record of where platform users' orders
// moved (oauth.Linker.MovedTo), as a map.
type movedTo map[string]string

func (m movedTo) MovedTo(_ context.Context, userID string) (string, error) { return m[userID], nil }

// An offer made for a platform user before linking, ordered after the
// user's orders moved to an account that owns the episode, is
// already_owned (it was charged again, and refunded only once a linked
// request moved the order); products the account does not own, and
// consumables, are ordered as before.
func TestCreateOrderChecksTheLinkedAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner := shop.AccountOwner("acct-z")
	e.buy(t, owner, line("ep1", 1, 990))
	e.svc.Moves = movedTo{"z2": owner}
	offer := func(l shop.Line) pay.CreateOrderRequest {
		ref, err := e.offers.Issue(ctx, shop.Offer{UserID: "z2", Items: []shop.Line{l}, TotalAmt: l.Amount})
		if err != nil {
			t.Fatal(err)
		}
		return fakeplatform.NewCreateOrder(ref, l)
	}
	before := e.ledger(t)
	for _, req := range []pay.CreateOrderRequest{offer(line("ep1", 1, 990)), fakeplatform.NewCreateOrder("z2", line("ep1", 1, 990))} {
		if r := e.svc.CreateOrder(ctx, req); r.RetCode != pay.RetFail || r.RetMsg != "already_owned" {
			t.Errorf("order of what the account owns = %+v, want FAIL already_owned", r)
		}
	}
	if e.ledger(t) != before {
		t.Error("ledger changed")
	}
	for _, l := range []shop.Line{line("album", 1, 500), line("credits", 2, 200)} {
		if r := e.svc.CreateOrder(ctx, offer(l)); !r.OK() {
			t.Errorf("order of %s = %+v, want SUCCESS", l.ItemID, r)
		}
	}
}

// An offer's paid order that moved to the account the user linked still
// counts: another order of the offer is offer_paid.
func TestCreateOrderOfferPaidThenMoved(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref, err := e.offers.Issue(ctx, shop.Offer{UserID: "u-8", Items: []shop.Line{line("credits", 3, 300)}, TotalAmt: 300})
	if err != nil {
		t.Fatal(err)
	}
	paid := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 3, 300)))
	e.plat.Pay(paid.TradeNo, 300)
	if r := e.svc.ShipNotify(ctx, tsktest.MustShipNotify(t, e.plat.Platform, ref, paid.TradeNo)); !r.OK() {
		t.Fatal(r)
	}
	owner := shop.AccountOwner("acct-8")
	if n, err := e.store.(shop.LinkStore).MoveOrders(ctx, "u-8", owner, e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("MoveOrders = %d, %v", n, err)
	}
	e.svc.Moves = movedTo{"u-8": owner}
	if r := e.svc.CreateOrder(ctx, fakeplatform.NewCreateOrder(ref, line("credits", 3, 300))); r.RetMsg != pay.EOfferPaid {
		t.Errorf("another order of the offer after the move = %+v, want FAIL %s", r, pay.EOfferPaid)
	}
}
