package pay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Reconciler defaults, used when the matching field is zero.
const (
	DefaultReconcileDelay    = 2 * time.Minute
	DefaultReconcileInterval = time.Minute
	// DefaultPaymentWindow is how long an order may wait for payment. It is
	// a day, not minutes: on a screenless speaker the order is placed and
	// paid in the Dingdang phone app, and a WeChat payment may complete
	// well after the pay page opened. Closing early saves nothing (a closed
	// order still takes a late payment) but stops the active queries that
	// find a payment whose ship notify was lost.
	DefaultPaymentWindow = 24 * time.Hour
	// DefaultCloseAfterFails is how many orderquery FAILs in a row, after
	// the payment window, close an order the platform keeps not answering
	// about.
	DefaultCloseAfterFails = 10
	// DefaultSlowAfter and DefaultSlowInterval: an order older than
	// SlowAfter is asked about at most once per SlowInterval, not on every
	// pass, so a day-long window costs about 150 queries, not 1,440.
	DefaultSlowAfter    = time.Hour
	DefaultSlowInterval = 15 * time.Minute
	// DefaultUnreachableAfter is how many checks in a row that could not
	// reach the platform end a pass's checks: the rest wait for the next
	// pass instead of each waiting out the client's attempts (some ten
	// seconds for a platform that does not answer) and logging its own
	// failure, which stretched one pass over hours of an outage.
	DefaultUnreachableAfter = 3
	// DefaultAttentionFails is how many query answers in a row that cannot
	// be acted on list an order or a refund for attention.
	DefaultAttentionFails = 20
	// DefaultUnpaidAttention is how long past its payment window an order
	// may stay CREATED (the platform says PROCESSING, keeps failing, or
	// cannot be reached) before it is listed for attention.
	DefaultUnpaidAttention = time.Hour
	// DefaultRefundAttention is how long a refund may stay PROCESSING before
	// it is listed for attention: WeChat refunds to a bank card take up to
	// three working days.
	DefaultRefundAttention = 72 * time.Hour
)

// The short codes of QueryFails.Why.
const (
	WhyRetFail       = "ret_fail"       // the query answered retCode FAIL
	WhyMismatch      = "mismatch"       // the answer disagrees with our records (ids, amounts)
	WhyBadStatus     = "bad_status"     // a tradeStatus or refundStatus the pay document does not know
	WhyResendRefused = "resend_refused" // refundquery FAIL, and the refund re-sent was refused
)

// Reconciler settles what the platform's callbacks missed, treating the
// platform's queries as the truth, and never a failed query as an answer:
//
//   - A CREATED order older than Delay is asked about (orderquery): SUCCESS
//     delivers it; NOTPAY (or tradeStatus FAIL) closes it once its payment
//     window is over; a retCode FAIL is "no answer" and is counted on the
//     order (shop.QueryFails), closing it only after CloseAfterFails of them
//     in a row past the window. A closed order still takes a late payment.
//   - A PROCESSING refund is asked about (refundquery): SUCCESS or an
//     explicit FAIL finish it; a retCode FAIL is counted, never taken for a
//     failed refund, and a refund the platform never acknowledged (no
//     refundTransactionId) is re-sent with the same refundTradeNo, so it is
//     applied at most once however often it is sent.
//   - What it cannot settle is listed by Attention and logged at ERROR on
//     every pass, one line per item, for a person to decide.
//
// The zero values of the fields are the defaults above. The payment window
// of an order ends at the later of CreatedAt+PaymentWindow and its
// ExpiresAt. A Reconciler keeps only its last pass time in memory; several
// may run on several nodes.
type Reconciler struct {
	Service          *Service      // with Ledger and Platform
	Delay            time.Duration // leave orders younger than this to the ship notify
	Interval         time.Duration // between runs of Run
	PaymentWindow    time.Duration // how long an order may wait for payment
	CloseAfterFails  int           // orderquery FAILs in a row past the window that close an order
	SlowAfter        time.Duration // orders older than this are asked about once per SlowInterval
	SlowInterval     time.Duration
	UnreachableAfter int               // checks in a row that could not reach the platform ending a pass's checks
	AttentionFails   int               // query answers in a row not acted on that list an item
	UnpaidAttention  time.Duration     // how long past its window an order may stay CREATED unlisted
	RefundAttention  time.Duration     // how long a refund may stay PROCESSING unlisted
	Logger           *slog.Logger      // nil means the Service's logger
	Observer         ReconcileObserver // told about each pass; nil observes nothing
	Lease            Lease             // with several processes on one store, only the holder makes passes; nil: this one does
	LeaseTTL         time.Duration     // DefaultLeaseTTL
	LeaseOwner       string            // this process's name to the lease (default: host name and a random suffix)

	mu      sync.Mutex
	last    time.Time // the previous pass, for the slow schedule
	tripped bool      // the previous pass skipped checks (see UnreachableAfter)
}

