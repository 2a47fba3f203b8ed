package server_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logtest"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// payClaims would tell the user our page or QR code takes the payment.
var payClaims = []string{"扫码支付", "微信支付", "立即支付", "去支付", "付款码"}

// ep35 is the line of an offer of one episode.
var ep35 = shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200}

// issue makes an offer of the lines for the user and returns its reference.
func (f *fixture) issue(t *testing.T, offers *pay.Offers, user string, lines ...shop.Line) string {
	t.Helper()
	total, err := shop.SumLines(lines)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := offers.Issue(context.Background(), shop.Offer{UserID: user, Items: lines, TotalAmt: total})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestOrderPage follows the page a card's QR code leads to, keyed by the
// offer's reference, through an order's life: waiting for payment, paid,
// refunding, refunded.
func TestOrderPage(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Support = "400-000-0000" })
	ctx := context.Background()
	ref := f.issue(t, f.offers, "u1", ep35)
	page := func(want ...string) string {
		t.Helper()
		r := f.get(t, "/orders/"+ref)
		body := string(r.body)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("order page: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
		}
		for _, w := range append([]string{"万古神帝第35集", "2元", `<a href="tel:400-000-0000"`}, want...) {
			if !strings.Contains(body, w) {
				t.Errorf("page does not say %q:\n%s", w, body)
			}
		}
		for _, claim := range payClaims {
			if strings.Contains(body, claim) {
				t.Errorf("page says %q", claim)
			}
		}
		return body
	}
	live := `http-equiv="refresh"`

	if p := page("等待支付", "不能付款"); !strings.Contains(p, live) {
		t.Error("a page waiting for payment does not refresh itself")
	}
	// The same product ordered by the user without this offer, or from
	// another offer, is not this offer's order.
	f.createOrder(t, "u1", ep35)
	f.createOrder(t, f.issue(t, f.offers, "u1", ep35), ep35)
	if p := page("等待支付"); strings.Contains(p, "订单号") {
		t.Errorf("another order shown as the offer's:\n%s", p)
	}
	reply := f.createOrder(t, ref, ep35)
	if !reply.OK() {
		t.Fatalf("create order from the offer: %+v", reply)
	}
	page("等待支付", reply.TradeNo)

	f.platform.Pay(reply.TradeNo, 200)
	body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, ref, reply.TradeNo))
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}
	if p := page("已支付", "可以收听了", "支付时间", reply.TradeNo, "（北京时间）", "7天内可以退款", "我要退款"); strings.Contains(p, live) || strings.Contains(p, "不能付款") {
		t.Error("a paid page keeps reloading, or says it cannot pay")
	}

	if _, err := f.svc.Refund(ctx, reply.TradeNo, 0, "test"); err != nil {
		t.Fatal(err)
	}
	page("退款中", "<dt>退款中</dt><dd>2元，", "申请")
	if rep, err := (&pay.Reconciler{Service: f.svc}).RunOnce(ctx); err != nil || rep.RefundsSettled != 1 {
		t.Fatalf("reconcile: %+v, %v", rep, err)
	}
	page("已退款", "已全额退款2元")
}

// TestOrderPageSaysWhereToPay: the page of an offer said on a screen sends
// the user to the speaker's screen, one said on a screenless speaker to
// the phone app; an offer that does not say names both.
func TestOrderPageSaysWhereToPay(t *testing.T) {
	f := newFixture(t)
	for place, want := range map[shop.PayPlace]string{
		shop.PayOnScreen: "按音箱屏幕上的提示下单并完成支付",
		shop.PayInApp:    "在叮当App里下单并完成支付",
		"":               "按音箱屏幕或叮当App上的提示下单并完成支付",
	} {
		ref, err := f.offers.Issue(context.Background(), shop.Offer{UserID: "u1", Items: []shop.Line{ep35}, TotalAmt: 200, PayIn: place})
		if err != nil {
			t.Fatal(err)
		}
		if r := f.get(t, "/orders/"+ref); r.status != 200 || !strings.Contains(string(r.body), want) {
			t.Errorf("page of an offer paid in %q: %d, does not say %q:\n%s", place, r.status, want, r.body)
		}
	}
}

