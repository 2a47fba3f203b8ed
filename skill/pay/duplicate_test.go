package pay_test

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// shipNotify sends the ship notify of a paid order and wants SUCCESS.
func (e *env) shipNotify(t *testing.T, user, tradeNo string) {
	t.Helper()
	if r := e.svc.ShipNotify(context.Background(), tsktest.MustShipNotify(t, e.plat.Platform, user, tradeNo)); !r.OK() {
		t.Fatalf("ShipNotify(%s) = %+v, want SUCCESS", tradeNo, r)
	}
}

// refundSucceeds has the platform settle the refund SUCCESS and notify it,
// and wants the notify answered SUCCESS.
func (e *env) refundSucceeds(t *testing.T, refundTradeNo string) {
	t.Helper()
	if err := e.plat.Settle(refundTradeNo, shop.RefundSuccess); err != nil {
		t.Fatal(err)
	}
	if rep := e.svc.RefundNotify(context.Background(), tsktest.MustRefundNotify(t, e.plat.Platform, refundTradeNo)); !rep.OK() {
		t.Fatalf("refund notify: %+v", rep)
	}
}

// net is what the platform took from the user for the orders, less what it
// accepted to give back (a refund counts once the platform accepted it).
func (e *env) net(t *testing.T, tradeNos ...string) shop.Fen {
	t.Helper()
	var sum shop.Fen
	for _, no := range tradeNos {
		o := e.order(t, no)
		if o.PaidAt.IsZero() {
			continue
		}
		sum += o.TotalAmt
		for _, r := range o.Refunds {
			if st := e.plat.RefundStatus(r.RefundTradeNo); st == shop.RefundProcessing || st == shop.RefundSuccess {
				sum -= r.Amount
			}
		}
	}
	return sum
}

// refusedDuplicate pays twice, for u1, an order of one unit of item for
// amt: the second payment is a duplicate whose refund the platform refuses.
func refusedDuplicate(t *testing.T, e *env, item string, amt shop.Fen) (first, second string) {
	t.Helper()
	first = e.create(t, "u1", line(item, 1, amt))
	second = e.create(t, "u1", line(item, 1, amt))
	e.plat.Pay(first, amt)
	e.plat.Pay(second, amt)
	e.shipNotify(t, "u1", first)
	e.plat.RefuseNext("refund", 1)
	e.shipNotify(t, "u1", second)
	return first, second
}

