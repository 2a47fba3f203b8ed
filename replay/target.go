package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// HTTPTarget runs fixtures against a skill over HTTP: Platform signs and
// sends what the platform sends (skill requests, pay calls) and verifies the
// skill's pay replies; PlatformURL is the sandbox whose fake platform the
// skill's pay client points at, driven through its /sandbox/platform/...
// endpoints; Admin reads orders through the skill's admin API.
type HTTPTarget struct {
	ID          string                 // the skill id
	Platform    *fakeplatform.Platform // the skill's URL and the platform's keys
	PlatformURL string                 // the sandbox's base URL
	Admin       *admin.Client
	HTTP        *http.Client // nil → a 10s-timeout client

	ahead atomic.Int64 // how far Advance moved the clock
}

var (
	_ Target = (*HTTPTarget)(nil)
	_ Clock  = (*HTTPTarget)(nil)
	_ Linker = (*HTTPTarget)(nil)
)

// Link implements Linker: the sandbox's platform links the user (POST
// /sandbox/link) and returns the access token.
func (t *HTTPTarget) Link(ctx context.Context, user, account string) (string, error) {
	body, err := json.Marshal(sandbox.LinkRequest{User: user, Account: account})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(t.PlatformURL, "/")+"/sandbox/link", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	var r sandbox.LinkReply
	if err := t.do(req, &r); err != nil {
		return "", err
	}
	return r.AccessToken, nil
}

// now is the target's clock: the sandbox's, as Advance moved it. It signs
// what the target sends as the platform (admin tokens stay on the wall
// clock, as the server checks them).
func (t *HTTPTarget) now() time.Time { return time.Now().Add(time.Duration(t.ahead.Load())) }

// Advance implements Clock: it moves the sandbox's clock (POST
// /sandbox/platform/advance), then sets its own to the sandbox's new time;
// that clock signs what the target sends (Platform.Now is set to it).
func (t *HTTPTarget) Advance(ctx context.Context, d time.Duration) error {
	var r sandbox.AdvanceReply
	if err := t.control(ctx, "advance", sandbox.AdvanceRequest{By: d.String()}, &r); err != nil {
		return err
	}
	t.follow(r)
	return nil
}

// Rewind implements Clock: it moves the sandbox's clock back by d (POST
// /sandbox/platform/rewind; never behind real time), and its own with it.
func (t *HTTPTarget) Rewind(ctx context.Context, d time.Duration) error {
	var r sandbox.AdvanceReply
	if err := t.control(ctx, "rewind", sandbox.AdvanceRequest{By: d.String()}, &r); err != nil {
		return err
	}
	t.follow(r)
	return nil
}

// follow sets the target's clock to the sandbox's: how far it is ahead.
func (t *HTTPTarget) follow(r sandbox.AdvanceReply) {
	ahead, err := time.ParseDuration(r.Ahead)
	if err != nil { // a sandbox that does not say: from its time now
		ahead = time.Until(r.Now)
	}
	t.ahead.Store(int64(ahead))
	t.Platform.Now = t.now
}

// NewSandboxTarget returns the target of a running sandbox, signing skill
// requests with RSA2 (or HMAC when hmac is set).
func NewSandboxTarget(s *sandbox.Sandbox, hmac bool) *HTTPTarget {
	return &HTTPTarget{
		ID: s.SkillID, PlatformURL: s.PlatformURL,
		Platform: &fakeplatform.Platform{SkillID: s.SkillID, SkillURL: s.SkillURL, Key: s.Keys.Platform,
			SkillKey: &s.Keys.Skill.PublicKey, Secret: s.Keys.Secret, HMAC: hmac},
		Admin: &admin.Client{BaseURL: s.OpsURL, Secret: s.AdminSecret},
	}
}

func (t *HTTPTarget) http() *http.Client {
	if t.HTTP != nil {
		return t.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// SkillID returns the skill id.
func (t *HTTPTarget) SkillID() string { return t.ID }

// Skill implements Target.
func (t *HTTPTarget) Skill(ctx context.Context, req *tsk.Request) ([]byte, error) {
	return t.Platform.Skill(ctx, req)
}

// CreateOrder implements Target.
func (t *HTTPTarget) CreateOrder(ctx context.Context, req pay.CreateOrderRequest) (pay.Reply, error) {
	return t.Platform.CreateOrder(ctx, req)
}

// ShipNotify implements Target.
func (t *HTTPTarget) ShipNotify(ctx context.Context, req pay.ShipNotifyRequest) (pay.Reply, error) {
	return t.Platform.ShipNotify(ctx, req)
}

// RefundNotify implements Target.
func (t *HTTPTarget) RefundNotify(ctx context.Context, req pay.RefundNotifyRequest) (pay.Reply, error) {
	return t.Platform.RefundNotify(ctx, req)
}

// Open implements Target.
func (t *HTTPTarget) Open(ctx context.Context, tradeNo string, total shop.Fen) error {
	return t.control(ctx, "open", sandbox.OpenRequest{TradeNo: tradeNo, TotalAmt: total}, nil)
}

// Pay implements Target.
func (t *HTTPTarget) Pay(ctx context.Context, tradeNo string, total shop.Fen) (string, error) {
	var r sandbox.PaidReply
	err := t.control(ctx, "pay", sandbox.OpenRequest{TradeNo: tradeNo, TotalAmt: total}, &r)
	return r.TransactionID, err
}

// SettleRefund implements Target.
func (t *HTTPTarget) SettleRefund(ctx context.Context, tradeNo string, status shop.RefundStatus) (pay.RefundNotifyRequest, error) {
	var n pay.RefundNotifyRequest
	err := t.control(ctx, "settle", sandbox.SettleRequest{TradeNo: tradeNo, Status: status}, &n)
	return n, err
}

// control calls the fake platform's /sandbox/platform/<what>.
func (t *HTTPTarget) control(ctx context.Context, what string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	u := strings.TrimSuffix(t.PlatformURL, "/") + "/sandbox/platform/" + what
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return t.do(req, out)
}

// Order implements Target through GET /admin/orders/:tradeNo.
func (t *HTTPTarget) Order(ctx context.Context, tradeNo string) (shop.Order, error) {
	var o shop.Order
	err := t.Admin.Get(ctx, "/admin/orders/"+url.PathEscape(tradeNo), &o)
	return o, err
}

// do sends req and decodes a 200 JSON answer into out.
func (t *HTTPTarget) do(req *http.Request, out any) error {
	resp, err := t.http().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}
