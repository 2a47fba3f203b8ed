package shop_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestKindRules(t *testing.T) {
	tests := []struct {
		kind                                  shop.Kind
		known, once, usedUp, timed, asksCount bool
	}{
		{shop.KindEntitlement, true, true, false, false, false},
		{shop.KindConsumable, true, false, true, false, true},
		{shop.KindSubscription, true, false, false, true, false},
		{"gift", false, false, false, false, false},
		{"", false, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			k := tt.kind
			got := []bool{k.Known(), k.Once(), k.UsedUp(), k.Timed(), k.AsksCount()}
			want := []bool{tt.known, tt.once, tt.usedUp, tt.timed, tt.asksCount}
			if !slices.Equal(got, want) {
				t.Errorf("Known, Once, UsedUp, Timed, AsksCount = %v, want %v", got, want)
			}
		})
	}
	for _, k := range shop.Kinds() {
		if !k.Known() {
			t.Errorf("listed kind %q is not Known", k)
		}
	}
}

// TestKindUnused: what a refund of unused units may return.
func TestKindUnused(t *testing.T) {
	tests := []struct {
		kind                   shop.Kind
		bought, refunded, used int64
		want                   int64
	}{
		{shop.KindConsumable, 5, 0, 0, 5},
		{shop.KindConsumable, 5, 1, 2, 2},
		{shop.KindConsumable, 5, 2, 4, 0}, // used more than is left after the refund
		{shop.KindEntitlement, 1, 0, 0, 1},
		{shop.KindEntitlement, 1, 0, 1, 0}, // one play uses it all
		{shop.KindSubscription, 3, 0, 1, 0},
		{shop.KindSubscription, 3, 1, 0, 2},
	}
	for _, tt := range tests {
		if got := tt.kind.Unused(tt.bought, tt.refunded, tt.used); got != tt.want {
			t.Errorf("%s.Unused(%d, %d, %d) = %d, want %d", tt.kind, tt.bought, tt.refunded, tt.used, got, tt.want)
		}
	}
}

// TestKindValidate: every kind is valid in a catalog with what it needs,
// and what a kind requires is checked.
func TestKindValidate(t *testing.T) {
	for _, k := range shop.Kinds() {
		p := shop.Product{ID: "p", Name: "P", Price: 1, Kind: k}
		if k.Timed() {
			p.Days = 30
		}
		if err := (&shop.Catalog{Products: []shop.Product{p}}).Validate(); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	for _, tt := range []struct {
		p    shop.Product
		want string
	}{
		{shop.Product{Kind: "gift"}, `unknown kind "gift" (want entitlement, consumable, `},
		{shop.Product{Kind: shop.KindSubscription}, "a subscription needs days > 0"},
		{shop.Product{Kind: shop.KindConsumable, Days: 3}, "days has no meaning for a consumable"},
	} {
		tt.p.ID, tt.p.Name, tt.p.Price = "p", "P", 1
		err := (&shop.Catalog{Products: []shop.Product{tt.p}}).Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.p.Kind, err, tt.want)
		}
	}
}

// TestEntitlementActive: what gives access now, per kind.
func TestEntitlementActive(t *testing.T) {
	now := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		e    shop.Entitlement
		want bool
	}{
		{shop.Entitlement{Kind: shop.KindEntitlement}, true},
		{shop.Entitlement{Kind: shop.KindConsumable, Quantity: 1}, true},
		{shop.Entitlement{Kind: shop.KindConsumable}, false},
		{shop.Entitlement{Kind: shop.KindSubscription, ExpiresAt: now.Add(time.Second)}, true},
		{shop.Entitlement{Kind: shop.KindSubscription, ExpiresAt: now}, false},
	}
	for _, tt := range tests {
		if got := tt.e.Active(now); got != tt.want {
			t.Errorf("%+v.Active = %v, want %v", tt.e, got, tt.want)
		}
	}
}
