package pay_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func TestRefundSettledByRefundQuery(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	got, err := e.svc.Refund(ctx, o.TradeNo, 0, "不想要了")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != shop.StateRefunding || len(got.Refunds) != 1 {
		t.Fatalf("after Refund: %s %+v", got.State, got.Refunds)
	}
	r := got.Refunds[0]
	if r.RefundTradeNo != pay.RefundTradeNo(o.TradeNo, 1) || r.Status != shop.RefundProcessing || r.RefundTransactionID == "" || r.Amount != 500 {
		t.Errorf("refund = %+v", r)
	}
	rep, err := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx)
	if err != nil || rep.RefundsSettled != 1 {
		t.Fatalf("RunOnce = %+v, %v", rep, err)
	}
	if o := e.order(t, o.TradeNo); o.State != shop.StateRefunded || o.RefundedAmt != 500 {
		t.Errorf("after reconcile: %s refunded %d", o.State, o.RefundedAmt)
	}
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "album"); owns {
		t.Error("still owns a refunded album")
	}
	if e.plat.RefundedAmt(o.TradeNo) != 500 {
		t.Errorf("platform refunded %d", e.plat.RefundedAmt(o.TradeNo))
	}
}

func TestRefundPartialThenRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("credits", 5, 500))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 200, ""); err != nil {
		t.Fatal(err)
	}
	// A second refund while one is pending is refused.
	if _, err := e.svc.Refund(ctx, o.TradeNo, 100, ""); shop.ErrorClass(err) != shop.EINVALID {
		t.Errorf("refund while refunding: %v", err)
	}
	rn := tsktest.MustRefundNotify(t, e.plat.Platform, pay.RefundTradeNo(o.TradeNo, 1))
	e.plat.Settle(rn.RefundTradeNo, shop.RefundSuccess)
	rn = tsktest.MustRefundNotify(t, e.plat.Platform, rn.RefundTradeNo)
	for range 3 { // idempotent
		if r := e.svc.RefundNotify(ctx, rn); !r.OK() {
			t.Fatalf("RefundNotify = %+v", r)
		}
	}
	got := e.order(t, o.TradeNo)
	if got.State != shop.StatePartiallyRefunded || got.RefundedAmt != 200 {
		t.Fatalf("after partial: %s %d", got.State, got.RefundedAmt)
	}
	ents, _ := e.svc.Entitlements(ctx, "u1")
	if len(ents) != 1 || ents[0].Quantity != 3 {
		t.Errorf("entitlements after refunding 2 of 5: %+v", ents)
	}
	// Above what is left: refused, nothing changes.
	before := e.ledger(t)
	if _, err := e.svc.Refund(ctx, o.TradeNo, 301, ""); shop.ErrorClass(err) != shop.EINVALID {
		t.Errorf("refund above what is left: %v", err)
	}
	if e.ledger(t) != before {
		t.Error("ledger changed")
	}
	got, err := e.svc.Refund(ctx, o.TradeNo, 0, "")
	if err != nil || got.Refunds[1].Amount != 300 || got.Refunds[1].RefundTradeNo != pay.RefundTradeNo(o.TradeNo, 2) {
		t.Fatalf("refund the rest: %+v, %v", got.Refunds, err)
	}
	if _, err := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunded || got.RefundedAmt != 500 {
		t.Errorf("after all: %s %d", got.State, got.RefundedAmt)
	}
	if e.plat.RefundedAmt(o.TradeNo) != 500 {
		t.Errorf("platform refunded %d", e.plat.RefundedAmt(o.TradeNo))
	}
}

