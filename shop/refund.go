package shop

import (
	"time"
)

// RefundStatus is the platform's view of one refund.
type RefundStatus string

// The refund statuses of the pay document.
const (
	RefundProcessing RefundStatus = "PROCESSING"
	RefundSuccess    RefundStatus = "SUCCESS"
	RefundFail       RefundStatus = "FAIL"
)

// Refund is one refund of an order. RefundTradeNo is ours and stays the same
// across retries, so the platform never applies a refund twice.
type Refund struct {
	RefundTradeNo       string       `json:"refundTradeNo"`
	RefundTransactionID string       `json:"refundTransactionId,omitempty"`
	Amount              Fen          `json:"refundAmt"`
	Details             []Line       `json:"refundDetails"`
	Reason              string       `json:"reason,omitempty"`
	Status              RefundStatus `json:"status"`
	StatusDesc          string       `json:"statusDesc,omitempty"`
	CreatedAt           time.Time    `json:"createdAt"`
	UpdatedAt           time.Time    `json:"updatedAt"`
	// QueryFails counts refundquery answers about the refund that could not
	// be acted on (see QueryFails): never a reason to fail it.
	QueryFails QueryFails `json:"queryFails,omitzero"`
}

// PendingRefundAmt is the amount of refunds still PROCESSING.
func (o *Order) PendingRefundAmt() Fen {
	var sum Fen
	for _, r := range o.Refunds {
		if r.Status == RefundProcessing {
			sum += r.Amount
		}
	}
	return sum
}

// Refund returns the refund with the refundTradeNo.
func (o *Order) Refund(refundTradeNo string) (*Refund, bool) {
	for i := range o.Refunds {
		if o.Refunds[i].RefundTradeNo == refundTradeNo {
			return &o.Refunds[i], true
		}
	}
	return nil, false
}

// StartRefund records a refund as PROCESSING and moves the order to
// REFUNDING. The amount must be positive and, with what was refunded or is
// pending, at most the order total; each refunded line must be an item of the
// order. Starting the same refundTradeNo again returns ErrNoChange.
func (o *Order) StartRefund(r Refund, at time.Time) error {
	return o.startRefund(r, "refund "+r.RefundTradeNo+" requested", at)
}

// startRefund is StartRefund with the cause the history records.
func (o *Order) startRefund(r Refund, cause string, at time.Time) error {
	if err := o.checkRefund(r); err != nil {
		return err
	}
	if err := o.Move(StateRefunding, cause, at); err != nil {
		return err
	}
	o.addRefund(r, at)
	return nil
}

// checkRefund applies StartRefund's rules to r.
func (o *Order) checkRefund(r Refund) error {
	if _, ok := o.Refund(r.RefundTradeNo); ok {
		return ErrNoChange
	}
	if r.Amount <= 0 {
		return Coded(EINVALID, EBadRefundAmount, "refund amount must be > 0")
	}
	sum, err := SumLines(r.Details)
	if err != nil || sum != r.Amount {
		return Coded(EINVALID, EBadRefundAmount, "refund details do not add up to the refund amount")
	}
	return o.fits(r)
}

// fits reports whether the order has r's lines and amount left to refund,
// besides what its other refunds, done or under way, take (a FAIL refund,
// r itself maybe, takes nothing).
func (o *Order) fits(r Refund) error {
	for _, l := range r.Details {
		ol, ok := o.Line(l.ItemID)
		if !ok || l.Quantity <= 0 || l.Amount <= 0 {
			return Coded(EINVALID, EBadRefundLine, "refund line %q is not part of the order", l.ItemID)
		}
		qty, amt := o.RefundCommitted(l.ItemID)
		if qty+l.Quantity > ol.Quantity || amt+l.Amount > ol.Amount {
			return Coded(EINVALID, EBadRefundLine, "refund line %q exceeds what is left of it", l.ItemID)
		}
	}
	already, err := AddFen(o.RefundedAmt, o.PendingRefundAmt())
	if err != nil {
		return err
	}
	if total, err := AddFen(already, r.Amount); err != nil || total > o.TotalAmt {
		return Coded(EINVALID, EBadRefundAmount, "refund of %s exceeds what is left of %s", r.Amount.Yuan(), o.TotalAmt.Yuan())
	}
	return nil
}

// addRefund appends r as PROCESSING.
func (o *Order) addRefund(r Refund, at time.Time) {
	r.Status = RefundProcessing
	r.CreatedAt, r.UpdatedAt = at.UTC(), at.UTC()
	o.Refunds = append(o.Refunds, r)
}