// wantDuplicate checks that dup was refunded in full as a duplicate of
// keeper, its history saying why, and that the user owns the product once.
func wantDuplicate(t *testing.T, e *env, user, product, keeper, dup string) {
	t.Helper()
	o := e.order(t, dup)
	if o.DuplicateOf != keeper {
		t.Errorf("%s: DuplicateOf = %q, want %q", dup, o.DuplicateOf, keeper)
	}
	if o.State != shop.StateRefunding && o.State != shop.StateRefunded {
		t.Errorf("%s: state %s, want REFUNDING or REFUNDED", dup, o.State)
	}
	if len(o.Refunds) != 1 || o.Refunds[0].Amount != o.TotalAmt {
		t.Fatalf("%s: refunds %+v, want one of %d", dup, o.Refunds, o.TotalAmt)
	}
	if e.plat.Refunds(dup) != 1 {
		t.Errorf("%s: the platform accepted %d refunds, want 1", dup, e.plat.Refunds(dup))
	}
	why := "duplicate payment: already owned via " + keeper
	found := false
	for _, h := range o.History {
		found = found || strings.Contains(h.Cause, why)
	}
	if !found {
		t.Errorf("%s: no history entry says %q: %+v", dup, why, o.History)
	}
	ents, err := e.svc.Entitlements(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range ents {
		if en.ProductID == product {
			n++
		}
	}
	if n != 1 {
		t.Errorf("user owns %s %d times: %+v", product, n, ents)
	}
	k := e.order(t, keeper)
	if k.State != shop.StateDelivered || !k.Gives(product) || slices.ContainsFunc(k.Refunds, func(r shop.Refund) bool { return r.Status != shop.RefundFail }) {
		t.Errorf("keeper %s: %s, gives %s %v, refunds %+v; want delivered, refunds only failed ones", keeper, k.State, product, k.Gives(product), k.Refunds)
	}
}

// Issue 9.1: two offers of one episode ordered before either is paid, then
// both paid. The second payment is acknowledged, recorded, never delivered,
// and refunded automatically through the platform.
func TestDuplicatePaymentRefunded(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		first := e.create(t, "u1", line("album", 1, 500))
		second := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(first, 500)
		e.plat.Pay(second, 500)
		e.shipNotify(t, "u1", first)
		e.shipNotify(t, "u1", second)

		wantDuplicate(t, e, "u1", "album", first, second)
		if o := e.order(t, second); o.Deliveries != 0 || o.TransactionID == "" || o.PaidAt.IsZero() {
			t.Errorf("duplicate: %d deliveries, transaction %q, paid at %v; want recorded as paid, not delivered",
				o.Deliveries, o.TransactionID, o.PaidAt)
		}
		if got := e.net(t, first, second); got > 500 {
			t.Errorf("net taken %d fen, want at most the price 500", got)
		}
		// The platform notifies again: SUCCESS, the same refund, no other.
		calls := e.plat.Calls("refund")
		e.shipNotify(t, "u1", second)
		e.shipNotify(t, "u1", first)
		if e.plat.Calls("refund") != calls || e.plat.Refunds(second) != 1 || e.plat.Refunds(first) != 0 {
			t.Errorf("repeat notifies: %d refund calls (want %d), refunds %d/%d",
				e.plat.Calls("refund"), calls, e.plat.Refunds(first), e.plat.Refunds(second))
		}
		// The refund settles as any other.
		r := e.order(t, second).Refunds[0]
		if err := e.plat.Settle(r.RefundTradeNo, shop.RefundSuccess); err != nil {
			t.Fatal(err)
		}
		if rep := e.svc.RefundNotify(context.Background(), tsktest.MustRefundNotify(t, e.plat.Platform, r.RefundTradeNo)); !rep.OK() {
			t.Fatalf("refund notify: %+v", rep)
		}
		if o := e.order(t, second); o.State != shop.StateRefunded || o.RefundedAmt != 500 {
			t.Errorf("after the refund notify: %s, refunded %d", o.State, o.RefundedAmt)
		}
		wantDuplicate(t, e, "u1", "album", first, second)
	})
}

// The duplicate found by an order query (the post-payment check, pay3, the
// reconciler) is refunded the same way as by a ship notify.
func TestDuplicatePaymentFoundByConfirm(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first := e.create(t, "u1", line("album", 1, 500))
		second := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(first, 500)
		e.plat.Pay(second, 500)
		if o, err := e.svc.Confirm(ctx, first); err != nil || o.State != shop.StateDelivered {
			t.Fatalf("Confirm(first) = %s, %v", o.State, err)
		}
		if _, err := e.svc.Confirm(ctx, second); err != nil {
			t.Fatalf("Confirm(second): %v", err)
		}
		wantDuplicate(t, e, "u1", "album", first, second)
		// The late ship notifies change nothing.
		e.shipNotify(t, "u1", second)
		e.shipNotify(t, "u1", first)
		wantDuplicate(t, e, "u1", "album", first, second)
	})
}

// When the refund call does not get through, the notify is still
// acknowledged and the reconciler's refund retry settles it with the same
// refundTradeNo.
func TestDuplicateRefundRetriedByReconciler(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first := e.create(t, "u1", line("album", 1, 500))
		second := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(first, 500)
		e.plat.Pay(second, 500)
		e.shipNotify(t, "u1", first)
		e.plat.FailNext(100)
		e.shipNotify(t, "u1", second)
		e.plat.FailNext(0)
		o := e.order(t, second)
		if o.State != shop.StateRefunding || len(o.Refunds) != 1 || o.Refunds[0].Status != shop.RefundProcessing {
			t.Fatalf("after a failed refund call: %s, %+v", o.State, o.Refunds)
		}
		if e.plat.Refunds(second) != 0 {
			t.Fatalf("the platform has a refund it never accepted")
		}
		no := o.Refunds[0].RefundTradeNo
		rec := &pay.Reconciler{Service: e.svc}
		e.clock.Advance(pay.DefaultReconcileDelay) // past its first send, which may be on its way
		if _, err := rec.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if e.plat.RefundStatus(no) == "" {
			t.Fatalf("the reconciler did not send refund %s", no)
		}
		wantDuplicate(t, e, "u1", "album", first, second)
	})
}

