package tsk

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The signed transport, written once for both directions of the protocol
// and both sides of a call: Client signs and sends a body and verifies the
// reply; Responder verifies a request and signs the reply. The skill's pay
// client, its HTTP server and the fake platform all go through them.

// MaxBodyBytes bounds a request or reply body read by Client and Responder.
const MaxBodyBytes = 1 << 20

// ErrTransport is wrapped by Client.Post when no usable reply came back: the
// request could not be sent, the reply could not be read, or the other side
// answered HTTP 5xx (an overloaded peer answers 503 unsigned). A retry with
// the same body may succeed.
var ErrTransport = errors.New("tsk: transport")

// ErrNoKey is returned by Signer when it has neither a key nor a secret.
var ErrNoKey = errors.New("tsk: signer has no key")

// Signer signs the bodies one party sends: TSK-RSA2 with Key, or, when Key
// is nil, TSK-HMAC-SHA256-BASIC with Secret (only skill requests may be
// HMAC-signed). The zero value signs nothing: Sign returns ErrNoKey.
type Signer struct {
	Key    *rsa.PrivateKey  // signs TSK-RSA2 (wins over Secret)
	Secret []byte           // signs TSK-HMAC-SHA256-BASIC when Key is nil
	Now    func() time.Time // the signing clock; nil means time.Now
}

// Sign signs body at the signer's current time and returns the
// Authorization header value.
func (s Signer) Sign(body []byte) (string, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return s.SignAt(body, now())
}

// SignAt signs body at the given time and returns the Authorization header
// value.
func (s Signer) SignAt(body []byte, at time.Time) (string, error) {
	switch {
	case s.Key != nil:
		return SignRSA2(body, at, s.Key)
	case len(s.Secret) > 0:
		return SignHMAC(body, at, s.Secret), nil
	}
	return "", ErrNoKey
}

// PayVerifier returns the Verifier of the pay interfaces. The platform signs
// and checks every pay message, both ways, with TSK-RSA2 only, so it accepts
// RSA2 signatures by one of keys (several while keys rotate) and refuses
// HMAC whatever else is configured on it. This is the one place that rule
// is stated.
func PayVerifier(now func() time.Time, keys ...*rsa.PublicKey) *Verifier {
	return &Verifier{PublicKeys: keys, Now: now, rsaOnly: true}
}

// Reply is what Client.Post got back.
type Reply struct {
	Status int    // the HTTP status
	Body   []byte // the exact reply bytes (what the signature covers)
	Auth   Auth   // the reply's verified signature; zero when not checked
}

// Client is the sending side of the signed transport over net/http. Post
// signs the exact bytes it sends with Signer and, when Verifier is set,
// accepts only a reply whose Authorization header signs the exact bytes
// received. Post refuses to send without a key (ErrNoKey).
type Client struct {
	Signer   Signer
	Verifier *Verifier    // checks replies; nil for endpoints whose replies are not signed (/skill)
	HTTP     *http.Client // nil means http.DefaultClient
	Header   http.Header  // extra headers sent with each request (a request id); never the signature's
}

// Post signs body, POSTs it to url as JSON and returns the reply. The body
// is sent as given: callers marshal once and may call Post again with the
// same bytes to retry. Errors wrap ErrTransport (see there; the reply of an
// HTTP 5xx is returned with it, unverified) or, for a reply that does not
// verify, one of the Verify errors (the reply is returned with it).
func (c *Client) Post(ctx context.Context, url string, body []byte) (*Reply, error) {
	auth, err := c.Signer.Sign(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("Authorization", auth)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTransport, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: read reply: %w", ErrTransport, err)
	}
	r := &Reply{Status: resp.StatusCode, Body: raw}
	if resp.StatusCode >= 500 {
		return r, fmt.Errorf("%w: HTTP %d", ErrTransport, resp.StatusCode)
	}
	if c.Verifier != nil {
		if r.Auth, err = c.Verifier.Verify(raw, resp.Header.Get("Authorization")); err != nil {
			return r, fmt.Errorf("reply signature (HTTP %d): %w", resp.StatusCode, err)
		}
	}
	return r, nil
}

// Responder is the receiving side of the signed transport: it verifies a
// request over its raw bytes and signs each reply over the exact bytes sent.
// It is framework-free: the server's fiber middleware calls Verify and Sign,
// net/http handlers (the fake platform's) use ReadRequest and WriteReply.
type Responder struct {
	Verifier *Verifier // checks requests
	Signer   Signer    // signs replies
}

// Verify checks that header signs the request body (see Verifier.Verify).
// A nil Verifier accepts nothing.
func (r *Responder) Verify(body []byte, header string) (Auth, error) {
	if r.Verifier == nil {
		return Auth{}, fmt.Errorf("%w: no keys configured", ErrAlgorithmNotAllowed)
	}
	return r.Verifier.Verify(body, header)
}

// Sign returns the Authorization header value signing a reply body.
func (r *Responder) Sign(reply []byte) (string, error) {
	return r.Signer.Sign(reply)
}

// ReadRequest reads a request's body (at most MaxBodyBytes) and verifies it
// against its Authorization header. It returns the exact bytes verified;
// decode those, never anything else.
func (r *Responder) ReadRequest(req *http.Request) ([]byte, Auth, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, MaxBodyBytes))
	if err != nil {
		return nil, Auth{}, fmt.Errorf("%w: read request: %w", ErrTransport, err)
	}
	a, err := r.Verify(body, req.Header.Get("Authorization"))
	return body, a, err
}

// WriteReply writes body as a JSON reply with the given status and an
// Authorization header signing exactly those bytes. When signing fails
// nothing is written and the error is returned.
func (r *Responder) WriteReply(w http.ResponseWriter, status int, body []byte) error {
	h, err := r.Sign(body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Authorization", h)
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}
