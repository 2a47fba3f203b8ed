package pay_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

func TestUseConsumables(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.buy(t, "u1", line("credits", 2, 200))
	e.clock.Advance(time.Minute)
	second := e.buy(t, "u1", line("credits", 1, 100))
	for range 3 {
		if err := e.svc.Ledger.Use(ctx, "u1", "credits"); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.Ledger.Use(ctx, "u1", "credits"); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Errorf("4th use: %v, want ECONFLICT", err)
	}
	if o := e.order(t, first.TradeNo); o.Uses["credits"] != 2 {
		t.Errorf("oldest order uses %d, want 2", o.Uses["credits"])
	}
	if o := e.order(t, second.TradeNo); o.Uses["credits"] != 1 {
		t.Errorf("newer order uses %d, want 1", o.Uses["credits"])
	}
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "credits"); owns {
		t.Error("owns used-up credits")
	}
	if err := e.svc.Ledger.Use(ctx, "u1", "album"); shop.ErrorClass(err) != shop.ECONFLICT {
		t.Errorf("use of unowned: %v", err)
	}
	if err := e.svc.Ledger.Use(ctx, "u1", "nope"); shop.ErrorClass(err) != shop.ENOTFOUND {
		t.Errorf("use of unknown: %v", err)
	}
}

// TestUseWhileRefunding: while some units of an order are being
// refunded, the others are the user's to use, and no more (it offered to
// sell the user a coin they had).
func TestUseWhileRefunding(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.buy(t, "u1", line("credits", 5, 500))
	if _, err := e.svc.Refund(ctx, o.TradeNo, 300, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.order(t, o.TradeNo); got.State != shop.StateRefunding {
		t.Fatalf("order is %s, want REFUNDING", got.State)
	}
	for i := range 2 {
		if err := e.svc.Ledger.Use(ctx, "u1", "credits"); err != nil {
			t.Fatalf("use %d while refunding: %v", i+1, err)
		}
	}
	if err := e.svc.Ledger.Use(ctx, "u1", "credits"); shop.ErrorCode(err) != shop.ENoneLeft {
		t.Errorf("a use of a unit being refunded: %v, want %s", err, shop.ENoneLeft)
	}
	if got := e.order(t, o.TradeNo); got.Uses["credits"] != 2 {
		t.Errorf("uses %d, want 2", got.Uses["credits"])
	}
}

func TestEntitlementsAndOrders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.buy(t, "u1", line("vip", 2, 3000))
	e.buy(t, "u1", line("album", 1, 500))
	e.create(t, "u1", line("ep1", 1, 990)) // unpaid
	ents, err := e.svc.Entitlements(ctx, "u1")
	if err != nil || len(ents) != 2 || ents[0].ProductID != "album" || ents[1].ProductID != "vip" {
		t.Fatalf("Entitlements = %+v, %v", ents, err)
	}
	if want := e.clock.Now().Add(60 * 24 * time.Hour); !ents[1].ExpiresAt.Equal(want) {
		t.Errorf("vip until %v, want %v", ents[1].ExpiresAt, want)
	}
	orders, _ := e.svc.Ledger.UserOrders(ctx, "u1")
	if len(orders) != 3 {
		t.Errorf("%d orders", len(orders))
	}
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "ep1"); owns {
		t.Error("owns an unpaid episode")
	}
	e.clock.Advance(61 * 24 * time.Hour)
	if owns, _ := e.svc.Ledger.Owns(ctx, "u1", "vip"); owns {
		t.Error("subscription did not expire")
	}
}

func TestConfirm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	no := e.create(t, "u1", line("album", 1, 500))
	// Unpaid: unchanged, never unlocked, and said so (Confirmed).
	o, unpaid, err := e.svc.Confirmed(ctx, no)
	if err != nil || o.State != shop.StateCreated || !unpaid {
		t.Fatalf("unpaid Confirmed = %s, unpaid %v, %v", o.State, unpaid, err)
	}
	e.plat.ScriptTradeStatus(no, pay.TradeProcessing)
	if o, unpaid, err := e.svc.Confirmed(ctx, no); err != nil || o.State != shop.StateCreated || unpaid {
		t.Errorf("processing: %s, unpaid %v, %v; want not said unpaid", o.State, unpaid, err)
	}
	e.plat.ScriptTradeStatus(no, "")
	// Paid but the ship notify has not come: delivered now.
	e.plat.Pay(no, 500)
	e.plat.Down()
	o, unpaid, err = e.svc.Confirmed(ctx, no)
	if !errors.Is(err, pay.ErrTransient) || o.State != shop.StateCreated || unpaid {
		t.Errorf("platform down: %s, unpaid %v, %v", o.State, unpaid, err)
	}
	e.plat.Up()
	o, err = e.svc.Confirm(ctx, no)
	if err != nil || o.State != shop.StateDelivered || o.Deliveries != 1 {
		t.Fatalf("paid Confirm = %s, %v", o.State, err)
	}
	calls := e.plat.Calls("orderquery")
	if o, err := e.svc.Confirm(ctx, no); err != nil || o.State != shop.StateDelivered || e.plat.Calls("orderquery") != calls {
		t.Errorf("delivered Confirm asked the platform again or failed: %v", err)
	}
	// A platform total that differs never delivers.
	other := e.create(t, "u2", line("credits", 1, 100))
	e.plat.Pay(other, 1)
	if o, err := e.svc.Confirm(ctx, other); shop.ErrorClass(err) != shop.ECONFLICT || o.State != shop.StateCreated {
		t.Errorf("mismatched total: %s, %v", o.State, err)
	}
	if _, err := e.svc.Confirm(ctx, "TNOPE"); !errors.Is(err, shop.ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
}
