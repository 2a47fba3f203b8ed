package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func mustToken(t *testing.T, secret string, ttl time.Duration, now time.Time) string {
	t.Helper()
	tok, err := admin.NewToken([]byte(secret), ttl, now)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// noIatToken is an admin token expiring at exp with no issued-at.
func noIatToken(t *testing.T, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{admin.Audience},
		ExpiresAt: jwt.NewNumericDate(exp)}).SignedString([]byte(adminSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestAdminAuth(t *testing.T) {
	f := newFixture(t)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{admin.Audience}}).SignedString([]byte(adminSecret))
	otherAud, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"offers"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}).SignedString([]byte(adminSecret))
	tests := []struct {
		name, auth string
		wantStatus int
		wantError  string
	}{
		{"missing", "", 401, "missing bearer token"},
		{"not bearer", "Basic YWRtaW46YWRtaW4=", 401, "missing bearer token"},
		{"expired", "Bearer " + mustToken(t, adminSecret, time.Minute, time.Now().Add(-2*time.Minute)), 401, "token expired"},
		{"wrong secret", "Bearer " + mustToken(t, "not-the-secret", time.Hour, time.Now()), 401, "invalid token"},
		{"no expiry", "Bearer " + noExp, 401, "invalid token"},
		{"other audience", "Bearer " + otherAud, 401, "invalid token"},
		{"garbage", "Bearer abc.def.ghi", 401, "invalid token"},
		{"lives too long", "Bearer " + longToken(t, time.Now(), time.Now().Add(25*time.Hour)), 401, "token lives too long"},
		{"expires too far ahead", "Bearer " + longToken(t, time.Now().Add(24*time.Hour), time.Now().Add(30*time.Hour)), 401, "invalid token"}, // issued in the future
		{"expires too far ahead, no iat", "Bearer " + noIatToken(t, time.Now().Add(30*time.Hour)), 401, "token lives too long"},
		{"issued in the future", "Bearer " + mustToken(t, adminSecret, time.Hour, time.Now().Add(10*time.Minute)), 401, "invalid token"},
		{"good", "Bearer " + mustToken(t, adminSecret, time.Hour, time.Now()), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, "/admin/orders", "Authorization", tt.auth)
			if r.status != tt.wantStatus || r.errorText() != tt.wantError {
				t.Fatalf("got %d %s, want %d %q", r.status, r.body, tt.wantStatus, tt.wantError)
			}
		})
	}
}

// TestAdminAuthWallClock: admin tokens are checked on the wall clock,
// not on the server's (the sandbox moves its clock: two hours ahead, the
// token the CLI had just made was "expired").
func TestAdminAuthWallClock(t *testing.T) {
	f := newFixture(t, func(c *server.Config) { c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } })
	r := f.get(t, "/admin/orders", "Authorization", "Bearer "+mustToken(t, adminSecret, 5*time.Minute, time.Now()))
	if r.status != 200 {
		t.Fatalf("got %d %s, want 200", r.status, r.body)
	}
}

