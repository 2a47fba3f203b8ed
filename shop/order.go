package shop

import (
	"encoding/json"
	"time"
)

// OrderState is where an order stands. The legal moves are in transitions.
type OrderState string

// The order states.
const (
	StateCreated           OrderState = "CREATED"            // create-order answered; not paid yet
	StatePaid              OrderState = "PAID"               // the platform says paid; not delivered yet
	StateDelivered         OrderState = "DELIVERED"          // the user has what they bought
	StateClosed            OrderState = "CLOSED"             // unpaid past its payment window
	StateRefunding         OrderState = "REFUNDING"          // a refund was accepted and is pending
	StateRefunded          OrderState = "REFUNDED"           // all of it was refunded
	StatePartiallyRefunded OrderState = "PARTIALLY_REFUNDED" // some of it was refunded
)

// transitions lists every legal move. A CLOSED order may still become PAID:
// when the platform says a late payment succeeded, the platform is the truth
// and the user gets what they paid for. A PAID order is refunded without
// being delivered when its payment is a duplicate (see DuplicateOf), and
// returns to PAID if that refund fails.
var transitions = map[OrderState][]OrderState{
	StateCreated:           {StatePaid, StateClosed},
	StateClosed:            {StatePaid},
	StatePaid:              {StateDelivered, StateRefunding},
	StateDelivered:         {StateRefunding},
	StatePartiallyRefunded: {StateRefunding},
	StateRefunding:         {StateRefunded, StatePartiallyRefunded, StateDelivered, StatePaid},
}

// Open reports whether an order in this state is still waiting for
// something to happen to it: a payment (CREATED), its delivery (PAID) or a
// refund's outcome (REFUNDING). These are the states the reconciler lists
// on every pass, and the stores keep an index of the open orders
// (Order.Open: these, and the duplicates whose refund failed), so that
// such a listing costs what the open orders cost, not the ledger. The
// other states are settled, though some can still move (a late payment
// reopens a CLOSED order, a refund a DELIVERED one).
func (s OrderState) Open() bool {
	return s == StateCreated || s == StatePaid || s == StateRefunding
}

// Open reports whether the order is waiting for something to happen to
// it: its state is open (OrderState.Open), or it is a duplicate payment
// whose refund failed (UnrefundedDuplicate), which waits for a person in
// whatever state the refund left it (DELIVERED, when the order's other
// lines were delivered), or an order moved to an account and not checked
// for duplicates since (Unsettled). The stores' index of open orders holds
// exactly these.
func (o *Order) Open() bool {
	if o.State.Open() || o.Unsettled {
		return true
	}
	_, owed := o.UnrefundedDuplicate()
	return owed
}

// OpenVersion numbers the definition of Order.Open. The stores keep it
// beside their index of open orders, and a store opened on an index of an
// older version (or of none) rebuilds the index from every order: change
// Open, and this goes up by one. 1 was the open states alone; 2 added the
// duplicates whose refund failed (UnrefundedDuplicate); 3 the orders moved
// to an account and not settled since (Unsettled).
const OpenVersion = 3

