// Package fakeplatform is a fake Dingdang platform, both sides of it, shaped
// like net/http/httptest. It is what tests, the sandbox (`skill sandbox`)
// and the fixture runner (`skill replay`) talk to instead of the real one.
//
// The pay side (Handler, served under /paycgi/) answers the skill's
// orderquery, refund and refundquery, verifying TSK-RSA2 with the skill's
// public key and signing replies with the platform's key; it keeps its own
// view of orders and refunds, which Open, Pay and Settle move as a paying
// user would, and fails on demand (FailNext, RefuseNext, BadSignatureNext,
// Delay, Down).
//
// The skill side sends what the platform sends to a skill, signed: skill
// requests (Skill, built with NewLaunch, NewIntent and the other builders)
// and the partner pay calls (CreateOrder, ShipNotify, RefundNotify), whose
// signed replies it verifies.
//
// Every signature goes through the one signed transport of package tsk.
// The package holds no keys: its user gives them (the sandbox generates
// its own at start; tests use the TESTING keys of package tsktest, which
// also starts a Server bound to a test). Nothing here imports testing.
package fakeplatform

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// DefaultSkillID is the skill id of a Platform whose SkillID is empty, and
// the applicationId of the requests the builders make.
const DefaultSkillID = "test-skill"

// Platform is the fake platform. Set its fields before first use (SkillURL
// may be set once the skill's address is known, before any call to the
// skill); after that it is safe for concurrent use.
type Platform struct {
	// SkillID is the skill's id (DefaultSkillID when empty).
	SkillID string
	// SkillURL is the skill's base URL: skill requests go to SkillURL/skill,
	// pay calls to SkillURL/pay/....
	SkillURL string
	// Key is the platform's private key: it signs skill requests (TSK-RSA2),
	// pay calls and the pay interfaces' replies. Required.
	Key *rsa.PrivateKey
	// SkillKey is the skill's public key: it verifies the skill's pay
	// requests and its pay replies. Required.
	SkillKey *rsa.PublicKey
	// Secret is the SkillSecret; with HMAC set it signs skill requests
	// (TSK-HMAC-SHA256-BASIC) instead of Key.
	Secret []byte
	HMAC   bool
	// HTTP makes the calls to the skill (nil: a client with a 10s timeout).
	HTTP *http.Client
	// Now is the clock of signatures and timestamps (nil: time.Now).
	Now func() time.Time

	mu        sync.Mutex
	orders    map[string]*order  // by tradeNo
	refunds   map[string]*refund // by refundTradeNo
	scripted  map[string]string  // tradeNo → tradeStatus orderquery answers
	rscripted map[string][]shop.RefundStatus
	failNext  int
	refuse    map[string]int // endpoint → requests left to answer retCode FAIL
	badSig    int
	delay     time.Duration
	down      bool
	calls     map[string]int
	requests  []Request
	seq       int
}

// Request is one request the pay side received, as sent.
type Request struct {
	Endpoint      string // "orderquery", "refund" or "refundquery"
	Body          []byte
	Authorization string
}

type order struct {
	tradeNo, transactionID string
	totalAmt               shop.Fen
	status                 string   // pay.Trade*
	refunded, pending      shop.Fen // SUCCESS and PROCESSING refunds
	refundNos              []string // refunds in the order accepted
}

type refund struct {
	req                 pay.RefundRequest
	tradeNo             string
	refundTransactionID string
	status              shop.RefundStatus
}

func (p *Platform) skillID() string {
	if p.SkillID != "" {
		return p.SkillID
	}
	return DefaultSkillID
}

func (p *Platform) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// init makes the maps; callers hold p.mu.
func (p *Platform) init() {
	if p.orders == nil {
		p.orders, p.refunds = map[string]*order{}, map[string]*refund{}
		p.scripted, p.rscripted = map[string]string{}, map[string][]shop.RefundStatus{}
		p.calls, p.refuse = map[string]int{}, map[string]int{}
	}
}

// Open records an order the skill created and the platform knows, not paid
// (NOTPAY), as after the skill answered create order.
func (p *Platform) Open(tradeNo string, totalAmt shop.Fen) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if _, ok := p.orders[tradeNo]; !ok {
		p.orders[tradeNo] = &order{tradeNo: tradeNo, totalAmt: totalAmt, status: pay.TradeNotPay}
	}
}

// Pay marks the order paid (SUCCESS) for totalAmt and returns its
// transactionId (the same one when it was paid already).
func (p *Platform) Pay(tradeNo string, totalAmt shop.Fen) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	o, ok := p.orders[tradeNo]
	if !ok {
		o = &order{tradeNo: tradeNo}
		p.orders[tradeNo] = o
	}
	o.totalAmt, o.status = totalAmt, pay.TradeSuccess
	if o.transactionID == "" {
		p.seq++
		o.transactionID = fmt.Sprintf("DD%08d%s", p.seq, pay.NonceStr()[:12])
	}
	return o.transactionID
}

// Settle gives a PROCESSING refund its final status now, as the platform
// does before it sends a refund notify. It fails for an unknown refund.
func (p *Platform) Settle(refundTradeNo string, status shop.RefundStatus) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	r, ok := p.refunds[refundTradeNo]
	if !ok {
		return fmt.Errorf("fakeplatform: no refund %s", refundTradeNo)
	}
	p.settle(r, status)
	return nil
}