// albumTwice has u1 buy the album, then the album with 2 credits, and
// both paid and shipped: the second order's album line is a duplicate.
func albumTwice(t *testing.T, e *env) (first, mixed string) {
	t.Helper()
	first = e.create(t, "u1", line("album", 1, 500))
	mixed = e.create(t, "u1", line("album", 1, 500), line("credits", 2, 200))
	e.plat.Pay(first, 500)
	e.plat.Pay(mixed, 700)
	e.shipNotify(t, "u1", first)
	e.shipNotify(t, "u1", mixed)
	return first, mixed
}

// An order whose one-time line is owned but whose other lines are not is
// delivered, and only the owned line is refunded.
func TestDuplicateLineRefundedAlone(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		first, mixed := albumTwice(t, e)
		o := e.order(t, mixed)
		if o.State != shop.StateRefunding || o.Deliveries != 1 || o.DuplicateOf != first {
			t.Fatalf("mixed order: %s, %d deliveries, duplicate of %q", o.State, o.Deliveries, o.DuplicateOf)
		}
		if len(o.Refunds) != 1 || o.Refunds[0].Amount != 500 || len(o.Refunds[0].Details) != 1 || o.Refunds[0].Details[0].ItemID != "album" {
			t.Fatalf("mixed order refunds: %+v", o.Refunds)
		}
		ents, _ := e.svc.Entitlements(context.Background(), "u1")
		credits := int64(0)
		for _, en := range ents {
			if en.ProductID == "credits" {
				credits = en.Quantity
			}
		}
		if credits != 2 {
			t.Errorf("credits = %d, want 2: %+v", credits, ents)
		}
	})
}

// Two payments of one episode notified at the same moment, many times
// over: each user ends up owning it once and paying for it once.
func TestDuplicatePaymentsConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		const users = 8
		var wg sync.WaitGroup
		pairs := make([][2]string, users)
		for i := range users {
			user := "race" + string(rune('a'+i))
			a := e.create(t, user, line("ep1", 1, 990))
			b := e.create(t, user, line("ep1", 1, 990))
			e.plat.Pay(a, 990)
			e.plat.Pay(b, 990)
			pairs[i] = [2]string{a, b}
			for _, no := range []string{a, b, a, b} {
				req := tsktest.MustShipNotify(t, e.plat.Platform, user, no)
				wg.Add(1)
				go func() {
					defer wg.Done()
					if r := e.svc.ShipNotify(context.Background(), req); !r.OK() {
						t.Errorf("%s: %+v", no, r)
					}
				}()
			}
		}
		wg.Wait()
		for i, p := range pairs {
			user := "race" + string(rune('a'+i))
			if got := e.net(t, p[0], p[1]); got != 990 {
				t.Errorf("%s: net taken %d fen, want 990", user, got)
			}
			if owns, err := e.svc.Ledger.Owns(context.Background(), user, "ep1"); err != nil || !owns {
				t.Errorf("%s: owns = %v, %v", user, owns, err)
			}
		}
	})
}

// A duplicate whose refund the platform refuses stays PAID (never
// delivered), the notify still answered SUCCESS, and is listed for a
// person: the user paid twice.
func TestDuplicateRefundRefusedNeedsAttention(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first, second := refusedDuplicate(t, e, "album", 500)
		o := e.order(t, second)
		if o.State != shop.StatePaid || o.Deliveries != 0 || o.DuplicateOf != first ||
			len(o.Refunds) != 1 || o.Refunds[0].Status != shop.RefundFail {
			t.Fatalf("after a refused refund: %s, %d deliveries, duplicate of %q, refunds %+v", o.State, o.Deliveries, o.DuplicateOf, o.Refunds)
		}
		items, err := (&pay.Reconciler{Service: e.svc}).Attention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].TradeNo != second || items[0].Reason != pay.AttentionDuplicate || items[0].Amount != 500 {
			t.Errorf("attention: %+v", items)
		}
		// A repeat of the notify neither delivers it nor refunds it again.
		e.shipNotify(t, "u1", second)
		if o := e.order(t, second); o.State != shop.StatePaid || len(o.Refunds) != 1 {
			t.Errorf("after a repeat: %s, refunds %+v", o.State, o.Refunds)
		}
	})
}

