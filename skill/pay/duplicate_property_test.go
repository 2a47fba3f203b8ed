package pay_test

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestNeverChargedTwice drives random interleavings of offers, create
// orders, payments, ship notifies (repeated, and concurrent for one user),
// order queries, user refunds, refund results, platform outages and the
// reconciler, on both stores, and checks after every step that no user has
// paid net more than a one-time product's price for it: what the platform
// took and reported, less what it accepted to refund, where a refund we
// stored but the platform has not accepted yet is counted as on its way.
// At the end, every payment reported and the reconciler run with the
// platform up, the bound holds on every payment and accepted refunds alone.
func TestNeverChargedTwice(t *testing.T) {
	seeds := []int64{1, 2, 3, 4}
	steps := 250
	if testing.Short() {
		seeds, steps = seeds[:1], 60
	}
	eachStore(t, func(t *testing.T, e *env) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				m := &model{t: t, e: e, rnd: rand.New(rand.NewSource(seed)), prefix: fmt.Sprintf("s%d-", seed)}
				for i := range steps {
					op := m.step()
					if err := m.check(false); err != nil {
						t.Fatalf("seed %d, step %d (%s): %v", seed, i, op, err)
					}
				}
				// The platform reports every payment in the end.
				m.e.plat.FailNext(0)
				for _, p := range m.paid {
					e.svc.ShipNotify(context.Background(), tsktest.MustShipNotify(t, e.plat.Platform, p.user, p.tradeNo))
				}
				m.e.clock.Advance(10 * time.Minute)
				if _, err := (&pay.Reconciler{Service: e.svc}).RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
				if err := m.check(true); err != nil {
					t.Fatalf("seed %d, at the end: %v", seed, err)
				}
				t.Logf("seed %d: %d orders, %d paid, %d duplicate refunds", seed, len(m.orders), len(m.paid), m.duplicates())
			})
		}
	})
}

// model is the test's view of one random run: what it offered, ordered and
// paid on the platform.
type model struct {
	t      *testing.T
	e      *env
	rnd    *rand.Rand
	prefix string
	offers []offered
	orders []placed
	paid   []placed
}

type offered struct {
	user, token string
	lines       []shop.Line
}

type placed struct {
	user, tradeNo string
	total         shop.Fen
}

var (
	propUsers = []string{"ann", "bob", "cy"}
	// propLines are what offers hold: mostly the two one-time products.
	propLines = [][]shop.Line{
		{{ItemID: "ep1", Quantity: 1, Amount: 990}},
		{{ItemID: "album", Quantity: 1, Amount: 500}},
		{{ItemID: "album", Quantity: 1, Amount: 500}, {ItemID: "credits", Quantity: 2, Amount: 200}},
		{{ItemID: "credits", Quantity: 1, Amount: 100}},
	}
	propOnce = map[string]shop.Fen{"ep1": 990, "album": 500}
)

func (m *model) pick(n int) int { return m.rnd.Intn(n) }