// TestOrderPageRefundHelp: what the page says about refunds follows the
// order's state and the product's policy, as the skill would answer
// "我要退款": how to ask only while the skill would refund something; the
// policy before payment; why not otherwise.
func TestOrderPageRefundHelp(t *testing.T) {
	vip := shop.Line{ItemID: "vip", Quantity: 1, Amount: 1990}
	const ask = "我要退款"
	for _, tc := range []struct {
		name string
		line shop.Line
		// steps: "order", "pay" (and deliver), "refund", "settle", "close",
		// "expire" (the offer, unordered), "later" (8 days on).
		steps   []string
		want    []string
		notWant []string
	}{
		{"offer, refundable", ep35, nil, []string{"购买后7天内可以退款"}, []string{ask}},
		{"unpaid, refundable", ep35, []string{"order"}, []string{"购买后7天内可以退款"}, []string{ask}},
		{"unpaid, not refundable", vip, []string{"order"}, []string{"这个商品购买后不能退款"}, []string{ask}},
		{"paid, refundable", ep35, []string{"order", "pay"}, []string{"购买后7天内可以退款", ask}, nil},
		{"paid, not refundable", vip, []string{"order", "pay"}, []string{"不支持退款"}, []string{ask}},
		{"paid, window over", ep35, []string{"order", "pay", "later"}, []string{"已超过7天退款期限"}, []string{ask, "7天内可以退款"}},
		{"refund in progress", ep35, []string{"order", "pay", "refund"}, []string{"退款正在处理中"}, []string{ask, "7天内可以退款"}},
		{"refunded in full", ep35, []string{"order", "pay", "refund", "settle"}, []string{"已全额退款2元", "已经全部退款"}, []string{ask, "7天内可以退款"}},
		{"closed unpaid", ep35, []string{"order", "close"}, []string{"已关闭", "不需要退款"}, []string{ask, "7天内可以退款"}},
		{"offer expired", ep35, []string{"expire"}, []string{"已失效", "不需要退款"}, []string{ask, "7天内可以退款"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var later time.Time
			f := newFixture(t, func(c *server.Config) {
				c.Now = func() time.Time {
					if later.IsZero() {
						return time.Now()
					}
					return later
				}
			})
			ctx := context.Background()
			offers := f.offers
			if slices.Contains(tc.steps, "expire") {
				offers = &pay.Offers{Secret: f.offers.Secret, Store: f.offers.Store,
					Now: func() time.Time { return time.Now().Add(-pay.DefaultOfferTTL - time.Hour) }}
			}
			ref := f.issue(t, offers, "u1", tc.line)
			var tradeNo string
			for _, step := range tc.steps {
				switch step {
				case "order":
					reply := f.createOrder(t, ref, tc.line)
					if !reply.OK() {
						t.Fatalf("create order: %+v", reply)
					}
					tradeNo = reply.TradeNo
				case "pay":
					f.platform.Pay(tradeNo, tc.line.Amount)
					body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, ref, tradeNo))
					if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
						t.Fatalf("ship notify: %s", r.body)
					}
				case "refund":
					if _, err := f.svc.Refund(ctx, tradeNo, 0, "test"); err != nil {
						t.Fatal(err)
					}
				case "settle":
					if rep, err := (&pay.Reconciler{Service: f.svc}).RunOnce(ctx); err != nil || rep.RefundsSettled != 1 {
						t.Fatalf("reconcile: %+v, %v", rep, err)
					}
				case "close":
					if _, err := f.store.UpdateOrder(ctx, tradeNo, func(o *shop.Order) error { return o.Close(o.ExpiresAt) }); err != nil {
						t.Fatal(err)
					}
				case "later":
					later = time.Now().Add(8 * 24 * time.Hour)
				}
			}
			r := f.get(t, "/orders/"+ref)
			body := string(r.body)
			if r.status != 200 {
				t.Fatalf("order page: %d\n%s", r.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not say %q:\n%s", w, body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page says %q:\n%s", w, body)
				}
			}
		})
	}
}

