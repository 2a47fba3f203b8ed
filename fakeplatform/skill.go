package fakeplatform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// The skill's endpoints, relative to Platform.SkillURL.
const (
	SkillPath        = "/skill"
	CreateOrderPath  = "/pay/create-order"
	ShipNotifyPath   = "/pay/ship-notify"
	RefundNotifyPath = "/pay/refund-notify"
)

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

func (p *Platform) http() *http.Client {
	if p.HTTP != nil {
		return p.HTTP
	}
	return defaultHTTP
}

func (p *Platform) url(path string) string {
	return strings.TrimSuffix(p.SkillURL, "/") + path
}

// Skill sends a skill request as the platform does: its timestamp set to
// now, signed (TSK-RSA2 with Key, or TSK-HMAC-SHA256-BASIC with Secret when
// HMAC is set) at that time, POSTed to SkillURL/skill. It returns the
// response body; a status other than 200 is an error.
func (p *Platform) Skill(ctx context.Context, req *tsk.Request) ([]byte, error) {
	at := p.now()
	req.Request.Timestamp = tsk.FormatTime(at)
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	signer := tsk.Signer{Key: p.Key, Now: func() time.Time { return at }}
	if p.HMAC {
		signer = tsk.Signer{Secret: p.Secret, Now: signer.Now}
	}
	c := &tsk.Client{Signer: signer, HTTP: p.http()}
	r, err := c.Post(ctx, p.url(SkillPath), body)
	if err != nil {
		return nil, fmt.Errorf("fakeplatform: POST %s: %w%s", SkillPath, err, detail(r))
	}
	if r.Status != http.StatusOK {
		return nil, fmt.Errorf("fakeplatform: POST %s: HTTP %d: %s", SkillPath, r.Status, clip(r.Body))
	}
	return r.Body, nil
}

// CreateOrder sends the platform's create order to the skill.
func (p *Platform) CreateOrder(ctx context.Context, req pay.CreateOrderRequest) (pay.Reply, error) {
	return p.payCall(ctx, CreateOrderPath, req)
}

// ShipNotify sends the platform's ship notify to the skill.
func (p *Platform) ShipNotify(ctx context.Context, req pay.ShipNotifyRequest) (pay.Reply, error) {
	return p.payCall(ctx, ShipNotifyPath, req)
}

// RefundNotify sends the platform's refund notify to the skill.
func (p *Platform) RefundNotify(ctx context.Context, req pay.RefundNotifyRequest) (pay.Reply, error) {
	return p.payCall(ctx, RefundNotifyPath, req)
}

// ShipNotifyCopies sends the same ship notify copies times, at most
// concurrency at once, as a platform retrying eagerly would. It returns the
// replies in sending order and the errors joined.
func (p *Platform) ShipNotifyCopies(ctx context.Context, req pay.ShipNotifyRequest, copies, concurrency int) ([]pay.Reply, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	replies := make([]pay.Reply, copies)
	errs := make([]error, copies)
	sem := make(chan struct{}, max(1, concurrency))
	var wg sync.WaitGroup
	for i := range copies {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			replies[i], errs[i] = p.post(ctx, ShipNotifyPath, body)
		})
	}
	wg.Wait()
	return replies, errors.Join(errs...)
}

// payCall marshals v once and posts it with post.
func (p *Platform) payCall(ctx context.Context, path string, v any) (pay.Reply, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return pay.Reply{}, err
	}
	return p.post(ctx, path, body)
}

// post sends a pay call signed TSK-RSA2 and accepts only a reply signed by
// the skill. Transport failures, unsigned or badly signed replies and HTTP
// statuses other than 200 are errors; the reply read is returned with them.
func (p *Platform) post(ctx context.Context, path string, body []byte) (pay.Reply, error) {
	c := &tsk.Client{
		Signer:   tsk.Signer{Key: p.Key, Now: p.Now},
		Verifier: tsk.PayVerifier(p.Now, p.SkillKey),
		HTTP:     p.http(),
	}
	r, err := c.Post(ctx, p.url(path), body)
	var reply pay.Reply
	if r != nil && json.Unmarshal(r.Body, &reply) != nil && err == nil {
		return reply, fmt.Errorf("fakeplatform: POST %s: HTTP %d, reply is not JSON: %s", path, r.Status, clip(r.Body))
	}
	switch {
	case err != nil:
		return reply, fmt.Errorf("fakeplatform: POST %s: %w%s", path, err, detail(r))
	case r.Status != http.StatusOK:
		return reply, fmt.Errorf("fakeplatform: POST %s: HTTP %d: %s", path, r.Status, clip(r.Body))
	}
	return reply, nil
}

// NewCreateOrder returns the create order the platform sends when the user
// orders the lines: skill DefaultSkillID, totalAmt the sum of the amounts
// (unchecked, so tests can build wrong ones), a fresh nonceStr.
func NewCreateOrder(userToken string, lines ...shop.Line) pay.CreateOrderRequest {
	var sum shop.Fen
	for _, l := range lines {
		sum += l.Amount
	}
	return pay.CreateOrderRequest{SkillID: DefaultSkillID, UserToken: userToken, Details: lines, TotalAmt: sum, NonceStr: pay.NonceStr()}
}

// ChargeOrder returns the create order the platform sends for skill skillID
// when the user orders what a Charge directive offers: the charge's userId
// is the userToken, one line per item.
func ChargeOrder(skillID string, ci tsk.ChargeInfo) pay.CreateOrderRequest {
	var lines []shop.Line
	var total shop.Fen
	for _, it := range ci.Items {
		lines = append(lines, shop.Line{ItemID: it.ItemID, Quantity: it.Count, Amount: it.TotalFee})
		total += it.TotalFee
	}
	return pay.CreateOrderRequest{SkillID: skillID, UserToken: ci.UserID, Details: lines, TotalAmt: total, NonceStr: pay.NonceStr()}
}

// detail is the reply body of a failed call, for its error message.
func detail(r *tsk.Reply) string {
	if r == nil || len(r.Body) == 0 {
		return ""
	}
	return ": " + clip(r.Body)
}

// clip shortens a body for an error message.
func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}
