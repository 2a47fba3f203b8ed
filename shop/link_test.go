package shop_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestAccountOwner(t *testing.T) {
	owner := shop.AccountOwner("acct-alice")
	if a, ok := shop.AccountOf(owner); !ok || a != "acct-alice" {
		t.Errorf("AccountOf(%q) = %q, %v", owner, a, ok)
	}
	if a, ok := shop.AccountOf("alice"); ok || a != "alice" {
		t.Errorf("AccountOf(platform user) = %q, %v; want not an account", a, ok)
	}
}

func TestCheckAccount(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"acct-alice", true},
		{"爱丽丝", true},
		{"", false},
		{strings.Repeat("a", shop.MaxAccountID), true},
		{strings.Repeat("a", shop.MaxAccountID+1), false},
		{"a\nb", false},
		{"\xff", false},
	} {
		err := shop.CheckAccount(tc.id)
		if (err == nil) != tc.ok || (err != nil && shop.ErrorCode(err) != shop.EBadID) {
			t.Errorf("CheckAccount(%q) = %v, want ok %v", tc.id, err, tc.ok)
		}
	}
}

func TestMoveOwner(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	o := shop.Order{TradeNo: "T1", UserID: "u1", State: shop.StateDelivered}
	if err := o.MoveOwner("account:a", at); err != nil {
		t.Fatal(err)
	}
	h := o.History[0]
	if o.UserID != "account:a" || o.State != shop.StateDelivered || len(o.History) != 1 || h.From != h.To ||
		h.Cause != "linked: u1 → account:a" || !o.UpdatedAt.Equal(at) {
		t.Errorf("after MoveOwner: %+v", o)
	}
	if err := o.MoveOwner("account:a", at); !errors.Is(err, shop.ErrNoChange) || len(o.History) != 1 {
		t.Errorf("second MoveOwner = %v, history %d; want ErrNoChange and nothing recorded", err, len(o.History))
	}
}