// CanMove reports whether an order may go from one state to another.
func CanMove(from, to OrderState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Line is one item of an order: the pay document's details[] entry. Amount is
// the line total (unit price × quantity).
type Line struct {
	ItemID   string `json:"itemId"`
	Quantity int64  `json:"quantity"`
	Amount   Fen    `json:"amount"`
}

// Transition is one entry of an order's history.
type Transition struct {
	From  OrderState `json:"from"`
	To    OrderState `json:"to"`
	At    time.Time  `json:"at"`
	Cause string     `json:"cause"`
	By    string     `json:"by,omitempty"` // the operator whose admin request made the change (WithActor)
}

// Order is the partner-side order: what the platform's create-order asked for,
// and everything that happened to it since. It is stored whole, as JSON, under
// its TradeNo; every change goes through the store's atomic UpdateOrder.
type Order struct {
	TradeNo       string     `json:"tradeNo"`
	SkillID       string     `json:"skillId"`
	UserID        string     `json:"userId"`
	State         OrderState `json:"state"`
	TotalAmt      Fen        `json:"totalAmt"`
	Details       []Line     `json:"details"`
	NonceStr      string     `json:"nonceStr,omitempty"`
	TransactionID string     `json:"transactionId"`
	Deliveries    int        `json:"deliveries"`
	RefundedAmt   Fen        `json:"refundedAmt"`
	Refunds       []Refund   `json:"refunds,omitempty"`
	// OfferID is the offer the order was placed from (Offer.ID), if any.
	OfferID string `json:"offerId,omitempty"`
	// PayIn is where the order is paid, from its offer ("" when it was
	// placed without one, or its offer did not say).
	PayIn PayPlace `json:"payIn,omitempty"`
	// Uses counts how many times each item was used (played, consumed).
	Uses map[string]int64 `json:"uses,omitempty"`
	// Intent is the user's original request, kept so that it resumes after
	// payment. Opaque to the ledger.
	Intent json.RawMessage `json:"intent,omitempty"`
	// DuplicateOf names the order that already gave this order's one-time
	// product when this one was paid: the payment is a duplicate, refunded
	// automatically, and the order gives nothing of it.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	// Unsettled is set when account linking moves the order to an account
	// (MoveOwner), or a refund of its one-time products fails (Recheck),
	// and cleared once its owner's orders were checked for one-time
	// products given twice (SettledMoved). Until then the order is open,
	// so that a check that failed is done again.
	Unsettled bool `json:"unsettled,omitempty"`
	// UnsettledAt is when the order last became Unsettled (other writes,
	// a play, move UpdatedAt): the reconciler's retry and the attention
	// list count from it.
	UnsettledAt time.Time `json:"unsettledAt,omitzero"`
	// ResumedAt is when the post-payment jump resumed Intent: at most once
	// per order, whatever the platform sends again (Resume).
	ResumedAt time.Time `json:"resumedAt,omitzero"`
	// PageClosedAt is when the platform said the order's pay page closed
	// unpaid (a post-payment jump without payment): an order paid on a
	// screen has no page to wait on since (ClosePage).
	PageClosedAt time.Time    `json:"pageClosedAt,omitzero"`
	CreatedAt    time.Time    `json:"createdAt"`
	ExpiresAt    time.Time    `json:"expiresAt"`
	PaidAt       time.Time    `json:"paidAt,omitzero"`
	DeliveredAt  time.Time    `json:"deliveredAt,omitzero"`
	UpdatedAt    time.Time    `json:"updatedAt"`
	History      []Transition `json:"history"`
	// QueryFails counts orderquery answers about the order that could not
	// be acted on (see QueryFails).
	QueryFails QueryFails `json:"queryFails,omitzero"`
}

// Move changes the order's state, recording why and when. An illegal move is
// an ECONFLICT error that changes nothing.
func (o *Order) Move(to OrderState, cause string, at time.Time) error {
	if !CanMove(o.State, to) {
		return Coded(ECONFLICT, EIllegalMove, "order %s is %s, cannot become %s", o.TradeNo, o.State, to)
	}
	o.History = append(o.History, Transition{From: o.State, To: to, At: at.UTC(), Cause: cause})
	o.State = to
	o.UpdatedAt = at.UTC()
	return nil
}

// Pay records a payment without delivering: a CREATED (or CLOSED) order
// becomes PAID, with the transaction id and the time. A second call for the
// same payment returns ErrNoChange; another transaction for a paid order is
// an ECONFLICT, as is a total other than the order's.
func (o *Order) Pay(transactionID string, totalAmt Fen, cause string, at time.Time) error {
	if totalAmt != o.TotalAmt {
		return Coded(ECONFLICT, ETotalMismatch, "totalAmt %d does not match order %d", totalAmt, o.TotalAmt)
	}
	if o.paid() {
		if transactionID != "" && o.TransactionID != "" && transactionID != o.TransactionID {
			return Coded(ECONFLICT, EPaidByOther, "order already paid by another transaction")
		}
		return ErrNoChange
	}
	if o.State == StateCreated || o.State == StateClosed {
		if err := o.Move(StatePaid, cause, at); err != nil {
			return err
		}
		o.PaidAt = at.UTC()
	}
	if transactionID != "" {
		o.TransactionID = transactionID
	}
	return nil
}

// paid reports whether a payment of the order was recorded.
func (o *Order) paid() bool { return !o.PaidAt.IsZero() || o.Deliveries > 0 || o.DuplicateOf != "" }

// Deliver records a payment and delivers the order in one step: the work of a
// ship notify or of an order query that says SUCCESS. A second call for the
// same payment returns ErrNoChange (deliver exactly once), and so does a
// call for an order whose payment was recorded as a duplicate (it is never
// delivered); a different transaction id for a paid order is an ECONFLICT.
func (o *Order) Deliver(transactionID string, totalAmt Fen, cause string, at time.Time) error {
	if err := o.Pay(transactionID, totalAmt, cause, at); err != nil {
		return err
	}
	if err := o.Move(StateDelivered, "delivered", at); err != nil {
		return err
	}
	o.Deliveries++
	o.DeliveredAt = at.UTC()
	return nil
}

// Close closes an unpaid order past its expiry.
func (o *Order) Close(at time.Time) error {
	if o.State == StateClosed {
		return ErrNoChange
	}
	if at.Before(o.ExpiresAt) {
		return Coded(ECONFLICT, ENotExpired, "order %s has not expired", o.TradeNo)
	}
	return o.Move(StateClosed, "expired unpaid", at)
}

// Use records one use of an item of a delivered order (a play, a consumed
// credit). A consumable can be used at most as many times as bought and not
// refunded; other kinds count plays without limit.
func (o *Order) Use(itemID string, consumable bool, at time.Time) error {
	if !o.usable(consumable) {
		return Coded(ECONFLICT, ENotDelivered, "order %s is %s", o.TradeNo, o.State)
	}
	l, ok := o.Line(itemID)
	if !ok {
		return Coded(EINVALID, ENoSuchLine, "order %s has no item %s", o.TradeNo, itemID)
	}
	if committed, _ := o.RefundCommitted(itemID); consumable && o.Uses[itemID] >= l.Quantity-committed {
		return Coded(ECONFLICT, ENoneLeft, "order %s has no %s left", o.TradeNo, itemID)
	}
	if o.Uses == nil {
		o.Uses = make(map[string]int64)
	}
	o.Uses[itemID]++
	o.UpdatedAt = at.UTC()
	return nil
}

// usable reports whether a use can be recorded on the order: delivered
// and not wholly refunded; for a consumable also while a refund is under
// way (of some units: the others are the user's to use).
func (o *Order) usable(consumable bool) bool {
	switch o.State {
	case StateDelivered, StatePartiallyRefunded:
		return true
	case StateRefunding:
		return consumable && o.Deliveries > 0
	}
	return false
}

// Line returns the order line for an item.
func (o *Order) Line(itemID string) (Line, bool) {
	for _, l := range o.Details {
		if l.ItemID == itemID {
			return l, true
		}
	}
	return Line{}, false
}

// SumLines returns the sum of the line amounts, or ErrOverflow.
func SumLines(lines []Line) (Fen, error) {
	var sum Fen
	for _, l := range lines {
		var err error
		if sum, err = AddFen(sum, l.Amount); err != nil {
			return 0, err
		}
	}
	return sum, nil
}
