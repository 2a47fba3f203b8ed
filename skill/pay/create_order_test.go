package pay_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/pay/internal/memstore"
	"github.com/dingdang-voicepay/voicepay/skill/pay/paytest"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestCreateOrderRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.buy(t, "owner", line("ep1", 1, 990)) // for "already owned"
	e.create(t, "someone", line("credits", 2, 200))

	offer := pay.Offer{UserID: "u-offer", Items: []shop.Line{line("credits", 3, 300)}, TotalAmt: 300}
	good, err := e.offers.Issue(offer)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	forgedOffers := &pay.Offers{Secret: []byte("not-our-secret"), Now: e.clock.Now}
	forged, _ := forgedOffers.Issue(offer)
	pastOffers := &pay.Offers{Secret: []byte("test-offer-secret"), Now: func() time.Time { return e.clock.Now().Add(-time.Hour) }}
	expired, _ := pastOffers.Issue(offer)
	richer := offer
	richer.Items = []shop.Line{line("credits", 30, 3000)}
	richer.TotalAmt = 3000
	richPayload, _ := e.offers.Issue(richer)
	tampered := parts[0] + "." + strings.Split(richPayload, ".")[1] + "." + parts[2]

	base := func(mod func(*pay.CreateOrderRequest)) pay.CreateOrderRequest {
		r := paytest.NewCreateOrder("u1", line("credits", 2, 200), line("album", 1, 500))
		r.NonceStr = "nonce0123456789"
		if mod != nil {
			mod(&r)
		}
		return r
	}
	withOffer := func(tok string, lines ...shop.Line) pay.CreateOrderRequest {
		return paytest.NewCreateOrder(tok, lines...)
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
		{"tampered total", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = 1 }), "totalAmt != sum of amounts"},
		{"total above sum", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = 701 }), "totalAmt != sum of amounts"},
		{"tampered line amount", base(func(r *pay.CreateOrderRequest) { r.Details[0].Amount = 1; r.TotalAmt = 501 }), "amount does not match price"},
		{"price not the catalog's", base(func(r *pay.CreateOrderRequest) { r.Details[1].Amount = 499; r.TotalAmt = 699 }), "amount does not match price"},
		{"unknown item", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = "nope" }), "unknown item"},
		{"non-alphanumeric item", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = "album'--" }), "unknown item"},
		{"quantity 0", base(func(r *pay.CreateOrderRequest) { r.Details[0].Quantity = 0; r.Details[0].Amount = 0; r.TotalAmt = 500 }), "bad quantity"},
		{"quantity negative", base(func(r *pay.CreateOrderRequest) {
			r.Details[0].Quantity = -2
			r.Details[0].Amount = -200
			r.TotalAmt = 300
		}), "bad quantity"},
		{"quantity huge", base(func(r *pay.CreateOrderRequest) {
			r.Details[0].Quantity = 1000
			r.Details[0].Amount = 100000
			r.TotalAmt = 100500
		}), "bad quantity"},
		{"entitlement quantity 2", base(func(r *pay.CreateOrderRequest) {
			r.Details[1].Quantity = 2
			r.Details[1].Amount = 1000
			r.TotalAmt = 1200
		}), "quantity must be 1"},
		{"amount overflows", withTotal(withOffer("u1", line("huge", 2, math.MinInt64)), 1), "amount overflows"},
		{"amount near MaxInt64", withOffer("u1", line("huge", 1, math.MaxInt64)), "amount does not match price"},
		{"sum overflows", withTotal(withOffer("u1", line("huge", 1, 1<<62), line("huge2", 1, 1<<62)), math.MaxInt64), "totalAmt overflows"},
		{"negative total", base(func(r *pay.CreateOrderRequest) { r.TotalAmt = -700 }), "bad totalAmt"},
		{"duplicate item", withOffer("u1", line("credits", 1, 100), line("credits", 1, 100)), "duplicate itemId"},
		{"empty details", base(func(r *pay.CreateOrderRequest) { r.Details = nil; r.TotalAmt = 0 }), "empty details"},
		{"wrong skillId", base(func(r *pay.CreateOrderRequest) { r.SkillID = "other-skill" }), "wrong skillId"},
		{"empty skillId", base(func(r *pay.CreateOrderRequest) { r.SkillID = "" }), "bad skillId"},
		{"skillId too long", base(func(r *pay.CreateOrderRequest) { r.SkillID = strings.Repeat("s", 33) }), "bad skillId"},
		{"nonceStr too long", base(func(r *pay.CreateOrderRequest) { r.NonceStr = strings.Repeat("n", 33) }), "bad nonceStr"},
		{"nonceStr empty", base(func(r *pay.CreateOrderRequest) { r.NonceStr = "" }), "bad nonceStr"},
		{"itemId too long", base(func(r *pay.CreateOrderRequest) { r.Details[1].ItemID = strings.Repeat("a", 33) }), "bad itemId"},
		{"userToken empty", base(func(r *pay.CreateOrderRequest) { r.UserToken = "" }), "missing userToken"},
		{"userToken too long", base(func(r *pay.CreateOrderRequest) { r.UserToken = strings.Repeat("u", 4097) }), "userToken too long"},
		{"already owned", withOffer("owner", line("ep1", 1, 990)), "already owned"},
		{"offer tampered", withOffer(tampered, line("credits", 30, 3000)), "bad offer"},
		{"offer forged", withOffer(forged, line("credits", 3, 300)), "bad offer"},
		{"offer expired", withOffer(expired, line("credits", 3, 300)), "offer expired"},
		{"offer garbage", withOffer("a.b.c", line("credits", 3, 300)), "bad offer"},
		{"order differs from offer", withOffer(good, line("credits", 4, 400)), "order does not match offer"},
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
	req := paytest.NewCreateOrder("u1", line("credits", 2, 200), line("album", 1, 500))
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
	req := paytest.NewCreateOrder("u1", line("credits", 2, 200))
	r := e.svc.CreateOrder(ctx, req)
	e.plat.Pay(r.TradeNo, 200)
	if r := e.svc.ShipNotify(ctx, e.plat.NewShipNotify("u1", r.TradeNo)); !r.OK() {
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

func TestCreateOrderWithOffer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	intent := json.RawMessage(`{"intent":"play","slots":{"episode":"1"}}`)
	tok, err := e.offers.Issue(pay.Offer{UserID: "u-42", Items: []shop.Line{line("ep1", 1, 990)}, TotalAmt: 990, Intent: intent})
	if err != nil {
		t.Fatal(err)
	}
	r := e.svc.CreateOrder(ctx, paytest.NewCreateOrder(tok, line("ep1", 1, 990)))
	if !r.OK() || len(r.TradeNo) > 32 {
		t.Fatalf("CreateOrder = %+v", r)
	}
	o := e.order(t, r.TradeNo)
	if o.UserID != "u-42" || string(o.Intent) != string(intent) {
		t.Errorf("order user %q intent %s", o.UserID, o.Intent)
	}
}

func TestCreateOrderStoreDown(t *testing.T) {
	st := memstore.New()
	e := newEnvWithStore(t, st)
	st.SetDown(true)
	r := e.svc.CreateOrder(context.Background(), paytest.NewCreateOrder("u1", line("ep1", 1, 990)))
	if r.RetCode != pay.RetFail || r.RetMsg != "try again" {
		t.Errorf("store down: %+v, want FAIL try again", r)
	}
	st.SetDown(false)
	if r := e.svc.ShipNotify(context.Background(), pay.ShipNotifyRequest{SkillID: tsktest.SkillID, TradeNo: "T1", TransactionID: "x", TotalAmt: 1}); r.RetMsg != "unknown tradeNo" {
		t.Errorf("ShipNotify unknown = %+v", r)
	}
}
