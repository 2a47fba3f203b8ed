package sandbox

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// maxRecorded bounds the bytes of one recorded body.
const maxRecorded = tsk.MaxBodyBytes

// Exchange is one signed HTTP call between the fake platform and the skill,
// as sent and received: the simulator shows them raw beside each turn.
type Exchange struct {
	At          time.Time `json:"at"`
	From        string    `json:"from"` // "platform" (to the skill) or "skill" (to the platform's pay interfaces)
	Method      string    `json:"method"`
	Path        string    `json:"path"`
	RequestAuth string    `json:"requestAuth,omitempty"` // the Authorization header sent
	Request     string    `json:"request"`               // the exact body sent
	Status      int       `json:"status"`
	ReplyAuth   string    `json:"replyAuth,omitempty"` // the reply's Authorization header (pay replies are signed)
	Reply       string    `json:"reply"`
	Error       string    `json:"error,omitempty"`
}

// recorder keeps the exchanges of the console action in progress: the
// platform's calls to the skill go through it as an http.RoundTripper, the
// skill's calls to the pay interfaces through the handler Wrap returns.
// Outside an action (begin … end) nothing is kept.
type recorder struct {
	next http.RoundTripper

	mu      sync.Mutex
	active  bool
	pending []Exchange
}

// begin starts keeping exchanges.
func (r *recorder) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active, r.pending = true, nil
}

// end stops keeping exchanges and returns those kept since begin.
func (r *recorder) end() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.active, r.pending = false, nil
	return out
}

func (r *recorder) add(e Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active {
		r.pending = append(r.pending, e)
	}
}

// RoundTrip sends req with the next transport and records it.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	e := Exchange{At: time.Now(), From: "platform", Method: req.Method, Path: req.URL.Path, RequestAuth: req.Header.Get("Authorization")}
	if req.Body != nil {
		body, err := io.ReadAll(io.LimitReader(req.Body, maxRecorded))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		e.Request = string(body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		e.Error = err.Error()
		r.add(e)
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRecorded))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	e.Status, e.ReplyAuth, e.Reply = resp.StatusCode, resp.Header.Get("Authorization"), string(body)
	if err != nil {
		e.Error = err.Error()
	}
	r.add(e)
	return resp, nil
}

// Wrap records the requests h serves (the skill's calls to the pay
// interfaces) and its replies.
func (r *recorder) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(io.LimitReader(req.Body, maxRecorded))
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		cw := &captureWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(cw, req)
		r.add(Exchange{At: time.Now(), From: "skill", Method: req.Method, Path: req.URL.Path,
			RequestAuth: req.Header.Get("Authorization"), Request: string(body),
			Status: cw.status, ReplyAuth: w.Header().Get("Authorization"), Reply: cw.body.String()})
	})
}

// captureWriter passes a reply through and keeps a copy.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.body.Len() < maxRecorded {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the pay
// side's Down hijacks it).
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
