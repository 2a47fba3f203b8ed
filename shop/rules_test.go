package shop_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestCheckID(t *testing.T) {
	for _, id := range []string{"", "u1", "用户", "a/b:c{d}%00", "\u2028", strings.Repeat("v", 1024)} {
		if err := shop.CheckID("id", id); err != nil {
			t.Errorf("CheckID(%q) = %v; want nil", id, err)
		}
	}
	for _, id := range []string{"victim\x00zz", "a\nb", "tab\t", "del\x7f", "c1\u0085", "\xff"} {
		err := shop.CheckID("userToken", id)
		if shop.ErrorCode(err) != shop.EBadID || shop.ErrorClass(err) != shop.EINVALID || !strings.HasPrefix(shop.ErrorMessage(err), "userToken ") {
			t.Errorf("CheckID(%q) = %v; want an invalid %s naming the field", id, err, shop.EBadID)
		}
	}
}

func TestErrorClass(t *testing.T) {
	tests := []struct {
		err         error
		code, class string
	}{
		{nil, "", ""},
		{shop.Errorf(shop.ECONFLICT, "x"), shop.ECONFLICT, shop.ECONFLICT},
		{shop.Coded(shop.EINVALID, shop.EAmountMismatch, "x"), shop.EAmountMismatch, shop.EINVALID},
		{fmt.Errorf("wrapped: %w", shop.Coded(shop.ENOTFOUND, shop.EUnknownRefund, "x")), shop.EUnknownRefund, shop.ENOTFOUND},
		{shop.ErrNotFound, shop.ENOTFOUND, shop.ENOTFOUND},
		{errors.New("boom"), shop.EINTERNAL, shop.EINTERNAL},
		{shop.Errorf("weird", "x"), "weird", shop.EINTERNAL},
	}
	for _, tt := range tests {
		if c, k := shop.ErrorCode(tt.err), shop.ErrorClass(tt.err); c != tt.code || k != tt.class {
			t.Errorf("%v: code %q class %q; want %q %q", tt.err, c, k, tt.code, tt.class)
		}
	}
}

func TestCheckLines(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{
		{ID: "ep", Price: 200, Kind: shop.KindEntitlement},
		{ID: "coin", Price: 100, Kind: shop.KindConsumable},
	}}
	l := func(id string, q int64, a shop.Fen) shop.Line { return shop.Line{ItemID: id, Quantity: q, Amount: a} }
	tests := []struct {
		name  string
		lines []shop.Line
		total shop.Fen
		code  string
	}{
		{"good", []shop.Line{l("ep", 1, 200), l("coin", 3, 300)}, 500, ""},
		{"none", nil, 100, shop.ENoItems},
		{"zero total", []shop.Line{l("coin", 1, 100)}, 0, shop.EBadTotal},
		{"unknown", []shop.Line{l("nope", 1, 100)}, 100, shop.EUnknownItem},
		{"long id", []shop.Line{l(strings.Repeat("x", 33), 1, 100)}, 100, shop.EBadItemID},
		{"twice", []shop.Line{l("coin", 1, 100), l("coin", 1, 100)}, 200, shop.EDuplicateItem},
		{"two episodes", []shop.Line{l("ep", 2, 400)}, 400, shop.EQuantityNotOne},
		{"zero coins", []shop.Line{l("coin", 0, 0)}, 1, shop.EBadQuantity},
		{"cheap", []shop.Line{l("coin", 2, 100)}, 100, shop.EAmountMismatch},
		{"sum", []shop.Line{l("coin", 2, 200)}, 300, shop.ETotalMismatch},
	}
	for _, tt := range tests {
		err := shop.CheckLines(cat, tt.lines, tt.total)
		if tt.code == "" && err != nil || tt.code != "" && shop.ErrorCode(err) != tt.code {
			t.Errorf("%s: CheckLines = %v; want code %q", tt.name, err, tt.code)
		}
		if err != nil && len(shop.ErrorCode(err)) > 32 {
			t.Errorf("%s: code %q longer than a retMsg", tt.name, shop.ErrorCode(err))
		}
	}
}

