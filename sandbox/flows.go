package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Say sends what the user said to the skill: the NLU (or the request's
// Intent) picks the intent; an answer to a pending Dialog.ElicitSlot fills
// the slot asked for. Unless Manual, a Charge in the answer is ordered at
// once, as the user would on the pay card (the platform calls the skill's
// create-order), and refunds the skill asked for are settled and notified.
func (c *Console) Say(ctx context.Context, in SayRequest) (*Answer, error) {
	switch in.Request {
	case "", "launch", "session-ended":
	case "element-selected":
		if in.Token == "" {
			return nil, errors.New("element-selected needs the token of the item tapped")
		}
	default:
		return nil, fmt.Errorf("request %q: want launch, session-ended or element-selected (or none)", in.Request)
	}
	return c.act(in.Device, in.User, sayAction(in), func(acc *account, s *speaker, t *Turn) (*Answer, error) {
		t.Said = in.Text
		var heard *Understanding
		request := in.Request
		if request == "" {
			u := Understanding{Intent: in.Intent, Slots: in.Slots}
			if u.Intent == "" {
				u = c.understand(s, in.Text)
			}
			if !u.Understood() {
				return nil, notUnderstood(in.Text)
			}
			heard, request = &u, u.Request
		}
		opts := s.options(c.SkillID)
		if in.Text != "" {
			opts = append(opts, fakeplatform.WithQuery(in.Text))
		}
		var req *tsk.Request
		switch request {
		case "launch":
			req = fakeplatform.NewLaunch(opts...)
		case "session-ended":
			req = fakeplatform.NewSessionEnded(tsk.ReasonUserInitiated, opts...)
		case "element-selected":
			req = fakeplatform.NewElementSelected(in.Token, opts...)
		case "":
			req = fakeplatform.NewIntent(heard.Intent, heard.Slots, opts...)
		}
		s.said, s.heard = in.Text, heard
		before := acc.unplaced
		a, err := c.send(ctx, acc, s, req)
		if err != nil {
			return nil, err
		}
		a.Heard = heard
		if acc.unplaced != nil && acc.unplaced != before {
			if in.Manual {
				a.Next = fmt.Sprintf(`POST /sandbox/order {"user":%q}`, s.userID)
				return a, nil
			}
			o, err := c.place(ctx, acc)
			if err != nil {
				return a, err
			}
			a.Order = &o.PendingOrder
			a.Next = fmt.Sprintf(`POST /sandbox/pay {"user":%q}`, s.userID)
		}
		if !in.Manual {
			a.Refunds, err = c.settleRefunds(ctx, acc, "", shop.RefundSuccess)
		}
		return a, err
	})
}

// sayAction describes a SayRequest for the turn list.
func sayAction(in SayRequest) string {
	switch {
	case in.Request == "launch":
		return "打开技能"
	case in.Request == "session-ended":
		return "结束会话"
	case in.Request == "element-selected":
		return "点选 " + in.Token
	case in.Text != "":
		return "说“" + in.Text + "”"
	}
	return "意图 " + in.Intent
}

// understand runs the NLU; an utterance it does not know answers a pending
// slot question with the elicited intent.
func (c *Console) understand(s *speaker, text string) Understanding {
	e := s.elicit
	if e == nil || e.UpdatedIntent == nil {
		return c.NLU.Understand(text)
	}
	slots := map[string]string{}
	for name := range e.UpdatedIntent.Slots {
		if v, ok := e.UpdatedIntent.Slot(name); ok {
			slots[name] = v.Text()
		}
	}
	return c.NLU.Follow(text, e.SlotToElicit, e.UpdatedIntent.Name, slots)
}

// place orders the account's last Charge with the skill's create-order, as
// the platform does when the user orders.
func (c *Console) place(ctx context.Context, acc *account) (*placed, error) {
	of := acc.unplaced
	if of == nil {
		return nil, fmt.Errorf("user %s: no Charge to order: the skill offers one when a purchase is confirmed (say “我要买…”, then “是的”)", acc.id)
	}
	req := fakeplatform.ChargeOrder(c.SkillID, of.charge)
	reply, err := c.Platform.CreateOrder(ctx, req)
	if err != nil {
		return nil, err
	}
	if !reply.OK() {
		return nil, fmt.Errorf("create-order: %s %s", reply.RetCode, reply.RetMsg)
	}
	c.Platform.Open(reply.TradeNo, req.TotalAmt)
	acc.unplaced = nil
	o := &placed{PendingOrder: PendingOrder{TradeNo: reply.TradeNo, TotalAmt: req.TotalAmt, Status: pay.TradeNotPay,
		Device: of.speaker.device.Name, Page: c.SkillURL + "/orders/" + url.PathEscape(of.charge.UserID)}, charge: of.charge, speaker: of.speaker}
	acc.orders = append(acc.orders, o)
	return o, nil
}

// Order places the user's last Charge (POST /sandbox/order): the platform's
// create-order, for a Say with Manual.
func (c *Console) Order(ctx context.Context, in PayRequest) (*Answer, error) {
	return c.act(in.Device, in.User, "下单（create-order）", func(acc *account, _ *speaker, t *Turn) (*Answer, error) {
		o, err := c.place(ctx, acc)
		if err != nil {
			return nil, err
		}
		t.Device = o.Device
		return &Answer{Order: &o.PendingOrder, Next: fmt.Sprintf(`POST /sandbox/pay {"user":%q}`, acc.id)}, nil
	})
}

// waiting returns the user's order waiting for payment: the one named, or
// the newest not paid, placing the last Charge first when no order waits.
func (c *Console) waiting(ctx context.Context, acc *account, tradeNo string) (*placed, error) {
	if tradeNo != "" {
		for _, o := range acc.orders {
			if o.TradeNo == tradeNo {
				if o.Status != pay.TradeNotPay {
					return nil, fmt.Errorf("order %s of %s is %s, not waiting for payment", tradeNo, acc.id, o.Status)
				}
				return o, nil
			}
		}
		return nil, fmt.Errorf("order %s is not one of %s's orders (%s)", tradeNo, acc.id, acc.orderList())
	}
	for i := len(acc.orders) - 1; i >= 0; i-- {
		if acc.orders[i].Status == pay.TradeNotPay {
			return acc.orders[i], nil
		}
	}
	if acc.unplaced != nil {
		return c.place(ctx, acc)
	}
	return nil, fmt.Errorf("%w: %s has %s; the skill offers one when a purchase is confirmed (say “我要买…”, then “是的”)",
		ErrNoOrder, acc.id, acc.orderList())
}

// ErrNoOrder is wrapped by the order steps when the user has no order
// waiting for payment.
var ErrNoOrder = errors.New("no order waiting for payment")

// orderList describes the account's orders for an error message.
func (a *account) orderList() string {
	if len(a.orders) == 0 {
		return "no orders in this sandbox yet"
	}
	var parts []string
	for _, o := range a.orders {
		parts = append(parts, o.TradeNo+" "+o.Status)
	}
	return "orders " + strings.Join(parts, ", ")
}

// Pay pays the user's order waiting for payment, whatever the device it was
// ordered on: the platform marks it paid, sends the signed ship notify
// (unless Late), then the Connections.Response to the speaker it was
// ordered on, and returns the resumed answer (the episode playing).
func (c *Console) Pay(ctx context.Context, in PayRequest) (*Answer, error) {
	action := "支付（发货通知 + Connections.Response）"
	if in.Late {
		action = "延迟支付（先不发发货通知）"
	}
	return c.act(in.Device, in.User, action, func(acc *account, _ *speaker, t *Turn) (*Answer, error) {
		o, err := c.waiting(ctx, acc, in.TradeNo)
		if err != nil {
			return nil, err
		}
		t.Device = o.Device
		o.TransactionID = c.Platform.Pay(o.TradeNo, o.TotalAmt)
		o.Status = pay.TradeSuccess
		if !in.Late {
			if err := c.shipNotify(ctx, o); err != nil {
				return &Answer{Order: &o.PendingOrder}, err
			}
		}
		a, err := c.send(ctx, acc, o.speaker, fakeplatform.NewConnectionsResponse(o.TradeNo, o.TransactionID, o.speaker.options(c.SkillID)...))
		if err != nil {
			return &Answer{Order: &o.PendingOrder}, err
		}
		a.Order = &o.PendingOrder
		return a, nil
	})
}

// Refuse is the user closing the pay page without paying: the platform
// sends the Connections.Response for the unpaid order, and the order no
// longer waits.
func (c *Console) Refuse(ctx context.Context, in PayRequest) (*Answer, error) {
	return c.act(in.Device, in.User, "拒绝支付", func(acc *account, _ *speaker, t *Turn) (*Answer, error) {
		o, err := c.waiting(ctx, acc, in.TradeNo)
		if err != nil {
			return nil, err
		}
		t.Device = o.Device
		o.Status = "REFUSED"
		a, err := c.send(ctx, acc, o.speaker, fakeplatform.NewConnectionsResponse(o.TradeNo, "DDUNPAID"+o.TradeNo, o.speaker.options(c.SkillID)...))
		if err != nil {
			return nil, err
		}
		a.Order = &o.PendingOrder
		return a, nil
	})
}

// ShipNotify sends the ship notify of the user's newest paid order (or the
// one named) again or for the first time, as the platform's retries do.
func (c *Console) ShipNotify(ctx context.Context, in PayRequest) (*Answer, error) {
	return c.act(in.Device, in.User, "发货通知（ship-notify）", func(acc *account, _ *speaker, t *Turn) (*Answer, error) {
		var o *placed
		for i := len(acc.orders) - 1; i >= 0 && o == nil; i-- {
			if p := acc.orders[i]; p.Status == pay.TradeSuccess && (in.TradeNo == "" || p.TradeNo == in.TradeNo) {
				o = p
			}
		}
		if o == nil {
			return nil, fmt.Errorf("%s has no paid order to notify (%s)", acc.id, acc.orderList())
		}
		t.Device = o.Device
		err := c.shipNotify(ctx, o)
		return &Answer{Order: &o.PendingOrder}, err
	})
}

// shipNotify sends the signed ship notify of a paid order.
func (c *Console) shipNotify(ctx context.Context, o *placed) error {
	notify, err := c.Platform.NewShipNotify(o.charge.UserID, o.TradeNo)
	if err != nil {
		return err
	}
	reply, err := c.Platform.ShipNotify(ctx, notify)
	if err != nil {
		return fmt.Errorf("ship notify: %w", err)
	}
	o.ShipNotify = reply.RetCode
	return nil
}

// RefundNotify settles the user's next pending refund with the status
// (SUCCESS by default) and sends the refund notify; with none pending it
// sends the last refund notify again.
func (c *Console) RefundNotify(ctx context.Context, in RefundNotifyRequest) (*Answer, error) {
	status := shop.RefundStatus(cmpOr(string(in.Status), string(shop.RefundSuccess)))
	if status != shop.RefundSuccess && status != shop.RefundFail {
		return nil, fmt.Errorf("status %q: want SUCCESS or FAIL", in.Status)
	}
	return c.act("", in.User, "退款通知（refund-notify "+string(status)+"）", func(acc *account, _ *speaker, _ *Turn) (*Answer, error) {
		done, err := c.settleRefunds(ctx, acc, in.TradeNo, status)
		if err != nil || len(done) > 0 {
			return &Answer{Refunds: done}, err
		}
		if acc.refunded == nil {
			return nil, fmt.Errorf("%s has no refund to notify: the skill asks for one after “我要退款”, “是的”", acc.id)
		}
		n := *acc.refunded
		n.NonceStr = pay.NonceStr()
		reply, err := c.Platform.RefundNotify(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("refund notify: %w", err)
		}
		return &Answer{Refunds: []RefundSettled{settled(n, reply)}}, nil
	})
}

// settleRefunds settles with status every refund the skill asked for on
// the account's orders (or the one named) and sends the refund notifies.
func (c *Console) settleRefunds(ctx context.Context, acc *account, tradeNo string, status shop.RefundStatus) ([]RefundSettled, error) {
	var out []RefundSettled
	for _, o := range acc.orders {
		if tradeNo != "" && o.TradeNo != tradeNo {
			continue
		}
		for {
			n, err := c.Platform.SettleNext(o.TradeNo, status)
			if err != nil {
				break // nothing pending
			}
			acc.refunded = &n
			reply, err := c.Platform.RefundNotify(ctx, n)
			if err != nil {
				return out, fmt.Errorf("refund notify: %w", err)
			}
			out = append(out, settled(n, reply))
		}
	}
	return out, nil
}

func settled(n pay.RefundNotifyRequest, reply pay.Reply) RefundSettled {
	return RefundSettled{TradeNo: n.TradeNo, RefundTradeNo: n.RefundTradeNo, RefundAmt: n.RefundAmt,
		Status: string(n.RefundStatus), Notify: reply.RetCode}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
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