// FinishRefund applies the platform's final word on a refund: SUCCESS adds to
// RefundedAmt (REFUNDED when all is refunded, else PARTIALLY_REFUNDED); FAIL
// returns the order to where it was. PROCESSING, or a result already applied,
// returns ErrNoChange: refund notifications are idempotent.
func (o *Order) FinishRefund(refundTradeNo, refundTransactionID string, status RefundStatus, desc string, at time.Time) error {
	r, ok := o.Refund(refundTradeNo)
	if !ok {
		return Coded(ENOTFOUND, EUnknownRefund, "no refund %s on order %s", refundTradeNo, o.TradeNo)
	}
	learned := refundTransactionID != "" && r.RefundTransactionID == ""
	if learned {
		r.RefundTransactionID = refundTransactionID
		r.UpdatedAt, o.UpdatedAt = at.UTC(), at.UTC()
	}
	unchanged := ErrNoChange
	if learned {
		unchanged = nil // the platform's refund id is news worth writing
	}
	if r.Status != RefundProcessing {
		switch {
		case status == r.Status || status == RefundProcessing:
			return unchanged
		case r.Status == RefundFail && status == RefundSuccess:
			return o.lateSuccess(r, desc, at)
		}
		return Coded(ECONFLICT, ERefundFinal, "refund %s is already %s", refundTradeNo, r.Status)
	}
	switch status {
	case RefundProcessing:
		return unchanged
	case RefundSuccess, RefundFail:
	default:
		return Coded(EINVALID, EBadRefundStatus, "unknown refund status %q", status)
	}
	r.Status, r.StatusDesc, r.UpdatedAt = status, desc, at.UTC()
	if status == RefundSuccess {
		sum, err := AddFen(o.RefundedAmt, r.Amount)
		if err != nil {
			return err
		}
		o.RefundedAmt = sum
	}
	return o.refundSettled(refundTradeNo, status, at)
}

// lateSuccess applies the platform's SUCCESS for a refund recorded FAIL:
// it refused the refund when asked (a busy moment) and refunded it after
// all. The money went back, so the books follow, when the order has that
// much left to refund; else nothing changes and the error says why (the
// platform refunded more than the order allows: a person reconciles).
func (o *Order) lateSuccess(r *Refund, desc string, at time.Time) error {
	if err := o.fits(*r); err != nil { // r is FAIL: RefundCommitted leaves it out
		return Coded(ECONFLICT, ERefundFinal, "refund %s, recorded FAIL, reported SUCCESS: %s", r.RefundTradeNo, ErrorMessage(err))
	}
	r.Status, r.StatusDesc, r.UpdatedAt = RefundSuccess, desc, at.UTC()
	o.RefundedAmt += r.Amount // within TotalAmt: no overflow
	if o.State != StateRefunding {
		if err := o.Move(StateRefunding, "refund "+r.RefundTradeNo+" SUCCESS after FAIL", at); err != nil {
			return err
		}
	}
	return o.refundSettled(r.RefundTradeNo, RefundSuccess, at)
}

// refundSettled moves a REFUNDING order on once a refund of it settled:
// back to where it was, or to (partly) refunded, unless another refund is
// still pending.
func (o *Order) refundSettled(refundTradeNo string, status RefundStatus, at time.Time) error {
	if o.PendingRefundAmt() > 0 {
		o.UpdatedAt = at.UTC()
		return nil // still REFUNDING: another refund is pending
	}
	next := StateDelivered
	if o.Deliveries == 0 {
		next = StatePaid // a duplicate payment whose refund failed
	}
	switch {
	case o.RefundedAmt >= o.TotalAmt:
		next = StateRefunded
	case o.RefundedAmt > 0:
		next = StatePartiallyRefunded
	}
	return o.Move(next, "refund "+refundTradeNo+" "+string(status), at)
}

// RefundedQuantity is how many units of an item were refunded successfully.
func (o *Order) RefundedQuantity(itemID string) int64 {
	var n int64
	for _, r := range o.Refunds {
		if r.Status != RefundSuccess {
			continue
		}
		for _, l := range r.Details {
			if l.ItemID == itemID {
				n += l.Quantity
			}
		}
	}
	return n
}

// RefundCommitted is how much of an item is refunded or being refunded: the
// quantity and amount no further refund may take again.
func (o *Order) RefundCommitted(itemID string) (qty int64, amt Fen) {
	for _, r := range o.Refunds {
		if r.Status == RefundFail {
			continue
		}
		for _, l := range r.Details {
			if l.ItemID == itemID {
				qty += l.Quantity
				amt += l.Amount
			}
		}
	}
	return qty, amt
}
