package pay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// MaxRefundDesc is the longest refundDesc the pay document allows, in bytes.
const MaxRefundDesc = 64

// Refund refunds amount of a delivered order (0 means all that is left),
// after the refund policy (shop.Refundable) allows it. An order owing the
// refund of a duplicate payment the platform failed refunds that instead,
// whatever the policy (refundDuplicateByHand), when amount is 0 or what is
// owed, or the order was never delivered (PAID: nothing else to refund);
// another amount of a delivered order (a user's refund by voice of all
// its lines) goes by the policy. The refund, with its deterministic
// refundTradeNo, is stored as PROCESSING before the platform is called, so
// whatever happens next it is retried with the same number and never applied
// twice. The platform accepting it leaves it PROCESSING (refundquery or the
// refund notify settles it); the platform refusing it outright (retCode FAIL
// on the first attempt) fails it and returns an ECONFLICT error wrapping the
// *PlatformError; an unknown outcome leaves it PROCESSING for the Reconciler
// and returns the order with a nil error (the refund is queued).
func (s *Service) Refund(ctx context.Context, tradeNo string, amount shop.Fen, reason string) (shop.Order, error) {
	ctx = logctx.WithTradeNo(ctx, tradeNo)
	if amount < 0 {
		return shop.Order{}, shop.Coded(shop.EINVALID, shop.EBadRefundAmount, "退款金额不对")
	}
	if s.Platform == nil {
		return shop.Order{}, errors.New("pay: refund: no platform client configured")
	}
	o, err := s.store().Order(ctx, tradeNo)
	if err != nil {
		return shop.Order{}, fmt.Errorf("pay: refund %s: %w", tradeNo, err)
	}
	now := s.now()
	if _, owedAmt, owed := o.DuplicateOwed(); owed && (amount == 0 || amount == owedAmt || o.State == shop.StatePaid) {
		return s.refundDuplicateByHand(ctx, o, amount)
	}
	if _, _, err := shop.Refundable(o, s.Ledger.Catalog, now); err != nil {
		return o, err
	}
	var started shop.Refund
	o, err = s.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		refundable, left, err := shop.Refundable(*o, s.Ledger.Catalog, now)
		if err != nil {
			return err
		}
		r, err := nextRefund(o, refundable, left, amount, reason)
		if err != nil {
			return err
		}
		defer shop.StampActor(ctx, o, len(o.History))
		if err := o.StartRefund(r, now); err != nil {
			if errors.Is(err, shop.ErrNoChange) {
				return shop.Coded(shop.ECONFLICT, shop.ERefundPending, "refund %s already started", r.RefundTradeNo)
			}
			return err
		}
		p, _ := o.Refund(r.RefundTradeNo)
		started = *p
		return nil
	})
	if err != nil {
		return o, fmt.Errorf("pay: refund %s: %w", tradeNo, err)
	}
	s.log().InfoContext(ctx, "pay: refund started", "trade_no", tradeNo, "refund_trade_no", started.RefundTradeNo, "refund_amt", int64(started.Amount), "state", o.State)
	return s.sendRefund(ctx, o, started)
}

// refundDuplicateByHand refunds again, in full, the duplicate payment of o
// that the platform failed (shop.Order.RefundDuplicateAgain): the refund a
// person is asked for by the attention list. No refund policy applies (the
// user paid twice). amount must be 0 or what is owed: a person's "refund
// it all" does not also take back the lines the user kept.
func (s *Service) refundDuplicateByHand(ctx context.Context, o shop.Order, amount shop.Fen) (shop.Order, error) {
	var started shop.Refund
	tradeNo := o.TradeNo
	o, err := s.store().UpdateOrder(ctx, tradeNo, func(o *shop.Order) error {
		seq := len(o.Refunds) + 1
		if seq > shop.MaxRefunds {
			return shop.Coded(shop.EINVALID, shop.ETooManyRefunds, "这笔订单退款次数太多了")
		}
		defer shop.StampActor(ctx, o, len(o.History))
		r, err := o.RefundDuplicateAgain(RefundTradeNo(o.TradeNo, seq), s.now())
		if err != nil {
			return err
		}
		if amount != 0 && amount != r.Amount {
			// Said to the user too (a voice refund's confirmation): one
			// unit (Yuan says 元), no instructions for the CLI.
			return shop.Coded(shop.EINVALID, shop.EBadRefundAmount, "这笔订单重复付款的%s要先退，只能退这%s", r.Amount.Yuan(), r.Amount.Yuan())
		}
		started = r
		return nil
	})
	if err != nil {
		return o, fmt.Errorf("pay: refund %s: %w", tradeNo, err)
	}
	s.log().WarnContext(ctx, "pay: duplicate payment refunded again by hand", "trade_no", o.TradeNo, "duplicate_of", o.DuplicateOf,
		"refund_trade_no", started.RefundTradeNo, "refund_amt", int64(started.Amount), "state", o.State)
	return s.sendRefund(ctx, o, started)
}

