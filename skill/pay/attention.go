package pay

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// The reasons an item is listed for attention, most pressing first.
const (
	// AttentionMismatch: the platform's last answer disagrees with our
	// records (another amount or id): money may have moved in a way we did
	// not ask for.
	AttentionMismatch = "query_mismatch"
	// AttentionQueryFails: AttentionFails query answers in a row could not
	// be acted on (retCode FAIL, an unknown status, a re-sent refund
	// refused).
	AttentionQueryFails = "query_fails"
	// AttentionUnpaid: an order still CREATED UnpaidAttention past its
	// payment window: the platform says PROCESSING, keeps failing, or
	// cannot be reached.
	AttentionUnpaid = "unpaid_past_window"
	// AttentionRefund: a refund PROCESSING for longer than RefundAttention.
	AttentionRefund = "refund_processing"
	// AttentionDuplicate: a duplicate payment (shop.Order.DuplicateOf)
	// whose automatic refund the platform refused or failed
	// (shop.Order.UnrefundedDuplicate): the user paid twice. It is never
	// sent again by itself: a FAIL is the platform's last word on that
	// refund, and money is not moved again without a person.
	AttentionDuplicate = "duplicate_not_refunded"
	// AttentionUnchecked: an order of one-time products moved to an
	// account (account linking), or whose refund failed, that its owner's
	// orders have not been checked against for a product given twice
	// (Service.SettleMoved) for UncheckedAttention: each pass retries it,
	// and logs why it fails; meanwhile a second payment is not refunded.
	AttentionUnchecked = "duplicates_unchecked"
)

// UncheckedAttention is how long an order may wait for its duplicate
// check (AttentionUnchecked) before it is listed.
const UncheckedAttention = time.Hour

// Attention is one order or refund the reconciler cannot settle by itself
// and will not decide silently: a person should look at it (and at the
// platform's console).
type Attention struct {
	TradeNo       string          `json:"tradeNo"`
	RefundTradeNo string          `json:"refundTradeNo,omitempty"` // set for a refund
	UserID        string          `json:"userId"`
	State         shop.OrderState `json:"state"`
	Amount        shop.Fen        `json:"amount"` // the order's total, or the refund's amount
	Reason        string          `json:"reason"` // one of the Attention* codes
	Since         time.Time       `json:"since"`  // since when it has been so
	QueryFails    shop.QueryFails `json:"queryFails,omitzero"`
	Detail        string          `json:"detail"` // one line for a person
}

// Attention lists, oldest first, the CREATED orders and PROCESSING refunds
// that need a person: answers that disagree with our records, answers that
// cannot be acted on piling up (AttentionFails in a row), orders unpaid
// UnpaidAttention past their payment window, refunds PROCESSING longer than
// RefundAttention; and the duplicate payments whose refund the platform
// refused or failed, left PAID (nothing else was bought) or DELIVERED
// (with the order's other lines); and orders of one-time products whose
// duplicate check (moved to an account, a refund failed) has waited
// UncheckedAttention. It reads only the store's open orders
// (shop.Order.Open): every node lists the same.
func (r *Reconciler) Attention(ctx context.Context) ([]Attention, error) {
	orders, err := r.Service.store().Orders(ctx, shop.OrderFilter{Open: true})
	if err != nil {
		return nil, fmt.Errorf("pay: attention: list orders: %w", err)
	}
	return r.attention(orders), nil
}

