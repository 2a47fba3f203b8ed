package shop_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func dupCatalog() *shop.Catalog {
	return &shop.Catalog{Products: []shop.Product{
		{ID: "ep35", Name: "第35集", Price: 300, Kind: shop.KindEntitlement},
		{ID: "coins", Name: "币", Price: 100, Kind: shop.KindConsumable},
	}}
}

// episode is a CREATED order of one ep35 for u1.
func episode(tradeNo string) shop.Order {
	return shop.Order{TradeNo: tradeNo, UserID: "u1", State: shop.StateCreated, TotalAmt: 300,
		Details: []shop.Line{{ItemID: "ep35", Quantity: 1, Amount: 300}}, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
}

func TestPayRecordsWithoutDelivering(t *testing.T) {
	o := episode("T2")
	if err := o.Pay("tx2", 300, "ship notify", t0); err != nil {
		t.Fatal(err)
	}
	if o.State != shop.StatePaid || o.Deliveries != 0 || o.TransactionID != "tx2" || !o.PaidAt.Equal(t0) {
		t.Fatalf("after Pay: %+v", o)
	}
	if err := o.Pay("tx2", 300, "ship notify", t0); !errors.Is(err, shop.ErrNoChange) {
		t.Errorf("the same payment again: %v", err)
	}
	for _, tt := range []struct {
		name  string
		tx    string
		total shop.Fen
		want  string
	}{
		{"other total", "tx2", 299, shop.ETotalMismatch},
		{"other transaction", "tx9", 300, shop.EPaidByOther},
	} {
		err := o.Pay(tt.tx, tt.total, "ship notify", t0)
		if shop.ErrorCode(err) != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestStartDuplicateRefund(t *testing.T) {
	o := episode("T2")
	if err := o.Pay("tx2", 300, "ship notify", t0); err != nil {
		t.Fatal(err)
	}
	if err := o.StartDuplicateRefund("T1", []string{"ep35"}, "RT201", t0); err != nil {
		t.Fatal(err)
	}
	if o.State != shop.StateRefunding || o.DuplicateOf != "T1" || len(o.Refunds) != 1 || o.Refunds[0].Amount != 300 ||
		o.Refunds[0].Status != shop.RefundProcessing {
		t.Fatalf("after StartDuplicateRefund: %+v", o)
	}
	last := o.History[len(o.History)-1]
	if last.From != shop.StatePaid || last.To != shop.StateRefunding || !strings.HasPrefix(last.Cause, shop.DuplicateCause+"T1") {
		t.Errorf("history: %+v", last)
	}
	// Once: a second start changes nothing; the payment is never delivered.
	if err := o.StartDuplicateRefund("T1", []string{"ep35"}, "RT202", t0); !errors.Is(err, shop.ErrNoChange) {
		t.Errorf("second start: %v", err)
	}
	if err := o.Deliver("tx2", 300, "ship notify", t0); !errors.Is(err, shop.ErrNoChange) || o.Deliveries != 0 {
		t.Errorf("Deliver of a duplicate: %v, %d deliveries", err, o.Deliveries)
	}
	if err := o.Deliver("tx9", 300, "ship notify", t0); shop.ErrorCode(err) != shop.EPaidByOther {
		t.Errorf("Deliver of a duplicate by another transaction: %v", err)
	}
	// Never delivered: it gives nothing, even while its refund is pending.
	if o.Gives("ep35") || len(shop.Entitlements([]shop.Order{o}, dupCatalog())) != 0 {
		t.Errorf("a duplicate gives the product")
	}
	// A failed refund leaves it paid, not delivered; a later success refunds it.
	if err := o.FinishRefund("RT201", "", shop.RefundFail, "refused", t0); err != nil || o.State != shop.StatePaid {
		t.Fatalf("refund FAIL: %v, %s", err, o.State)
	}
}

func TestStartDuplicateRefundRefusals(t *testing.T) {
	delivered := episode("T2")
	_ = delivered.Deliver("tx2", 300, "ship notify", t0)
	for _, tt := range []struct {
		name   string
		order  shop.Order
		keeper string
		items  []string
		want   string
	}{
		{"no keeper", delivered, "", []string{"ep35"}, shop.EBadRefundLine},
		{"itself", delivered, "T2", []string{"ep35"}, shop.EBadRefundLine},
		{"no items", delivered, "T1", nil, shop.EBadRefundLine},
		{"not on the order", delivered, "T1", []string{"coins"}, shop.EBadRefundLine},
		{"unpaid", episode("T3"), "T1", []string{"ep35"}, shop.ENotOwned},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.order
			o.History = append([]shop.Transition(nil), o.History...)
			before := o.State
			err := o.StartDuplicateRefund(tt.keeper, tt.items, "RT299", t0)
			if shop.ErrorCode(err) != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
			if o.State != before || o.DuplicateOf != "" || len(o.Refunds) != 0 {
				t.Errorf("order changed: %+v", o)
			}
		})
	}
}

func TestKeeper(t *testing.T) {
	first, second, refunded := episode("TB"), episode("TA"), episode("TC")
	_ = first.Deliver("tx1", 300, "ship notify", t0)
	_ = second.Deliver("tx2", 300, "ship notify", t0.Add(time.Second))
	_ = refunded.Deliver("tx3", 300, "ship notify", t0.Add(-time.Second))
	_ = refunded.StartRefund(shop.Refund{RefundTradeNo: "RC01", Amount: 300, Details: refunded.Details}, t0)
	unpaid := episode("TD")

	keeper, dups, ok := shop.Keeper([]shop.Order{second, unpaid, refunded, first}, "ep35")
	if !ok || keeper.TradeNo != "TB" || len(dups) != 1 || dups[0].TradeNo != "TA" {
		t.Errorf("Keeper = %s, %v, %v; want TB with duplicate TA", keeper.TradeNo, dups, ok)
	}
	// Delivered at the same moment: the lower tradeNo keeps it.
	second.DeliveredAt = first.DeliveredAt
	if keeper, _, _ := shop.Keeper([]shop.Order{first, second}, "ep35"); keeper.TradeNo != "TA" {
		t.Errorf("tie: keeper %s, want TA", keeper.TradeNo)
	}
	if _, _, ok := shop.Keeper([]shop.Order{unpaid, refunded}, "ep35"); ok {
		t.Errorf("a keeper among orders that give nothing")
	}
}

// A delivered order that lost a race is refunded for its duplicate lines
// only, even while another refund of it is pending.
func TestStartDuplicateRefundDelivered(t *testing.T) {
	o := newOrder() // 3 coins and ep35
	_ = o.Deliver("tx1", 600, "ship notify", t0)
	_ = o.StartRefund(shop.Refund{RefundTradeNo: "RT101", Amount: 100, Details: []shop.Line{{ItemID: "coins", Quantity: 1, Amount: 100}}}, t0)
	if err := o.StartDuplicateRefund("T0", []string{"ep35"}, "RT102", t0); err != nil {
		t.Fatal(err)
	}
	if o.State != shop.StateRefunding || o.PendingRefundAmt() != 400 || o.Gives("ep35") || !o.Gives("coins") {
		t.Fatalf("after: %s, pending %d", o.State, o.PendingRefundAmt())
	}
	_ = o.FinishRefund("RT101", "", shop.RefundSuccess, "", t0)
	_ = o.FinishRefund("RT102", "", shop.RefundSuccess, "", t0)
	if o.State != shop.StatePartiallyRefunded || o.RefundedAmt != 400 {
		t.Errorf("settled: %s, refunded %d", o.State, o.RefundedAmt)
	}
}

// A delivered order's duplicate line whose refund failed stays open
// (listed for a person) until a refund of that line succeeds or is
// pending, and never becomes the keeper of the order it duplicates.
func TestUnrefundedDuplicate(t *testing.T) {
	keeper := episode("TB")
	_ = keeper.Deliver("tx1", 300, "ship notify", t0)
	o := newOrder() // 3 coins and ep35
	o.TradeNo = "TA"
	_ = o.Deliver("tx2", 600, "ship notify", t0)
	open := shop.OrderFilter{Open: true}
	if err := o.StartDuplicateRefund("TB", []string{"ep35"}, "RA01", t0); err != nil {
		t.Fatal(err)
	}
	if _, owed := o.UnrefundedDuplicate(); owed || !o.Open() {
		t.Fatalf("refund pending: owed %v, open %v", owed, o.Open())
	}
	if err := o.FinishRefund("RA01", "", shop.RefundFail, "余额不足", t0); err != nil {
		t.Fatal(err)
	}
	r, owed := o.UnrefundedDuplicate()
	if o.State != shop.StateDelivered || !owed || r.RefundTradeNo != "RA01" || r.Amount != 300 || !o.Open() || !open.Match(&o) {
		t.Fatalf("refund failed: %s, owed %v %+v, open %v", o.State, owed, r, o.Open())
	}
	// Delivered at the same moment, the lower tradeNo: still not the keeper.
	if k, dups, _ := shop.Keeper([]shop.Order{o, keeper}, "ep35"); k.TradeNo != "TB" || len(dups) != 1 || dups[0].TradeNo != "TA" {
		t.Errorf("Keeper = %s, %v; want TB with duplicate TA", k.TradeNo, dups)
	}
	// A person refunds the line: open while pending, settled after.
	if err := o.StartRefund(shop.Refund{RefundTradeNo: "RA02", Amount: 300, Details: []shop.Line{{ItemID: "ep35", Quantity: 1, Amount: 300}}}, t0); err != nil {
		t.Fatal(err)
	}
	if _, owed := o.UnrefundedDuplicate(); owed || !o.Open() {
		t.Errorf("refund by hand pending: owed %v, open %v", owed, o.Open())
	}
	_ = o.FinishRefund("RA02", "", shop.RefundSuccess, "", t0)
	if _, owed := o.UnrefundedDuplicate(); owed || o.Open() || open.Match(&o) || o.State != shop.StatePartiallyRefunded {
		t.Errorf("refunded by hand: %s, owed %v, open %v", o.State, owed, o.Open())
	}
	// An order that is no duplicate is open by its state alone.
	if keeper.Open() {
		t.Errorf("a delivered keeper is open")
	}
}

// RefundDuplicateAgain refunds in full, under a new number, the duplicate
// lines a failed refund left owed, and nothing else; with nothing owed it
// refuses and changes nothing.
func TestRefundDuplicateAgain(t *testing.T) {
	o := newOrder() // 3 coins and ep35
	o.TradeNo = "TA"
	_ = o.Deliver("tx2", 600, "ship notify", t0)
	if _, err := o.RefundDuplicateAgain("RA01", t0); shop.ErrorCode(err) != shop.ENoDuplicate || len(o.Refunds) != 0 {
		t.Fatalf("no duplicate: %v, refunds %+v", err, o.Refunds)
	}
	if err := o.StartDuplicateRefund("TB", []string{"ep35"}, "RA01", t0); err != nil {
		t.Fatal(err)
	}
	_ = o.FinishRefund("RA01", "", shop.RefundFail, "余额不足", t0)
	r, err := o.RefundDuplicateAgain("RA02", t0)
	if err != nil {
		t.Fatal(err)
	}
	want := []shop.Line{{ItemID: "ep35", Quantity: 1, Amount: 300}}
	if r.Amount != 300 || r.Reason != shop.DuplicateReason || len(r.Details) != 1 || r.Details[0] != want[0] || o.State != shop.StateRefunding {
		t.Fatalf("again: %s, %+v", o.State, r)
	}
	if _, owed := o.UnrefundedDuplicate(); owed {
		t.Error("still owed while the refund is pending")
	}
	if _, err := o.RefundDuplicateAgain("RA03", t0); shop.ErrorCode(err) != shop.ENoDuplicate {
		t.Errorf("again while pending: %v", err)
	}
	// Failed again: owed again, and the history says a person sent it.
	_ = o.FinishRefund("RA02", "", shop.RefundFail, "余额不足", t0)
	if _, owed := o.UnrefundedDuplicate(); !owed || o.State != shop.StateDelivered {
		t.Errorf("failed again: %s, owed %v", o.State, owed)
	}
	if !strings.Contains(o.History[len(o.History)-2].Cause, "by hand") {
		t.Errorf("history: %+v", o.History)
	}
}

// An order that was a duplicate payment of one product ranks as any other
// for another product it gives: ranked last, it kept a later order of that
// product, and neither was refunded (the order can be a duplicate once).
func TestKeeperRanksByTheProduct(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := shop.Order{TradeNo: "TA", State: shop.StateRefunding, DeliveredAt: t0, Deliveries: 1, DuplicateOf: "TX",
		Details: []shop.Line{{ItemID: "album", Quantity: 1, Amount: 500}, {ItemID: "ep1", Quantity: 1, Amount: 990}},
		Refunds: []shop.Refund{{RefundTradeNo: "RA01", Reason: shop.DuplicateReason, Status: shop.RefundProcessing, Amount: 500,
			Details: []shop.Line{{ItemID: "album", Quantity: 1, Amount: 500}}}}}
	b := shop.Order{TradeNo: "TB", State: shop.StateDelivered, DeliveredAt: t0.Add(time.Minute),
		Details: []shop.Line{{ItemID: "ep1", Quantity: 1, Amount: 990}}}
	keeper, dups, ok := shop.Keeper([]shop.Order{b, a}, "ep1")
	if !ok || keeper.TradeNo != "TA" || len(dups) != 1 || dups[0].TradeNo != "TB" {
		t.Errorf("Keeper(ep1) = %s, %v, %v; want TA, the first delivered, and TB its duplicate", keeper.TradeNo, dups, ok)
	}
}