// TestRefundableLeavesNoFen: a line whose amount is no whole multiple of
// its quantity is refundable in full, to the last fen; part of it is whole
// units.
func TestRefundableLeavesNoFen(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{{ID: "coin", Name: "币", Price: 333, Kind: shop.KindConsumable,
		Refund: shop.RefundPolicy{Allowed: true}}}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := shop.Order{TradeNo: "T1", State: shop.StateDelivered, TotalAmt: 1000, DeliveredAt: now,
		Details: []shop.Line{{ItemID: "coin", Quantity: 3, Amount: 1000}}}
	lines, total, err := shop.Refundable(o, cat, now)
	if err != nil || total != 1000 || len(lines) != 1 || lines[0].Quantity != 3 {
		t.Fatalf("Refundable = %+v, %d, %v; want all 3 for 1000", lines, total, err)
	}
	o.State = shop.StatePartiallyRefunded
	o.RefundedAmt = 333
	o.Refunds = []shop.Refund{{RefundTradeNo: "R1", Status: shop.RefundSuccess, Amount: 333,
		Details: []shop.Line{{ItemID: "coin", Quantity: 1, Amount: 333}}}}
	if lines, total, err = shop.Refundable(o, cat, now); err != nil || total != 667 || lines[0].Quantity != 2 {
		t.Fatalf("after one unit: %+v, %d, %v; want 2 for 667", lines, total, err)
	}
}

// TestMaxUnits: a timed product is bought a year at most in one line, by
// its days; anything else up to MaxQuantity.
func TestMaxUnits(t *testing.T) {
	for _, c := range []struct {
		p    shop.Product
		want int64
	}{
		{shop.Product{Kind: shop.KindSubscription, Days: 30}, 12},
		{shop.Product{Kind: shop.KindSubscription, Days: 31}, 12}, // a month, whatever its days
		{shop.Product{Kind: shop.KindSubscription, Days: 7}, 52},
		{shop.Product{Kind: shop.KindSubscription, Days: 365}, 1},
		{shop.Product{Kind: shop.KindSubscription, Days: 400}, 1},
		{shop.Product{Kind: shop.KindSubscription}, 12},
		{shop.Product{Kind: shop.KindConsumable}, shop.MaxQuantity},
	} {
		if got := c.p.MaxUnits(); got != c.want {
			t.Errorf("MaxUnits(%s, %d days) = %d, want %d", c.p.Kind, c.p.Days, got, c.want)
		}
	}
	cat := &shop.Catalog{Products: []shop.Product{{ID: "vip", Name: "会员", Price: 1990, Kind: shop.KindSubscription, Days: 30}}}
	if err := shop.CheckLines(cat, []shop.Line{{ItemID: "vip", Quantity: 13, Amount: 13 * 1990}}, 13*1990); shop.ErrorCode(err) != shop.EBadQuantity {
		t.Errorf("13 months: %v, want %s", err, shop.EBadQuantity)
	}
	if err := shop.CheckLines(cat, []shop.Line{{ItemID: "vip", Quantity: 12, Amount: 12 * 1990}}, 12*1990); err != nil {
		t.Errorf("12 months: %v", err)
	}
}

