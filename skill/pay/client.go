package pay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// HeaderRequestID carries the id of the request a platform call is made
// for (logctx.RequestID of its context), so both sides' logs can be joined.
const HeaderRequestID = "X-Request-Id"

// DefaultBaseURL is the platform's pay interface base.
const DefaultBaseURL = "https://aiwx.html5.qq.com/paycgi/"

// Client defaults, used when the matching field is zero.
const (
	DefaultTimeout     = 3 * time.Second        // per attempt
	DefaultMaxAttempts = 3                      // attempts per call
	DefaultBackoff     = 100 * time.Millisecond // first backoff cap; doubles per attempt
	DefaultMaxBackoff  = 2 * time.Second        // backoff cap
)

// PlatformError is the platform's business refusal: a reply with retCode
// FAIL. It is final: retrying the same request will not help.
type PlatformError struct {
	RetCode string
	RetMsg  string
	// Retried is set when an earlier attempt of the same call failed in
	// transit: that attempt may have been applied, so the refusal may be
	// the platform's answer to a repeat (a refund it already took), not to
	// the request itself.
	Retried bool
}

func (e *PlatformError) Error() string {
	return "pay: platform: " + e.RetCode + ": " + e.RetMsg
}

// ErrTransient is wrapped by errors after which the call may succeed later:
// network errors, timeouts and HTTP 5xx, once the attempts are used up.
var ErrTransient = errors.New("pay: platform unavailable")

// Client calls the platform's orderquery, refund and refundquery. Each call
// marshals its body once, signs exactly those bytes with TSK-RSA2 (Key), and
// accepts only replies whose signature Verifier accepts (RSA2 only). Transient
// failures are retried with exponential backoff and full jitter, re-sending
// the same bytes (so the same nonceStr and refundTradeNo). BaseURL, SkillID,
// Key and Verifier are required except that BaseURL defaults to
// DefaultBaseURL; other zero fields take the defaults above.
type Client struct {
	BaseURL     string          // ends with "/"; DefaultBaseURL when empty
	SkillID     string          // filled into every request
	Version     string          // optional "version" of requests
	Key         *rsa.PrivateKey // SkillPrivateKey, signs requests
	Verifier    *tsk.Verifier   // tsk.PayVerifier with TSKPublicKey: checks replies
	HTTP        *http.Client    // nil means http.DefaultClient
	Timeout     time.Duration   // per attempt
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	Now         func() time.Time // signing clock; nil means time.Now
	Logger      *slog.Logger     // nil means slog.Default()
	Observer    CallObserver     // told about each attempt; nil observes nothing
}

// OrderQuery asks the platform about an order. A retCode FAIL is a
// *PlatformError.
func (c *Client) OrderQuery(ctx context.Context, q OrderQuery) (OrderStatus, error) {
	ctx = logctx.WithTradeNo(ctx, q.TradeNo)
	q.SkillID, q.NonceStr = c.SkillID, NonceStr()
	if q.Version == "" {
		q.Version = c.Version
	}
	var st OrderStatus
	err := c.call(ctx, "orderquery", q, &st)
	return st, err
}

// Refund asks the platform to refund. A retCode FAIL is a *PlatformError.
// The platform takes one of tradeNo and transactionId ("二选一"): tradeNo is
// sent when set, else transactionId; neither is an error.
func (c *Client) Refund(ctx context.Context, r RefundRequest) (RefundResult, error) {
	ctx = logctx.WithTradeNo(ctx, r.TradeNo)
	if r.TradeNo != "" {
		r.TransactionID = ""
	} else if r.TransactionID == "" {
		return RefundResult{}, errors.New("pay: refund: needs tradeNo or transactionId")
	}
	r.SkillID, r.NonceStr = c.SkillID, NonceStr()
	if r.Version == "" {
		r.Version = c.Version
	}
	var res RefundResult
	err := c.call(ctx, "refund", r, &res)
	return res, err
}

// RefundQuery asks the platform about a refund. A retCode FAIL is a
// *PlatformError.
func (c *Client) RefundQuery(ctx context.Context, q RefundQuery) (RefundStatus, error) {
	if q.RefundTradeNo != "" {
		ctx = logctx.With(ctx, slog.String("refund_trade_no", q.RefundTradeNo))
	}
	q.SkillID, q.NonceStr = c.SkillID, NonceStr()
	if q.Version == "" {
		q.Version = c.Version
	}
	var st RefundStatus
	err := c.call(ctx, "refundquery", q, &st)
	return st, err
}

