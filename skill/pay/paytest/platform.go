// Package paytest is the pay side of a fake Dingdang platform, shaped like
// net/http/httptest. Platform serves the platform's orderquery, refund and
// refundquery on 127.0.0.1, verifying requests against tsktest.SkillKey and
// signing replies with tsktest.PlatformKey; it keeps its own view of orders
// and refunds and can fail on demand. The helpers in notify.go build and send
// the platform's signed calls to the skill (create order, ship notify,
// refund notify).
//
// Nothing here is fit for production: the keys are public.
package paytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// Platform is a running fake platform. Create it with NewPlatform; it closes
// itself when the test ends.
type Platform struct {
	// URL is the base of the pay interfaces, ending in "/": use it as
	// pay.Client.BaseURL.
	URL string

	srv      *httptest.Server
	tb       testing.TB
	verifier *tsk.Verifier

	mu        sync.Mutex
	orders    map[string]*order  // by tradeNo
	refunds   map[string]*refund // by refundTradeNo
	scripted  map[string]string  // tradeNo → tradeStatus to answer
	rscripted map[string][]shop.RefundStatus
	failNext  int
	badSig    int
	delay     time.Duration
	down      bool
	calls     map[string]int
	requests  []Request
	seq       int
}

// Request is one request the platform received, as sent.
type Request struct {
	Endpoint      string // "orderquery", "refund" or "refundquery"
	Body          []byte
	Authorization string
}

type order struct {
	tradeNo, transactionID string
	totalAmt               shop.Fen
	status                 string
	refunded, pending      shop.Fen
}

type refund struct {
	req                 pay.RefundRequest
	tradeNo             string
	refundTransactionID string
	status              shop.RefundStatus
}

// NewPlatform starts a fake platform on 127.0.0.1 and closes it at the end
// of the test.
func NewPlatform(tb testing.TB) *Platform {
	tb.Helper()
	p := &Platform{
		tb:        tb,
		verifier:  tsktest.SkillVerifier(nil),
		orders:    map[string]*order{},
		refunds:   map[string]*refund{},
		scripted:  map[string]string{},
		rscripted: map[string][]shop.RefundStatus{},
		calls:     map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orderquery", p.handle("orderquery", p.orderQuery))
	mux.HandleFunc("POST /refund", p.handle("refund", p.refund))
	mux.HandleFunc("POST /refundquery", p.handle("refundquery", p.refundQuery))
	p.srv = httptest.NewServer(mux)
	p.URL = p.srv.URL + "/"
	tb.Cleanup(p.Close)
	return p
}

// Close shuts the platform down.
func (p *Platform) Close() { p.srv.Close() }

// Client returns a pay.Client for this platform: signing with
// tsktest.SkillKey, verifying replies with tsktest.PlatformKey's public key,
// skill id tsktest.SkillID, a 2s timeout and millisecond backoffs.
func (p *Platform) Client() *pay.Client {
	return &pay.Client{
		BaseURL:    p.URL,
		SkillID:    tsktest.SkillID,
		Key:        tsktest.SkillKey,
		Verifier:   PlatformVerifier(),
		HTTP:       p.srv.Client(),
		Timeout:    2 * time.Second,
		Backoff:    2 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond,
	}
}

// PlatformVerifier returns a verifier accepting what tsktest.PlatformKey
// signs (RSA2 only): the skill's view of the platform.
func PlatformVerifier() *tsk.Verifier {
	return tsktest.PlatformVerifier(nil)
}

// Open records an order the platform knows but that is not paid (NOTPAY),
// as after the skill answered create order.
func (p *Platform) Open(tradeNo string, totalAmt shop.Fen) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.orders[tradeNo]; !ok {
		p.orders[tradeNo] = &order{tradeNo: tradeNo, totalAmt: totalAmt, status: pay.TradeNotPay}
	}
}

