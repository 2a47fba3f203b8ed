package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Say sends what the user said to the skill: the NLU (or the request's
// Intent) picks the intent; an answer to a pending Dialog.ElicitSlot fills
// the slot asked for. A Charge in the answer is ordered at once, as the
// user would on the pay card (the platform calls the skill's create-order),
// and refunds the skill asked for are settled and notified.
func (c *Console) Say(ctx context.Context, in SayRequest) (*Answer, error) {
	s, err := c.speaker(in.Device, in.User)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := s.options(c.SkillID)
	if in.Text != "" {
		opts = append(opts, fakeplatform.WithQuery(in.Text))
	}
	var req *tsk.Request
	var heard *Understanding
	switch in.Request {
	case "launch":
		req = fakeplatform.NewLaunch(opts...)
	case "session-ended":
		req = fakeplatform.NewSessionEnded(tsk.ReasonUserInitiated, opts...)
	case "":
		u := Understanding{Intent: in.Intent, Slots: in.Slots}
		if u.Intent == "" {
			u = c.understand(s, in.Text)
		}
		if u.Intent == "" {
			return nil, fmt.Errorf("the sandbox NLU did not understand %q: give \"intent\" and \"slots\"", in.Text)
		}
		heard = &u
		req = fakeplatform.NewIntent(u.Intent, u.Slots, opts...)
	default:
		return nil, fmt.Errorf("request %q: want launch or session-ended (or none)", in.Request)
	}
	s.charge = nil
	a, err := c.send(ctx, s, req)
	if err != nil {
		return nil, err
	}
	a.Heard = heard
	if s.charge != nil {
		if a.Order, err = c.order(ctx, s); err != nil {
			return nil, err
		}
		a.Next = fmt.Sprintf(`POST /sandbox/pay {"device":%q,"user":%q}`, s.device.Name, s.userID)
	}
	a.Refunds, err = c.settleRefunds(ctx, s)
	return a, err
}

// understand runs the NLU; an utterance it does not know answers a pending
// slot question with the elicited intent.
func (c *Console) understand(s *speaker, text string) Understanding {
	u := c.NLU.Understand(text)
	if e := s.elicit; e != nil && e.UpdatedIntent != nil && (u.Intent == "" || u.Intent == "buy" && e.SlotToElicit == "count") {
		slots := map[string]string{}
		for name := range e.UpdatedIntent.Slots {
			if v, ok := e.UpdatedIntent.Slot(name); ok {
				slots[name] = v.Text()
			}
		}
		maps.Copy(slots, u.Slots)
		if _, ok := u.Slots[e.SlotToElicit]; !ok {
			slots[e.SlotToElicit] = clean(text)
		}
		return Understanding{Intent: e.UpdatedIntent.Name, Slots: slots}
	}
	return u
}

// order places the order of the speaker's last Charge with the skill's
// create-order, as the platform does when the user orders.
func (c *Console) order(ctx context.Context, s *speaker) (*PendingOrder, error) {
	req := fakeplatform.ChargeOrder(c.SkillID, s.charge.Payload.ChargeInfo)
	reply, err := c.Platform.CreateOrder(ctx, req)
	if err != nil {
		return nil, err
	}
	if !reply.OK() {
		return nil, fmt.Errorf("create-order: %s %s", reply.RetCode, reply.RetMsg)
	}
	c.Platform.Open(reply.TradeNo, req.TotalAmt)
	s.tradeNo, s.total = reply.TradeNo, req.TotalAmt
	s.orders = append(s.orders, reply.TradeNo)
	return &PendingOrder{TradeNo: reply.TradeNo, TotalAmt: req.TotalAmt, Status: pay.TradeNotPay}, nil
}

// Pay pays the user's pending order: the platform marks it paid, sends the
// signed ship notify, then the Connections.Response, and returns the
// resumed answer (the episode playing).
func (c *Console) Pay(ctx context.Context, in PayRequest) (*Answer, error) {
	s, err := c.speaker(in.Device, in.User)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	tradeNo, total := s.tradeNo, s.total
	if in.TradeNo != "" && in.TradeNo != tradeNo {
		return nil, fmt.Errorf("order %s is not %s's pending order (%q)", in.TradeNo, s.userID, tradeNo)
	}
	if tradeNo == "" || s.charge == nil {
		return nil, errNoOrder
	}
	tx := c.Platform.Pay(tradeNo, total)
	notify, err := c.Platform.NewShipNotify(s.charge.Payload.ChargeInfo.UserID, tradeNo)
	if err != nil {
		return nil, err
	}
	reply, err := c.Platform.ShipNotify(ctx, notify)
	if err != nil {
		return nil, fmt.Errorf("ship notify: %w", err)
	}
	a, err := c.send(ctx, s, fakeplatform.NewConnectionsResponse(tradeNo, tx, s.options(c.SkillID)...))
	if err != nil {
		return nil, err
	}
	a.Order = &PendingOrder{TradeNo: tradeNo, TotalAmt: total, Status: pay.TradeSuccess, TransactionID: tx, ShipNotify: reply.RetCode}
	s.tradeNo, s.charge = "", nil
	return a, nil
}

// settleRefunds settles (SUCCESS) every refund the skill asked for on the
// speaker's orders and sends the refund notifies.
func (c *Console) settleRefunds(ctx context.Context, s *speaker) ([]RefundSettled, error) {
	var out []RefundSettled
	for _, tradeNo := range s.orders {
		for {
			n, err := c.Platform.SettleNext(tradeNo, shop.RefundSuccess)
			if err != nil {
				break // nothing pending
			}
			reply, err := c.Platform.RefundNotify(ctx, n)
			if err != nil {
				return out, fmt.Errorf("refund notify: %w", err)
			}
			out = append(out, RefundSettled{TradeNo: tradeNo, RefundTradeNo: n.RefundTradeNo, RefundAmt: n.RefundAmt,
				Status: string(n.RefundStatus), Notify: reply.RetCode})
		}
	}
	return out, nil
}

// OpenRequest and the other control bodies let a replay drive the fake
// platform over HTTP.
type OpenRequest struct {
	TradeNo  string   `json:"tradeNo"`
	TotalAmt shop.Fen `json:"totalAmt"`
}

// PaidReply is the answer of POST /sandbox/platform/pay.
type PaidReply struct {
	TransactionID string `json:"transactionId"`
}

// SettleRequest is the body of POST /sandbox/platform/settle.
type SettleRequest struct {
	TradeNo string            `json:"tradeNo"`
	Status  shop.RefundStatus `json:"status"`
}

func (c *Console) open(_ context.Context, in OpenRequest) (map[string]string, error) {
	if in.TradeNo == "" {
		return nil, errors.New("no tradeNo")
	}
	c.Platform.Open(in.TradeNo, in.TotalAmt)
	return map[string]string{"status": pay.TradeNotPay}, nil
}

func (c *Console) markPaid(_ context.Context, in OpenRequest) (PaidReply, error) {
	if in.TradeNo == "" {
		return PaidReply{}, errors.New("no tradeNo")
	}
	return PaidReply{TransactionID: c.Platform.Pay(in.TradeNo, in.TotalAmt)}, nil
}

func (c *Console) settle(_ context.Context, in SettleRequest) (pay.RefundNotifyRequest, error) {
	return c.Platform.SettleNext(in.TradeNo, in.Status)
}