// The duplicate payment the attention list asks a person to refund is
// refunded by `skill refund TRADENO` (Service.Refund) whatever the refund
// policy says: here it was never delivered (PAID) and its product's refund
// window is over. Only what is owed may be asked for; a refusal leaves it
// listed; once refunded the user has paid once.
func TestDuplicateRefundedByHand(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first, second := refusedDuplicate(t, e, "ep1", 990)
		e.clock.Advance(8 * 24 * time.Hour) // past ep1's 7-day refund window
		rec := &pay.Reconciler{Service: e.svc}
		listed := func() bool {
			t.Helper()
			items, err := rec.Attention(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(items) == 1 && items[0].TradeNo == second && strings.Contains(items[0].Detail, "skill refund "+second)
		}
		if !listed() {
			t.Fatal("the refused duplicate is not listed with the command that refunds it")
		}

		if _, err := e.svc.Refund(ctx, second, 300, ""); shop.ErrorCode(err) != shop.EBadRefundAmount {
			t.Fatalf("refund of part of a duplicate: %v, want %s", err, shop.EBadRefundAmount)
		}
		if o := e.order(t, second); o.State != shop.StatePaid || len(o.Refunds) != 1 {
			t.Fatalf("a refused request changed the order: %s, refunds %+v", o.State, o.Refunds)
		}
		e.plat.RefuseNext("refund", 1)
		if _, err := e.svc.Refund(ctx, second, 0, ""); shop.ErrorCode(err) != pay.ERefundRefused {
			t.Fatalf("refund by hand refused by the platform: %v, want %s", err, pay.ERefundRefused)
		}
		if !listed() {
			t.Fatal("a duplicate whose refund by hand was refused is no longer listed")
		}

		o, err := e.svc.Refund(ctx, second, 990, "by hand")
		if err != nil {
			t.Fatalf("refund by hand: %v", err)
		}
		r := o.Refunds[len(o.Refunds)-1]
		if o.State != shop.StateRefunding || r.Amount != 990 || r.Reason != shop.DuplicateReason || r.Details[0].ItemID != "ep1" {
			t.Fatalf("refund by hand: %s, %+v", o.State, r)
		}
		e.refundSucceeds(t, r.RefundTradeNo)
		if o := e.order(t, second); o.State != shop.StateRefunded {
			t.Errorf("after the refund by hand: %s", o.State)
		}
		if listed() {
			t.Error("still listed after the refund by hand")
		}
		if net := e.net(t, first, second); net != 990 {
			t.Errorf("net %d, want 990: the user pays once", net)
		}
		if o := e.order(t, first); o.State != shop.StateDelivered || len(o.Refunds) != 0 {
			t.Errorf("the kept order changed: %s, refunds %+v", o.State, o.Refunds)
		}
		if _, err := e.svc.Refund(ctx, second, 0, ""); shop.ErrorCode(err) != shop.EFullyRefunded {
			t.Errorf("a second refund by hand: %v, want %s", err, shop.EFullyRefunded)
		}
	})
}