// SettleNext gives the order's oldest PROCESSING refund the status (SUCCESS
// or FAIL; PROCESSING leaves it pending) and returns the refund notify the
// platform sends for it. It fails when the order has no pending refund.
func (p *Platform) SettleNext(tradeNo string, status shop.RefundStatus) (pay.RefundNotifyRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if o, ok := p.orders[tradeNo]; ok {
		for _, no := range o.refundNos {
			if r := p.refunds[no]; r.status == shop.RefundProcessing {
				p.settle(r, status)
				return p.refundNotify(r), nil
			}
		}
	}
	return pay.RefundNotifyRequest{}, fmt.Errorf("fakeplatform: no pending refund for order %s", tradeNo)
}

// settle moves a PROCESSING refund to status; callers hold p.mu.
func (p *Platform) settle(r *refund, status shop.RefundStatus) {
	if r.status != shop.RefundProcessing || status == shop.RefundProcessing {
		return
	}
	o := p.orders[r.tradeNo]
	o.pending -= r.req.RefundAmt
	if status == shop.RefundSuccess {
		o.refunded += r.req.RefundAmt
	}
	r.status = status
}

// ScriptTradeStatus makes orderquery answer status for the order from now
// on, whatever the platform's own view says ("" removes the script).
func (p *Platform) ScriptTradeStatus(tradeNo, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if status == "" {
		delete(p.scripted, tradeNo)
		return
	}
	p.scripted[tradeNo] = status
}

// ScriptRefundStatus queues the statuses the next refundquerys of a
// PROCESSING refund answer, one per query; without a script a PROCESSING
// refund becomes SUCCESS on its next query.
func (p *Platform) ScriptRefundStatus(refundTradeNo string, statuses ...shop.RefundStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	p.rscripted[refundTradeNo] = append(p.rscripted[refundTradeNo], statuses...)
}

// FailNext makes the next n pay requests answer HTTP 500 without being
// handled.
func (p *Platform) FailNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext = n
}

// RefuseNext makes the next n requests to endpoint ("orderquery", "refund",
// "refundquery") answer a signed retCode FAIL "系统繁忙" without being
// handled: the platform's "no answer", which says nothing of the order or
// refund asked about.
func (p *Platform) RefuseNext(endpoint string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	p.refuse[endpoint] = n
}

// BadSignatureNext makes the next n pay replies carry a signature that does
// not verify (the requests are handled).
func (p *Platform) BadSignatureNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.badSig = n
}

// Delay makes every pay request wait d before it is handled (0 stops it).
func (p *Platform) Delay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Down makes the pay side drop every connection without an answer until Up.
func (p *Platform) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
}

// Up ends Down.
func (p *Platform) Up() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// Calls returns how many requests reached the pay endpoint ("orderquery",
// "refund", "refundquery"), failed ones included.
func (p *Platform) Calls(endpoint string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[endpoint]
}

// Requests returns every pay request received so far, in order.
func (p *Platform) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// RefundedAmt returns how much of the order the platform has refunded
// (SUCCESS refunds only).
func (p *Platform) RefundedAmt(tradeNo string) shop.Fen {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o, ok := p.orders[tradeNo]; ok {
		return o.refunded
	}
	return 0
}

// Refunds returns how many distinct refunds (by refundTradeNo) the platform
// accepted for the order.
func (p *Platform) Refunds(tradeNo string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if o, ok := p.orders[tradeNo]; ok {
		return len(o.refundNos)
	}
	return 0
}

// RefundStatus returns the platform's status of a refund, "" if unknown.
func (p *Platform) RefundStatus(refundTradeNo string) shop.RefundStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.refunds[refundTradeNo]; ok {
		return r.status
	}
	return ""
}

// NewShipNotify returns the ship notify the platform sends for an order it
// has seen paid (Pay); it fails for an order not paid.
func (p *Platform) NewShipNotify(userToken, tradeNo string) (pay.ShipNotifyRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o, ok := p.orders[tradeNo]
	if !ok || o.status != pay.TradeSuccess {
		return pay.ShipNotifyRequest{}, fmt.Errorf("fakeplatform: ship notify for unpaid order %s", tradeNo)
	}
	return pay.ShipNotifyRequest{SkillID: p.skillID(), UserToken: userToken, TransactionID: o.transactionID,
		TradeNo: tradeNo, TotalAmt: o.totalAmt, NonceStr: pay.NonceStr()}, nil
}

// NewRefundNotify returns the refund notify the platform sends for a refund
// it knows, with the refund's current status; it fails for an unknown one.
func (p *Platform) NewRefundNotify(refundTradeNo string) (pay.RefundNotifyRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.refunds[refundTradeNo]
	if !ok {
		return pay.RefundNotifyRequest{}, fmt.Errorf("fakeplatform: refund notify for unknown refund %s", refundTradeNo)
	}
	return p.refundNotify(r), nil
}

// refundNotify builds the notify of a refund; callers hold p.mu.
func (p *Platform) refundNotify(r *refund) pay.RefundNotifyRequest {
	o := p.orders[r.tradeNo]
	return pay.RefundNotifyRequest{SkillID: p.skillID(), TransactionID: o.transactionID, TradeNo: o.tradeNo,
		RefundTransactionID: r.refundTransactionID, RefundTradeNo: r.req.RefundTradeNo, TotalAmt: o.totalAmt,
		RefundAmt: r.req.RefundAmt, RefundStatus: r.status, RefundStatusDesc: string(r.status), NonceStr: pay.NonceStr()}
}
