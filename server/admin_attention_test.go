package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// GET /admin/attention lists what the reconciler cannot settle, behind the
// admin token; an empty list is [] and a server without a reconciler says
// so.
func TestAdminAttention(t *testing.T) {
	f := newFixture(t)
	auth := "Bearer " + mustToken(t, adminSecret, time.Hour, time.Now())
	if r := f.get(t, "/admin/attention"); r.status != 401 {
		t.Fatalf("without a token: %d %s", r.status, r.body)
	}
	r := f.get(t, "/admin/attention", "Authorization", auth)
	if r.status != 200 || string(r.body) != `{"items":[]}` {
		t.Fatalf("nothing to see: %d %s", r.status, r.body)
	}

	// Paid on the platform, for another amount than the order's.
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
	f.platform.Pay(reply.TradeNo, 199)
	time.Sleep(time.Millisecond) // older than the reconciler's Delay
	rep, err := f.rec.RunOnce(context.Background())
	if err != nil || rep.Attention != 1 || rep.Delivered != 0 {
		t.Fatalf("RunOnce = %+v, %v", rep, err)
	}
	var list server.AttentionList
	decode(t, f.get(t, "/admin/attention", "Authorization", auth), 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("items = %+v", list.Items)
	}
	if it := list.Items[0]; it.TradeNo != reply.TradeNo || it.Reason != pay.AttentionMismatch || it.UserID != "u1" ||
		it.State != shop.StateCreated || it.Amount != 200 || it.QueryFails.Count != 1 {
		t.Errorf("item = %+v", it)
	}

	bare := newFixture(t, func(c *server.Config) { c.Watchlist = nil })
	if r := bare.get(t, "/admin/attention", "Authorization", auth); r.status != 503 {
		t.Errorf("no reconciler: %d %s", r.status, r.body)
	}
}