// A duplicate line of a delivered order whose refund the platform fails
// (refund notify FAIL) is never silent: the order, DELIVERED again, is
// logged at ERROR and listed for attention with the refund that failed,
// nothing sends that refund again by itself, and it stays listed until a
// person refunds the line.
func TestDuplicateLineRefundFailedNeedsAttention(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var log bytes.Buffer
		e.svc.Logger = slog.New(slog.NewJSONHandler(&log, nil))
		first, mixed := albumTwice(t, e)
		n, err := e.plat.SettleNext(mixed, shop.RefundFail)
		if err != nil {
			t.Fatal(err)
		}
		if r := e.svc.RefundNotify(ctx, n); !r.OK() {
			t.Fatal(r)
		}
		if !strings.Contains(log.String(), `"level":"ERROR","msg":"pay: refund of a duplicate payment failed`) {
			t.Errorf("the failed refund was not logged at ERROR:\n%s", log.String())
		}
		calls := e.plat.Calls("refund")
		e.shipNotify(t, "u1", mixed)
		e.shipNotify(t, "u1", first)
		rec := &pay.Reconciler{Service: e.svc}
		if _, err := rec.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.plat.Calls("refund"); got != calls {
			t.Errorf("%d refund calls after the FAIL, want none: a failed refund is a person's to retry", got-calls)
		}
		o := e.order(t, mixed)
		if o.State != shop.StateDelivered || o.DuplicateOf != first {
			t.Fatalf("mixed order: %s, duplicate of %q", o.State, o.DuplicateOf)
		}
		items, err := rec.Attention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := pay.Attention{TradeNo: mixed, RefundTradeNo: n.RefundTradeNo, UserID: "u1", State: shop.StateDelivered,
			Amount: 500, Reason: pay.AttentionDuplicate}
		if len(items) != 1 {
			t.Fatalf("attention: %+v, want one duplicate", items)
		}
		got := items[0]
		got.Since, got.Detail = time.Time{}, ""
		if got != want || !strings.Contains(items[0].Detail, first) {
			t.Errorf("attention:\n got %+v\nwant %+v, detail naming %s", items[0], want, first)
		}
		if net := e.net(t, first, mixed); net != 1200 {
			t.Fatalf("net %d before the refund by hand, want 1200", net)
		}
		// A person refunds the line: the order leaves the list.
		if _, err := e.svc.Refund(ctx, mixed, 500, "duplicate, refunded by hand"); err != nil {
			t.Fatal(err)
		}
		r := e.order(t, mixed).Refunds[1]
		if r.Details[0].ItemID != "album" {
			t.Fatalf("refund by hand: %+v", r)
		}
		e.refundSucceeds(t, r.RefundTradeNo)
		if items, err := rec.Attention(ctx); err != nil || len(items) != 0 {
			t.Errorf("attention after the refund by hand: %+v, %v", items, err)
		}
		if net := e.net(t, first, mixed); net != 700 {
			t.Errorf("net %d, want 700", net)
		}
	})
}

// Account linking moves a platform user's orders to the account: an album
// bought under both (an older offer paid after the linked purchase), each
// delivered, is settled as a payment race is once the orders have moved.
// The first delivered is kept, the other refunded in full, once.
func TestDuplicateAcrossLinkRefunded(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := shop.AccountOwner("acc1")
		older := e.create(t, "u1", line("album", 1, 500)) // before linking
		linked := e.create(t, owner, line("album", 1, 500))
		e.plat.Pay(linked, 500)
		e.shipNotify(t, owner, linked)
		e.clock.Advance(time.Minute)
		e.plat.Pay(older, 500)
		e.shipNotify(t, "u1", older) // u1 owns nothing: delivered
		if moved, err := e.store.(shop.LinkStore).MoveOrders(ctx, "u1", owner, e.clock.Now()); err != nil || moved != 1 {
			t.Fatalf("MoveOrders = %d, %v", moved, err)
		}
		if err := e.svc.SettleMoved(ctx, owner); err != nil {
			t.Fatal(err)
		}
		wantDuplicate(t, e, owner, "album", linked, older)
		if got := e.net(t, linked, older); got != 500 {
			t.Errorf("net taken %d fen, want 500", got)
		}
		calls := e.plat.Calls("refund")
		if err := e.svc.SettleMoved(ctx, owner); err != nil || e.plat.Calls("refund") != calls {
			t.Errorf("settling again: %v, %d more refund calls", err, e.plat.Calls("refund")-calls)
		}
	})
}