// Pay marks the order paid (SUCCESS) for totalAmt and returns its
// transactionId (the same one if it was paid already).
func (p *Platform) Pay(tradeNo string, totalAmt shop.Fen) string {
	p.mu.Lock()
	defer p.mu.Unlock()
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

// ScriptTradeStatus makes orderquery answer status for the order from now
// on, whatever its own view says ("" removes the script).
func (p *Platform) ScriptTradeStatus(tradeNo, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if status == "" {
		delete(p.scripted, tradeNo)
		return
	}
	p.scripted[tradeNo] = status
}

// ScriptRefundStatus queues statuses the next refundquerys of the refund
// answer, one per query; without a script a PROCESSING refund becomes
// SUCCESS on its next query.
func (p *Platform) ScriptRefundStatus(refundTradeNo string, statuses ...shop.RefundStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rscripted[refundTradeNo] = append(p.rscripted[refundTradeNo], statuses...)
}

// FailNext makes the next n requests answer HTTP 500 without being handled.
func (p *Platform) FailNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext = n
}

// BadSignatureNext makes the next n replies carry a signature by the wrong
// key (the requests are handled).
func (p *Platform) BadSignatureNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.badSig = n
}

// Delay makes every request wait d before it is handled (0 stops it).
func (p *Platform) Delay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Down makes the platform drop every connection without an answer until Up.
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

// Calls returns how many requests reached the endpoint ("orderquery",
// "refund", "refundquery"), failed ones included.
func (p *Platform) Calls(endpoint string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[endpoint]
}

// Requests returns every request received so far, in order.
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
	n := 0
	for _, r := range p.refunds {
		if r.tradeNo == tradeNo {
			n++
		}
	}
	return n
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

// handle wraps an endpoint with failure injection, request verification and
// reply signing.
func (p *Platform) handle(name string, fn func(body []byte) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		p.mu.Lock()
		p.calls[name]++
		p.requests = append(p.requests, Request{Endpoint: name, Body: body, Authorization: r.Header.Get("Authorization")})
		down, delay := p.down, p.delay
		fail := p.failNext > 0
		if fail {
			p.failNext--
		}
		p.mu.Unlock()
		if down {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if fail {
			http.Error(w, "injected failure", http.StatusInternalServerError)
			return
		}
		if err != nil {
			p.reply(w, http.StatusBadRequest, pay.Fail("read body"))
			return
		}
		if _, err := p.verifier.Verify(body, r.Header.Get("Authorization")); err != nil {
			p.reply(w, http.StatusUnauthorized, pay.Fail("签名校验失败"))
			return
		}
		status, v := fn(body)
		p.reply(w, status, v)
	}
}