func TestAdminAPI(t *testing.T) {
	f := newFixture(t)
	tok, err := admin.NewOperatorToken([]byte(adminSecret), "alice", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	auth := "Bearer " + tok
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
	f.createOrder(t, "u2", shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200})
	tx := f.platform.Pay(reply.TradeNo, 200)
	ship := tsktest.MustShipNotify(t, f.platform.Platform, "u1", reply.TradeNo)
	if ship.TransactionID != tx {
		t.Fatalf("ship notify transaction %q, want %q", ship.TransactionID, tx)
	}
	body, sig := tsktest.MustSignPay(t, ship)
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}

	var list server.OrderList
	decode(t, f.get(t, "/admin/orders?user=u1&state=delivered,created&limit=10", "Authorization", auth), 200, &list)
	if len(list.Orders) != 1 || list.Orders[0].TradeNo != reply.TradeNo || list.Orders[0].Deliveries != 1 ||
		list.Orders[0].TransactionID != tx || len(list.Orders[0].History) != 3 {
		t.Fatalf("orders of u1: %+v", list)
	}
	decode(t, f.get(t, "/admin/orders", "Authorization", auth), 200, &list)
	if len(list.Orders) != 2 {
		t.Fatalf("all orders: %d", len(list.Orders))
	}
	for _, q := range []string{"?state=nope", "?limit=0", "?limit=x"} {
		if r := f.get(t, "/admin/orders"+q, "Authorization", auth); r.status != 400 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}

	var o server.OrderView
	decode(t, f.get(t, "/admin/orders/"+reply.TradeNo, "Authorization", auth), 200, &o)
	if o.State != shop.StateDelivered || o.TotalAmt != 200 || o.UserID != "u1" {
		t.Fatalf("order: %+v", o)
	}
	if r := f.get(t, "/admin/orders/TNOSUCHORDER", "Authorization", auth); r.status != 404 {
		t.Fatalf("unknown order: %d %s", r.status, r.body)
	}

	var ents server.EntitlementList
	decode(t, f.get(t, "/admin/users/u1/entitlements", "Authorization", auth), 200, &ents)
	if len(ents.Entitlements) != 1 || ents.Entitlements[0].ProductID != "coins" || ents.Entitlements[0].Quantity != 2 {
		t.Fatalf("entitlements: %+v", ents)
	}

	refund := func(tradeNo string, req server.RefundRequest) response {
		b, _ := json.Marshal(req)
		hr, _ := http.NewRequest(http.MethodPost, "http://skill.test/admin/orders/"+tradeNo+"/refund", bytes.NewReader(b))
		hr.Header.Set("Authorization", auth)
		hr.Header.Set("Content-Type", "application/json")
		return f.do(t, hr)
	}
	if r := refund(reply.TradeNo, server.RefundRequest{Amount: -1}); r.status != 400 {
		t.Fatalf("negative refund: %d %s", r.status, r.body)
	}
	decode(t, refund(reply.TradeNo, server.RefundRequest{Amount: 100, Reason: "test"}), 200, &o)
	if o.State != shop.StateRefunding || len(o.Refunds) != 1 || o.Refunds[0].Amount != 100 {
		t.Fatalf("after refund: %+v", o)
	}
	// The entries the refund added name the token's operator; the earlier ones nobody.
	if h := o.History; len(h) < 2 || h[len(h)-1].By != "alice" || h[0].By != "" {
		t.Fatalf("history after the operator's refund: %+v", h)
	}
	if r := refund(reply.TradeNo, server.RefundRequest{}); r.status != 400 {
		t.Fatalf("second refund while one is pending: %d %s", r.status, r.body)
	}
	if f.platform.Calls("refund") != 1 {
		t.Fatalf("platform refund calls: %d", f.platform.Calls("refund"))
	}
}

// longToken is an admin token issued at iat that expires at exp, whatever
// the maximum lifetime.
func longToken(t *testing.T, iat, exp time.Time) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{Subject: "x", Audience: jwt.ClaimStrings{admin.Audience},
		IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}).SignedString([]byte(adminSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func decode(t *testing.T, r response, wantStatus int, v any) {
	t.Helper()
	if r.status != wantStatus {
		t.Fatalf("HTTP %d, want %d: %s", r.status, wantStatus, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// A refund the platform refuses is answered 409 with the message the user
// would hear and, for the operator, the platform's own reason.
func TestAdminRefundRefusedSaysWhy(t *testing.T) {
	f := newFixture(t)
	tok, err := admin.NewOperatorToken([]byte(adminSecret), "alice", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
	f.platform.Pay(reply.TradeNo, 200)
	body, sig := tsktest.MustSignPay(t, tsktest.MustShipNotify(t, f.platform.Platform, "u1", reply.TradeNo))
	if r := f.post(t, "/pay/ship-notify", body, sig); !payReply(t, r).OK() {
		t.Fatalf("ship notify: %s", r.body)
	}
	f.platform.RefuseNext("refund", 1)
	b, _ := json.Marshal(server.RefundRequest{Amount: 100})
	hr, _ := http.NewRequest(http.MethodPost, "http://skill.test/admin/orders/"+reply.TradeNo+"/refund", bytes.NewReader(b))
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set("Content-Type", "application/json")
	var e server.ErrorBody
	decode(t, f.do(t, hr), 409, &e)
	if e.Code != pay.ERefundRefused || !strings.Contains(e.Error, "退款没有成功") || !strings.Contains(e.Error, "（平台：系统繁忙）") {
		t.Errorf("refused refund: %+v", e)
	}
}