// A one-time product paid again while the user's refund of the first
// order is under way is delivered (the first gives it no longer); when
// that refund then fails, the first order gives it again and the second
// is a duplicate, refunded (both stayed delivered: paid twice, nothing
// listed).
func TestDuplicateAfterAFailedRefund(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		later := e.create(t, "u1", line("album", 1, 500)) // an older pay page, paid at the end
		first := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(first, 500)
		e.shipNotify(t, "u1", first)
		if _, err := e.svc.Refund(ctx, first, 0, "用户语音申请退款"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		e.plat.Pay(later, 500)
		e.shipNotify(t, "u1", later)
		if o := e.order(t, later); o.State != shop.StateDelivered || o.DuplicateOf != "" {
			t.Fatalf("later order: %s, duplicate of %q; want delivered (the first is being refunded)", o.State, o.DuplicateOf)
		}
		rno := pay.RefundTradeNo(first, 1)
		if err := e.plat.Settle(rno, shop.RefundFail); err != nil {
			t.Fatal(err)
		}
		if rep := e.svc.RefundNotify(ctx, tsktest.MustRefundNotify(t, e.plat.Platform, rno)); !rep.OK() {
			t.Fatalf("refund notify: %+v", rep)
		}
		wantDuplicate(t, e, "u1", "album", first, later)
		if got := e.net(t, first, later); got != 500 {
			t.Errorf("net taken %d fen, want 500", got)
		}
		calls := e.plat.Calls("refund")
		if rep := e.svc.RefundNotify(ctx, tsktest.MustRefundNotify(t, e.plat.Platform, rno)); !rep.OK() || e.plat.Calls("refund") != calls {
			t.Errorf("the FAIL reported again: %+v, %d more refund calls", rep, e.plat.Calls("refund")-calls)
		}
	})
}

// The same when the refund's FAIL comes from the reconciler's refund query:
// the later order is refunded as a duplicate.
func TestDuplicateAfterARefundQueryFail(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		later := e.create(t, "u1", line("album", 1, 500))
		first := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(first, 500)
		e.shipNotify(t, "u1", first)
		if _, err := e.svc.Refund(ctx, first, 0, "用户语音申请退款"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute) // delivered after the first: the first is kept
		e.plat.Pay(later, 500)
		e.shipNotify(t, "u1", later)
		e.plat.ScriptRefundStatus(pay.RefundTradeNo(first, 1), shop.RefundFail)
		e.clock.Advance(time.Hour)
		if _, err := (&pay.Reconciler{Service: e.svc}).RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		wantDuplicate(t, e, "u1", "album", first, later)
		if o := e.order(t, first); o.Unsettled || o.Open() {
			t.Errorf("the order kept is still open for its check: %+v", o)
		}
	})
}

// An order moved to an account and not checked there for duplicates is
// listed for attention once UncheckedAttention has passed since the move
// (its check keeps failing: every pass retries), and leaves the list once
// checked.
func TestMovedUnsettledListed(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := shop.AccountOwner("acc1")
		older := e.create(t, "u1", line("album", 1, 500))
		e.plat.Pay(older, 500)
		e.shipNotify(t, "u1", older)
		movedAt := e.clock.Now()
		if moved, err := e.store.(shop.LinkStore).MoveOrders(ctx, "u1", owner, movedAt); err != nil || moved != 1 {
			t.Fatalf("MoveOrders = %d, %v", moved, err)
		}
		rec := &pay.Reconciler{Service: e.svc}
		e.clock.Advance(pay.UncheckedAttention - 10*time.Minute)
		// Another write meanwhile (a play) does not restart the wait.
		if _, err := e.store.UpdateOrder(ctx, older, func(o *shop.Order) error { o.UpdatedAt = e.clock.Now().UTC(); return nil }); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(9 * time.Minute)
		if items, err := rec.Attention(ctx); err != nil || len(items) != 0 {
			t.Fatalf("attention before UncheckedAttention: %+v, %v; want none", items, err)
		}
		e.clock.Advance(time.Minute)
		items, err := rec.Attention(ctx)
		if err != nil || len(items) != 1 {
			t.Fatalf("attention: %+v, %v; want the moved order", items, err)
		}
		if it := items[0]; it.TradeNo != older || it.Reason != pay.AttentionUnchecked || it.UserID != owner || it.Amount != 500 ||
			!it.Since.Equal(movedAt.UTC()) || !strings.Contains(it.Detail, "not checked for a one-time product") {
			t.Errorf("attention item %+v", it)
		}
		if err := e.svc.SettleMoved(ctx, owner); err != nil {
			t.Fatal(err)
		}
		if items, err := rec.Attention(ctx); err != nil || len(items) != 0 {
			t.Errorf("attention after the check: %+v, %v; want none", items, err)
		}
	})
}

