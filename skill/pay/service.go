package pay

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// DefaultOrderTTL is how long a created order waits for payment when
// Service.OrderTTL is 0.
const DefaultOrderTTL = 30 * time.Minute

// Service is the partner side of payment: the platform's create-order and
// notifications in, orderquery and refunds out. The ledger rules (prices,
// ownership, uses, the refund policy) are the core's, in Ledger; Service
// speaks the pay document around them and answers each refusal through
// one table (FailReply).
//
// Ledger (with its Store, Catalog and clock) and SkillID are required;
// Offers is needed only to accept offer references as userToken; Platform only
// for Confirm, Refund and the Reconciler. The zero values of OrderTTL and
// Logger are DefaultOrderTTL and slog.Default().
//
// Service is safe for concurrent use: every change to an order goes through
// the store's UpdateOrder and the core's state machine.
type Service struct {
	Ledger   *shop.Ledger
	SkillID  string
	Offers   *Offers
	Platform *Client
	OrderTTL time.Duration
	Logger   *slog.Logger
	Observer Observer // nil observes nothing
	// Moves, with account linking, tells to which account a platform
	// user's orders last moved: a create order for that user (an offer
	// made before linking, paid after) is checked against what the
	// account owns too. Nil: no linking.
	Moves Moves
}

// Moves tells where account linking last moved a platform user's orders
// (the owner, shop.AccountOwner, or "" when they never moved);
// *oauth.Linker satisfies it.
type Moves interface {
	MovedTo(ctx context.Context, userID string) (string, error)
}

func (s *Service) store() shop.OrderStore { return s.Ledger.Store }

func (s *Service) now() time.Time {
	if s.Ledger.Now != nil {
		return s.Ledger.Now()
	}
	return time.Now()
}

func (s *Service) orderTTL() time.Duration {
	if s.OrderTTL > 0 {
		return s.OrderTTL
	}
	return DefaultOrderTTL
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// event records something that happened to an order: on the log line of
// the request that caused it when there is one (logctx.Note, as "event"
// and its attributes), else as a line of its own (the reconciler's work).
func (s *Service) event(ctx context.Context, msg string, attrs ...slog.Attr) {
	if logctx.Note(ctx, append([]slog.Attr{slog.String("event", msg)}, attrs...)...) {
		return
	}
	s.log().LogAttrs(ctx, slog.LevelInfo, msg, attrs...)
}

// Entitlements returns what the user owns (shop.Ledger.Entitlements): with
// Refund, what the admin API needs of the service.
func (s *Service) Entitlements(ctx context.Context, userID string) ([]shop.Entitlement, error) {
	return s.Ledger.Entitlements(ctx, userID)
}

// Confirm is the post-payment check: it returns the order as the ledger has
// it and, when the order is not delivered yet (CREATED or CLOSED), asks the
// platform right now and delivers on a SUCCESS whose total matches. It never
// delivers an unpaid order. When the platform cannot be asked, it returns the
// stored order and the error.
func (s *Service) Confirm(ctx context.Context, tradeNo string) (shop.Order, error) {
	o, _, err := s.Confirmed(ctx, tradeNo)
	return o, err
}

// Confirmed is Confirm, reporting also whether the platform, asked, said
// the order is not paid (NOTPAY, or its payment FAIL): PROCESSING, an
// answer that could not be read, or no question asked are not that.
func (s *Service) Confirmed(ctx context.Context, tradeNo string) (o shop.Order, unpaid bool, err error) {
	ctx = logctx.WithTradeNo(ctx, tradeNo)
	o, err = s.store().Order(ctx, tradeNo)
	if err != nil {
		return shop.Order{}, false, fmt.Errorf("pay: confirm %s: %w", tradeNo, err)
	}
	if o.State != shop.StateCreated && o.State != shop.StateClosed {
		return o, false, nil
	}
	if s.Platform == nil {
		return o, false, nil
	}
	st, err := s.Platform.OrderQuery(ctx, OrderQuery{TradeNo: tradeNo})
	if err != nil {
		return o, false, fmt.Errorf("pay: confirm %s: %w", tradeNo, err)
	}
	if st.TradeStatus != TradeSuccess {
		ours := st.TradeNo == "" || st.TradeNo == tradeNo
		return o, ours && (st.TradeStatus == TradeNotPay || st.TradeStatus == TradeFail), nil
	}
	if st.TradeNo != "" && st.TradeNo != tradeNo {
		return o, false, shop.Coded(shop.ECONFLICT, EQueryMismatch, "orderquery answered for %s, not %s", st.TradeNo, tradeNo)
	}
	if st.TotalAmt != o.TotalAmt {
		s.log().ErrorContext(ctx, "pay: orderquery total differs from order", "trade_no", tradeNo, "total_amt", st.TotalAmt, "order_total_amt", o.TotalAmt)
		return o, false, shop.Coded(shop.ECONFLICT, shop.ETotalMismatch, "platform total %d differs from order %d", st.TotalAmt, o.TotalAmt)
	}
	o, err = s.deliver(ctx, tradeNo, st.TransactionID, st.TotalAmt, "orderquery SUCCESS")
	return o, false, err
}
