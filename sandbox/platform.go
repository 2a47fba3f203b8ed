package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Platform is the pay side of the fake Dingdang platform: the orderquery,
// refund and refundquery interfaces the skill's pay client calls (under
// /paycgi/), verifying TSK-RSA2 with the skill's public key and signing
// replies with the platform's key. It keeps its own view of orders and
// refunds; Open, Pay and Settle move them as a user paying would. It is
// safe for concurrent use.
type Platform struct {
	SkillID  string
	Key      *rsa.PrivateKey // signs replies (the platform's pair)
	SkillPub *rsa.PublicKey  // verifies requests (the skill's public key)
	Now      func() time.Time

	mu      sync.Mutex
	orders  map[string]*platformOrder  // by tradeNo
	refunds map[string]*platformRefund // by refundTradeNo
	seq     int
}

type platformOrder struct {
	tradeNo, transactionID string
	total                  shop.Fen
	status                 string // pay.Trade*
	pending                []string
}

type platformRefund struct {
	req    pay.RefundRequest
	id     string // refundTransactionId
	status shop.RefundStatus
}

func (p *Platform) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Platform) init() {
	if p.orders == nil {
		p.orders, p.refunds = map[string]*platformOrder{}, map[string]*platformRefund{}
	}
}

// Open records an order the skill created (NOTPAY).
func (p *Platform) Open(tradeNo string, total shop.Fen) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	if _, ok := p.orders[tradeNo]; !ok {
		p.orders[tradeNo] = &platformOrder{tradeNo: tradeNo, total: total, status: pay.TradeNotPay}
	}
}

// Pay marks an order paid and returns its transactionId (the same one when
// it was paid already).
func (p *Platform) Pay(tradeNo string, total shop.Fen) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	o, ok := p.orders[tradeNo]
	if !ok {
		o = &platformOrder{tradeNo: tradeNo, total: total}
		p.orders[tradeNo] = o
	}
	o.status = pay.TradeSuccess
	if o.transactionID == "" {
		p.seq++
		o.transactionID = fmt.Sprintf("DD%s%06d", p.now().UTC().Format("20060102"), p.seq)
	}
	return o.transactionID
}

// Settle gives the oldest pending refund of the order its final status and
// returns the refund notify the platform sends for it.
func (p *Platform) Settle(tradeNo string, status shop.RefundStatus) (pay.RefundNotifyRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.init()
	o, ok := p.orders[tradeNo]
	if !ok || len(o.pending) == 0 {
		return pay.RefundNotifyRequest{}, fmt.Errorf("sandbox: no pending refund for order %s", tradeNo)
	}
	r := p.refunds[o.pending[0]]
	o.pending = o.pending[1:]
	r.status = status
	return pay.RefundNotifyRequest{SkillID: p.SkillID, TransactionID: o.transactionID, TradeNo: tradeNo,
		RefundTransactionID: r.id, RefundTradeNo: r.req.RefundTradeNo, TotalAmt: o.total,
		RefundAmt: r.req.RefundAmt, RefundStatus: status, RefundStatusDesc: string(status), NonceStr: pay.NonceStr()}, nil
}

// Handler serves the pay interfaces: POST /orderquery, /refund and
// /refundquery relative to where it is mounted.
func (p *Platform) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orderquery", p.handle(p.orderQuery))
	mux.HandleFunc("POST /refund", p.handle(p.refund))
	mux.HandleFunc("POST /refundquery", p.handle(p.refundQuery))
	return mux
}

// handle verifies the request's signature and signs the reply.
func (p *Platform) handle(fn func(body []byte) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			p.reply(w, http.StatusBadRequest, pay.Fail("read body"))
			return
		}
		v := tsk.PayVerifier(p.Now, p.SkillPub)
		if _, err := v.Verify(body, r.Header.Get("Authorization")); err != nil {
			p.reply(w, http.StatusUnauthorized, pay.Fail("签名校验失败"))
			return
		}
		p.mu.Lock()
		p.init()
		out := fn(body)
		p.mu.Unlock()
		p.reply(w, http.StatusOK, out)
	}
}

// reply writes v signed with the platform key.
func (p *Platform) reply(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err == nil {
		var h string
		if h, err = tsk.SignRSA2(body, p.now(), p.Key); err == nil {
			w.Header().Set("Authorization", h)
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func (p *Platform) find(tradeNo, transactionID string) *platformOrder {
	for _, o := range p.orders {
		if (tradeNo != "" && o.tradeNo == tradeNo) || (transactionID != "" && o.transactionID == transactionID) {
			return o
		}
	}
	return nil
}

func (p *Platform) orderQuery(body []byte) any {
	var q pay.OrderQuery
	if err := json.Unmarshal(body, &q); err != nil || q.SkillID != p.SkillID {
		return pay.Fail("bad request")
	}
	o := p.find(q.TradeNo, q.TransactionID)
	if o == nil {
		return pay.Fail("订单不存在")
	}
	return pay.OrderStatus{RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: p.SkillID, TransactionID: o.transactionID,
		TradeNo: o.tradeNo, TotalAmt: o.total, TradeStatus: o.status, TradeStatusDesc: o.status}
}

func (p *Platform) refund(body []byte) any {
	var rq pay.RefundRequest
	if err := json.Unmarshal(body, &rq); err != nil || rq.SkillID != p.SkillID || rq.RefundTradeNo == "" || rq.RefundAmt <= 0 {
		return pay.Fail("bad request")
	}
	o := p.find(rq.TradeNo, rq.TransactionID)
	if o == nil || o.status != pay.TradeSuccess || rq.TotalAmt != o.total {
		return pay.Fail("订单不存在或未支付")
	}
	r, ok := p.refunds[rq.RefundTradeNo]
	if !ok {
		p.seq++
		r = &platformRefund{req: rq, status: shop.RefundProcessing, id: fmt.Sprintf("RF%s%06d", p.now().UTC().Format("20060102"), p.seq)}
		p.refunds[rq.RefundTradeNo] = r
		o.pending = append(o.pending, rq.RefundTradeNo)
	}
	return pay.RefundResult{RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: p.SkillID, TransactionID: o.transactionID,
		TradeNo: o.tradeNo, RefundTransactionID: r.id, RefundTradeNo: rq.RefundTradeNo, TotalAmt: o.total, RefundAmt: rq.RefundAmt}
}

// refundQuery answers a refund's status; a pending refund stays PROCESSING
// until Settle (the sandbox settles it when asked to send the notify).
func (p *Platform) refundQuery(body []byte) any {
	var q pay.RefundQuery
	if err := json.Unmarshal(body, &q); err != nil || q.SkillID != p.SkillID {
		return pay.Fail("bad request")
	}
	for no, r := range p.refunds {
		if no == q.RefundTradeNo || (q.RefundTransactionID != "" && r.id == q.RefundTransactionID) {
			o := p.find(r.req.TradeNo, r.req.TransactionID)
			return pay.RefundStatus{RetCode: pay.RetSuccess, RetMsg: "OK", SkillID: p.SkillID, TransactionID: o.transactionID,
				TradeNo: o.tradeNo, RefundTransactionID: r.id, RefundTradeNo: no, TotalAmt: o.total,
				RefundAmt: r.req.RefundAmt, RefundStatus: r.status, RefundStatusDesc: string(r.status)}
		}
	}
	return pay.Fail("退款单不存在")
}
