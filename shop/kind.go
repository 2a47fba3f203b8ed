package shop

import (
	"fmt"
	"strings"
	"time"
)

// Kind says what buying a product gives the user. Everything that differs
// between kinds is answered by its methods, from the kind's rules in the
// list below: callers ask what a kind does (Once, UsedUp, Timed), never
// which kind it is. Adding a kind is a constant and its line in kinds.
type Kind string

// The product kinds.
const (
	KindEntitlement  Kind = "entitlement"  // owned forever once bought (an episode, an album)
	KindConsumable   Kind = "consumable"   // bought in quantity, used up one at a time (credits)
	KindSubscription Kind = "subscription" // Days of access per unit; renewals extend
)

// rules is what one kind of product does. A kind with neither is owned
// forever once bought.
type rules struct {
	// units: bought in quantity, each use consumes one unit
	// (Entitlement.Quantity counts what is left).
	units bool
	// timed: each unit gives Product.Days of access; a renewal bought
	// before the end extends it (Entitlement.ExpiresAt).
	timed bool
}

// kinds is THE list of product kinds and their rules, in the order
// messages name them.
var kinds = []struct {
	kind Kind
	rules
}{
	{KindEntitlement, rules{}},
	{KindConsumable, rules{units: true}},
	{KindSubscription, rules{timed: true}},
}

// Kinds returns the product kinds, in list order.
func Kinds() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.kind
	}
	return out
}

// rules returns the kind's rules; ok is false for a kind not in the list.
func (k Kind) rules() (r rules, ok bool) {
	for _, e := range kinds {
		if e.kind == k {
			return e.rules, true
		}
	}
	return rules{}, false
}

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool {
	_, ok := k.rules()
	return ok
}

// Once reports whether a product of kind k is owned forever once bought:
// an order line carries exactly one unit, and it is never sold again to a
// user who owns it.
func (k Kind) Once() bool {
	r, ok := k.rules()
	return ok && !r.units && !r.timed
}

// UsedUp reports whether each use consumes one unit, so a purchase counts
// what is left (consumables) and its unused units can be refunded; uses of
// the other kinds are counted without limit.
func (k Kind) UsedUp() bool {
	r, _ := k.rules()
	return r.units
}

// Timed reports whether each unit gives Product.Days of access, so access
// ends and can be renewed (subscriptions).
func (k Kind) Timed() bool {
	r, _ := k.rules()
	return r.timed
}

// AsksCount reports whether the dialog asks how many when the user did not
// say: the quantity is the point of a kind used up unit by unit. A timed
// kind takes a quantity when one is said and is otherwise sold one period.
func (k Kind) AsksCount() bool { return k.UsedUp() }

// Unused is how many units of an order line of kind k are still unused
// after used uses, of bought units of which refunded were refunded: for a
// kind used up unit by unit what is left; for the others none once used at
// all (one play uses the whole purchase).
func (k Kind) Unused(bought, refunded, used int64) int64 {
	switch {
	case used <= 0:
		return max(bought-refunded, 0)
	case k.UsedUp():
		return max(bought-refunded-used, 0)
	}
	return 0
}

// check returns what is wrong with p for kind k ("" when nothing).
func (k Kind) check(p Product) string {
	switch {
	case !k.Known():
		names := make([]string, 0, len(kinds))
		for _, e := range kinds {
			names = append(names, string(e.kind))
		}
		return fmt.Sprintf("unknown kind %q (want %s)", k, strings.Join(names, ", "))
	case k.Timed() && p.Days <= 0:
		return fmt.Sprintf("a %s needs days > 0", k)
	case !k.Timed() && p.Days != 0:
		return fmt.Sprintf("days has no meaning for a %s", k)
	}
	return ""
}

// active reports whether e, of kind k, gives access at now: units left for
// a kind used up, a running period for a timed kind, always otherwise.
func (k Kind) active(e Entitlement, now time.Time) bool {
	switch {
	case k.UsedUp():
		return e.Quantity > 0
	case k.Timed():
		return now.Before(e.ExpiresAt)
	}
	return true
}

// grant adds to e, of kind k, what units of p delivered at delivered (and
// used uses of them) give: units left, or periods chained after the
// current end.
func (k Kind) grant(e *Entitlement, p Product, units, used int64, delivered time.Time) {
	if k.UsedUp() {
		e.Quantity += max(units-used, 0) // an order with more used than left (refunded late) takes nothing from others
	}
	if k.Timed() {
		start := delivered
		if e.ExpiresAt.After(start) {
			start = e.ExpiresAt
		}
		e.ExpiresAt = start.Add(time.Duration(units) * time.Duration(p.Days) * 24 * time.Hour).UTC()
	}
}