// Orders moved to an account whose settling did not happen (it failed, or
// the process stopped after the move) stay open, and the reconciler
// settles them once they are Delay old: the duplicate is refunded once,
// and the orders are no longer open.
func TestMovedOrdersSettledByReconciler(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := shop.AccountOwner("acc1")
		older := e.create(t, "u1", line("album", 1, 500))
		linked := e.create(t, owner, line("album", 1, 500))
		e.plat.Pay(linked, 500)
		e.shipNotify(t, owner, linked)
		e.clock.Advance(time.Minute)
		e.plat.Pay(older, 500)
		e.shipNotify(t, "u1", older)
		if moved, err := e.store.(shop.LinkStore).MoveOrders(ctx, "u1", owner, e.clock.Now()); err != nil || moved != 1 {
			t.Fatalf("MoveOrders = %d, %v", moved, err)
		}
		rec := &pay.Reconciler{Service: e.svc}
		if rep, err := rec.RunOnce(ctx); err != nil || rep.MovesSettled != 0 {
			t.Fatalf("a pass right after the move: %+v, %v; want it left to the linker", rep, err)
		}
		e.clock.Advance(pay.DefaultReconcileDelay + time.Second)
		rep, err := rec.RunOnce(ctx)
		if err != nil || rep.MovesSettled != 1 {
			t.Fatalf("pass: %+v, %v; want the account settled", rep, err)
		}
		wantDuplicate(t, e, owner, "album", linked, older)
		if open, _ := e.store.Orders(ctx, shop.OrderFilter{Open: true, UserID: owner}); len(open) != 1 || open[0].TradeNo != older || open[0].Unsettled {
			t.Errorf("open after settling: %+v; want only the duplicate's refund pending", open)
		}
		calls := e.plat.Calls("refund")
		if rep, err := rec.RunOnce(ctx); err != nil || rep.MovesSettled != 0 || e.plat.Calls("refund") != calls {
			t.Errorf("a second pass: %+v, %v, %d more refund calls", rep, err, e.plat.Calls("refund")-calls)
		}
	})
}

// A refund of an order owing a duplicate for another amount than the
// duplicate is refused with a message that is said to the user (the
// dialog speaks it) and printed by the CLI: one "元", the amount the
// duplicate owes, and no unit the command does not take.
func TestDuplicateRefundByHandOtherAmountMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, second := refusedDuplicate(t, e, "ep1", 990)
	_, err := e.svc.Refund(ctx, second, 300, "用户语音申请退款")
	if shop.ErrorCode(err) != shop.EBadRefundAmount {
		t.Fatalf("refund of part of a duplicate: %v, want %s", err, shop.EBadRefundAmount)
	}
	msg := shop.ErrorMessage(err)
	if strings.Contains(msg, "元元") || !strings.Contains(msg, "9.9元") || strings.Contains(msg, "金额填") {
		t.Errorf("message %q: want the owed 9.9元 said once, no CLI instructions", msg)
	}
}

// A user's refund by voice of all of a delivered order that also owes a
// failed duplicate refund goes by the refund policy, as the dialog said
// it (all its lines, the duplicate among them), not the refund by hand of
// the duplicate alone; once settled nothing is owed.
func TestDuplicateOwedOrderRefundedByVoice(t *testing.T) {
	eachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first, mixed := albumTwice(t, e)
		n, err := e.plat.SettleNext(mixed, shop.RefundFail)
		if err != nil {
			t.Fatal(err)
		}
		if r := e.svc.RefundNotify(ctx, n); !r.OK() {
			t.Fatal(r)
		}
		o, err := e.svc.Refund(ctx, mixed, 700, "用户语音申请退款")
		if err != nil {
			t.Fatalf("refund by voice: %v", err)
		}
		r := o.Refunds[len(o.Refunds)-1]
		if r.Amount != 700 || len(r.Details) != 2 || r.Reason != "用户语音申请退款" {
			t.Fatalf("refund by voice: %+v", r)
		}
		e.refundSucceeds(t, r.RefundTradeNo)
		if o := e.order(t, mixed); o.State != shop.StateRefunded {
			t.Errorf("after the refund by voice: %s", o.State)
		}
		if items, err := (&pay.Reconciler{Service: e.svc}).Attention(ctx); err != nil || len(items) != 0 {
			t.Errorf("attention: %+v, %v", items, err)
		}
		if net := e.net(t, first, mixed); net != 500 {
			t.Errorf("net %d, want 500", net)
		}
	})
}