// ReconcileReport counts what one RunOnce did.
type ReconcileReport struct {
	Checked        int // orders and refunds asked about
	Delivered      int // orders delivered because orderquery said SUCCESS
	Closed         int // unpaid orders closed past their payment window
	RefundsSettled int // refunds finished (SUCCESS or FAIL)
	RefundsResent  int // refunds the platform did not acknowledge, sent again
	QueryFails     int // answers that could not be acted on, counted on their order or refund
	Errors         int // checks that failed (platform unreachable, storage) and are left for the next run
	Skipped        int // checks not made: the platform could not be reached UnreachableAfter times in a row
	Attention      int // items listed for attention after the pass
	MovesSettled   int // accounts whose moved orders were checked for duplicates again (settleMoves)

	UnsettledOrders  int       // CREATED orders past Delay still unsettled after the pass
	UnsettledRefunds int       // refunds still PROCESSING after the pass
	OldestUnsettled  time.Time // creation time of the oldest of them; zero when none
}

// settleMoves checks for duplicates again the owners of open orders that
// are still Unsettled (shop.Order) Delay after they became so: moved
// to an account, or a refund of theirs failed. Account linking and the
// failed refund's report settle them at once (Service.SettleMoved); this
// is the retry when that failed or the process stopped in between.
func (r *Reconciler) settleMoves(ctx context.Context, open []shop.Order, now time.Time, rep *ReconcileReport) {
	due := now.Add(-positive(r.Delay, DefaultReconcileDelay))
	var owners []string
	for _, o := range open {
		if o.Unsettled && o.UnsettledSince().Before(due) && !slices.Contains(owners, o.UserID) {
			owners = append(owners, o.UserID)
		}
	}
	for _, owner := range owners {
		if err := r.Service.SettleMoved(ctx, owner); err != nil {
			rep.Errors++
			r.log().WarnContext(ctx, "pay: settling moved orders failed, left for the next pass", "user_id", owner, "err", err)
			continue
		}
		rep.MovesSettled++
	}
}

// unsettled counts an order or refund created at t that the pass left
// unsettled.
func (rep *ReconcileReport) unsettled(refund bool, t time.Time) {
	if refund {
		rep.UnsettledRefunds++
	} else {
		rep.UnsettledOrders++
	}
	if rep.OldestUnsettled.IsZero() || t.Before(rep.OldestUnsettled) {
		rep.OldestUnsettled = t
	}
}

func (r *Reconciler) log() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return r.Service.log()
}

// RunOnce checks every CREATED order older than Delay that is due (see
// SlowAfter) and every PROCESSING refund once, then lists and logs what
// needs attention. Failures of single checks are counted and logged, not
// returned; the error is for listing the orders. Once UnreachableAfter
// orderquery checks in a row could not reach the platform, the pass makes
// no more of them (Skipped), and the same for refundquery: they are all
// due again on the next pass, which then starts at a random order.
func (r *Reconciler) RunOnce(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	s := r.Service
	if s.Platform == nil {
		return rep, errors.New("pay: reconcile: no platform client configured")
	}
	now := s.now()
	r.mu.Lock()
	prev := r.last
	r.last = now
	r.mu.Unlock()
	limit := r.UnreachableAfter
	if limit <= 0 {
		limit = DefaultUnreachableAfter
	}
	// One breaker per endpoint: an orderquery that fails does not keep
	// refunds from being asked about. After a pass that skipped checks,
	// the next starts at a random point, so that the few checks it makes
	// before its breaker trips are not always the same ones.
	orders, refunds := breaker{limit: limit}, breaker{limit: limit}
	r.mu.Lock()
	shuffle := r.tripped
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tripped = rep.Skipped > 0
		if rep.Skipped > 0 && r.last.Equal(now) {
			r.last = prev // what this pass skipped is due on the next one
		}
	}()
	// One listing of the open orders serves the whole pass: the CREATED
	// ones to ask about, the refunds under way, and what needs attention
	// (read again where a check may have changed them, and before it is
	// reported). A listing reads every open order, and unpaid orders stay
	// open for a day.
	open, err := s.store().Orders(ctx, shop.OrderFilter{Open: true})
	if err != nil {
		return rep, fmt.Errorf("pay: reconcile: list open orders: %w", err)
	}
	type pending struct {
		order  shop.Order
		refund shop.Refund
	}
	var created []shop.Order
	var processing []pending
	old := now.Add(-positive(r.Delay, DefaultReconcileDelay))
	for _, o := range open {
		switch {
		case o.State == shop.StateCreated && o.CreatedAt.Before(old):
			created = append(created, o)
		case o.State == shop.StateRefunding:
			for _, rf := range o.Refunds {
				if rf.Status == shop.RefundProcessing {
					processing = append(processing, pending{o, rf})
				}
			}
		}
	}
	checked := make(map[string]bool)
	for _, o := range rotate(created, shuffle) {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		settled := rep.Delivered + rep.Closed
		if r.due(o, now, prev) {
			orders.check(&rep, func() bool { checked[o.TradeNo] = true; return r.checkOrder(ctx, o, &rep) })
		}
		if rep.Delivered+rep.Closed == settled {
			rep.unsettled(false, o.CreatedAt)
		}
	}
	for _, p := range rotate(processing, shuffle) {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		settled := rep.RefundsSettled
		refunds.check(&rep, func() bool { checked[p.order.TradeNo] = true; return r.checkRefund(ctx, p.order, p.refund, &rep) })
		if rep.RefundsSettled == settled {
			rep.unsettled(true, p.refund.CreatedAt)
		}
	}
	if rep.Skipped > 0 {
		r.log().WarnContext(ctx, "pay: reconcile: platform unreachable; checks left for the next pass", "skipped", rep.Skipped)
	}
	open = r.reread(ctx, open, checked, &rep)
	r.settleMoves(ctx, open, now, &rep)
	items := r.attention(open) // what settling changed needs no attention yet
	if len(items) > 0 {
		// The listing is as old as the pass: what it lists for attention
		// is read again, as a ship notify may have settled it meanwhile.
		again := make(map[string]bool)
		for _, it := range items {
			again[it.TradeNo] = !checked[it.TradeNo]
		}
		items = r.attention(r.reread(ctx, open, again, &rep))
	}
	rep.Attention = len(items)
	for _, it := range items {
		r.log().ErrorContext(ctx, "pay: needs attention", "trade_no", it.TradeNo, "refund_trade_no", it.RefundTradeNo,
			"reason", it.Reason, "state", it.State, "since", it.Since, "query_fails", it.QueryFails, "detail", it.Detail)
	}
	if rep != (ReconcileReport{}) {
		r.log().InfoContext(ctx, "pay: reconciled", "checked", rep.Checked, "delivered", rep.Delivered, "closed", rep.Closed,
			"refunds_settled", rep.RefundsSettled, "refunds_resent", rep.RefundsResent, "query_fails", rep.QueryFails,
			"errors", rep.Errors, "skipped", rep.Skipped, "attention", rep.Attention, "moves_settled", rep.MovesSettled)
	}
	return rep, nil
}

