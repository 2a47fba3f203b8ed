package pay_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testCatalog() *shop.Catalog {
	return &shop.Catalog{Products: []shop.Product{
		{ID: "ep1", Name: "第一集", Price: 990, Kind: shop.KindEntitlement,
			Refund: shop.RefundPolicy{Allowed: true, WithinDays: 7, UnusedOnly: true}},
		{ID: "album", Name: "专辑", Price: 500, Kind: shop.KindEntitlement,
			Refund: shop.RefundPolicy{Allowed: true}},
		{ID: "credits", Name: "点数", Price: 100, Kind: shop.KindConsumable,
			Refund: shop.RefundPolicy{Allowed: true, WithinDays: 30}},
		{ID: "vip", Name: "会员", Price: 1500, Kind: shop.KindSubscription, Days: 30},
		{ID: "huge", Name: "巨贵", Price: 1 << 62, Kind: shop.KindConsumable},
		{ID: "huge2", Name: "巨贵二", Price: 1 << 62, Kind: shop.KindConsumable},
	}}
}

type env struct {
	svc    *pay.Service
	store  shop.OrderStore
	plat   *fakeplatform.Server
	clock  *clock
	offers *pay.Offers
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv returns a Service over a fresh bolt store, talking to a fake
// platform, with a test clock.
func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvWithStore(t, st)
}

func newEnvWithStore(t *testing.T, st shop.OrderStore) *env {
	t.Helper()
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	offers := &pay.Offers{Secret: []byte("test-offer-secret"), Store: st, Now: clk.Now}
	plat := tsktest.NewPlatform(t)
	cat := testCatalog()
	if err := cat.Validate(); err != nil {
		t.Fatal(err)
	}
	client := tsktest.PayClient(plat)
	client.Logger = quietLogger()
	svc := &pay.Service{Ledger: &shop.Ledger{Store: st, Catalog: cat, Now: clk.Now}, SkillID: tsktest.SkillID,
		Offers: offers, Platform: client, Logger: quietLogger()}
	return &env{svc: svc, store: st, plat: plat, clock: clk, offers: offers}
}

func line(item string, qty int64, amount shop.Fen) shop.Line {
	return shop.Line{ItemID: item, Quantity: qty, Amount: amount}
}

// create makes an order that must succeed and returns its tradeNo; the
// platform learns of it as NOTPAY.
func (e *env) create(t *testing.T, user string, lines ...shop.Line) string {
	t.Helper()
	req := fakeplatform.NewCreateOrder(user, lines...)
	r := e.svc.CreateOrder(context.Background(), req)
	if !r.OK() {
		t.Fatalf("CreateOrder(%v) = %+v, want SUCCESS", lines, r)
	}
	e.plat.Open(r.TradeNo, req.TotalAmt)
	return r.TradeNo
}

// buy creates, pays and ship-notifies an order and returns it delivered.
func (e *env) buy(t *testing.T, user string, lines ...shop.Line) shop.Order {
	t.Helper()
	no := e.create(t, user, lines...)
	o := e.order(t, no)
	e.plat.Pay(no, o.TotalAmt)
	if r := e.svc.ShipNotify(context.Background(), tsktest.MustShipNotify(t, e.plat.Platform, user, no)); !r.OK() {
		t.Fatalf("ShipNotify(%s) = %+v", no, r)
	}
	o = e.order(t, no)
	if o.State != shop.StateDelivered {
		t.Fatalf("order %s is %s after ship notify", no, o.State)
	}
	return o
}

// refundPolicy says why nothing of o can be refunded at at, or nil.
func (e *env) refundPolicy(o shop.Order, at time.Time) error {
	_, _, err := shop.Refundable(o, e.svc.Ledger.Catalog, at)
	return err
}

func (e *env) order(t *testing.T, tradeNo string) shop.Order {
	t.Helper()
	o, err := e.store.Order(context.Background(), tradeNo)
	if err != nil {
		t.Fatalf("Order(%s): %v", tradeNo, err)
	}
	return o
}

// ledger returns every stored order as JSON, to compare before and after.
func (e *env) ledger(t *testing.T) string {
	t.Helper()
	orders, err := e.store.Orders(context.Background(), shop.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(orders, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// serve exposes the Service's partner endpoints over net/http the way
// skill/server does: verify the platform's signature, decode, answer signed.
func serve(t *testing.T, svc *pay.Service) *httptest.Server {
	t.Helper()
	resp := tsktest.SkillResponder()
	handle := func(fn func(body []byte) (pay.Reply, bool)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			status := http.StatusOK
			var reply pay.Reply
			if body, _, err := resp.ReadRequest(r); err != nil {
				status, reply = http.StatusUnauthorized, pay.Fail("bad signature")
			} else if rep, ok := fn(body); !ok {
				status, reply = http.StatusBadRequest, pay.Fail("bad json")
			} else {
				reply = rep
			}
			out, _ := json.Marshal(reply)
			if err := resp.WriteReply(w, status, out); err != nil {
				t.Error(err)
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /pay/ship-notify", handle(func(b []byte) (pay.Reply, bool) {
		var req pay.ShipNotifyRequest
		if json.Unmarshal(b, &req) != nil {
			return pay.Reply{}, false
		}
		return svc.ShipNotify(context.Background(), req), true
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
