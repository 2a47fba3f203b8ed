package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/qr"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// payClaims would tell the user our page or QR code takes the payment.
var payClaims = []string{"扫码支付", "微信支付", "立即支付", "去支付", "付款码"}

// TestOrderPage follows the page a card's QR code leads to through an
// order's life: waiting for payment, paid, refunding, refunded.
func TestOrderPage(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Support = "400-000-0000" })
	ctx := context.Background()
	link := f.codes.Link(server.OrderLink("u1", "ep35", 1)...)
	page := func(want ...string) string {
		t.Helper()
		r := f.get(t, "/orders/"+link)
		body := string(r.body)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("order page: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Cache-Control"))
		}
		for _, w := range append([]string{"万古神帝第35集", "2元", "我要退款", "7天内可以退款", "400-000-0000", "不能付款"}, want...) {
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

	if p := page("等待支付"); !strings.Contains(p, live) {
		t.Error("a page waiting for payment does not refresh itself")
	}
	// Orders for another user or product, or placed before the offer, are not its order.
	f.createOrder(t, "u2", shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200})
	f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 1, Amount: 100})
	if p := page("等待支付"); strings.Contains(p, "订单号") {
		t.Errorf("another order shown as the offer's:\n%s", p)
	}
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200})
	page("等待支付", reply.TradeNo)

	f.platform.Pay(reply.TradeNo, 200)
	body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, "u1", reply.TradeNo))
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}
	if p := page("已支付", "支付时间", reply.TradeNo); strings.Contains(p, live) {
		t.Error("a paid page keeps reloading")
	}

	if _, err := f.svc.Refund(ctx, reply.TradeNo, 0, "test"); err != nil {
		t.Fatal(err)
	}
	page("退款中")
	if rep, err := (&pay.Reconciler{Service: f.svc}).RunOnce(ctx); err != nil || rep.RefundsSettled != 1 {
		t.Fatalf("reconcile: %+v, %v", rep, err)
	}
	page("已退款", "已全额退款2元")
}

func TestOrderPageRefused(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now()
	good := f.codes.Link(server.OrderLink("u1", "ep35", 1)...)
	other := (&qr.Codes{Secret: []byte("another secret")}).Link(server.OrderLink("u1", "ep35", 1)...)
	for name, link := range map[string]string{
		"forged":          other,
		"not a link":      "x",
		"image token":     f.codes.Token("https://skill.example/orders/x"),
		"unknown product": f.codes.Link(server.OrderLink("u1", "nope", 1)...),
		"no user":         f.codes.Link(server.OrderLink("", "ep35", 1)...),
		"zero count":      f.codes.Link(server.OrderLink("u1", "ep35", 0)...),
		"two fields":      f.codes.Link("u1", "ep35"),
	} {
		if r := f.get(t, "/orders/"+link); r.status != 404 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	f.now = f.now.Add(qr.DefaultLinkTTL + time.Hour)
	if r := f.get(t, "/orders/"+good); r.status != 404 {
		t.Errorf("expired link: %d", r.status)
	}
}