// step does one random thing and names it.
func (m *model) step() string {
	ctx := context.Background()
	e := m.e
	switch r := m.pick(100); {
	case r < 18 || len(m.offers) == 0:
		user := m.prefix + propUsers[m.pick(len(propUsers))]
		lines := propLines[m.pick(len(propLines))]
		total, _ := shop.SumLines(lines)
		tok, err := e.offers.Issue(ctx, shop.Offer{UserID: user, Items: lines, TotalAmt: total})
		if err != nil {
			m.t.Fatal(err)
		}
		m.offers = append(m.offers, offered{user: user, token: tok, lines: lines})
		return "offer"
	case r < 36:
		o := m.offers[m.pick(len(m.offers))]
		req := fakeplatform.NewCreateOrder(o.token, o.lines...)
		if rep := e.svc.CreateOrder(ctx, req); rep.OK() {
			e.plat.Open(rep.TradeNo, req.TotalAmt)
			m.orders = append(m.orders, placed{user: o.user, tradeNo: rep.TradeNo, total: req.TotalAmt})
		}
		return "create-order"
	case r < 52 && len(m.orders) > 0:
		o := m.orders[m.pick(len(m.orders))]
		if !slices.Contains(m.paid, o) {
			e.plat.Pay(o.tradeNo, o.total)
			m.paid = append(m.paid, o)
		}
		return "pay"
	case r < 70 && len(m.paid) > 0:
		o := m.paid[m.pick(len(m.paid))]
		for range 1 + m.pick(2) {
			e.svc.ShipNotify(ctx, tsktest.MustShipNotify(m.t, e.plat.Platform, o.user, o.tradeNo))
		}
		return "ship-notify"
	case r < 76 && len(m.paid) > 1:
		// Two payments of one user reported at the same moment.
		a, b := m.paid[m.pick(len(m.paid))], m.paid[m.pick(len(m.paid))]
		var wg sync.WaitGroup
		for _, o := range []placed{a, b, a} {
			req := tsktest.MustShipNotify(m.t, e.plat.Platform, o.user, o.tradeNo)
			wg.Add(1)
			go func() { defer wg.Done(); e.svc.ShipNotify(ctx, req) }()
		}
		wg.Wait()
		return "concurrent ship-notifies"
	case r < 82 && len(m.orders) > 0:
		_, _ = e.svc.Confirm(ctx, m.orders[m.pick(len(m.orders))].tradeNo)
		return "confirm"
	case r < 88 && len(m.orders) > 0:
		_, _ = e.svc.Refund(ctx, m.orders[m.pick(len(m.orders))].tradeNo, 0, "用户申请退款")
		return "refund"
	case r < 93 && len(m.orders) > 0:
		o := e.order(m.t, m.orders[m.pick(len(m.orders))].tradeNo)
		for _, rf := range o.Refunds {
			if e.plat.RefundStatus(rf.RefundTradeNo) != shop.RefundProcessing {
				continue
			}
			status := shop.RefundSuccess
			if o.DuplicateOf == "" && m.pick(3) == 0 {
				status = shop.RefundFail // a user's refund may fail; a duplicate's is the platform's to give back
			}
			if err := e.plat.Settle(rf.RefundTradeNo, status); err != nil {
				m.t.Fatal(err)
			}
			e.svc.RefundNotify(ctx, tsktest.MustRefundNotify(m.t, e.plat.Platform, rf.RefundTradeNo))
		}
		return "refund-notify"
	case r < 96:
		e.plat.FailNext(1 + m.pick(6))
		return "platform fails"
	default:
		e.clock.Advance(time.Duration(1+m.pick(20)) * time.Minute)
		_, _ = (&pay.Reconciler{Service: e.svc}).RunOnce(ctx)
		return "reconcile"
	}
}

// check applies the bound to every user and one-time product, over the
// payments the skill has heard of (the platform reports each sooner or
// later; final checks that it has). Unless final, a refund stored
// PROCESSING that the platform has not accepted yet (its call failed)
// counts as on its way: the reconciler sends it.
func (m *model) check(final bool) error {
	type key struct{ user, item string }
	net := map[key]shop.Fen{}
	for _, p := range m.paid {
		o := m.e.order(m.t, p.tradeNo)
		if o.PaidAt.IsZero() {
			if final {
				return fmt.Errorf("order %s paid on the platform is %s at the skill", p.tradeNo, o.State)
			}
			continue // the skill has not heard of it yet: it cannot refund it yet
		}
		for _, l := range o.Details {
			if _, ok := propOnce[l.ItemID]; ok {
				net[key{p.user, l.ItemID}] += l.Amount
			}
		}
	}
	for _, p := range m.orders {
		o := m.e.order(m.t, p.tradeNo)
		for _, rf := range o.Refunds {
			st := m.e.plat.RefundStatus(rf.RefundTradeNo)
			accepted := st == shop.RefundProcessing || st == shop.RefundSuccess
			onItsWay := !final && st == "" && rf.Status == shop.RefundProcessing
			if !accepted && !onItsWay {
				continue
			}
			for _, l := range rf.Details {
				if _, ok := propOnce[l.ItemID]; ok {
					net[key{p.user, l.ItemID}] -= l.Amount
				}
			}
		}
	}
	for k, v := range net {
		if v > propOnce[k.item] {
			return fmt.Errorf("%s paid net %d fen for %s, price %d", k.user, v, k.item, propOnce[k.item])
		}
	}
	return nil
}

// duplicates counts the orders refunded as duplicate payments.
func (m *model) duplicates() int {
	n := 0
	for _, p := range m.orders {
		if m.e.order(m.t, p.tradeNo).DuplicateOf != "" {
			n++
		}
	}
	return n
}
