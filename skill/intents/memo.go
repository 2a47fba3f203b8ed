package intents

import (
	"context"
	"slices"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// One read of the books per turn. A purchase turn asks what the user owns
// and what waits for payment, both questions about the same orders, so the
// dialog reads the user's orders once per turn (memoLedger) and folds the
// entitlements from them (shop.Entitlements, as shop.Ledger does). Anything
// that may change them (a use, a resume, a confirmed payment, a refund)
// forgets what was read. The memo lives in the turn's context, so turns
// never share it.

// memo is a turn's read of one user's orders.
type memo struct {
	userID string
	orders []shop.Order
	ok     bool
}

type memoKey struct{}

// withMemo returns a context for one turn, with an empty memo.
func withMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{})
}

func memoOf(ctx context.Context) *memo {
	m, _ := ctx.Value(memoKey{}).(*memo)
	return m
}

// forget drops what the turn read.
func (m *memo) forget() {
	if m != nil {
		m.ok, m.orders = false, nil
	}
}

// memoLedger is the Ledger the dialog uses: reads remembered for the turn.
type memoLedger struct {
	Ledger
	catalog *shop.Catalog
}

// UserOrders reads the user's orders once per turn.
func (l memoLedger) UserOrders(ctx context.Context, userID string) ([]shop.Order, error) {
	m := memoOf(ctx)
	if m != nil && m.ok && m.userID == userID {
		return slices.Clone(m.orders), nil
	}
	orders, err := l.Ledger.UserOrders(ctx, userID)
	if err == nil && m != nil {
		m.userID, m.orders, m.ok = userID, slices.Clone(orders), true
	}
	return orders, err
}

// Entitlements folds what the user owns from their orders.
func (l memoLedger) Entitlements(ctx context.Context, userID string) ([]shop.Entitlement, error) {
	orders, err := l.UserOrders(ctx, userID)
	if err != nil {
		return nil, err
	}
	return shop.Entitlements(orders, l.catalog), nil
}

// Use records a use; the turn's read is forgotten.
func (l memoLedger) Use(ctx context.Context, userID, productID string) error {
	memoOf(ctx).forget()
	return l.Ledger.Use(ctx, userID, productID)
}

// Resume marks an order resumed; the turn's read is forgotten.
func (l memoLedger) Resume(ctx context.Context, tradeNo string) (shop.Order, bool, error) {
	memoOf(ctx).forget()
	return l.Ledger.Resume(ctx, tradeNo)
}

func (l memoLedger) ClosePage(ctx context.Context, tradeNo string) error {
	memoOf(ctx).forget()
	return l.Ledger.ClosePage(ctx, tradeNo)
}

// memoPayments forgets the turn's read before asking the platform, which
// may deliver or refund an order.
type memoPayments struct{ Payments }

// Confirmed asks whether an order was paid.
func (p memoPayments) Confirmed(ctx context.Context, tradeNo string) (shop.Order, bool, error) {
	memoOf(ctx).forget()
	return p.Payments.Confirmed(ctx, tradeNo)
}

// Refund asks for a refund.
func (p memoPayments) Refund(ctx context.Context, tradeNo string, amount shop.Fen, reason string) (shop.Order, error) {
	memoOf(ctx).forget()
	return p.Payments.Refund(ctx, tradeNo, amount, reason)
}
