package pay_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// TestRefundSendsOneOrderID: the refund interface takes transactionId or
// tradeNo ("二选一"); a refund sent exactly one of them, whatever the
// caller filled in, and one is needed.
func TestRefundSendsOneOrderID(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	if o.TransactionID == "" {
		t.Fatal("paid order without a transactionId")
	}
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, "不想要了"); err != nil {
		t.Fatal(err)
	}
	var sent []pay.RefundRequest
	for _, r := range e.plat.Requests() {
		if r.Endpoint != "refund" {
			continue
		}
		var rq pay.RefundRequest
		if err := json.Unmarshal(r.Body, &rq); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, rq)
	}
	if len(sent) != 1 {
		t.Fatalf("%d refund requests", len(sent))
	}
	if rq := sent[0]; rq.TradeNo != o.TradeNo || rq.TransactionID != "" {
		t.Errorf("refund sent tradeNo %q and transactionId %q, want tradeNo %q alone", rq.TradeNo, rq.TransactionID, o.TradeNo)
	}

	p, c := newClient(t)
	if _, err := c.Refund(ctx, pay.RefundRequest{RefundTradeNo: "R1", TotalAmt: 1, RefundAmt: 1}); err == nil || p.Calls("refund") != 0 {
		t.Errorf("a refund without tradeNo or transactionId: %v, %d calls", err, p.Calls("refund"))
	}
}
