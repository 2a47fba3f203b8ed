package sandbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Client calls a skill as the Dingdang platform does: skill requests signed
// TSK-RSA2 with the platform's key (or TSK-HMAC-SHA256-BASIC with the
// secret), and the partner pay endpoints signed TSK-RSA2, their replies
// verified with the skill's public key.
type Client struct {
	// SkillURL is the skill's base URL (without /skill).
	SkillURL string
	// Key is the platform's private key.
	Key *rsa.PrivateKey
	// Secret, with HMAC set, signs skill requests instead of Key.
	Secret []byte
	HMAC   bool
	// SkillPub verifies the pay replies (nil skips the check).
	SkillPub *rsa.PublicKey
	// HTTP is the client to use (nil → one with a 10s timeout).
	HTTP *http.Client
	Now  func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

// Skill signs req and posts it to /skill; it returns the response body.
// The request's timestamp is set to now, as the platform does.
func (c *Client) Skill(ctx context.Context, req *tsk.Request) ([]byte, error) {
	at := c.now()
	req.Request.Timestamp = tsk.FormatTime(at)
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var auth string
	if c.HMAC {
		auth = tsk.SignHMAC(body, at, c.Secret)
	} else if auth, err = tsk.SignRSA2(body, at, c.Key); err != nil {
		return nil, err
	}
	raw, status, _, err := c.post(ctx, "/skill", body, auth)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("sandbox: POST /skill: HTTP %d: %s", status, clip(raw))
	}
	return raw, nil
}

// CreateOrder posts the platform's create order to /pay/create-order.
func (c *Client) CreateOrder(ctx context.Context, req pay.CreateOrderRequest) (pay.Reply, error) {
	return c.payCall(ctx, "/pay/create-order", req)
}

// ShipNotify posts the platform's ship notify to /pay/ship-notify.
func (c *Client) ShipNotify(ctx context.Context, req pay.ShipNotifyRequest) (pay.Reply, error) {
	return c.payCall(ctx, "/pay/ship-notify", req)
}

// RefundNotify posts the platform's refund notify to /pay/refund-notify.
func (c *Client) RefundNotify(ctx context.Context, req pay.RefundNotifyRequest) (pay.Reply, error) {
	return c.payCall(ctx, "/pay/refund-notify", req)
}

// payCall signs v with TSK-RSA2, posts it and checks the signed reply.
func (c *Client) payCall(ctx context.Context, path string, v any) (pay.Reply, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return pay.Reply{}, err
	}
	auth, err := tsk.SignRSA2(body, c.now(), c.Key)
	if err != nil {
		return pay.Reply{}, err
	}
	raw, status, header, err := c.post(ctx, path, body, auth)
	if err != nil {
		return pay.Reply{}, err
	}
	var r pay.Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("sandbox: POST %s: HTTP %d, reply is not JSON: %s", path, status, clip(raw))
	}
	if c.SkillPub != nil {
		v := tsk.PayVerifier(c.Now, c.SkillPub)
		if _, err := v.Verify(raw, header); err != nil {
			return r, fmt.Errorf("sandbox: POST %s: reply signature: %w", path, err)
		}
	}
	if status != http.StatusOK && r.RetCode == "" {
		return r, fmt.Errorf("sandbox: POST %s: HTTP %d: %s", path, status, clip(raw))
	}
	return r, nil
}

// post sends body and returns the reply body, status and Authorization.
func (c *Client) post(ctx context.Context, path string, body []byte, auth string) ([]byte, int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.SkillURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, "", err
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("Authorization", auth)
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, 0, "", fmt.Errorf("sandbox: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return raw, resp.StatusCode, resp.Header.Get("Authorization"), err
}

// clip shortens a body for an error message.
func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}
