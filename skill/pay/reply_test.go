package pay_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestFailReply(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{shop.Coded(shop.EINVALID, shop.EAmountMismatch, "amount is not price × quantity"), "amount_mismatch"},
		{fmt.Errorf("pay: wrapped: %w", shop.Coded(shop.ECONFLICT, shop.EAlreadyOwned, "x")), "already_owned"},
		{shop.Coded(shop.ECONFLICT, shop.ERefundFinal, "refund RDV3MXW2VNIKE4E42NYZWJP5S01 is already FAIL"), "refund_already_final"},
		{shop.Errorf(shop.ECONFLICT, "order T1 is PAID"), "conflict"},
		{shop.Errorf(shop.EUNAVAILABLE, "storage unavailable"), pay.RetryMsg},
		{shop.Coded(shop.EUNAVAILABLE, "redis_down", "x"), pay.RetryMsg},
		{errors.New("bolt: disk I/O error on /data/skill.db"), pay.RetryMsg},
		{shop.ErrNotFound, "not_found"},
		{shop.Coded(shop.EINVALID, "Not A Code because it is long and has spaces", "x"), "invalid"},
	}
	for _, tt := range tests {
		r := pay.FailReply(tt.err)
		if r.RetCode != pay.RetFail || r.RetMsg != tt.want || r.TradeNo != "" {
			t.Errorf("FailReply(%v) = %+v; want FAIL %q", tt.err, r, tt.want)
		}
	}
}

// TestRefusalsAnswerCodes: a refusal that concerns an id answers a short
// stable code, not a message with the id cut to 32 bytes (a refund told
// SUCCESS after it FAILed used to answer "refund RDV3MXW2VNIKE4E42NYZWJP5S").
func TestRefusalsAnswerCodes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("credits", 3, 300))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 100, ""); err != nil {
		t.Fatal(err)
	}
	e.plat.Settle(pay.RefundTradeNo(o.TradeNo, 1), shop.RefundFail)
	n := tsktest.MustRefundNotify(t, e.plat.Platform, pay.RefundTradeNo(o.TradeNo, 1))
	if r := e.svc.RefundNotify(ctx, n); !r.OK() {
		t.Fatalf("refund FAIL notify: %+v", r)
	}
	// All of it refunded since: the first refund's SUCCESS, late, cannot be.
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, ""); err != nil {
		t.Fatal(err)
	}
	e.plat.Settle(pay.RefundTradeNo(o.TradeNo, 2), shop.RefundSuccess)
	rest := tsktest.MustRefundNotify(t, e.plat.Platform, pay.RefundTradeNo(o.TradeNo, 2))
	if r := e.svc.RefundNotify(ctx, rest); !r.OK() {
		t.Fatalf("refund of the rest: %+v", r)
	}
	n.RefundStatus = shop.RefundSuccess
	if r := e.svc.RefundNotify(ctx, n); r.RetCode != pay.RetFail || r.RetMsg != shop.ERefundFinal {
		t.Errorf("SUCCESS after FAIL, all refunded since = %+v; want FAIL %s", r, shop.ERefundFinal)
	}
	other := tsktest.MustShipNotify(t, e.plat.Platform, "u1", o.TradeNo)
	other.TransactionID = "ANOTHERTX"
	if r := e.svc.ShipNotify(ctx, other); r.RetCode != pay.RetFail || r.RetMsg != shop.EPaidByOther {
		t.Errorf("second payment = %+v; want FAIL %s", r, shop.EPaidByOther)
	}
}