// TestRefundWholeUnits: part of a line is refunded as whole units of it,
// each paid back in full. An amount between units is refused, saying what
// can be refunded, and changes nothing (it took back two coins for 1.5元,
// and an episode for 0.5元, leaving the rest unrefundable).
func TestRefundWholeUnits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ep := e.buy(t, "u1", line("album", 1, 500))
	coins := e.buy(t, "u1", line("credits", 3, 300))
	before := e.ledger(t)
	for _, c := range []struct {
		tradeNo string
		amount  shop.Fen
		says    string
	}{
		{ep.TradeNo, 50, "每件5元，可退5元"},
		{coins.TradeNo, 150, "每件1元，可退1元、2元或3元"},
		{coins.TradeNo, 1, ""}, // 1 fen
	} {
		_, err := e.svc.Refund(ctx, c.tradeNo, c.amount, "")
		if shop.ErrorClass(err) != shop.EINVALID || !strings.Contains(err.Error(), "整件") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Refund(%d of %s) = %v; want refused, saying %q", c.amount, c.tradeNo, err, c.says)
		}
	}
	if e.ledger(t) != before {
		t.Fatal("a refused refund changed the ledger")
	}
	got, err := e.svc.Refund(ctx, coins.TradeNo, 100, "")
	if err != nil || got.Refunds[0].Details[0].Quantity != 1 {
		t.Fatalf("refund of one coin: %+v, %v", got.Refunds, err)
	}
	if _, err := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = e.svc.Refund(ctx, coins.TradeNo, 0, "") // the rest: two coins, 2元
	if err != nil || got.Refunds[1].Amount != 200 || got.Refunds[1].Details[0].Quantity != 2 {
		t.Fatalf("refund of the rest: %+v, %v", got.Refunds, err)
	}
}

// TestRefundSuccessAfterFail: the platform refused a refund when asked,
// then refunded it after all and says so: the books follow (the notify
// was refused as refund_already_final, the order kept as not refunded, a
// failed duplicate refund listed for a person forever).
func TestRefundSuccessAfterFail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("credits", 3, 300))
	e.plat.RefuseNext("refund", 1)
	if _, err := e.svc.Refund(ctx, o.TradeNo, 100, ""); shop.ErrorCode(err) != pay.ERefundRefused {
		t.Fatalf("refused refund: %v", err)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateDelivered || got.Refunds[0].Status != shop.RefundFail {
		t.Fatalf("after the refusal: %s %+v", got.State, got.Refunds)
	}
	n := pay.RefundNotifyRequest{SkillID: tsktest.SkillID, TransactionID: o.TransactionID, TradeNo: o.TradeNo,
		RefundTransactionID: "RTX1", RefundTradeNo: pay.RefundTradeNo(o.TradeNo, 1), TotalAmt: 300, RefundAmt: 100,
		RefundStatus: shop.RefundSuccess, NonceStr: "n1"}
	for range 2 { // a repeat changes nothing
		if r := e.svc.RefundNotify(ctx, n); !r.OK() {
			t.Fatalf("SUCCESS after FAIL = %+v", r)
		}
	}
	got := e.order(t, o.TradeNo)
	if got.State != shop.StatePartiallyRefunded || got.RefundedAmt != 100 || got.Refunds[0].Status != shop.RefundSuccess {
		t.Fatalf("after SUCCESS: %s refunded %d, %+v", got.State, got.RefundedAmt, got.Refunds)
	}
	if ents, _ := e.svc.Entitlements(ctx, "u1"); len(ents) != 1 || ents[0].Quantity != 2 {
		t.Errorf("entitlements: %+v; want 2 coins", ents)
	}

	// Units used since the refusal cannot be taken back, but the money went
	// back: the books follow it (a person is told, at ERROR).
	o = e.buy(t, "u2", line("credits", 3, 300))
	e.plat.RefuseNext("refund", 1)
	if _, err := e.svc.Refund(ctx, o.TradeNo, 100, ""); shop.ErrorCode(err) != pay.ERefundRefused {
		t.Fatalf("refused refund: %v", err)
	}
	for range 3 {
		if err := e.svc.Ledger.Use(ctx, "u2", "credits"); err != nil {
			t.Fatal(err)
		}
	}
	n.TradeNo, n.TransactionID, n.RefundTradeNo = o.TradeNo, o.TransactionID, pay.RefundTradeNo(o.TradeNo, 1)
	if r := e.svc.RefundNotify(ctx, n); !r.OK() {
		t.Errorf("SUCCESS after FAIL, all used since = %+v; want SUCCESS", r)
	}
	if got := e.order(t, o.TradeNo); got.RefundedAmt != 100 || got.State != shop.StatePartiallyRefunded {
		t.Errorf("after the late SUCCESS: %s refunded %d", got.State, got.RefundedAmt)
	}
	if ents, _ := e.svc.Entitlements(ctx, "u2"); len(ents) != 1 || ents[0].Quantity != 0 {
		t.Errorf("entitlements: %+v; want none left", ents)
	}
}

func TestRefundPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ep := e.buy(t, "u1", line("ep1", 1, 990))
	vip := e.buy(t, "u1", line("vip", 1, 1500))
	unpaid := e.order(t, e.create(t, "u1", line("credits", 1, 100)))
	now := e.clock.Now()
	tests := []struct {
		name  string
		order shop.Order
		at    time.Time
		msg   string
	}{
		{"allowed", ep, now, ""},
		{"not refundable", vip, now, "这个商品不支持退款"},
		{"too late", ep, now.Add(8 * 24 * time.Hour), "已超过7天退款期限"},
		{"unpaid", unpaid, now, "这笔订单还没有付款成功，不能退款"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.refundPolicy(tc.order, tc.at)
			if tc.msg == "" {
				if err != nil {
					t.Errorf("RefundPolicy = %v, want nil", err)
				}
				return
			}
			if shop.ErrorClass(err) != shop.EINVALID || shop.ErrorMessage(err) != tc.msg {
				t.Errorf("RefundPolicy = %v, want EINVALID %q", err, tc.msg)
			}
		})
	}
	// Once played, an unused_only product cannot be refunded.
	if err := e.svc.Ledger.Use(ctx, "u1", "ep1"); err != nil {
		t.Fatal(err)
	}
	before := e.ledger(t)
	_, err := e.svc.Refund(ctx, ep.TradeNo, 0, "")
	if shop.ErrorMessage(err) != "已经使用过的商品不能退款" {
		t.Errorf("refund after use: %v", err)
	}
	if e.ledger(t) != before || e.plat.Calls("refund") != 0 {
		t.Error("refused refund changed something")
	}
}

