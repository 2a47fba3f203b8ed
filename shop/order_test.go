package shop_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newOrder() shop.Order {
	return shop.Order{
		TradeNo: "T1", UserID: "u1", State: shop.StateCreated, TotalAmt: 600,
		Details:   []shop.Line{{ItemID: "coins", Quantity: 3, Amount: 300}, {ItemID: "ep35", Quantity: 1, Amount: 300}},
		CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute),
	}
}

func TestDeliverExactlyOnce(t *testing.T) {
	o := newOrder()
	if err := o.Deliver("tx1", 600, "ship notify", t0); err != nil {
		t.Fatal(err)
	}
	if o.State != shop.StateDelivered || o.Deliveries != 1 || o.TransactionID != "tx1" || len(o.History) != 2 {
		t.Fatalf("after deliver: %+v", o)
	}
	if err := o.Deliver("tx1", 600, "ship notify", t0); !errors.Is(err, shop.ErrNoChange) {
		t.Fatalf("second deliver err = %v, want ErrNoChange", err)
	}
	if err := o.Deliver("tx2", 600, "ship notify", t0); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Fatalf("deliver by another transaction err = %v, want conflict", err)
	}
	if o.Deliveries != 1 {
		t.Fatalf("deliveries = %d", o.Deliveries)
	}
}

func TestDeliverWrongAmountChangesNothing(t *testing.T) {
	o := newOrder()
	if err := o.Deliver("tx1", 599, "ship notify", t0); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Fatalf("err = %v", err)
	}
	if o.State != shop.StateCreated || len(o.History) != 0 || o.TransactionID != "" {
		t.Fatalf("order changed: %+v", o)
	}
}

func TestIllegalMoves(t *testing.T) {
	for _, tt := range []struct{ from, to shop.OrderState }{
		{shop.StateCreated, shop.StateDelivered},
		{shop.StateCreated, shop.StateRefunding},
		{shop.StateDelivered, shop.StateCreated},
		{shop.StateRefunded, shop.StateRefunding},
		{shop.StatePaid, shop.StateClosed},
	} {
		o := shop.Order{TradeNo: "T", State: tt.from}
		if err := o.Move(tt.to, "test", t0); shop.ErrorClass(err) != shop.ECONFLICT || o.State != tt.from || len(o.History) != 0 {
			t.Errorf("%s → %s: err = %v, state %s", tt.from, tt.to, err, o.State)
		}
	}
}

func TestCloseAndLatePayment(t *testing.T) {
	o := newOrder()
	if err := o.Close(t0); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Fatalf("close before expiry: %v", err)
	}
	if err := o.Close(t0.Add(time.Hour)); err != nil || o.State != shop.StateClosed {
		t.Fatalf("close: %v, %s", err, o.State)
	}
	if err := o.Deliver("tx1", 600, "late payment", t0.Add(2*time.Hour)); err != nil || o.State != shop.StateDelivered {
		t.Fatalf("late payment: %v, %s", err, o.State)
	}
}