// sendRefund sends a refund just started (stored PROCESSING on o) for the
// first time and records the answer. A refusal on the call's first attempt
// is the platform's word on this very request: the refund is recorded FAIL
// and an ERefundRefused error returned. A refusal after an attempt that
// failed in transit may answer a repeat of a refund the platform took, and
// an unknown outcome may be either: both leave the refund PROCESSING for the
// Reconciler, which asks refundquery and re-sends with the same
// refundTradeNo, and return the order with a nil error (the refund is
// queued).
func (s *Service) sendRefund(ctx context.Context, o shop.Order, r shop.Refund) (shop.Order, error) {
	no, err := s.postRefund(ctx, o, r)
	var perr *PlatformError
	switch {
	case errors.As(err, &perr) && !perr.Retried && s.acknowledged(ctx, o.TradeNo, r.RefundTradeNo):
		// Refused, but the platform acknowledged the refund meanwhile (a
		// copy sent by the reconciler): its word is the acknowledgement.
		s.log().WarnContext(ctx, "pay: refund refused after the platform acknowledged it, left for the reconciler", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "ret_msg", perr.RetMsg)
		return o, nil
	case errors.As(err, &perr) && !perr.Retried:
		s.log().WarnContext(ctx, "pay: platform refused refund", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "ret_msg", perr.RetMsg)
		no, ferr := s.settleRefund(ctx, o.TradeNo, r.RefundTradeNo, "", shop.RefundFail, truncateBytes(perr.RetMsg, 64), "refund refused")
		if ferr != nil {
			return o, fmt.Errorf("pay: refund %s refused: %w", r.RefundTradeNo, ferr)
		}
		return no, &shop.Error{Code: ERefundRefused, Class: shop.ECONFLICT, Message: "退款没有成功，请稍后再试或联系客服", Err: perr}
	case errors.As(err, &perr):
		s.log().WarnContext(ctx, "pay: refund refused after a lost attempt, left for the reconciler", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "ret_msg", perr.RetMsg)
		return o, nil
	case errors.Is(err, ErrTransient):
		s.log().WarnContext(ctx, "pay: refund not confirmed, left for the reconciler", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "err", err)
		return o, nil
	}
	return no, err
}

// acknowledged reports whether the stored refund carries the platform's
// refundTransactionId (it took the refund); a store that cannot answer
// says no.
func (s *Service) acknowledged(ctx context.Context, tradeNo, refundTradeNo string) bool {
	o, err := s.store().Order(ctx, tradeNo)
	if err != nil {
		return false
	}
	r, ok := o.Refund(refundTradeNo)
	return ok && r.RefundTransactionID != ""
}