// TestOrderPageSaysWhatWasDelivered: a paid page says what the purchase
// gave, in the product's terms: coins arrived, a membership open until a
// date; only an episode is something to play (it told coin buyers to say
// "播放听书币").
func TestOrderPageSaysWhatWasDelivered(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		line    shop.Line
		want    []string
		notWant string
	}{
		{shop.Line{ItemID: "coins", Quantity: 3, Amount: 300}, []string{"3个听书币已经到账"}, "播放"},
		{shop.Line{ItemID: "vip", Quantity: 1, Amount: 1990}, []string{"会员月卡已经开通", "<dt>有效期到</dt>"}, "播放"},
	} {
		ref := f.issue(t, f.offers, "u1", c.line)
		reply := f.createOrder(t, ref, c.line)
		f.platform.Pay(reply.TradeNo, c.line.Amount)
		body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, ref, reply.TradeNo))
		if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
			t.Fatalf("ship notify: %s", r.body)
		}
		page := string(f.get(t, "/orders/"+ref).body)
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("the page of %s does not say %q:\n%s", c.line.ItemID, w, page)
			}
		}
		if strings.Contains(page, c.notWant) {
			t.Errorf("the page of %s says %q:\n%s", c.line.ItemID, c.notWant, page)
		}
	}
}

// TestOrderPagePayPageClosed: an order whose pay page the platform closed
// unpaid says so and how to buy again, and stops reloading (it said
// "等待支付" for a day, while the speaker offered the product again).
func TestOrderPagePayPageClosed(t *testing.T) {
	f := newFixture(t)
	ref, err := f.offers.Issue(context.Background(), shop.Offer{UserID: "u1", Items: []shop.Line{ep35}, TotalAmt: 200, PayIn: shop.PayOnScreen})
	if err != nil {
		t.Fatal(err)
	}
	reply := f.createOrder(t, ref, ep35)
	if _, err := f.store.UpdateOrder(context.Background(), reply.TradeNo, func(o *shop.Order) error { return o.ClosePage(time.Now()) }); err != nil {
		t.Fatal(err)
	}
	page := string(f.get(t, "/orders/"+ref).body)
	for _, w := range []string{"未支付", "支付页已经关闭，没有扣款", "我要买万古神帝第35集", "不需要退款"} {
		if !strings.Contains(page, w) {
			t.Errorf("page does not say %q:\n%s", w, page)
		}
	}
	if strings.Contains(page, `http-equiv="refresh"`) || strings.Contains(page, "等待支付") {
		t.Errorf("a closed pay page still waits:\n%s", page)
	}
}

// TestOrderPageExpiredOffer: an offer never ordered within its validity
// says so and stops reloading; one ordered in time keeps showing its order.
func TestOrderPageExpiredOffer(t *testing.T) {
	f := newFixture(t)
	past := &pay.Offers{Secret: f.offers.Secret, Store: f.offers.Store,
		Now: func() time.Time { return time.Now().Add(-pay.DefaultOfferTTL - time.Hour) }}
	ref := f.issue(t, past, "u1", ep35)
	r := f.get(t, "/orders/"+ref)
	if body := string(r.body); r.status != 200 || !strings.Contains(body, "已失效") || strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("expired offer's page: %d\n%s", r.status, body)
	}
}

