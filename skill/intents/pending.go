package intents

import (
	"context"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// One offer of a product waits for payment at a time: while an offer of it
// was sent in this session and no order followed yet, or an order of it is
// unsettled, asking for it again gets the waiting answer, never a second
// offer (a second Charge could be paid as well). Where the order is paid
// is where its offer was said (shop.PayPlace), whichever speaker asks now,
// and the answer says so. An order placed from a speaker without a screen
// is paid in the phone app: it waits for its whole payment window, on any
// speaker. An order paid on a screen waits only while its pay page may
// still be up (payPageTTL, or until the post-payment jump says it closed
// unpaid: Order.PageClosedAt): once the page has closed nothing brings it
// back, so asking again is how the user pays, and a new Charge goes out.
// Should both orders be paid after all, the second payment is refunded as
// a duplicate (shop.Keeper). Before any of this, the platform is asked about the
// unsettled orders: after paying on a screened speaker the platform
// replays the user's original request (pic/pay3), possibly before its
// ship notify, and a paid order is then delivered and the request
// resumes.

// payPageTTL is how long after an order is placed on a screen its pay page
// may still be open (the platform does not say; a WeChat pay page left
// alone for minutes is given up). Until then the order waits.
const payPageTTL = 5 * time.Minute

// maxPendingQueries bounds how many unsettled orders one turn asks the
// platform about, newest first.
const maxPendingQueries = 2

// orderSkew is how much earlier than an offer an order may seem to be
// created and still be the order placed from it (clocks of two nodes).
const orderSkew = time.Minute

// sentOffer is an offer this session sent (a Charge), kept in the session's
// state until an order follows or it lapses.
type sentOffer struct {
	Ref       string    `json:"ref,omitempty"` // its reference (pay.Offers)
	ProductID string    `json:"productId"`
	Count     int64     `json:"count"`
	Total     shop.Fen  `json:"total"`
	At        time.Time `json:"at"`
	Until     time.Time `json:"until"`
}

// offer asks to confirm buying p, unless something of p waits for payment.
func (d *Dialog) offer(ctx context.Context, t *turn, p shop.Product, count int64, purpose, speech string) (ui.View, error) {
	if v, ok := d.mustLink(t, p.Name+"是付费内容，"+p.Price.Yuan()+"。"); ok {
		return v, nil
	}
	if v, ok, err := d.waiting(ctx, t, p, count); err != nil || ok {
		return v, err
	}
	return d.confirm(t, p, count, purpose, speech)
}

// waiting returns the answer when an order or an offer of p waits for the
// user's payment; ok is false when none does. For a product bought in a
// count, count is the one the user asks for now (0: not said yet): an
// order of another count is another purchase, which it does not hold
// back ("我要买五个" after three were left unpaid). The user's unsettled orders
// of p (CREATED, within their payment window) are asked about first,
// within the turn's deadline: one the platform says is paid is delivered,
// through the ledger path the ship notify takes, and the request resumes.
// One still unpaid, or that the platform could not be asked about, waits
// while it can be paid (payableUntil).
func (d *Dialog) waiting(ctx context.Context, t *turn, p shop.Product, count int64) (v ui.View, ok bool, err error) {
	if !p.Kind.AsksCount() {
		count = 0
	}
	if t.user() == "" {
		return v, false, nil
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return v, false, err
	}
	var wait *shop.Order
	asked := 0
	var cctx context.Context
	for _, o := range orders { // newest first
		if l, has := o.Line(p.ID); !has || o.State != shop.StateCreated || count != 0 && l.Quantity != count {
			continue
		}
		if asked < maxPendingQueries {
			if cctx == nil {
				var cancel context.CancelFunc
				cctx, cancel = context.WithTimeout(ctx, confirmTimeout)
				defer cancel()
			}
			asked++
			got, _, err := d.cfg.Payments.Confirmed(cctx, o.TradeNo)
			if err != nil {
				d.cfg.Logger.WarnContext(ctx, "intents: pending order not confirmed, going by the ledger", "trade_no", o.TradeNo, "err", err)
				if got.TradeNo == "" {
					got = o
				}
			}
			if got.Deliveries > 0 {
				return d.paidMeanwhile(ctx, t, got)
			}
			o = got
		}
		if wait == nil && o.State == shop.StateCreated && t.now.Before(payableUntil(t, o)) {
			wait = &o
		}
	}
	if wait != nil {
		l, _ := wait.Line(p.ID)
		ref := ""
		if wait.OfferID != "" {
			ref = d.cfg.Offers.Ref(wait.OfferID)
		}
		return waitingView(t, p, l.Quantity, l.Amount, ref, payIn(t, wait.PayIn)), true, nil
	}
	for _, of := range t.sent {
		if of.ProductID == p.ID && (count == 0 || of.Count == count) && t.now.Before(of.Until) && !orderedSince(orders, p.ID, of.At) {
			return waitingView(t, p, of.Count, of.Total, of.Ref, payIn(t, "")), true, nil
		}
	}
	return v, false, nil
}

// unpaidOther names the user's newest order of p of another count than
// count that still holds a purchase back (payableUntil: "3个听书币"), or "".
func (d *Dialog) unpaidOther(ctx context.Context, t *turn, p shop.Product, count int64) (string, error) {
	if t.user() == "" {
		return "", nil
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user()) // the turn's read, as waiting's
	if err != nil {
		return "", err
	}
	for _, o := range orders { // newest first
		if l, has := o.Line(p.ID); has && l.Quantity != count && o.State == shop.StateCreated && t.now.Before(payableUntil(t, o)) {
			return d.orderName(o), nil
		}
	}
	return "", nil
}

// payableUntil is when an unsettled order stops holding a new offer back:
// the end of its payment window when it is paid in the phone app (on any
// speaker: it can be paid there, and a second order would be a second
// payment to refund), the end of its pay page (payPageTTL) when it is paid
// on a screen, where a new Charge shows a new pay page (an order from a
// screen asked about without one is not in the phone app: a new offer goes
// there).
func payableUntil(t *turn, o shop.Order) time.Time {
	if payIn(t, o.PayIn) == shop.PayOnScreen {
		end := o.CreatedAt.Add(payPageTTL)
		if o.ExpiresAt.Before(end) {
			end = o.ExpiresAt
		}
		if !o.PageClosedAt.IsZero() && o.PageClosedAt.Before(end) { // the platform said it closed unpaid
			end = o.PageClosedAt
		}
		return end
	}
	return o.ExpiresAt
}

// payIn is where an order or offer is paid: place, or for one that does
// not say (placed without an offer, or before offers recorded it), where
// an offer made on the turn's speaker is paid.
func payIn(t *turn, place shop.PayPlace) shop.PayPlace {
	if t.device.Display {
		return place.Or(shop.PayOnScreen)
	}
	return place.Or(shop.PayInApp)
}

// paidMeanwhile answers a request for what an order just confirmed paid
// gives: the order's original request resumes.
func (d *Dialog) paidMeanwhile(ctx context.Context, t *turn, o shop.Order) (ui.View, bool, error) {
	d.cfg.Logger.InfoContext(ctx, "intents: pending order was paid", "trade_no", o.TradeNo, "state", o.State)
	v, err := d.resume(ctx, t, o)
	return v, err == nil, err
}

// duplicatePaid answers the post-payment jump of an order whose payment
// was a duplicate: the user already owns what it buys (it plays), and the
// payment is on its way back.
func (d *Dialog) duplicatePaid(ctx context.Context, t *turn, o shop.Order) (ui.View, error) {
	speech := "你已经购买过了，这次重复付的" + o.TotalAmt.Yuan() + "会自动退回。"
	if len(o.Details) > 0 {
		if p, ok := d.cfg.Catalog.Product(o.Details[0].ItemID); ok && p.Kind.Once() {
			owns, err := d.owns(ctx, t, p.ID)
			if err != nil {
				return ui.View{}, err
			}
			if owns {
				v, err := d.start(ctx, t, p, speech)
				t.state = state{} // never ask from a Connections.Response
				if err == nil && v.Play != nil {
					return v, nil
				}
			}
		}
	}
	return say(speech), nil
}

// orderedSince reports whether an order of the product was created at or
// after at (within orderSkew): the order placed from an offer made at at.
func orderedSince(orders []shop.Order, productID string, at time.Time) bool {
	for _, o := range orders {
		if _, has := o.Line(productID); has && !o.CreatedAt.Before(at.Add(-orderSkew)) {
			return true
		}
	}
	return false
}

// waitingView says that count of p for total wait for payment: short, with
// the price in yuan (the renderer says where to pay: place); screens show
// the offer's card again, its QR code leading to the page of the offer
// whose reference is ref (none for "").
func waitingView(t *turn, p shop.Product, count int64, total shop.Fen, ref string, place shop.PayPlace) ui.View {
	t.state = state{}
	name := p.Name
	if count > 1 {
		name = counted(p, count)
	}
	v := say(name + "的订单还在等待付款，" + total.Yuan() + "。")
	v.Waiting = &ui.Offer{Token: ref, Product: p, Count: count, Total: total, PayIn: place}
	return v
}

// remember keeps an offer sent in this session until an order follows or
// the session's lifetime passes.
func (d *Dialog) remember(t *turn, o *ui.Offer) {
	t.sent = append(t.live(), sentOffer{Ref: o.Token, ProductID: o.Product.ID, Count: o.Count, Total: o.Total,
		At: t.now, Until: t.now.Add(d.cfg.SessionTTL)})
}

// chargedOrder finds the order a Connections.Response Charge reports on,
// among the user's own orders, and confirms it with the platform (which
// delivers it when paid): the order payload.partnerOrderId names (our
// tradeNo), else the one dingdangOrderId names (the platform's own example
// swaps the two), else the user's pending order, the most recent unsettled
// one. None is an ENOTFOUND error. unpaid reports that the platform said
// the order is not paid (not that it could not say).
func (d *Dialog) chargedOrder(ctx context.Context, t *turn, payload *tsk.ChargeResult) (o shop.Order, unpaid bool, err error) {
	if t.user() == "" {
		return shop.Order{}, false, fmt.Errorf("intents: charge response without a user: %w", shop.ErrNotFound)
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return shop.Order{}, false, err
	}
	var ids []string
	if payload != nil {
		ids = []string{payload.PartnerOrderID, payload.DingdangOrderID}
	}
	var found *shop.Order
	for _, id := range ids {
		for i := range orders {
			if found == nil && id != "" && orders[i].TradeNo == id {
				found = &orders[i]
			}
		}
	}
	for i := range orders { // newest first
		if found == nil && orders[i].State == shop.StateCreated {
			found = &orders[i]
			d.cfg.Logger.WarnContext(ctx, "intents: charge response names no order of the user; using the pending one", "trade_no", found.TradeNo)
		}
	}
	if found == nil {
		return shop.Order{}, false, fmt.Errorf("intents: charge response names no order of the user: %w", shop.ErrNotFound)
	}
	return d.cfg.Payments.Confirmed(ctx, found.TradeNo)
}
