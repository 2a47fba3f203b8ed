package pay

import (
	"context"
	"errors"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// The observers are told what the pay side does, for metrics. Each is
// optional (nil observes nothing); the metrics adapter satisfies them all.

// Money kinds of Observer.Moved.
const (
	MoneyCharged   = "charged"   // a payment recorded (the order became PAID)
	MoneyDelivered = "delivered" // a paid order delivered
	MoneyRefunded  = "refunded"  // a refund the platform finished with SUCCESS
)

// Partner endpoints, as Observer.Replied names them.
const (
	EndpointCreateOrder  = "create_order"
	EndpointShipNotify   = "ship_notify"
	EndpointRefundNotify = "refund_notify"
)

// Observer is told what Service answered and what money moved.
type Observer interface {
	// Replied is one answer of a partner endpoint (EndpointCreateOrder,
	// ...), with its retCode and retMsg.
	Replied(endpoint, retCode, retMsg string)
	// Moved is an amount of money that changed hands (MoneyCharged, ...).
	Moved(kind string, amount shop.Fen)
}

// Results of CallObserver.PlatformCall.
const (
	CallSuccess   = "success"   // retCode SUCCESS
	CallFail      = "fail"      // retCode FAIL: the platform's refusal
	CallTransport = "transport" // no usable reply: network, timeout, HTTP 5xx
	CallBadReply  = "bad_reply" // a reply that does not verify or decode
)

// CallObserver is told about each attempt of a call to the platform.
type CallObserver interface {
	// PlatformCall is one attempt at endpoint (orderquery, refund,
	// refundquery), its result (CallSuccess, ...) and how long it took.
	PlatformCall(endpoint, result string, took time.Duration)
}

// ReconcileObserver is told how each reconciler pass went and whether
// this process runs the reconciler of its fleet.
type ReconcileObserver interface {
	// Reconciled is a finished pass (err nil) or a failed one, at its
	// start time.
	Reconciled(rep ReconcileReport, at time.Time, err error)
	// Leading reports whether this process holds the reconciler's lease.
	Leading(held bool)
}

// replied tells the observer about an answer of endpoint.
func (s *Service) replied(endpoint string, r Reply) Reply {
	if s.Observer != nil {
		s.Observer.Replied(endpoint, r.RetCode, r.RetMsg)
	}
	return r
}

// moved tells the observer about money that changed hands.
func (s *Service) moved(kind string, amount shop.Fen) {
	if s.Observer != nil && amount > 0 {
		s.Observer.Moved(kind, amount)
	}
}

// observeCall tells the client's observer about one attempt.
func (c *Client) observeCall(endpoint string, start time.Time, err error) {
	if c.Observer == nil {
		return
	}
	result := CallSuccess
	var perr *PlatformError
	switch {
	case err == nil:
	case errors.As(err, &perr):
		result = CallFail
	case errors.Is(err, ErrTransient), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		result = CallTransport
	default:
		result = CallBadReply
	}
	c.Observer.PlatformCall(endpoint, result, time.Since(start))
}
