package server

import (
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// OrderView is an order as the admin API shows it.
type OrderView struct {
	TradeNo       string            `json:"tradeNo"`
	State         shop.OrderState   `json:"state"`
	UserID        string            `json:"userId"`
	Account       string            `json:"account,omitempty"` // the linked account that owns it, if one does
	TotalAmt      shop.Fen          `json:"totalAmt"`
	Details       []shop.Line       `json:"details"`
	TransactionID string            `json:"transactionId"`
	Deliveries    int               `json:"deliveries"`
	RefundedAmt   shop.Fen          `json:"refundedAmt"`
	Refunds       []shop.Refund     `json:"refunds"`
	QueryFails    shop.QueryFails   `json:"queryFails,omitzero"` // orderquery answers not acted on, in a row
	OfferID       string            `json:"offerId,omitempty"`
	ResumedAt     time.Time         `json:"resumedAt,omitzero"`
	PageClosedAt  time.Time         `json:"pageClosedAt,omitzero"` // the platform said its pay page closed unpaid
	PayIn         shop.PayPlace     `json:"payIn,omitempty"`       // where it is paid: on a screen or in the phone app
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	History       []shop.Transition `json:"history"`
}

// ViewOrder returns the admin view of an order; lists are never null.
func ViewOrder(o shop.Order) OrderView {
	v := OrderView{
		TradeNo: o.TradeNo, State: o.State, UserID: o.UserID, TotalAmt: o.TotalAmt,
		Details: o.Details, TransactionID: o.TransactionID, Deliveries: o.Deliveries,
		RefundedAmt: o.RefundedAmt, Refunds: o.Refunds, QueryFails: o.QueryFails, OfferID: o.OfferID, ResumedAt: o.ResumedAt, PageClosedAt: o.PageClosedAt, PayIn: o.PayIn, CreatedAt: o.CreatedAt,
		UpdatedAt: o.UpdatedAt, History: o.History,
	}
	if a, ok := shop.AccountOf(o.UserID); ok {
		v.Account = a
	}
	if v.Details == nil {
		v.Details = []shop.Line{}
	}
	if v.Refunds == nil {
		v.Refunds = []shop.Refund{}
	}
	if v.History == nil {
		v.History = []shop.Transition{}
	}
	return v
}

// OrderList is the reply of GET /admin/orders.
type OrderList struct {
	Orders []OrderView `json:"orders"`
}

// EntitlementList is the reply of GET /admin/users/:userId/entitlements
// and GET /admin/accounts/:account/entitlements (UserID is then the
// account's owner string).
type EntitlementList struct {
	UserID       string             `json:"userId"`
	Account      string             `json:"account,omitempty"`
	Entitlements []shop.Entitlement `json:"entitlements"`
}

// RefundRequest is the body of POST /admin/orders/:tradeNo/refund: Amount in
// fen, 0 meaning all that is left.
type RefundRequest struct {
	Amount shop.Fen `json:"amount"`
	Reason string   `json:"reason"`
}

// knownStates are the order states a ?state= filter may name.
var knownStates = []shop.OrderState{
	shop.StateCreated, shop.StatePaid, shop.StateDelivered, shop.StateClosed,
	shop.StateRefunding, shop.StateRefunded, shop.StatePartiallyRefunded,
}

// adminListOrders serves GET /admin/orders?user=|account=&state=A,B&limit=N,
// newest first (limit defaults to DefaultAdminLimit, at most MaxAdminLimit).
func (s *srv) adminListOrders(c *fiber.Ctx) error {
	if s.cfg.Ledger == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "no ledger configured")
	}
	owner, err := ownerQuery(c)
	if err != nil {
		return writeError(c, err)
	}
	f := shop.OrderFilter{UserID: owner, Limit: DefaultAdminLimit}
	if q := c.Query("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > MaxAdminLimit {
			return writeError(c, shop.Errorf(shop.EINVALID, "limit must be 1..%d", MaxAdminLimit))
		}
		f.Limit = n
	}
	if q := c.Query("state"); q != "" {
		for _, name := range strings.Split(q, ",") {
			st := shop.OrderState(strings.ToUpper(strings.TrimSpace(name)))
			if !known(st) {
				return writeError(c, shop.Errorf(shop.EINVALID, "unknown state %q", truncate(name)))
			}
			f.States = append(f.States, st)
		}
	}
	orders, err := s.cfg.Ledger.Orders(c.UserContext(), f)
	if err != nil {
		return writeError(c, err)
	}
	out := OrderList{Orders: make([]OrderView, 0, len(orders))}
	for _, o := range orders {
		out.Orders = append(out.Orders, ViewOrder(o))
	}
	return c.JSON(out)
}

// adminShowOrder serves GET /admin/orders/:tradeNo.
func (s *srv) adminShowOrder(c *fiber.Ctx) error {
	if s.cfg.Ledger == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "no ledger configured")
	}
	tradeNo := c.Params("tradeNo")
	note(c, "trade_no", truncate(tradeNo))
	o, err := s.cfg.Ledger.Order(c.UserContext(), tradeNo)
	if err != nil {
		return writeError(c, err)
	}
	return c.JSON(ViewOrder(o))
}

// adminRefund serves POST /admin/orders/:tradeNo/refund {amount, reason}:
// the refund policy applies, then the platform is asked. A refund the
// platform could not be reached for is queued (the order is REFUNDING) and
// answered 200; the reconciler retries it.
func (s *srv) adminRefund(c *fiber.Ctx) error {
	if s.cfg.Accounts == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "refunds not configured")
	}
	tradeNo := c.Params("tradeNo")
	note(c, "trade_no", truncate(tradeNo))
	var req RefundRequest
	if body := c.Body(); len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return writeError(c, shop.Errorf(shop.EINVALID, "malformed JSON"))
		}
	}
	if req.Amount < 0 {
		return writeError(c, shop.Errorf(shop.EINVALID, "amount must be >= 0 fen"))
	}
	note(c, "refund_amt", int64(req.Amount))
	o, err := s.cfg.Accounts.Refund(c.UserContext(), tradeNo, req.Amount, req.Reason)
	var perr *pay.PlatformError
	if errors.As(err, &perr) {
		// The message is the one the user hears; an operator needs the
		// platform's reason too.
		note(c, "err", err.Error())
		return c.Status(StatusOf(err)).JSON(ErrorBody{Error: shop.ErrorMessage(err) + "（平台：" + perr.RetMsg + "）", Code: shop.ErrorCode(err)})
	}
	if err != nil {
		return writeError(c, err)
	}
	note(c, "state", o.State)
	return c.JSON(ViewOrder(o))
}

// adminEntitlements serves GET /admin/users/:userId/entitlements.
func (s *srv) adminEntitlements(c *fiber.Ctx) error {
	if s.cfg.Accounts == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "entitlements not configured")
	}
	user, err := url.PathUnescape(c.Params("userId"))
	if err != nil {
		return writeError(c, shop.Errorf(shop.EINVALID, "bad user id"))
	}
	ents, err := s.cfg.Accounts.Entitlements(c.UserContext(), user)
	if err != nil {
		return writeError(c, err)
	}
	if ents == nil {
		ents = []shop.Entitlement{}
	}
	return c.JSON(EntitlementList{UserID: user, Entitlements: ents})
}

func known(st shop.OrderState) bool {
	for _, k := range knownStates {
		if k == st {
			return true
		}
	}
	return false
}

// truncate keeps caller-controlled text in replies and logs short.
func truncate(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "..."
	}
	return s
}
