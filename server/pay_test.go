package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// createOrder sends a signed create order for the lines and returns the reply.
func (f *fixture) createOrder(t *testing.T, user string, lines ...shop.Line) pay.Reply {
	t.Helper()
	body, auth := tsktest.MustSignPay(t, fakeplatform.NewCreateOrder(user, lines...))
	r := f.post(t, "/pay/create-order", body, auth)
	if r.status != 200 {
		t.Fatalf("create order: HTTP %d %s", r.status, r.body)
	}
	return payReply(t, r)
}

func TestPayCreateAndShip(t *testing.T) {
	f := newFixture(t)
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 2, Amount: 200})
	if !reply.OK() || reply.TradeNo == "" {
		t.Fatalf("create order reply %+v", reply)
	}
	ship := pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: "u1", TransactionID: "TX1",
		TradeNo: reply.TradeNo, TotalAmt: 200, NonceStr: pay.NonceStr()}
	body, auth := tsktest.MustSignPay(t, ship)
	for range 3 { // the platform retries: delivered exactly once, SUCCESS each time
		r := f.post(t, "/pay/ship-notify", body, auth)
		if got := payReply(t, r); r.status != 200 || !got.OK() {
			t.Fatalf("ship notify: %d %+v", r.status, got)
		}
	}
	o, err := f.store.Order(context.Background(), reply.TradeNo)
	if err != nil || o.State != shop.StateDelivered || o.Deliveries != 1 {
		t.Fatalf("order after ship notify: %+v, %v", o, err)
	}
}

func TestPayRefused(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	good, _ := json.Marshal(fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "coins", Quantity: 1, Amount: 100}))
	unknown, _ := json.Marshal(fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "nope", Quantity: 1, Amount: 100}))
	bad := []byte(`{"skillId":`)
	big := append(bytes.Clone(good[:len(good)-1]), `,"pad":"`+strings.Repeat("x", server.DefaultBodyLimit)+`"}`...)
	// Readable two ways: Go's decoder takes the last total, another reader
	// maybe the first; the invalid byte would be quietly replaced.
	twice := append(bytes.Clone(good[:len(good)-1]), `,"totalAmt":1}`...)
	cased := append(bytes.Clone(good[:len(good)-1]), `,"TOTALAMT":1}`...)
	notUTF8 := bytes.Replace(bytes.Clone(good), []byte(`"u1"`), []byte("\"u\xff\""), 1)
	tests := []struct {
		name       string
		path, auth string
		body       []byte
		wantStatus int
		wantMsg    string
	}{
		{"hmac", "/pay/create-order", tsktest.SignBodyHMAC(good, now), good, 401, "algorithm not allowed"},
		{"unsigned", "/pay/ship-notify", "", good, 401, "not signed"},
		{"bad signature", "/pay/create-order", tsktest.SignReply(good, now), good, 401, "bad signature"},
		{"stale", "/pay/refund-notify", tsktest.SignBodyRSA2(good, now.Add(-4*time.Minute)), good, 401, "stale"},
		{"malformed JSON", "/pay/create-order", tsktest.SignBodyRSA2(bad, now), bad, 400, "malformed JSON"},
		{"not an object", "/pay/ship-notify", tsktest.SignBodyRSA2([]byte(`[]`), now), []byte(`[]`), 400, "malformed JSON"},
		{"business refusal", "/pay/create-order", tsktest.SignBodyRSA2(unknown, now), unknown, 200, "unknown_item"},
		{"unknown order", "/pay/ship-notify", tsktest.SignBodyRSA2(good, now), good, 200, "bad_trade_no"},
		{"oversized", "/pay/create-order", tsktest.SignBodyRSA2(big, now), big, 413, "body too large"},
		{"a key twice", "/pay/create-order", tsktest.SignBodyRSA2(twice, now), twice, 400, "ambiguous JSON"},
		{"a key twice, in another case", "/pay/create-order", tsktest.SignBodyRSA2(cased, now), cased, 400, "ambiguous JSON"},
		{"invalid UTF-8", "/pay/create-order", tsktest.SignBodyRSA2(notUTF8, now), notUTF8, 400, "ambiguous JSON"},
	}
	base := f.listen(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, base+tt.path, tt.body, tt.auth)
			var reply pay.Reply
			if tt.wantStatus == 401 || tt.wantStatus == 413 {
				// Refused before authentication: no RSA work, no signature.
				if h := r.header.Get("Authorization"); h != "" {
					t.Errorf("unauthenticated request's refusal is signed: %q", h)
				}
				if err := json.Unmarshal(r.body, &reply); err != nil {
					t.Fatalf("reply %q: %v", r.body, err)
				}
			} else {
				reply = payReply(t, r) // the replies to verified requests are signed, refusals too
			}
			if r.status != tt.wantStatus || reply.RetCode != pay.RetFail || reply.RetMsg != tt.wantMsg {
				t.Fatalf("got %d %+v, want %d FAIL %q", r.status, reply, tt.wantStatus, tt.wantMsg)
			}
		})
	}
	if orders, err := f.store.Orders(context.Background(), shop.OrderFilter{}); err != nil || len(orders) != 0 {
		t.Errorf("refused requests stored %d orders (%v)", len(orders), err)
	}
}

// failingStore fails every write, as a full disk or a lost Redis would.
type failingStore struct{ shop.OrderStore }

func (failingStore) CreateOrder(context.Context, shop.Order) (shop.Order, bool, error) {
	return shop.Order{}, false, shop.Errorf(shop.EUNAVAILABLE, "store down")
}

func TestPayStorageFaultIsFail(t *testing.T) {
	f := newFixture(t)
	f.svc.Ledger = &shop.Ledger{Store: failingStore{f.store}, Catalog: f.svc.Ledger.Catalog}
	reply := f.createOrder(t, "u1", shop.Line{ItemID: "coins", Quantity: 1, Amount: 100})
	if reply.RetCode != pay.RetFail || reply.TradeNo != "" {
		t.Fatalf("storage fault answered %+v, want FAIL", reply)
	}
}

func TestPayRefundNotify(t *testing.T) {
	f := newFixture(t)
	req := pay.RefundNotifyRequest{SkillID: tsktest.SkillID, TradeNo: "TNOPE", RefundTradeNo: "TNOPER01",
		RefundStatus: shop.RefundSuccess, NonceStr: pay.NonceStr()}
	body, auth := tsktest.MustSignPay(t, req)
	r := f.post(t, "/pay/refund-notify", body, auth)
	if reply := payReply(t, r); r.status != 200 || reply.RetCode != pay.RetFail {
		t.Fatalf("refund notify for an unknown order: %d %+v", r.status, reply)
	}
	if _, err := tsk.ParseAuthorization(r.header.Get("Authorization")); err != nil {
		t.Fatal(err)
	}
}

// TestPayMethodNotAllowed: the pay endpoints are POST only; another method
// is 405 with Allow, not a 401 that reads as a bad signature.
func TestPayMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/pay/create-order", "/pay/ship-notify", "/pay/refund-notify"} {
		r := f.get(t, path)
		if r.status != 405 || r.header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d, Allow %q; want 405, POST", path, r.status, r.header.Get("Allow"))
		}
	}
}