// TestFavicon: the pages tell a phone's browser they have no icon (as the
// simulator's page does), and the icon a browser asks for anyway is a
// quiet 204, not a 404 that logs a warning each time.
func TestFavicon(t *testing.T) {
	var log logtest.Buffer
	f := newFixture(t, func(c *server.Config) { c.Logger = slog.New(slog.NewTextHandler(&log, nil)) })
	ref := f.issue(t, f.offers, "u1", ep35)
	for _, path := range []string{"/orders/" + ref, "/orders/x", "/products/ep35"} {
		if r := f.get(t, path); !strings.Contains(string(r.body), `<link rel="icon" href="data:,">`) {
			t.Errorf("%s: %d, no empty icon:\n%s", path, r.status, r.body)
		}
	}
	r := f.get(t, "/favicon.ico")
	if r.status != 204 || len(r.body) != 0 || !strings.Contains(r.header.Get("Cache-Control"), "max-age") {
		t.Errorf("favicon: %d %q %q", r.status, r.header.Get("Cache-Control"), r.body)
	}
	var lines []string
	for line := range strings.Lines(log.String()) {
		if strings.Contains(line, "route=/favicon.ico") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "level=INFO") {
		t.Errorf("favicon's log lines, want one at INFO: %q", lines)
	}
}

func TestOrderPageRefused(t *testing.T) {
	f := newFixture(t)
	good := f.issue(t, f.offers, "u1", ep35)
	forged := f.issue(t, &pay.Offers{Secret: []byte("another secret"), Store: f.offers.Store}, "u1", ep35)
	unknown := f.issue(t, &pay.Offers{Secret: f.offers.Secret, Store: newFixture(t).store}, "u1", ep35)
	gone := f.issue(t, f.offers, "u1", shop.Line{ItemID: "gone", Quantity: 1, Amount: 1})
	last := "A"
	if strings.HasSuffix(good, last) {
		last = "B"
	}
	for name, ref := range map[string]string{
		"forged":          forged,
		"not a reference": "x",
		"tag altered":     good[:len(good)-1] + last,
		"cut":             good[:len(good)-1],
		"unknown":         unknown,
		"image token":     f.codes.Token("https://skill.example/orders/x"),
		"gone product":    gone,
		"empty":           "",
		"a path added":    good + "/x",
	} {
		// A phone's user reads the answer: a page in Chinese, not JSON.
		r := f.get(t, "/orders/"+ref)
		body := string(r.body)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "链接无效或已过期") || strings.Contains(body, `"error"`) || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d %s\n%s", name, r.status, r.header.Get("Content-Type"), body)
		}
	}
}

// TestOrderPageUnavailable: a store that cannot answer gives 503 with a
// page that asks to try again later (and names customer service when
// there is one), not JSON.
func TestOrderPageUnavailable(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Support = "400-800-1234" })
	ref := f.issue(t, f.offers, "u1", ep35)
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	r := f.get(t, "/orders/"+ref)
	body := string(r.body)
	if r.status != 503 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, "请过一会儿刷新本页") || !strings.Contains(body, "400-800-1234") || strings.Contains(body, `"error"`) {
		t.Errorf("store closed: %d %s\n%s", r.status, r.header.Get("Content-Type"), body)
	}
}

// TestOrderPageBoughtThroughAnother: the page of an order left unpaid for
// what the user then bought through another says no payment is needed
// (it said 等待支付 for what the user owned).
func TestOrderPageBoughtThroughAnother(t *testing.T) {
	f := newFixture(t)
	first := f.issue(t, f.offers, "u1", ep35)
	if r := f.createOrder(t, first, ep35); !r.OK() {
		t.Fatalf("first order: %+v", r)
	}
	second := f.issue(t, f.offers, "u1", ep35)
	reply := f.createOrder(t, second, ep35)
	f.platform.Pay(reply.TradeNo, 200)
	body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, second, reply.TradeNo))
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}
	page := string(f.get(t, "/orders/"+first).body)
	for _, w := range []string{"无需支付", "你已经通过另一笔订单买到了万古神帝第35集"} {
		if !strings.Contains(page, w) {
			t.Errorf("page does not say %q:\n%s", w, page)
		}
	}
	if strings.Contains(page, "等待支付") || strings.Contains(page, `http-equiv="refresh"`) {
		t.Errorf("the page still waits:\n%s", page)
	}
}

