package paytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// NewCreateOrder returns the create order the platform sends when the user
// orders the lines: skill tsktest.SkillID, totalAmt the sum of the amounts,
// a fresh nonceStr.
func NewCreateOrder(userToken string, lines ...shop.Line) pay.CreateOrderRequest {
	var sum shop.Fen
	for _, l := range lines {
		sum += l.Amount
	}
	return pay.CreateOrderRequest{SkillID: tsktest.SkillID, UserToken: userToken, Details: lines, TotalAmt: sum, NonceStr: pay.NonceStr()}
}

// NewShipNotify returns the ship notify the platform sends for an order it
// has seen paid (Pay); it fails the test for an unpaid order.
func (p *Platform) NewShipNotify(userToken, tradeNo string) pay.ShipNotifyRequest {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	o, ok := p.orders[tradeNo]
	if !ok || o.status != pay.TradeSuccess {
		p.tb.Fatalf("paytest: ship notify for unpaid order %s", tradeNo)
		return pay.ShipNotifyRequest{}
	}
	return pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: userToken, TransactionID: o.transactionID,
		TradeNo: tradeNo, TotalAmt: o.totalAmt, NonceStr: pay.NonceStr()}
}

// NewRefundNotify returns the refund notify the platform sends for a refund
// it knows, with the refund's current status; it fails the test for an
// unknown refund.
func (p *Platform) NewRefundNotify(refundTradeNo string) pay.RefundNotifyRequest {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.refunds[refundTradeNo]
	if !ok {
		p.tb.Fatalf("paytest: refund notify for unknown refund %s", refundTradeNo)
		return pay.RefundNotifyRequest{}
	}
	o := p.orders[r.tradeNo]
	return pay.RefundNotifyRequest{SkillID: tsktest.SkillID, TransactionID: o.transactionID, TradeNo: o.tradeNo,
		RefundTransactionID: r.refundTransactionID, RefundTradeNo: refundTradeNo, TotalAmt: o.totalAmt,
		RefundAmt: r.req.RefundAmt, RefundStatus: r.status, RefundStatusDesc: string(r.status), NonceStr: pay.NonceStr()}
}

// Sign marshals v (a create order, ship notify or refund notify) and signs
// it as the platform does, TSK-RSA2 with tsktest.PlatformKey at the current
// time. It returns the exact body and the Authorization header value.
func Sign(tb testing.TB, v any) (body []byte, header string) {
	tb.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("paytest: marshal: %v", err)
	}
	return body, tsktest.SignBodyRSA2(body, time.Now())
}

// NewRequest returns a signed POST of v to url, as the platform sends it
// (for handler tests with httptest.NewRecorder or fiber's app.Test).
func NewRequest(tb testing.TB, url string, v any) *http.Request {
	tb.Helper()
	body, h := Sign(tb, v)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("paytest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", h)
	return req
}

// SkillVerifier returns a verifier accepting what tsktest.SkillKey signs
// (RSA2 only): the platform's view of the skill's replies.
func SkillVerifier() *tsk.Verifier {
	return tsktest.SkillVerifier(nil)
}

// Post sends v to url signed as the platform does and returns the skill's
// reply, after checking that the reply is signed with tsktest.SkillKey. An
// HTTP status other than 200 is returned as an error along with the reply.
func Post(url string, v any) (pay.Reply, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return pay.Reply{}, err
	}
	return post(http.DefaultClient, url, body, tsktest.SignBodyRSA2(body, time.Now()))
}

func post(hc *http.Client, url string, body []byte, auth string) (pay.Reply, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return pay.Reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := hc.Do(req)
	if err != nil {
		return pay.Reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return pay.Reply{}, err
	}
	var r pay.Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("paytest: reply (HTTP %d) is not JSON: %w", resp.StatusCode, err)
	}
	if _, err := SkillVerifier().Verify(raw, resp.Header.Get("Authorization")); err != nil {
		return r, fmt.Errorf("paytest: reply signature: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("paytest: HTTP %d", resp.StatusCode)
	}
	return r, nil
}

// ShipNotify sends the same ship notify to url copies times, at most
// concurrency at once, as a platform retrying eagerly would. It returns the
// replies in sending order and the errors joined (transport failures,
// unsigned replies, non-200 statuses).
func ShipNotify(url string, req pay.ShipNotifyRequest, copies, concurrency int) ([]pay.Reply, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	auth := tsktest.SignBodyRSA2(body, time.Now())
	concurrency = max(1, concurrency)
	replies := make([]pay.Reply, copies)
	errs := make([]error, copies)
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			replies[i], errs[i] = post(http.DefaultClient, url, body, auth)
		}()
	}
	wg.Wait()
	return replies, errors.Join(errs...)
}