// call posts req to the endpoint and decodes a verified SUCCESS reply into
// out.
func (c *Client) call(ctx context.Context, endpoint string, req, out any) error {
	if c.Key == nil || c.Verifier == nil {
		return fmt.Errorf("pay: %s: client needs Key and Verifier", endpoint)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("pay: %s: %w", endpoint, err)
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	url := base + endpoint
	attempts := c.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	var last error
	for i := range attempts {
		if i > 0 {
			if err := sleep(ctx, c.backoff(i)); err != nil {
				return fmt.Errorf("pay: %s: %w (last: %w)", endpoint, err, last)
			}
		}
		start := time.Now()
		reply, err := c.attempt(ctx, url, body)
		if err == nil {
			err := decodeReply(endpoint, reply, out)
			c.observeCall(endpoint, start, err)
			return retried(err, i)
		}
		c.observeCall(endpoint, start, err)
		if !errors.Is(err, ErrTransient) {
			return retried(fmt.Errorf("pay: %s: %w", endpoint, err), i)
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		c.log().WarnContext(ctx, "pay: platform call failed", "endpoint", endpoint, "attempt", i+1, "err", err)
	}
	return fmt.Errorf("pay: %s: %w", endpoint, last)
}

// attempt makes one signed POST through the signed transport and returns
// the verified reply body. Errors after which a retry may help wrap
// ErrTransient.
func (c *Client) attempt(ctx context.Context, url string, body []byte) ([]byte, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := tsk.Client{Signer: tsk.Signer{Key: c.Key, Now: c.Now}, Verifier: c.Verifier, HTTP: c.HTTP}
	if id := logctx.RequestID(ctx); id != "" {
		t.Header = http.Header{HeaderRequestID: {id}}
	}
	reply, err := t.Post(ctx, url, body)
	switch {
	case errors.Is(err, tsk.ErrTransport):
		return nil, fmt.Errorf("%w: %w", ErrTransient, err)
	case err != nil:
		// Any reply below 500 must be signed by the platform, even a refusal.
		return nil, err
	case reply.Status != http.StatusOK:
		var r struct {
			RetCode string `json:"retCode"`
			RetMsg  string `json:"retMsg"`
		}
		if json.Unmarshal(reply.Body, &r) == nil && r.RetCode != "" {
			return nil, fmt.Errorf("HTTP %d: %w", reply.Status, &PlatformError{RetCode: r.RetCode, RetMsg: r.RetMsg})
		}
		return nil, fmt.Errorf("HTTP %d", reply.Status)
	}
	return reply.Body, nil
}

// retried marks a refusal that came on attempt i > 0 (see
// PlatformError.Retried).
func retried(err error, i int) error {
	var perr *PlatformError
	if i > 0 && errors.As(err, &perr) {
		perr.Retried = true
	}
	return err
}

// decodeReply turns a verified reply into out, or a *PlatformError.
func decodeReply(endpoint string, reply []byte, out any) error {
	var head struct {
		RetCode string `json:"retCode"`
		RetMsg  string `json:"retMsg"`
	}
	if err := json.Unmarshal(reply, &head); err != nil {
		return fmt.Errorf("pay: %s: bad reply: %w", endpoint, err)
	}
	switch head.RetCode {
	case RetSuccess:
	case RetFail:
		return &PlatformError{RetCode: head.RetCode, RetMsg: head.RetMsg}
	default:
		return fmt.Errorf("pay: %s: unknown retCode %q", endpoint, truncateBytes(head.RetCode, 16))
	}
	if err := json.Unmarshal(reply, out); err != nil {
		return fmt.Errorf("pay: %s: bad reply: %w", endpoint, err)
	}
	return nil
}

// backoff returns the wait before retry i (1-based): uniformly random in
// [0, min(MaxBackoff, Backoff·2^(i-1))] ("full jitter").
func (c *Client) backoff(i int) time.Duration {
	b, m := c.Backoff, c.MaxBackoff
	if b <= 0 {
		b = DefaultBackoff
	}
	if m <= 0 {
		m = DefaultMaxBackoff
	}
	d := b
	for j := 1; j < i && d < m; j++ {
		d *= 2
	}
	d = min(d, m)
	return time.Duration(mrand.Int64N(int64(d) + 1))
}

func (c *Client) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NonceStr returns 32 random letters and digits.
func NonceStr() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b[:])
}
