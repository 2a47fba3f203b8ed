// Package logctx carries log attributes in a context: the request id the
// server's edge gives each request, the trade number a pay operation works
// on. A Handler adds them to every record logged with that context, so
// each line of a request says which request it belongs to without every
// function passing the id along.
//
//	ctx = logctx.WithRequestID(ctx, id)
//	log.InfoContext(ctx, "pay: order created") // ... request_id=<id>
package logctx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
)

// Keys of the attributes this package sets.
const (
	KeyRequestID = "request_id"
	KeyTradeNo   = "trade_no"
)

// MaxIDLen bounds a request id taken from a request (CleanID).
const MaxIDLen = 64

type ctxKey struct{}

// fields is what a context carries: attributes, newest last, and the
// request id among them.
type fields struct {
	attrs     []slog.Attr
	requestID string
	line      *Line
}

func from(ctx context.Context) fields {
	f, _ := ctx.Value(ctxKey{}).(fields)
	return f
}

// With returns ctx carrying attrs as well; an attribute with the key of one
// ctx carries already replaces it.
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	f := from(ctx)
	out := fields{requestID: f.requestID, line: f.line}
	for _, a := range f.attrs {
		if !has(attrs, a.Key) {
			out.attrs = append(out.attrs, a)
		}
	}
	for _, a := range attrs {
		if a.Key == KeyRequestID {
			out.requestID = a.Value.String()
		}
	}
	out.attrs = append(out.attrs, attrs...)
	return context.WithValue(ctx, ctxKey{}, out)
}

func has(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return With(ctx, slog.String(KeyRequestID, id))
}

// WithTradeNo returns ctx carrying the trade number an operation works on.
func WithTradeNo(ctx context.Context, tradeNo string) context.Context {
	if tradeNo == "" {
		return ctx
	}
	return With(ctx, slog.String(KeyTradeNo, tradeNo))
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string { return from(ctx).requestID }

// NewID returns a new request id: 16 random hex digits.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CleanID returns id when it is fit to be a request id taken from outside
// (1..MaxIDLen letters, digits, '-', '_', '.', ':'), else "".
func CleanID(id string) string {
	if id == "" || len(id) > MaxIDLen {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return ""
		}
	}
	return id
}

// Handler adds the attributes of each record's context to the record,
// after the record's own, leaving out those whose key the record has.
type Handler struct {
	slog.Handler
	flushAt slog.Level
	flush   func() error
}

// NewHandler wraps h.
func NewHandler(h slog.Handler) *Handler { return &Handler{Handler: h} }

// FlushAt makes the handler call flush after each record at level or
// above (a buffered Writer's Flush, so warnings and errors are out at
// once), and returns it.
func (h *Handler) FlushAt(level slog.Level, flush func() error) *Handler {
	h.flushAt, h.flush = level, flush
	return h
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if f := from(ctx); len(f.attrs) > 0 {
		for _, a := range f.attrs {
			if !recordHas(r, a.Key) {
				r.AddAttrs(a)
			}
		}
	}
	err := h.Handler.Handle(ctx, r)
	if h.flush != nil && r.Level >= h.flushAt {
		_ = h.flush()
	}
	return err
}

// recordHas reports whether the record has an attribute named key.
func recordHas(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{Handler: h.Handler.WithAttrs(attrs), flushAt: h.flushAt, flush: h.flush}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{Handler: h.Handler.WithGroup(name), flushAt: h.flushAt, flush: h.flush}
}

// Line collects what the code serving a request learns about it (the
// intent, the dialog's state, a trade number, why it was refused, ...) for
// the one log line the server writes when the request ends. It is safe
// for concurrent use.
type Line struct {
	mu    sync.Mutex
	attrs []slog.Attr
	room  [lineRoom]slog.Attr // attrs' first array: a request notes a dozen or so
}

// lineRoom is how many attributes a Line holds before it allocates.
const lineRoom = 16

// WithLine returns ctx carrying a new Line for the request, and the Line.
func WithLine(ctx context.Context) (context.Context, *Line) {
	f := from(ctx)
	f.line = new(Line)
	f.line.attrs = f.line.room[:0]
	return context.WithValue(ctx, ctxKey{}, f), f.line
}

// Add adds attributes to the line; one whose key the line has already
// replaces the earlier value, so each key appears once.
func (l *Line) Add(attrs ...slog.Attr) {
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, a := range attrs {
		for i := range l.attrs {
			if l.attrs[i].Key == a.Key {
				l.attrs[i] = a
				continue next
			}
		}
		l.attrs = append(l.attrs, a)
	}
}

// Attrs returns the attributes added so far.
func (l *Line) Attrs() []slog.Attr {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.attrs
}

// Note adds attributes to the line of ctx's request and reports whether
// there is one; without one (a dialog run outside the server, say) the
// caller logs them itself.
func Note(ctx context.Context, attrs ...slog.Attr) bool {
	l := from(ctx).line
	if l == nil {
		return false
	}
	l.Add(attrs...)
	return true
}
