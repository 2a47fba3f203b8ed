package intents

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// confirmTimeout bounds the platform calls of a turn (the order query of a
// post-payment jump, a refund said by voice): the platform gives a skill
// about a second to answer, and a late answer is worse than going by the
// ledger and saying the payment is not seen yet, or the refund under way.
const confirmTimeout = 700 * time.Millisecond

// closePageTimeout bounds the record that a pay page closed unpaid, after
// the confirm: the turn's answer does not wait for it long (without it the
// order waits out its pay page's minutes, as before).
const closePageTimeout = 150 * time.Millisecond

// chargeResponse handles Connections.Response Charge, the post-payment
// jump: payload.partnerOrderId is our tradeNo (see chargedOrder when it
// is not). The order is confirmed with
// the ledger (which asks the platform when the ship notify is late); a
// delivered order resumes the user's original intent, anything else is
// said kindly and ends. Content is never unlocked for an unpaid order, nor
// for an order of another user.
func (d *Dialog) chargeResponse(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	if t.device.Display {
		t.sent = nil // the pay page has closed: its offers no longer wait
	}
	body := t.req.Request
	if body.Name != tsk.ChargeName {
		return say(fallbackSpeech), nil
	}
	cctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	defer cancel()
	o, notPaid, err := d.chargedOrder(cctx, t, body.Payload) // ids missing or swapped: the pending order
	tradeNo := o.TradeNo
	switch {
	case errors.Is(err, shop.ErrNotFound) || shop.ErrorClass(err) == shop.ENOTFOUND:
		return say(unpaid("")), nil
	case err != nil && o.TradeNo == "":
		return ui.View{}, err
	case err != nil:
		// The platform could not be asked: go by the ledger.
		d.cfg.Logger.WarnContext(ctx, "intents: confirm fell back to the ledger", "trade_no", tradeNo, "state", o.State, "err", err)
	}
	if o.UserID != t.user() {
		d.cfg.Logger.WarnContext(ctx, "intents: charge response for another user's order", "trade_no", tradeNo)
		return say(unpaid("")), nil
	}
	if o.DuplicateOf != "" {
		return d.duplicatePaid(ctx, t, o)
	}
	switch o.State {
	case shop.StateDelivered, shop.StatePartiallyRefunded:
		return d.resume(ctx, t, o)
	case shop.StateRefunding, shop.StateRefunded:
		return say("这笔订单已经退款了。"), nil
	}
	if notPaid && o.State == shop.StateCreated && payIn(t, o.PayIn) == shop.PayOnScreen {
		// The platform says it is not paid, and its pay page is gone:
		// asking again shows a new one at once (payableUntil), not after
		// the minutes a page may stay open. Not on a PROCESSING or an
		// unanswered question: the user may have paid.
		rctx, cancel := context.WithTimeout(ctx, closePageTimeout)
		defer cancel()
		if err := d.cfg.Ledger.ClosePage(rctx, tradeNo); err != nil {
			d.cfg.Logger.WarnContext(ctx, "intents: pay page closed, not recorded", "trade_no", tradeNo, "err", err)
		}
	}
	return say(unpaid(d.orderName(o))), nil
}

// unpaid is what is said when payment did not go through. On a screen,
// asking to buy it again shows a new pay page (after payPageTTL at the
// latest); in the phone app, the order can be paid as it is.
func unpaid(name string) string {
	return name + "还没有收到付款。如果刚付过，请稍后说“我付过了”查看。"
}

// resume continues the user's original intent now that the order is
// delivered: the purchased content plays (with a result card on screens),
// units and subscription ends are said. It does so once per order; a
// jump sent again only says the result (resumed).
func (d *Dialog) resume(ctx context.Context, t *turn, o shop.Order) (ui.View, error) {
	o, first, err := d.resumeOnce(ctx, o)
	if err != nil {
		return ui.View{}, err
	}
	if !first {
		return d.resumed(ctx, t, o)
	}
	if len(o.Details) == 0 {
		return say("购买成功！"), nil
	}
	line := o.Details[0]
	p, ok := d.cfg.Catalog.Product(line.ItemID)
	if !ok {
		return say("购买成功！"), nil
	}
	var original tsk.Intent
	if len(o.Intent) > 0 {
		if err := json.Unmarshal(o.Intent, &original); err != nil {
			d.cfg.Logger.WarnContext(ctx, "intents: unreadable order intent", "trade_no", o.TradeNo, "err", err)
		}
	}
	result := &ui.Result{Title: "购买成功", Text: d.orderName(o) + "，" + o.TotalAmt.Yuan()}
	var v ui.View
	switch {
	case original.Name == Play || (p.Kind.Once() && p.Content.Audio != ""):
		var err error
		if v, err = d.start(ctx, t, p, "购买成功！"); err != nil {
			return ui.View{}, err
		}
		t.state = state{} // never ask from a Connections.Response
		if v.Play == nil {
			v = say("购买成功！")
		}
	case p.Kind.UsedUp():
		e, err := d.entitlement(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		left := line.Quantity
		if e != nil {
			if left, err = d.usableUnits(ctx, t, p, *e); err != nil {
				return ui.View{}, err
			}
		}
		v = say("购买成功！" + p.Name + "现在有" + itoa(left) + "个。")
	case p.Kind.Timed():
		e, err := d.entitlement(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		v = say("购买成功！")
		if e != nil {
			v.Speech += p.Name + "有效期到" + t.date(e.ExpiresAt) + "。"
		}
	default:
		v = say("购买成功！" + p.Content.Speech)
	}
	v.Result = result
	return v, nil
}