// postRefund asks the platform to refund r (stored PROCESSING on o) and
// records its acceptance (the refundTransactionId). It records no refusal:
// a retCode FAIL comes back as a *PlatformError, an unknown outcome as an
// error wrapping ErrTransient, and the caller decides.
//
// Of a ctx with a deadline, the platform call leaves recordReserve to
// record its answer: a call that takes all the time there is would leave
// an accepted refund unrecorded and its caller (a dialog turn, a ship
// notify) answering with an error for a refund that went through.
func (s *Service) postRefund(ctx context.Context, o shop.Order, r shop.Refund) (shop.Order, error) {
	cctx, cancel := reserving(ctx, recordReserve)
	defer cancel()
	res, err := s.Platform.Refund(cctx, RefundRequest{
		TransactionID: o.TransactionID,
		TradeNo:       o.TradeNo,
		RefundTradeNo: r.RefundTradeNo,
		TotalAmt:      o.TotalAmt,
		RefundAmt:     r.Amount,
		RefundDesc:    truncateBytes(r.Reason, MaxRefundDesc),
		RefundDetails: r.Details,
	})
	if err != nil {
		var perr *PlatformError
		if !errors.As(err, &perr) && !errors.Is(err, ErrTransient) {
			// A reply we could not trust (bad signature, not JSON): the
			// outcome is unknown all the same.
			err = fmt.Errorf("%w: %w", ErrTransient, err)
		}
		return o, err
	}
	if res.RefundTradeNo != "" && res.RefundTradeNo != r.RefundTradeNo {
		return o, fmt.Errorf("pay: refund %s: platform answered for %s", r.RefundTradeNo, res.RefundTradeNo)
	}
	if res.RefundTransactionID == "" {
		return o, nil
	}
	no, err := s.settleRefund(ctx, o.TradeNo, r.RefundTradeNo, res.RefundTransactionID, shop.RefundProcessing, "", "refund accepted")
	if err != nil {
		// The platform has the refund; it stays PROCESSING here, and the
		// refundquery of the reconciler or the refund notify settles it.
		s.log().WarnContext(ctx, "pay: refund accepted, its acceptance not recorded", "trade_no", o.TradeNo, "refund_trade_no", r.RefundTradeNo, "err", err)
		return o, nil
	}
	return no, nil
}

// recordReserve is what a platform call leaves of its context's deadline to
// record the answer: a write or two, on a store that waits for a replica.
const recordReserve = 250 * time.Millisecond

// reserving returns ctx with its deadline, if any, moved reserve earlier
// (into the past when less is left: the call then fails at once as not
// answered, and the refund, stored PROCESSING before it, is sent again by
// the reconciler like any other).
func reserving(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, dl.Add(-reserve))
	}
	return context.WithCancel(ctx)
}

// nextRefund builds the order's next refund: its refundTradeNo, the amount
// (0 meaning all that is refundable) and the refunded lines, allocated in
// order over what each refundable line allows (see Refundable).
func nextRefund(o *shop.Order, refundable []shop.Line, left, amount shop.Fen, reason string) (shop.Refund, error) {
	seq := len(o.Refunds) + 1
	if seq > shop.MaxRefunds {
		return shop.Refund{}, shop.Coded(shop.EINVALID, shop.ETooManyRefunds, "这笔订单退款次数太多了")
	}
	if amount == 0 {
		amount = left
	}
	if amount <= 0 || amount > left {
		return shop.Refund{}, shop.Coded(shop.EINVALID, shop.EBadRefundAmount, "退款金额超过了可退金额%s", left.Yuan())
	}
	r := shop.Refund{RefundTradeNo: RefundTradeNo(o.TradeNo, seq), Amount: amount, Reason: reason}
	rest := amount
	for _, l := range refundable {
		if rest == 0 {
			break
		}
		take := min(l.Amount, rest)
		// The units taken back are paid back in full: part of a line is
		// whole units of it (a refund of 1.5元 of three 1元 coins would take
		// back two and leave 0.5元 that no refund could ever return).
		qty := l.Quantity
		if take < l.Amount {
			unit := l.Amount / shop.Fen(l.Quantity)
			if unit == 0 || take%unit != 0 {
				return shop.Refund{}, shop.Coded(shop.EINVALID, shop.EBadRefundAmount,
					"退款要按整件退：每件%s，可退%s（或不填金额全退）", unit.Yuan(), wholeUnits(unit, l.Quantity))
			}
			qty = int64(take / unit)
		}
		r.Details = append(r.Details, shop.Line{ItemID: l.ItemID, Quantity: qty, Amount: take})
		rest -= take
	}
	return r, nil
}

// wholeUnits says the amounts of whole units of a line: "1元、2元或3元",
// or "1元、2元…30元" past a few.
func wholeUnits(unit shop.Fen, n int64) string {
	if n <= 0 || unit <= 0 {
		return "0元"
	}
	const few = 4
	var b strings.Builder
	for k := int64(1); k <= min(n, few); k++ {
		switch {
		case k == 1:
		case k == n:
			b.WriteString("或")
		default:
			b.WriteString("、")
		}
		b.WriteString((unit * shop.Fen(k)).Yuan())
	}
	if n > few {
		b.WriteString("…" + (unit * shop.Fen(n)).Yuan())
	}
	return b.String()
}