func TestRefunds(t *testing.T) {
	o := newOrder()
	_ = o.Deliver("tx1", 600, "ship notify", t0)
	over := shop.Refund{RefundTradeNo: "R0", Amount: 700, Details: []shop.Line{{ItemID: "coins", Quantity: 3, Amount: 300}, {ItemID: "ep35", Quantity: 1, Amount: 400}}}
	if err := o.StartRefund(over, t0); shop.ErrorClass(err) != shop.EINVALID || o.State != shop.StateDelivered {
		t.Fatalf("refund above total: %v", err)
	}
	part := shop.Refund{RefundTradeNo: "R1", Amount: 200, Details: []shop.Line{{ItemID: "coins", Quantity: 2, Amount: 200}}}
	if err := o.StartRefund(part, t0); err != nil || o.State != shop.StateRefunding {
		t.Fatalf("start refund: %v", err)
	}
	if err := o.StartRefund(part, t0); !errors.Is(err, shop.ErrNoChange) {
		t.Fatalf("same refund again: %v", err)
	}
	if err := o.FinishRefund("R1", "rtx1", shop.RefundSuccess, "ok", t0); err != nil {
		t.Fatal(err)
	}
	if o.State != shop.StatePartiallyRefunded || o.RefundedAmt != 200 || o.RefundedQuantity("coins") != 2 {
		t.Fatalf("after partial refund: state %s refunded %d", o.State, o.RefundedAmt)
	}
	if err := o.FinishRefund("R1", "rtx1", shop.RefundSuccess, "ok", t0); !errors.Is(err, shop.ErrNoChange) {
		t.Fatalf("duplicate refund notify: %v", err)
	}
	if err := o.FinishRefund("R1", "rtx1", shop.RefundFail, "no", t0); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Fatalf("contradicting refund notify: %v", err)
	}
	rest := shop.Refund{RefundTradeNo: "R2", Amount: 400, Details: []shop.Line{{ItemID: "coins", Quantity: 1, Amount: 100}, {ItemID: "ep35", Quantity: 1, Amount: 300}}}
	if err := o.StartRefund(rest, t0); err != nil {
		t.Fatal(err)
	}
	if err := o.FinishRefund("R2", "rtx2", shop.RefundFail, "rejected", t0); err != nil || o.State != shop.StatePartiallyRefunded {
		t.Fatalf("failed refund returns: %v %s", err, o.State)
	}
	rest.RefundTradeNo = "R3"
	_ = o.StartRefund(rest, t0)
	if err := o.FinishRefund("R3", "rtx3", shop.RefundSuccess, "ok", t0); err != nil || o.State != shop.StateRefunded || o.RefundedAmt != 600 {
		t.Fatalf("full refund: %v %s %d", err, o.State, o.RefundedAmt)
	}
}

func TestEntitlements(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{
		{ID: "ep35", Name: "35", Price: 300, Kind: shop.KindEntitlement},
		{ID: "coins", Name: "coins", Price: 100, Kind: shop.KindConsumable},
		{ID: "vip", Name: "vip", Price: 1990, Kind: shop.KindSubscription, Days: 30},
	}}
	o1 := newOrder()
	_ = o1.Deliver("tx1", 600, "ship", t0)
	o1.Uses = map[string]int64{"coins": 1}
	vip1 := shop.Order{TradeNo: "T2", State: shop.StateCreated, TotalAmt: 1990, Details: []shop.Line{{ItemID: "vip", Quantity: 1, Amount: 1990}}}
	_ = vip1.Deliver("tx2", 1990, "ship", t0)
	vip2 := vip1
	vip2.TradeNo, vip2.DeliveredAt = "T3", t0.Add(10*24*time.Hour) // renewed before expiry
	unpaid := shop.Order{TradeNo: "T4", State: shop.StateCreated, Details: []shop.Line{{ItemID: "ep35", Quantity: 1}}}

	got := shop.Entitlements([]shop.Order{vip2, o1, unpaid, vip1}, cat)
	want := map[string]shop.Entitlement{
		"ep35":  {ProductID: "ep35", Kind: shop.KindEntitlement},
		"coins": {ProductID: "coins", Kind: shop.KindConsumable, Quantity: 2},
		"vip":   {ProductID: "vip", Kind: shop.KindSubscription, ExpiresAt: t0.Add(60 * 24 * time.Hour)},
	}
	if len(got) != len(want) {
		t.Fatalf("entitlements = %+v", got)
	}
	for _, e := range got {
		if w := want[e.ProductID]; e != w {
			t.Errorf("entitlement %s = %+v, want %+v", e.ProductID, e, w)
		}
	}
	if !got[2].Active(t0.Add(59*24*time.Hour)) || got[2].Active(t0.Add(61*24*time.Hour)) {
		t.Error("subscription activity window wrong")
	}
}