// reply writes v as JSON signed with tsktest.PlatformKey (or, when a bad
// signature is due, with tsktest.SkillKey).
func (p *Platform) reply(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.mu.Lock()
	key := tsktest.PlatformKey
	if p.badSig > 0 {
		p.badSig--
		key = tsktest.SkillKey
	}
	p.mu.Unlock()
	h, err := tsk.SignRSA2(body, time.Now(), key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Authorization", h)
	w.WriteHeader(status)
	w.Write(body)
}

func fail(msg string) (int, any) { return http.StatusOK, pay.Fail(msg) }

func (p *Platform) orderQuery(body []byte) (int, any) {
	var q pay.OrderQuery
	if err := json.Unmarshal(body, &q); err != nil {
		return fail("bad json")
	}
	if q.SkillID != tsktest.SkillID {
		return fail("skillId error")
	}
	if len(q.NonceStr) == 0 || len(q.NonceStr) > 32 {
		return fail("nonceStr error")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var o *order
	for _, c := range p.orders {
		if (q.TradeNo != "" && c.tradeNo == q.TradeNo) || (q.TransactionID != "" && c.transactionID == q.TransactionID) {
			o = c
			break
		}
	}
	status, scripted := p.scripted[q.TradeNo]
	if o == nil && !scripted {
		return fail("订单不存在")
	}
	if o == nil {
		o = &order{tradeNo: q.TradeNo}
	}
	if !scripted {
		status = o.status
	}
	return http.StatusOK, pay.OrderStatus{
		RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: tsktest.SkillID,
		TransactionID: o.transactionID, TradeNo: o.tradeNo, TotalAmt: o.totalAmt,
		TradeStatus: status, TradeStatusDesc: status,
	}
}

func (p *Platform) refund(body []byte) (int, any) {
	var rq pay.RefundRequest
	if err := json.Unmarshal(body, &rq); err != nil {
		return fail("bad json")
	}
	switch {
	case rq.SkillID != tsktest.SkillID:
		return fail("skillId error")
	case !alnum(rq.RefundTradeNo):
		return fail("refundTradeNo error")
	case len(rq.RefundDesc) > 64:
		return fail("refundDesc too long")
	case rq.RefundAmt <= 0:
		return fail("refundAmt error")
	}
	if sum, err := shop.SumLines(rq.RefundDetails); err != nil || sum != rq.RefundAmt {
		return fail("refundDetails error")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var o *order
	for _, c := range p.orders {
		if (rq.TradeNo != "" && c.tradeNo == rq.TradeNo) || (rq.TransactionID != "" && c.transactionID == rq.TransactionID) {
			o = c
			break
		}
	}
	if o == nil || o.status != pay.TradeSuccess {
		return fail("订单不存在或未支付")
	}
	if rq.TotalAmt != o.totalAmt {
		return fail("totalAmt error")
	}
	if r, ok := p.refunds[rq.RefundTradeNo]; ok {
		if r.tradeNo != o.tradeNo || r.req.RefundAmt != rq.RefundAmt {
			return fail("refundTradeNo reused")
		}
		return http.StatusOK, p.refundResult(o, r) // the same refund again: applied once
	}
	if o.refunded+o.pending+rq.RefundAmt > o.totalAmt {
		return fail("退款金额超过订单金额")
	}
	p.seq++
	r := &refund{req: rq, tradeNo: o.tradeNo, status: shop.RefundProcessing,
		refundTransactionID: fmt.Sprintf("RF%08d%s", p.seq, pay.NonceStr()[:12])}
	p.refunds[rq.RefundTradeNo] = r
	o.pending += rq.RefundAmt
	return http.StatusOK, p.refundResult(o, r)
}

func (p *Platform) refundResult(o *order, r *refund) pay.RefundResult {
	return pay.RefundResult{
		RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: tsktest.SkillID,
		TransactionID: o.transactionID, TradeNo: o.tradeNo,
		RefundTransactionID: r.refundTransactionID, RefundTradeNo: r.req.RefundTradeNo,
		TotalAmt: o.totalAmt, RefundAmt: r.req.RefundAmt,
	}
}

func (p *Platform) refundQuery(body []byte) (int, any) {
	var q pay.RefundQuery
	if err := json.Unmarshal(body, &q); err != nil {
		return fail("bad json")
	}
	if q.SkillID != tsktest.SkillID {
		return fail("skillId error")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var r *refund
	for no, c := range p.refunds {
		if (q.RefundTradeNo != "" && no == q.RefundTradeNo) || (q.RefundTransactionID != "" && c.refundTransactionID == q.RefundTransactionID) {
			r = c
			break
		}
	}
	if r == nil {
		return fail("退款单不存在")
	}
	if r.status == shop.RefundProcessing {
		next := shop.RefundSuccess
		if s := p.rscripted[r.req.RefundTradeNo]; len(s) > 0 {
			next, p.rscripted[r.req.RefundTradeNo] = s[0], s[1:]
		}
		p.settle(r, next)
	}
	o := p.orders[r.tradeNo]
	st := p.refundResult(o, r)
	return http.StatusOK, pay.RefundStatus{
		RetCode: st.RetCode, RetMsg: st.RetMsg, SkillID: st.SkillID, TransactionID: st.TransactionID,
		TradeNo: st.TradeNo, RefundTransactionID: st.RefundTransactionID, RefundTradeNo: st.RefundTradeNo,
		TotalAmt: st.TotalAmt, RefundAmt: st.RefundAmt, RefundStatus: r.status, RefundStatusDesc: string(r.status),
	}
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

// Settle applies a final status to a PROCESSING refund now, as the platform
// does before sending a refund notify.
func (p *Platform) Settle(refundTradeNo string, status shop.RefundStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.refunds[refundTradeNo]; ok {
		p.settle(r, status)
	}
}

func alnum(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
