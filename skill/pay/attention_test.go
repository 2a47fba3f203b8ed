package pay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// attentionLines returns (trade_no, refund_trade_no, reason) of each
// "needs attention" line logged at ERROR.
func attentionLines(t *testing.T, log *bytes.Buffer) [][3]string {
	t.Helper()
	var out [][3]string
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec map[string]any
		if l == "" || json.Unmarshal([]byte(l), &rec) != nil || rec["msg"] != "pay: needs attention" {
			continue
		}
		if rec["level"] != "ERROR" {
			t.Errorf("attention logged at %v", rec["level"])
		}
		out = append(out, [3]string{rec["trade_no"].(string), rec["refund_trade_no"].(string), rec["reason"].(string)})
	}
	log.Reset()
	return out
}

// What the reconciler cannot settle is listed and logged at ERROR on every
// pass, one line per item, instead of being decided: an answer that
// disagrees with our records at once, answers not acted on once they pile
// up, an order unpaid well past its window, a refund PROCESSING too long.
func TestReconcileAttention(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var log bytes.Buffer
		rec := &pay.Reconciler{Service: e.svc, PaymentWindow: 2 * time.Hour, AttentionFails: 3,
			Logger: slog.New(slog.NewJSONHandler(&log, nil))}
		processing := e.create(t, "u1", line("album", 1, 500)) // the platform says PROCESSING for ever
		e.plat.ScriptTradeStatus(processing, pay.TradeProcessing)
		weird := e.create(t, "u2", line("album", 1, 500)) // later, a status the pay document does not know
		e.plat.ScriptTradeStatus(weird, pay.TradeProcessing)
		other := e.create(t, "u3", line("credits", 3, 300)) // paid, for another amount
		e.plat.Pay(other, 299)
		bought := e.buy(t, "u4", line("album", 1, 500)) // its refund stays PROCESSING
		if _, err := e.svc.Refund(ctx, bought.TradeNo, 0, ""); err != nil {
			t.Fatal(err)
		}
		rno := pay.RefundTradeNo(bought.TradeNo, 1)
		e.plat.ScriptRefundStatus(rno, slices.Repeat([]shop.RefundStatus{shop.RefundProcessing}, 100)...)

		type want = [3]string
		pass := func(at time.Duration, wants ...want) {
			t.Helper()
			e.clock.Advance(at)
			rep, err := rec.RunOnce(ctx)
			if err != nil || rep.Attention != len(wants) {
				t.Fatalf("RunOnce = %+v, %v; want %d for attention", rep, err, len(wants))
			}
			if got := attentionLines(t, &log); !slices.Equal(wants, got) {
				t.Errorf("logged at %v:\n got %v\nwant %v", e.clock.Now(), got, wants)
			}
			items, err := rec.Attention(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, it := range items {
				got = append(got, want{it.TradeNo, it.RefundTradeNo, it.Reason})
			}
			if !slices.Equal(wants, got) {
				t.Errorf("Attention:\n got %v\nwant %v", got, wants)
			}
		}
		mismatch := want{other, "", pay.AttentionMismatch}
		pass(3*time.Minute, mismatch)
		e.plat.ScriptTradeStatus(weird, "WEIRD")
		pass(time.Minute, mismatch)
		pass(time.Minute, mismatch)
		pass(time.Minute, mismatch, want{weird, "", pay.AttentionQueryFails}) // the third in a row
		// Two hours past the window (one of grace), the PROCESSING order is listed too.
		pass(4*time.Hour, mismatch, want{weird, "", pay.AttentionQueryFails}, want{processing, "", pay.AttentionUnpaid})
		// Three days on, the refund too; oldest first (since when each has been so).
		pass(3*24*time.Hour, want{bought.TradeNo, rno, pay.AttentionRefund}, mismatch,
			want{weird, "", pay.AttentionQueryFails}, want{processing, "", pay.AttentionUnpaid})
		// Nothing of it was decided: still CREATED, still REFUNDING.
		for _, no := range []string{processing, weird, other} {
			if o := e.order(t, no); o.State != shop.StateCreated {
				t.Errorf("%s: %s", no, o.State)
			}
		}
		if o := e.order(t, bought.TradeNo); o.State != shop.StateRefunding {
			t.Errorf("refunding order: %s", o.State)
		}
		items, _ := rec.Attention(ctx)
		if it := items[1]; it.UserID != "u3" || it.Amount != 300 || !strings.Contains(it.Detail, "totalAmt 299") {
			t.Errorf("mismatch item = %+v", it)
		}
	})
}

// TestMismatchOutlastsFails: the platform said an order was paid, with
// another amount; later answers that do not come (retCode FAIL) neither
// hide that from the attention list nor close the order as unpaid (one
// busy FAIL did both).
func TestMismatchOutlastsFails(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := &pay.Reconciler{Service: e.svc, PaymentWindow: 2 * time.Hour, CloseAfterFails: 2, Logger: quietLogger()}
	other := e.create(t, "u3", line("credits", 3, 300))
	e.plat.Pay(other, 299)
	e.clock.Advance(3 * time.Minute)
	if _, err := rec.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Hour) // past the window
	for range 5 {
		e.plat.RefuseNext("orderquery", 1) // retCode FAIL: no answer
		e.clock.Advance(30 * time.Minute)
		if _, err := rec.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if o := e.order(t, other); o.State != shop.StateCreated {
		t.Errorf("an order the platform said was paid was %s", o.State)
	}
	items, err := rec.Attention(ctx)
	if err != nil || len(items) != 1 || items[0].Reason != pay.AttentionMismatch {
		t.Errorf("attention = %+v, %v; want the mismatch", items, err)
	}
}