// orderEp35 places the order of an offer of ep35 and returns its tradeNo.
func (f *fixture) orderEp35(t *testing.T, ref string) string {
	t.Helper()
	reply := f.createOrder(t, ref, ep35)
	if !reply.OK() {
		t.Fatalf("create order: %+v", reply)
	}
	return reply.TradeNo
}

// payAndShip has the platform take 2元 for the order and report it.
func (f *fixture) payAndShip(t *testing.T, ref, tradeNo string) {
	t.Helper()
	f.platform.Pay(tradeNo, 200)
	body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, ref, tradeNo))
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}
}

// refundFails has the platform fail the refund and report it.
func (f *fixture) refundFails(t *testing.T, refundTradeNo string) {
	t.Helper()
	if err := f.platform.Settle(refundTradeNo, shop.RefundFail); err != nil {
		t.Fatal(err)
	}
	body, sig := tsktest.MustSignPay(t, tsktest.MustRefundNotify(t, f.platform.Platform, refundTradeNo))
	if r := f.post(t, "/pay/refund-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("refund notify: %s", r.body)
	}
}

// TestOrderPageDuplicatePayment: the page of an order paid for what the
// user had through another order says so and that its money goes back, or,
// its automatic refund failed, that a person returns it (it said "支付成功，
// 可以收听了" and offered to refund the purchase).
func TestOrderPageDuplicatePayment(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Support = "400-000-0000" })
	first, second := f.issue(t, f.offers, "u1", ep35), f.issue(t, f.offers, "u1", ep35)
	kept, dup := f.orderEp35(t, first), f.orderEp35(t, second) // two pay pages, both paid
	f.payAndShip(t, first, kept)
	f.payAndShip(t, second, dup)
	page := func(want ...string) {
		t.Helper()
		body := string(f.get(t, "/orders/"+second).body)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("page does not say %q:\n%s", w, body)
			}
		}
		for _, w := range []string{"支付成功", "可以收听了", "可以退款"} {
			if strings.Contains(body, w) {
				t.Errorf("page says %q:\n%s", w, body)
			}
		}
	}
	page("重复付款", "你已经通过另一笔订单买到了万古神帝第35集", "会自动原路退回", "不用申请退款")
	f.refundFails(t, pay.RefundTradeNo(dup, 1))
	page("重复付款", "没能自动退回，我们会人工退回", "联系客服")
}

// A duplicate delivered with the product (the order it duplicates was being
// refunded when it was paid; that refund failed) whose own refund failed
// gives the product again: its page still says it was paid twice and that
// a person returns the money (it said "支付成功，可以收听了").
func TestOrderPageDeliveredDuplicateOwed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	firstRef, laterRef := f.issue(t, f.offers, "u1", ep35), f.issue(t, f.offers, "u1", ep35)
	first, later := f.orderEp35(t, firstRef), f.orderEp35(t, laterRef)
	f.payAndShip(t, firstRef, first)
	if _, err := f.svc.Refund(ctx, first, 0, "用户语音申请退款"); err != nil {
		t.Fatal(err)
	}
	f.payAndShip(t, laterRef, later) // delivered: the first is being refunded
	f.refundFails(t, pay.RefundTradeNo(first, 1))
	f.refundFails(t, pay.RefundTradeNo(later, 1)) // the later one, now a duplicate: its refund fails too
	o, err := f.svc.Ledger.Store.Order(ctx, later)
	if _, _, owed := o.DuplicateOwed(); err != nil || o.DuplicateOf != first || !owed || !o.Gives("ep35") {
		t.Fatalf("later order: %+v, %v; want a delivered duplicate owed", o, err)
	}
	body := string(f.get(t, "/orders/"+laterRef).body)
	for _, w := range []string{"重复付款", "没能自动退回，我们会人工退回"} {
		if !strings.Contains(body, w) {
			t.Errorf("page does not say %q:\n%s", w, body)
		}
	}
	if strings.Contains(body, "支付成功") {
		t.Errorf("page says paid:\n%s", body)
	}
}