func TestRefundPlatformRefuses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The ledger says delivered but the platform never saw the payment,
	// so it refuses the refund.
	no := e.create(t, "u2", line("album", 1, 500))
	if _, err := e.store.UpdateOrder(ctx, no, func(o *shop.Order) error {
		return o.Deliver("FAKE", 500, "test", e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Refund(ctx, no, 0, "")
	var perr *pay.PlatformError
	if shop.ErrorClass(err) != shop.ECONFLICT || !errors.As(err, &perr) {
		t.Fatalf("Refund = %v, want ECONFLICT wrapping *PlatformError", err)
	}
	if got.State != shop.StateDelivered || got.Refunds[0].Status != shop.RefundFail {
		t.Errorf("after refusal: %s %+v", got.State, got.Refunds)
	}
}

func TestRefundPlatformDownResentSameNumber(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	e.plat.Down()
	got, err := e.svc.Refund(ctx, o.TradeNo, 0, "")
	if err != nil || got.State != shop.StateRefunding || got.Refunds[0].RefundTransactionID != "" {
		t.Fatalf("Refund while down: %s %+v %v", got.State, got.Refunds, err)
	}
	rec := &pay.Reconciler{Service: e.svc}
	rep, _ := rec.RunOnce(ctx) // still down
	if rep.Errors != 1 || rep.RefundsSettled != 0 {
		t.Errorf("down: %+v", rep)
	}
	e.plat.Up()
	// Unknown to the platform, but young: its first send may still be on
	// its way, and is not sent again yet (a copy accepted while the first
	// was refused was recorded FAIL, the money gone back).
	if rep, _ = rec.RunOnce(ctx); rep.RefundsResent != 0 {
		t.Errorf("a young refund sent again: %+v", rep)
	}
	e.clock.Advance(pay.DefaultReconcileDelay)
	rep, _ = rec.RunOnce(ctx) // unknown to the platform: resent
	if rep.RefundsResent != 1 {
		t.Errorf("up: %+v", rep)
	}
	rep, _ = rec.RunOnce(ctx) // settled
	if rep.RefundsSettled != 1 {
		t.Errorf("settle: %+v", rep)
	}
	for range 2 {
		rec.RunOnce(ctx)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunded || got.RefundedAmt != 500 {
		t.Errorf("order %s refunded %d", got.State, got.RefundedAmt)
	}
	if n, amt := e.plat.Refunds(o.TradeNo), e.plat.RefundedAmt(o.TradeNo); n != 1 || amt != 500 {
		t.Errorf("platform: %d refunds, %d refunded", n, amt)
	}
	for _, r := range e.plat.Requests() {
		if r.Endpoint == "refund" && !strings.Contains(string(r.Body), pay.RefundTradeNo(o.TradeNo, 1)) {
			t.Errorf("refund sent with another number: %s", r.Body)
		}
	}
}

func TestRefundNotifyRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("credits", 3, 300))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 100, ""); err != nil {
		t.Fatal(err)
	}
	good := tsktest.MustRefundNotify(t, e.plat.Platform, pay.RefundTradeNo(o.TradeNo, 1))
	good.RefundStatus = shop.RefundSuccess
	mod := func(f func(*pay.RefundNotifyRequest)) pay.RefundNotifyRequest {
		r := good
		f(&r)
		return r
	}
	tests := []struct {
		name string
		req  pay.RefundNotifyRequest
		msg  string
	}{
		{"unknown refund", mod(func(r *pay.RefundNotifyRequest) { r.RefundTradeNo = "RNOPE01" }), "unknown_refund"},
		{"unknown order", mod(func(r *pay.RefundNotifyRequest) { r.TradeNo = "TNOPE" }), "unknown_trade_no"},
		{"refund amount differs", mod(func(r *pay.RefundNotifyRequest) { r.RefundAmt = 300 }), "refund_amt_mismatch"},
		{"total differs", mod(func(r *pay.RefundNotifyRequest) { r.TotalAmt = 301 }), "total_mismatch"},
		{"bad status", mod(func(r *pay.RefundNotifyRequest) { r.RefundStatus = "DONE" }), "bad_refund_status"},
		{"wrong_skill_id", mod(func(r *pay.RefundNotifyRequest) { r.SkillID = "x" }), "wrong_skill_id"},
		{"other refundTransactionId", mod(func(r *pay.RefundNotifyRequest) { r.RefundTransactionID = "RFOTHER" }), "refund_id_mismatch"},
		{"nonceStr too long", mod(func(r *pay.RefundNotifyRequest) { r.NonceStr = strings.Repeat("n", 33) }), "bad_nonce"},
		{"nonceStr missing", mod(func(r *pay.RefundNotifyRequest) { r.NonceStr = "" }), "bad_nonce"},
		{"transactionId missing", mod(func(r *pay.RefundNotifyRequest) { r.TransactionID = "" }), "bad_transaction_id"},
		{"another transactionId", mod(func(r *pay.RefundNotifyRequest) { r.TransactionID = "SOMEONEELSES" }), "transaction_mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.ledger(t)
			if r := e.svc.RefundNotify(ctx, tc.req); r.RetCode != pay.RetFail || r.RetMsg != tc.msg {
				t.Errorf("RefundNotify = %+v, want FAIL %q", r, tc.msg)
			}
			if e.ledger(t) != before {
				t.Error("ledger changed")
			}
		})
	}
	if r := e.svc.RefundNotify(ctx, good); !r.OK() {
		t.Fatalf("good: %+v", r)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StatePartiallyRefunded || got.RefundedAmt != 100 {
		t.Errorf("after notify: %s %d", got.State, got.RefundedAmt)
	}
	// The opposite word afterwards is refused.
	if r := e.svc.RefundNotify(ctx, mod(func(r *pay.RefundNotifyRequest) { r.RefundStatus = shop.RefundFail })); r.OK() {
		t.Errorf("FAIL after SUCCESS accepted: %+v", r)
	}
}

