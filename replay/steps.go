package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"golang.org/x/tools/txtar"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/days"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// platform plays one platform step.
func (r *run) platform(ctx context.Context, p *PlatformTurn, want *Want) (Want, error) {
	var w Want
	var err error
	r.stepped = r.tradeNo // the order the step is about; a refund's may be another
	switch p.Step {
	case StepCreateOrder:
		w, err = r.createOrder(ctx)
	case StepPay:
		w, err = r.pay(ctx)
	case StepShipNotify:
		w, err = r.shipNotify(ctx, max(p.Copies, 1))
	case StepConnectionsResponse:
		return r.connectionsResponse(ctx, p.Order, p.IDs, want)
	case StepRefundNotify:
		w, err = r.refundNotify(ctx, shop.RefundStatus(cmpString(p.Status, string(shop.RefundSuccess))))
	case StepAdvance:
		w, err = r.advance(ctx, p.By)
	case StepLink:
		w, err = r.link(ctx, p.Account)
	case StepNewUserID:
		w, err = r.newUserID()
	default:
		err = fmt.Errorf("unknown step %q", p.Step)
	}
	if err != nil {
		return w, err
	}
	return r.withOrderOf(ctx, r.stepped, w, want, true)
}

// createOrder orders what the last Charge offered, as the platform does when
// the user taps "order": the charge's userId is the userToken.
func (r *run) createOrder(ctx context.Context) (Want, error) {
	if r.charge == nil {
		return Want{}, errors.New("create-order: no Charge directive yet")
	}
	req := fakeplatform.ChargeOrder(r.target.SkillID(), r.charge.Payload.ChargeInfo)
	reply, err := r.target.CreateOrder(ctx, req)
	if err != nil {
		return Want{}, fmt.Errorf("create-order: %w", err)
	}
	if reply.OK() {
		r.tradeNo, r.total, r.txID = reply.TradeNo, req.TotalAmt, ""
		r.tradeNos = append(r.tradeNos, reply.TradeNo)
		r.norm.Learn(reply.TradeNo, "<tradeNo>")
		if err := r.target.Open(ctx, reply.TradeNo, req.TotalAmt); err != nil {
			return Want{}, fmt.Errorf("create-order: platform: %w", err)
		}
	}
	r.stepped = r.tradeNo
	return Want{Reply: replyText(reply), TradeNo: r.norm.String(reply.TradeNo)}, nil
}

// pay makes the fake platform mark the order paid.
func (r *run) pay(ctx context.Context) (Want, error) {
	if r.tradeNo == "" {
		return Want{}, errors.New("pay: no order created yet")
	}
	tx, err := r.target.Pay(ctx, r.tradeNo, r.total)
	if err != nil {
		return Want{}, fmt.Errorf("pay: %w", err)
	}
	r.txID = tx
	r.txIDs[r.tradeNo] = tx
	r.norm.Learn(tx, "<transactionId>")
	return Want{Reply: "PAID"}, nil
}

// shipNotify sends the ship notify copies times.
func (r *run) shipNotify(ctx context.Context, copies int) (Want, error) {
	if r.txID == "" {
		return Want{}, errors.New("ship-notify: the order is not paid (add a pay step first)")
	}
	req := pay.ShipNotifyRequest{SkillID: r.target.SkillID(), UserToken: r.charge.Payload.ChargeInfo.UserID,
		TransactionID: r.txID, TradeNo: r.tradeNo, TotalAmt: r.total, NonceStr: pay.NonceStr()}
	var replies []string
	for range copies {
		reply, err := r.target.ShipNotify(ctx, req)
		if err != nil {
			return Want{}, fmt.Errorf("ship-notify: %w", err)
		}
		replies = append(replies, replyText(reply))
	}
	if copies == 1 {
		return Want{Reply: replies[0]}, nil
	}
	return Want{Replies: replies}, nil
}