// reread returns the orders of open that are still open, those in which
// read again (a check may have delivered or closed them, or changed their
// refunds). One that cannot be read again is kept as listed, and counted
// in rep.Errors.
func (r *Reconciler) reread(ctx context.Context, open []shop.Order, which map[string]bool, rep *ReconcileReport) []shop.Order {
	if len(which) == 0 {
		return open
	}
	out := make([]shop.Order, 0, len(open))
	for _, o := range open {
		if which[o.TradeNo] {
			got, err := r.Service.store().Order(ctx, o.TradeNo)
			switch {
			case err != nil:
				rep.Errors++
				r.log().WarnContext(ctx, "pay: reconcile: order not read again, going by the listing", "trade_no", o.TradeNo, "err", err)
			case !got.Open():
				continue
			default:
				o = got
			}
		}
		out = append(out, o)
	}
	return out
}

// breaker ends a pass's checks once limit of them in a row could not reach
// the platform.
type breaker struct{ limit, unreached int }

// check runs check, which reports whether it reached the platform, unless
// the platform is taken for down; then it counts a check skipped.
func (b *breaker) check(rep *ReconcileReport, check func() (reached bool)) {
	if b.unreached >= b.limit {
		rep.Skipped++
		return
	}
	if check() {
		b.unreached = 0
	} else {
		b.unreached++
	}
}

// rotate returns xs starting at a random element when shuffle is set,
// else xs itself.
func rotate[T any](xs []T, shuffle bool) []T {
	if !shuffle || len(xs) < 2 {
		return xs
	}
	i := mrand.IntN(len(xs))
	return append(xs[i:len(xs):len(xs)], xs[:i]...)
}

// Run calls RunOnce every Interval until ctx is done; with a Lease, only
// while this process holds it (see Lease).
func (r *Reconciler) Run(ctx context.Context) {
	if r.Lease != nil {
		r.runLeased(ctx)
		return
	}
	r.leading(true)
	defer r.leading(false)
	t := time.NewTicker(positive(r.Interval, DefaultReconcileInterval))
	defer t.Stop()
	for {
		r.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass runs RunOnce and reports it.
func (r *Reconciler) pass(ctx context.Context) {
	at := r.Service.now()
	rep, err := r.RunOnce(ctx)
	if err != nil && ctx.Err() == nil {
		r.log().ErrorContext(ctx, "pay: reconcile", "err", err)
	}
	if r.Observer != nil && ctx.Err() == nil {
		r.Observer.Reconciled(rep, at, err)
	}
}

// positive returns d, or def when d is not positive.
func positive(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
