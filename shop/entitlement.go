package shop

import (
	"sort"
	"time"
)

// Entitlement is what a user owns of one product. It is derived from the
// user's orders (delivered and not refunded), never stored on its own, so a
// delivery or a refund changes it atomically with the order.
type Entitlement struct {
	ProductID string    `json:"productId"`
	Kind      Kind      `json:"kind"`
	Quantity  int64     `json:"quantity,omitempty"` // consumables: units left
	ExpiresAt time.Time `json:"expiresAt,omitzero"` // subscriptions: end of access
}

// Active reports whether the entitlement gives access now.
func (e Entitlement) Active(now time.Time) bool { return e.Kind.active(e, now) }

// owning reports whether the order gives its items to the user: it was
// delivered, and is not fully refunded (a pending or partial refund leaves
// what it does not take back). A duplicate payment never delivered gives
// nothing.
func owning(o *Order) bool {
	switch o.State {
	case StateDelivered, StateRefunding, StatePartiallyRefunded:
		return o.DuplicateOf == "" || o.Deliveries > 0
	}
	return false
}

// Entitlements folds a user's orders into what they own, one entry per
// product, in catalog order; each product's kind says what its units give
// (Kind.grant): units bought minus refunded minus used, or periods chained in
// delivery order, a renewal bought before expiry extending it. Products
// missing from the catalog are skipped.
func Entitlements(orders []Order, cat *Catalog) []Entitlement {
	sorted := make([]Order, 0, len(orders))
	for _, o := range orders {
		if owning(&o) {
			sorted = append(sorted, o)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].DeliveredAt.Before(sorted[j].DeliveredAt) })

	byID := map[string]*Entitlement{}
	for _, o := range sorted {
		for _, l := range o.Details {
			p, ok := cat.Product(l.ItemID)
			if !ok {
				continue
			}
			units := l.Quantity - o.RefundedQuantity(l.ItemID)
			if units <= 0 {
				continue
			}
			e := byID[p.ID]
			if e == nil {
				e = &Entitlement{ProductID: p.ID, Kind: p.Kind}
				byID[p.ID] = e
			}
			p.Kind.grant(e, p, units, o.Uses[l.ItemID], o.DeliveredAt)
		}
	}
	var out []Entitlement
	for _, p := range cat.Products {
		if e := byID[p.ID]; e != nil {
			e.Quantity = max(e.Quantity, 0) // more used than left after a refund
			out = append(out, *e)
		}
	}
	return out
}