// connectionsResponse is the post-payment jump: a Connections.Response
// Charge naming our tradeNo as partnerOrderId (of the last order, or of
// the n-th from 1), or with the ids swapped or missing.
func (r *run) connectionsResponse(ctx context.Context, n int, ids string, want *Want) (Want, error) {
	if r.tradeNo == "" {
		return Want{}, errors.New("connections-response: no order created yet")
	}
	tradeNo, dd := r.tradeNo, r.txID
	if n > 0 {
		if n > len(r.tradeNos) {
			return Want{}, fmt.Errorf("connections-response: order %d of %d", n, len(r.tradeNos))
		}
		tradeNo = r.tradeNos[n-1]
		dd = r.txIDs[tradeNo]
	}
	if dd == "" {
		dd = "DDUNPAID" + r.nonce
		r.norm.Learn(dd, "<transactionId>")
	}
	session := "replay-" + r.nonce + "-"
	partner := tradeNo
	switch ids {
	case IDsSwapped:
		partner, dd = dd, partner
	case IDsMissing:
		partner, dd = "", ""
	}
	req := fakeplatform.NewConnectionsResponse(partner, dd, r.options(session)...)
	return r.skillAbout(ctx, req, want, tradeNo)
}

// refundNotify settles a pending refund on the fake platform and sends the
// refund notify: of the conversation's newest order with one (the last
// order when none has).
func (r *run) refundNotify(ctx context.Context, status shop.RefundStatus) (Want, error) {
	if r.tradeNo == "" {
		return Want{}, errors.New("refund-notify: no order created yet")
	}
	r.stepped = r.refunding(ctx)
	req, err := r.target.SettleRefund(ctx, r.stepped, status)
	if err != nil {
		return Want{}, fmt.Errorf("refund-notify: %w", err)
	}
	r.norm.Learn(req.RefundTransactionID, "<refundTransactionId>")
	reply, err := r.target.RefundNotify(ctx, req)
	if err != nil {
		return Want{}, fmt.Errorf("refund-notify: %w", err)
	}
	return Want{Reply: replyText(reply)}, nil
}

// refunding returns the conversation's newest order with a refund under
// way, or its last order.
func (r *run) refunding(ctx context.Context) string {
	for _, tradeNo := range slices.Backward(r.tradeNos) {
		o, err := r.target.Order(ctx, tradeNo)
		if err == nil && slices.ContainsFunc(o.Refunds, func(rf shop.Refund) bool { return rf.Status == shop.RefundProcessing }) {
			return tradeNo
		}
	}
	return r.tradeNo
}

// advance moves the clock of the skill and its platform forward: what
// happens next happens that much later (an order placed in the phone app
// hours after the offer).
func (r *run) advance(ctx context.Context, by string) (Want, error) {
	d, err := days.Parse(by)
	if err != nil {
		return Want{}, fmt.Errorf("advance: %w", err)
	}
	c, ok := r.target.(Clock)
	if !ok {
		return Want{}, errors.New("advance: this target's clock cannot be moved (run in-process, or against `skill sandbox`)")
	}
	if err := c.Advance(ctx, d); err != nil {
		return Want{}, fmt.Errorf("advance: %w", err)
	}
	r.advanced += d
	return Want{Reply: "ADVANCED " + by}, nil
}

// rewind moves the clock back by what the run's advance steps moved it.
func (r *run) rewind(ctx context.Context) error {
	if r.advanced <= 0 {
		return nil
	}
	c, ok := r.target.(Clock)
	if !ok {
		return nil
	}
	if err := c.Rewind(ctx, r.advanced); err != nil {
		return fmt.Errorf("moving the clock back by %v: %w", r.advanced, err)
	}
	r.advanced = 0
	return nil
}

// replyText is a partner reply as a fixture shows it.
func replyText(r pay.Reply) string {
	if r.OK() {
		return r.RetCode
	}
	return r.RetCode + ": " + r.RetMsg
}

// update rewrites the fixture's want blocks with got, keeping the header and
// request sections byte for byte. It reports whether the file changed.
func update(f *Fixture, got []Want) (bool, error) {
	a := &txtar.Archive{Comment: f.header}
	for i, t := range f.Turns {
		a.Files = append(a.Files, t.section, txtar.File{Name: fmt.Sprintf("%d want", t.N), Data: encodeWant(got[i])})
	}
	data := txtar.Format(a)
	old, err := os.ReadFile(f.Path)
	if err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.WriteFile(f.Path, data, 0o644); err != nil {
		return false, err
	}
	return true, nil
}
