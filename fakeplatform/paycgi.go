package fakeplatform

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// PayPath is where Handler serves the pay interfaces, as the real platform
// does under https://aiwx.html5.qq.com/paycgi/: a skill's pay client takes
// the platform's base URL + PayPath as its BaseURL.
const PayPath = "/paycgi/"

// Handler serves the pay interfaces: POST /paycgi/orderquery, /paycgi/refund
// and /paycgi/refundquery.
func (p *Platform) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PayPath+"orderquery", p.handle("orderquery", p.orderQuery))
	mux.HandleFunc("POST "+PayPath+"refund", p.handle("refund", p.refund))
	mux.HandleFunc("POST "+PayPath+"refundquery", p.handle("refundquery", p.refundQuery))
	return mux
}

// responder is the pay side's end of the signed transport: requests signed
// by the skill, replies signed by the platform.
func (p *Platform) responder() *tsk.Responder {
	return &tsk.Responder{Verifier: tsk.PayVerifier(p.Now, p.SkillKey), Signer: tsk.Signer{Key: p.Key, Now: p.Now}}
}

// handle wraps an endpoint with failure injection, request verification and
// reply signing.
func (p *Platform) handle(name string, fn func(body []byte) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		resp := p.responder()
		body, _, verr := resp.ReadRequest(r)
		p.mu.Lock()
		p.init()
		p.calls[name]++
		p.requests = append(p.requests, Request{Endpoint: name, Body: body, Authorization: r.Header.Get("Authorization")})
		down, delay := p.down, p.delay
		fail := p.failNext > 0
		if fail {
			p.failNext--
		}
		refuse := !fail && !down && p.refuse[name] > 0
		if refuse {
			p.refuse[name]--
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
		switch {
		case fail:
			http.Error(w, "injected failure", http.StatusInternalServerError)
		case errors.Is(verr, tsk.ErrTransport):
			p.reply(w, resp, http.StatusBadRequest, pay.Fail("read body"))
		case verr != nil:
			p.reply(w, resp, http.StatusUnauthorized, pay.Fail("签名校验失败"))
		case refuse:
			p.reply(w, resp, http.StatusOK, pay.Fail("系统繁忙"))
		default:
			p.reply(w, resp, http.StatusOK, fn(body))
		}
	}
}

// reply writes v signed by the platform (or, when a bad signature is due,
// signed over other bytes).
func (p *Platform) reply(w http.ResponseWriter, resp *tsk.Responder, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.mu.Lock()
	bad := p.badSig > 0
	if bad {
		p.badSig--
	}
	p.mu.Unlock()
	if bad {
		h, err := resp.Sign(append(body[:len(body):len(body)], ' '))
		if err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Authorization", h)
			w.WriteHeader(status)
			w.Write(body)
			return
		}
	}
	if err := resp.WriteReply(w, status, body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func fail(msg string) any { return pay.Fail(msg) }

// find returns the order a query names; callers hold p.mu.
func (p *Platform) find(tradeNo, transactionID string) *order {
	for _, o := range p.orders {
		if (tradeNo != "" && o.tradeNo == tradeNo) || (transactionID != "" && o.transactionID == transactionID) {
			return o
		}
	}
	return nil
}

func (p *Platform) orderQuery(body []byte) any {
	var q pay.OrderQuery
	if err := json.Unmarshal(body, &q); err != nil {
		return fail("bad json")
	}
	if q.SkillID != p.skillID() {
		return fail("skillId error")
	}
	if len(q.NonceStr) == 0 || len(q.NonceStr) > 32 {
		return fail("nonceStr error")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	o := p.find(q.TradeNo, q.TransactionID)
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
	return pay.OrderStatus{
		RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: p.skillID(),
		TransactionID: o.transactionID, TradeNo: o.tradeNo, TotalAmt: o.totalAmt,
		TradeStatus: status, TradeStatusDesc: status,
	}
}

func (p *Platform) refund(body []byte) any {
	var rq pay.RefundRequest
	if err := json.Unmarshal(body, &rq); err != nil {
		return fail("bad json")
	}
	switch {
	case rq.SkillID != p.skillID():
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
	o := p.find(rq.TradeNo, rq.TransactionID)
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
		return p.refundResult(o, r) // the same refund again: applied once
	}
	if o.refunded+o.pending+rq.RefundAmt > o.totalAmt {
		return fail("退款金额超过订单金额")
	}
	p.seq++
	r := &refund{req: rq, tradeNo: o.tradeNo, status: shop.RefundProcessing,
		refundTransactionID: fmt.Sprintf("RF%08d%s", p.seq, pay.NonceStr()[:12])}
	p.refunds[rq.RefundTradeNo] = r
	o.pending += rq.RefundAmt
	o.refundNos = append(o.refundNos, rq.RefundTradeNo)
	return p.refundResult(o, r)
}

func (p *Platform) refundResult(o *order, r *refund) pay.RefundResult {
	return pay.RefundResult{
		RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: p.skillID(),
		TransactionID: o.transactionID, TradeNo: o.tradeNo,
		RefundTransactionID: r.refundTransactionID, RefundTradeNo: r.req.RefundTradeNo,
		TotalAmt: o.totalAmt, RefundAmt: r.req.RefundAmt,
	}
}

func (p *Platform) refundQuery(body []byte) any {
	var q pay.RefundQuery
	if err := json.Unmarshal(body, &q); err != nil {
		return fail("bad json")
	}
	if q.SkillID != p.skillID() {
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
	st := p.refundResult(p.orders[r.tradeNo], r)
	return pay.RefundStatus{
		RetCode: st.RetCode, RetMsg: st.RetMsg, SkillID: st.SkillID, TransactionID: st.TransactionID,
		TradeNo: st.TradeNo, RefundTransactionID: st.RefundTransactionID, RefundTradeNo: st.RefundTradeNo,
		TotalAmt: st.TotalAmt, RefundAmt: st.RefundAmt, RefundStatus: r.status, RefundStatusDesc: string(r.status),
	}
}

// alnum reports whether s is 1 to 32 ASCII letters and digits.
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