func TestMatch(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{
		{ID: "ep35", Name: "万古神帝第35集", Aliases: []string{"第35集"}},
		{ID: "ep36", Name: "万古神帝第36集"},
		{ID: "vip", Name: "会员月卡", Aliases: []string{"会员"}},
	}}
	for said, want := range map[string][]string{
		"万古神帝第35集": {"ep35"}, "第35集": {"ep35"}, "万古神帝": {"ep35", "ep36"},
		"会员": {"vip"}, "买会员月卡": {"vip"}, "西游记": nil, "": nil,
	} {
		var ids []string
		for _, p := range cat.Match(said) {
			ids = append(ids, p.ID)
		}
		if len(ids) != len(want) || (len(ids) > 0 && ids[0] != want[0]) {
			t.Errorf("Match(%q) = %v, want %v", said, ids, want)
		}
	}
}

func TestUseConsumableCap(t *testing.T) {
	o := newOrder()
	_ = o.Deliver("tx1", 600, "ship", t0)
	for i := 0; i < 3; i++ {
		if err := o.Use("coins", true, t0); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	if err := o.Use("coins", true, t0); shop.ErrorClass(err) != shop.ECONFLICT || o.Uses["coins"] != 3 {
		t.Fatalf("fourth use of 3 coins: %v, uses %d", err, o.Uses["coins"])
	}
	if err := o.Use("nope", false, t0); shop.ErrorClass(err) != shop.EINVALID {
		t.Fatalf("use of an item not in the order: %v", err)
	}
}

func TestFinishRefundRecordsPlatformID(t *testing.T) {
	o := newOrder()
	_ = o.Deliver("tx1", 600, "ship", t0)
	_ = o.StartRefund(shop.Refund{RefundTradeNo: "R1", Amount: 100, Details: []shop.Line{{ItemID: "coins", Quantity: 1, Amount: 100}}}, t0)
	if err := o.FinishRefund("R1", "rtx1", shop.RefundProcessing, "", t0); err != nil {
		t.Fatalf("learning the refund id must be written, got %v", err)
	}
	if err := o.FinishRefund("R1", "rtx1", shop.RefundProcessing, "", t0); !errors.Is(err, shop.ErrNoChange) {
		t.Fatalf("same again: %v", err)
	}
	// A second refund of the same line may take only what is left of it.
	err := o.StartRefund(shop.Refund{RefundTradeNo: "R2", Amount: 300, Details: []shop.Line{{ItemID: "coins", Quantity: 3, Amount: 300}}}, t0)
	if shop.ErrorClass(err) != shop.EINVALID {
		t.Fatalf("refunding more coins than left: %v", err)
	}
}

// TestOpenStates: an order is open while something is still to happen to
// it (payment, delivery, a pending refund), and only the states the
// reconciler lists are.
func TestOpenStates(t *testing.T) {
	open := map[shop.OrderState]bool{shop.StateCreated: true, shop.StatePaid: true, shop.StateRefunding: true}
	for _, st := range []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateDelivered, shop.StateClosed,
		shop.StateRefunding, shop.StateRefunded, shop.StatePartiallyRefunded, "UNKNOWN"} {
		if st.Open() != open[st] {
			t.Errorf("%s.Open() = %v", st, st.Open())
		}
	}
	for _, tt := range []struct {
		states []shop.OrderState
		user   string
		want   bool
	}{
		{nil, "", false},
		{[]shop.OrderState{shop.StateCreated}, "", true},
		{[]shop.OrderState{shop.StateCreated, shop.StateRefunding, shop.StatePaid}, "", true},
		{[]shop.OrderState{shop.StateCreated, shop.StateDelivered}, "", false},
		{[]shop.OrderState{shop.StateClosed}, "", false},
		{[]shop.OrderState{shop.StateCreated}, "u1", true},
	} {
		f := shop.OrderFilter{States: tt.states, UserID: tt.user}
		if got := f.OpenOnly(); got != tt.want {
			t.Errorf("%+v.OpenOnly() = %v, want %v", f, got, tt.want)
		}
	}
}
