package server

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/skill/skill"
)

// OrderView is an order as the admin API shows it.
type OrderView struct {
	TradeNo       string             `json:"tradeNo"`
	State         skill.OrderState   `json:"state"`
	UserID        string             `json:"userId"`
	TotalAmt      skill.Fen          `json:"totalAmt"`
	Details       []skill.Line       `json:"details"`
	TransactionID string             `json:"transactionId"`
	Deliveries    int                `json:"deliveries"`
	RefundedAmt   skill.Fen          `json:"refundedAmt"`
	Refunds       []skill.Refund     `json:"refunds"`
	CreatedAt     time.Time          `json:"createdAt"`
	UpdatedAt     time.Time          `json:"updatedAt"`
	History       []skill.Transition `json:"history"`
}

// ViewOrder returns the admin view of an order; lists are never null.
func ViewOrder(o skill.Order) OrderView {
	v := OrderView{
		TradeNo: o.TradeNo, State: o.State, UserID: o.UserID, TotalAmt: o.TotalAmt,
		Details: o.Details, TransactionID: o.TransactionID, Deliveries: o.Deliveries,
		RefundedAmt: o.RefundedAmt, Refunds: o.Refunds, CreatedAt: o.CreatedAt,
		UpdatedAt: o.UpdatedAt, History: o.History,
	}
	if v.Details == nil {
		v.Details = []skill.Line{}
	}
	if v.Refunds == nil {
		v.Refunds = []skill.Refund{}
	}
	if v.History == nil {
		v.History = []skill.Transition{}
	}
	return v
}

// OrderList is the reply of GET /admin/orders.
type OrderList struct {
	Orders []OrderView `json:"orders"`
}

// EntitlementList is the reply of GET /admin/users/:userId/entitlements.
type EntitlementList struct {
	UserID       string              `json:"userId"`
	Entitlements []skill.Entitlement `json:"entitlements"`
}

// RefundRequest is the body of POST /admin/orders/:tradeNo/refund: Amount in
// fen, 0 meaning all that is left.
type RefundRequest struct {
	Amount skill.Fen `json:"amount"`
	Reason string    `json:"reason"`
}

// knownStates are the order states a ?state= filter may name.
var knownStates = []skill.OrderState{
	skill.StateCreated, skill.StatePaid, skill.StateDelivered, skill.StateClosed,
	skill.StateRefunding, skill.StateRefunded, skill.StatePartiallyRefunded,
}

// adminListOrders serves GET /admin/orders?user=&state=A,B&limit=N, newest
// first (limit defaults to DefaultAdminLimit, at most MaxAdminLimit).
func (s *srv) adminListOrders(c *fiber.Ctx) error {
	if s.cfg.Ledger == nil {
		return writeReason(c, fiber.StatusServiceUnavailable, "no ledger configured")
	}
	f := skill.OrderFilter{UserID: c.Query("user"), Limit: DefaultAdminLimit}
	if q := c.Query("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > MaxAdminLimit {
			return writeError(c, skill.Errorf(skill.EINVALID, "limit must be 1..%d", MaxAdminLimit))
		}
		f.Limit = n
	}
	if q := c.Query("state"); q != "" {
		for _, name := range strings.Split(q, ",") {
			st := skill.OrderState(strings.ToUpper(strings.TrimSpace(name)))
			if !known(st) {
				return writeError(c, skill.Errorf(skill.EINVALID, "unknown state %q", truncate(name)))
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
			return writeError(c, skill.Errorf(skill.EINVALID, "malformed JSON"))
		}
	}
	if req.Amount < 0 {
		return writeError(c, skill.Errorf(skill.EINVALID, "amount must be >= 0 fen"))
	}
	note(c, "refund_amt", int64(req.Amount))
	o, err := s.cfg.Accounts.Refund(c.UserContext(), tradeNo, req.Amount, req.Reason)
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
		return writeError(c, skill.Errorf(skill.EINVALID, "bad user id"))
	}
	ents, err := s.cfg.Accounts.Entitlements(c.UserContext(), user)
	if err != nil {
		return writeError(c, err)
	}
	if ents == nil {
		ents = []skill.Entitlement{}
	}
	return c.JSON(EntitlementList{UserID: user, Entitlements: ents})
}

func known(st skill.OrderState) bool {
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