// TestRefundUnusedCredits: with refund.unused_only, the unused credits of a
// consumable stay refundable after some were used; the used ones never are.
func TestRefundUnusedCredits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.svc.Ledger.Catalog.Products = append(e.svc.Ledger.Catalog.Products, shop.Product{ID: "tokens", Name: "代币", Price: 100,
		Kind: shop.KindConsumable, Refund: shop.RefundPolicy{Allowed: true, UnusedOnly: true}})
	o := e.buy(t, "u1", line("tokens", 3, 300))
	if err := e.svc.Ledger.Use(ctx, "u1", "tokens"); err != nil {
		t.Fatal(err)
	}
	o = e.order(t, o.TradeNo)
	lines, total, err := shop.Refundable(o, e.svc.Ledger.Catalog, e.clock.Now())
	if err != nil || total != 200 || len(lines) != 1 || lines[0] != line("tokens", 2, 200) {
		t.Fatalf("Refundable = %v, %d, %v; want 2 tokens for 200", lines, total, err)
	}
	before := e.ledger(t)
	if _, err := e.svc.Refund(ctx, o.TradeNo, 300, "all of it"); shop.ErrorClass(err) != shop.EINVALID {
		t.Fatalf("refund of the used credit too: %v", err)
	}
	if after := e.ledger(t); after != before {
		t.Fatal("a refused refund changed the ledger")
	}
	o, err = e.svc.Refund(ctx, o.TradeNo, 0, "unused")
	if err != nil {
		t.Fatal(err)
	}
	if r := o.Refunds[0]; r.Amount != 200 || len(r.Details) != 1 || r.Details[0] != line("tokens", 2, 200) {
		t.Fatalf("refund = %+v, want the 2 unused tokens", r)
	}
	e.plat.Settle(o.Refunds[0].RefundTradeNo, shop.RefundSuccess)
	if _, err := (&pay.Reconciler{Service: e.svc, Delay: -1}).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	o = e.order(t, o.TradeNo)
	if o.State != shop.StatePartiallyRefunded || o.RefundedAmt != 200 {
		t.Fatalf("after settling: %s, refunded %d", o.State, o.RefundedAmt)
	}
	// Nothing unused is left: the message says what became of the three.
	if err := e.refundPolicy(o, e.clock.Now()); shop.ErrorCode(err) != shop.EAlreadyUsed || shop.ErrorMessage(err) != "没用过的2个已经退款，其余1个已经用掉了" {
		t.Fatalf("policy for the used credit: %v", err)
	}
	if err := e.svc.Ledger.Use(ctx, "u1", "tokens"); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Fatalf("using a refunded credit: %v", err)
	}
}

// A refund call that the platform does not answer in time leaves the
// caller's deadline enough room to record the outcome: the refund is stored
// PROCESSING and the caller (a voice turn) hears it started, not an error.
func TestRefundLeavesTimeToRecord(t *testing.T) {
	e := newEnv(t)
	o := e.buy(t, "u1", line("album", 1, 500))
	e.plat.Delay(3 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	got, err := e.svc.Refund(ctx, o.TradeNo, 0, "")
	if err != nil || got.State != shop.StateRefunding || got.Refunds[0].Status != shop.RefundProcessing {
		t.Fatalf("Refund = %s %+v, %v; want REFUNDING, PROCESSING, nil", got.State, got.Refunds, err)
	}
	if ctx.Err() != nil {
		t.Error("the platform call used the whole deadline: nothing left to answer with")
	}
}

// failingUpdate is a real store whose UpdateOrder number n fails, as a
// store that times out once would.
type failingUpdate struct {
	shop.OrderStore
	n, calls int
}

func (s *failingUpdate) UpdateOrder(ctx context.Context, tradeNo string, fn func(*shop.Order) error) (shop.Order, error) {
	if s.calls++; s.calls == s.n {
		return shop.Order{}, errDown
	}
	return s.OrderStore.UpdateOrder(ctx, tradeNo, fn)
}

// A refund the platform accepted is under way even when its acceptance
// could not be recorded: it stays PROCESSING for refundquery to settle, and
// the caller is not told it failed.
func TestRefundAcceptedNotRecorded(t *testing.T) {
	st := &failingUpdate{OrderStore: newEnv(t).store}
	e := newEnvWithStore(t, st)
	ctx := context.Background()
	o := e.buy(t, "u1", line("album", 1, 500))
	st.n = st.calls + 2 // the start of the refund is stored, its acceptance not
	if _, err := e.svc.Refund(ctx, o.TradeNo, 0, ""); err != nil {
		t.Fatalf("Refund = %v; want nil (accepted by the platform)", err)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunding || got.Refunds[0].RefundTransactionID != "" {
		t.Fatalf("stored %s %+v; want REFUNDING without the acceptance", got.State, got.Refunds)
	}
	if n := e.plat.Refunds(o.TradeNo); n != 1 {
		t.Errorf("platform has %d refunds, want 1", n)
	}
	rep, _ := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx)
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunded || rep.RefundsResent != 0 {
		t.Errorf("after a reconciler pass: %s, %+v; want REFUNDED, nothing resent", got.State, rep)
	}
}