// TestRefundWindowAfterAFailure: a refund asked within the window that the
// platform failed may be asked again after the window, for as long again
// after it failed; one asked after the window, or a retry failing again,
// gives no more time.
func TestRefundWindowAfterAFailure(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{{ID: "ep", Name: "集", Price: 200, Kind: shop.KindEntitlement,
		Refund: shop.RefundPolicy{Allowed: true, WithinDays: 7}}}}
	day := 24 * time.Hour
	delivered := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o := shop.Order{TradeNo: "T1", State: shop.StateDelivered, TotalAmt: 200, DeliveredAt: delivered,
		Details: []shop.Line{{ItemID: "ep", Quantity: 1, Amount: 200}}}
	if _, _, err := shop.Refundable(o, cat, delivered.Add(8*day)); shop.ErrorCode(err) != shop.ERefundWindow {
		t.Fatalf("8 days on, never asked: %v, want %s", err, shop.ERefundWindow)
	}
	o.Refunds = []shop.Refund{{RefundTradeNo: "R1", Status: shop.RefundFail, Amount: 200, CreatedAt: delivered.Add(6 * day), UpdatedAt: delivered.Add(8 * day),
		Details: []shop.Line{{ItemID: "ep", Quantity: 1, Amount: 200}}}}
	if _, _, err := shop.Refundable(o, cat, delivered.Add(9*day)); err != nil {
		t.Errorf("asked on day 6, failed on day 8, asked again on day 9: %v", err)
	}
	// A retry that fails again gives no more time.
	o.Refunds = append(o.Refunds, shop.Refund{RefundTradeNo: "R2", Status: shop.RefundFail, Amount: 200, CreatedAt: delivered.Add(12 * day),
		UpdatedAt: delivered.Add(14 * day), Details: []shop.Line{{ItemID: "ep", Quantity: 1, Amount: 200}}})
	if _, _, err := shop.Refundable(o, cat, delivered.Add(16*day)); shop.ErrorCode(err) != shop.ERefundWindow {
		t.Errorf("a second failure extended the window: %v", err)
	}
	// Another line of the order keeps its own window.
	cat.Products = append(cat.Products, shop.Product{ID: "coin", Name: "币", Price: 100, Kind: shop.KindConsumable,
		Refund: shop.RefundPolicy{Allowed: true, WithinDays: 7}})
	two := o
	two.TotalAmt, two.Refunds = 300, o.Refunds[:1]
	two.Details = []shop.Line{{ItemID: "ep", Quantity: 1, Amount: 200}, {ItemID: "coin", Quantity: 1, Amount: 100}}
	if lines, _, err := shop.Refundable(two, cat, delivered.Add(9*day)); err != nil || len(lines) != 1 || lines[0].ItemID != "ep" {
		t.Errorf("on day 9 only the episode's refund failed in time: %+v, %v", lines, err)
	}
	o.Refunds[0].CreatedAt = delivered.Add(8 * day) // asked too late: no more time
	if _, _, err := shop.Refundable(o, cat, delivered.Add(9*day)); shop.ErrorCode(err) != shop.ERefundWindow {
		t.Errorf("asked after the window: %v, want %s", err, shop.ERefundWindow)
	}
}

// TestEntitlementOverUsedOrder: an order with more units used than left
// (a refund the platform made late, of units used since) takes nothing
// from the user's other orders.
func TestEntitlementOverUsedOrder(t *testing.T) {
	cat := &shop.Catalog{Products: []shop.Product{{ID: "coin", Name: "币", Price: 100, Kind: shop.KindConsumable, Refund: shop.RefundPolicy{Allowed: true}}}}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	over := shop.Order{TradeNo: "T1", State: shop.StatePartiallyRefunded, TotalAmt: 300, RefundedAmt: 100, DeliveredAt: at, Deliveries: 1,
		Details: []shop.Line{{ItemID: "coin", Quantity: 3, Amount: 300}}, Uses: map[string]int64{"coin": 3},
		Refunds: []shop.Refund{{RefundTradeNo: "R1", Status: shop.RefundSuccess, Amount: 100, Details: []shop.Line{{ItemID: "coin", Quantity: 1, Amount: 100}}}}}
	fresh := shop.Order{TradeNo: "T2", State: shop.StateDelivered, TotalAmt: 500, DeliveredAt: at.Add(time.Hour), Deliveries: 1,
		Details: []shop.Line{{ItemID: "coin", Quantity: 5, Amount: 500}}}
	ents := shop.Entitlements([]shop.Order{over, fresh}, cat)
	if len(ents) != 1 || ents[0].Quantity != 5 {
		t.Errorf("entitlements = %+v; want the 5 of the fresh order", ents)
	}
}
