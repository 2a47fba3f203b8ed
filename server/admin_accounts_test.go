package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestAdminAcceptsAccounts(t *testing.T) {
	f := newFixture(t)
	auth := "Bearer " + mustToken(t, adminSecret, time.Hour, time.Now())
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
	f.createOrder(t, "u2", shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200})
	if _, err := f.store.MoveOrders(context.Background(), "u1", shop.AccountOwner("acct-alice"), time.Now()); err != nil {
		t.Fatal(err)
	}

	var list server.OrderList
	for _, q := range []string{"?account=acct-alice", "?user=account:acct-alice"} {
		decode(t, f.get(t, "/admin/orders"+q, "Authorization", auth), 200, &list)
		if len(list.Orders) != 1 || list.Orders[0].TradeNo != reply.TradeNo || list.Orders[0].Account != "acct-alice" {
			t.Fatalf("%s: %+v", q, list)
		}
	}
	decode(t, f.get(t, "/admin/orders?user=u1", "Authorization", auth), 200, &list)
	if len(list.Orders) != 0 {
		t.Errorf("u1 still lists %d orders after the move", len(list.Orders))
	}
	for _, q := range []string{"?account=acct-alice&user=u1", "?account=a%0Ab"} {
		if r := f.get(t, "/admin/orders"+q, "Authorization", auth); r.status != 400 {
			t.Errorf("%s: %d %s, want 400", q, r.status, r.body)
		}
	}
	var ents server.EntitlementList
	decode(t, f.get(t, "/admin/accounts/acct-alice/entitlements", "Authorization", auth), 200, &ents)
	if ents.Account != "acct-alice" || ents.UserID != "account:acct-alice" || len(ents.Entitlements) != 0 {
		t.Errorf("entitlements: %+v (the order is not paid: none yet)", ents)
	}
	if r := f.get(t, "/admin/accounts/%0A/entitlements", "Authorization", auth); r.status != 400 {
		t.Errorf("bad account id: %d %s", r.status, r.body)
	}
}

func TestOAuthRoutes(t *testing.T) {
	var got []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	f := newFixture(t, func(c *server.Config) { c.OAuth = h })
	for _, tc := range []struct{ method, path string }{
		{"GET", "/oauth/authorize?client_id=x"}, {"POST", "/oauth/authorize"}, {"GET", "/oauth/token"}, {"POST", "/oauth/token"}, {"GET", "/oauth/callback"},
	} {
		r := f.do(t, httptest.NewRequest(tc.method, "http://skill.test"+tc.path, nil))
		if r.status != http.StatusTeapot {
			t.Errorf("%s %s: %d, want the OAuth handler's answer", tc.method, tc.path, r.status)
		}
	}
	if len(got) != 5 {
		t.Errorf("handler saw %v", got)
	}
	if r := newFixture(t).get(t, "/oauth/token"); r.status != http.StatusNotFound {
		t.Errorf("without OAuth: %d, want 404", r.status)
	}
}