// attention is Attention over the open orders listed.
func (r *Reconciler) attention(orders []shop.Order) []Attention {
	now := r.Service.now()
	fails := r.AttentionFails
	if fails <= 0 {
		fails = DefaultAttentionFails
	}
	var out []Attention
	for _, o := range orders {
		base := Attention{TradeNo: o.TradeNo, UserID: o.UserID, State: o.State}
		if since := o.UnsettledSince(); o.Unsettled && now.Sub(since) >= UncheckedAttention && len(o.OnceItems(r.Service.Ledger.Catalog)) > 0 {
			it := base
			it.Reason, it.Amount, it.Since = AttentionUnchecked, o.TotalAmt, since
			it.Detail = fmt.Sprintf("not checked for a one-time product the user has twice for %s (moved to an account, or a refund failed): each pass retries (see \"settling moved orders failed\" in the log)", ago(since, now))
			out = append(out, it)
		}
		if rf, owed := o.UnrefundedDuplicate(); owed || o.State == shop.StatePaid {
			// A duplicate payment whose refund failed: PAID (never
			// delivered), or delivered with the order's other lines.
			it := base
			it.Reason = AttentionDuplicate
			if owed {
				it.RefundTradeNo, it.Amount, it.Since = rf.RefundTradeNo, rf.Amount, rf.UpdatedAt
				it.Detail = fmt.Sprintf("the user paid twice: refund %s of %s (already owned via %s) failed (%s); refund %s by hand: skill refund %s",
					rf.RefundTradeNo, itemsOf(rf), o.DuplicateOf, rf.StatusDesc, rf.Amount.Yuan(), o.TradeNo)
			} else {
				it.Amount, it.Since = o.TotalAmt, o.UpdatedAt
				it.Detail = "a duplicate payment (already owned via " + o.DuplicateOf + ") whose refund the platform refused: refund it by hand"
			}
			out = append(out, it)
			if o.State != shop.StateRefunding {
				continue // its other refunds, if any, are final
			}
		}
		if o.State == shop.StateCreated {
			it := base
			it.Amount, it.QueryFails = o.TotalAmt, o.QueryFails
			end := r.windowEnd(o)
			if attend(&it, o.QueryFails, fails, end, end.Add(positive(r.UnpaidAttention, DefaultUnpaidAttention)), now, AttentionUnpaid,
				fmt.Sprintf("unpaid %s past its payment window (ended %s)", ago(end, now), end.UTC().Format(time.RFC3339))) {
				out = append(out, it)
			}
			continue
		}
		for _, rf := range o.Refunds {
			if rf.Status != shop.RefundProcessing {
				continue
			}
			it := base
			it.RefundTradeNo, it.Amount, it.QueryFails = rf.RefundTradeNo, rf.Amount, rf.QueryFails
			if attend(&it, rf.QueryFails, fails, rf.CreatedAt, rf.CreatedAt.Add(positive(r.RefundAttention, DefaultRefundAttention)), now, AttentionRefund,
				fmt.Sprintf("refund PROCESSING for %s (started %s)", ago(rf.CreatedAt, now), rf.CreatedAt.UTC().Format(time.RFC3339))) {
				out = append(out, it)
			}
		}
	}
	slices.SortFunc(out, func(a, b Attention) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.TradeNo, b.TradeNo), cmp.Compare(a.RefundTradeNo, b.RefundTradeNo))
	})
	return out
}

// attend fills the reason of it and reports whether it needs attention: a
// disagreeing last answer, fails answers in a row not acted on, or now
// past due (the age rule, with its own reason and detail, the state having
// lasted since since).
func attend(it *Attention, q shop.QueryFails, fails int, since, due, now time.Time, reason, detail string) bool {
	switch {
	case q.Count > 0 && q.Why == WhyMismatch:
		it.Reason, it.Since = AttentionMismatch, q.Since
		it.Detail = "the platform's answer disagrees with our records: " + q.RetMsg
	case q.Count >= fails:
		it.Reason, it.Since = AttentionQueryFails, q.Since
		it.Detail = fmt.Sprintf("%d query answers in a row not acted on since %s, the last %s %s",
			q.Count, q.Since.UTC().Format(time.RFC3339), q.Why, q.RetMsg)
	case !now.Before(due):
		it.Reason, it.Since, it.Detail = reason, since, detail
	default:
		return false
	}
	return true
}

// itemsOf names the items of a refund.
func itemsOf(r shop.Refund) string {
	ids := make([]string, len(r.Details))
	for i, l := range r.Details {
		ids[i] = l.ItemID
	}
	return strings.Join(ids, ", ")
}

// ago is how long ago t was, in whole minutes.
func ago(t, now time.Time) string {
	if d := now.Sub(t).Truncate(time.Minute); d > 0 {
		return d.String()
	}
	return "0m"
}
