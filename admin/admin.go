// Package admin is the one client of the skill's admin API (GET
// /admin/orders, /admin/orders/{tradeNo}, /admin/users/{userId}/entitlements,
// /admin/attention, POST /admin/orders/{tradeNo}/refund): it mints the API's bearer tokens
// (HS256 JWTs for Audience) and sends JSON requests with them. The `skill`
// command's orders and refund subcommands and the fixture runner use it;
// the server takes Audience from here to check the tokens.
package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Audience is the audience of admin API tokens, so that no other token
// signed with the same secret is ever taken for one.
const Audience = "skill-admin"

// DefaultTTL is how long the token of each Client request lives.
const DefaultTTL = 5 * time.Minute

// maxReplyBytes bounds an admin API reply.
const maxReplyBytes = 16 << 20

// MaxTTL is the longest an admin API token may live: the server refuses
// tokens meant to live longer.
const MaxTTL = 24 * time.Hour

// DefaultOperator is the operator of tokens minted without a name.
const DefaultOperator = "admin"

// NewToken returns an admin API token for DefaultOperator (NewOperatorToken).
func NewToken(secret []byte, ttl time.Duration, now time.Time) (string, error) {
	return NewOperatorToken(secret, DefaultOperator, ttl, now)
}

// NewOperatorToken returns an admin API token: an HS256 JWT for Audience
// whose subject is the operator (the server records it in the order
// history of what the token does), issued at now and expiring after ttl, at
// most MaxTTL.
func NewOperatorToken(secret []byte, operator string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("admin: token: no secret")
	}
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("admin: token: ttl must be > 0 and at most %s", MaxTTL)
	}
	if operator == "" {
		operator = DefaultOperator
	}
	claims := jwt.RegisteredClaims{
		Subject:   operator,
		Audience:  jwt.ClaimStrings{Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}

// Client calls the admin API of a running server. BaseURL and one of Token
// and Secret are required; the zero values of the other fields work.
type Client struct {
	BaseURL  string           // the server's operations base URL, e.g. http://127.0.0.1:9090
	Token    string           // a ready token (from `skill admin-token`), sent as is; wins over Secret
	Secret   []byte           // the server's admin secret (SKILL_ADMIN_SECRET), to mint a token per request
	Operator string           // the operator of minted tokens (DefaultOperator)
	HTTP     *http.Client     // nil: a client with a 30s timeout
	TTL      time.Duration    // lifetime of each request's token (DefaultTTL)
	Now      func() time.Time // token clock (time.Now): the wall clock, as the server checks tokens
}

// Error is the server's refusal of an admin request.
type Error struct {
	Status int    // the HTTP status
	Reason string // the server's reason ({"error": ...}), when it gave one
	Method string // the request refused: its method and URL, so that the
	URL    string // server asked is named (a sandbox's, another's)
}

func (e *Error) Error() string {
	s := "admin: "
	if e.URL != "" {
		s += e.Method + " " + e.URL + ": "
	}
	s += fmt.Sprintf("HTTP %d", e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Get sends GET path (with its query) and decodes the 200 JSON reply into
// out. Any other status is an *Error.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// Post sends in as JSON to path and decodes the 200 JSON reply into out.
// Any other status is an *Error.
func (c *Client) Post(ctx context.Context, path string, in, out any) error {
	return c.do(ctx, http.MethodPost, path, in, out)
}

// token returns the ready token, or a fresh short-lived one.
func (c *Client) token() (string, error) {
	if c.Token != "" {
		return c.Token, nil
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return NewOperatorToken(c.Secret, c.Operator, ttl, now())
}

// do sends a request with the client's token.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	tok, err := c.token()
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return fmt.Errorf("admin: read reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		if resp.StatusCode == http.StatusNotFound && strings.HasPrefix(e.Error, "Cannot ") {
			// No such route: a listener other than the admin API's.
			e.Error += " (is " + c.BaseURL + " the operations listener, SKILL_OPS_ADDR? the admin API is only there)"
		}
		return &Error{Status: resp.StatusCode, Reason: e.Error, Method: method, URL: req.URL.Redacted()}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("admin: bad reply: %w", err)
	}
	return nil
}
