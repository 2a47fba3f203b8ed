package server

import (
	"cmp"
	"context"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Defaults for the zero fields of Config.
const (
	DefaultSkillID       = "demo-skill"
	DefaultBodyLimit     = 64 << 10 // bytes
	DefaultDialogTimeout = time.Second
	DefaultQRMaxAge      = 10 * time.Minute
	DefaultReadTimeout   = 10 * time.Second
	DefaultWriteTimeout  = 10 * time.Second
	DefaultIdleTimeout   = time.Minute
	DefaultAdminLimit    = 100
	MaxAdminLimit        = 1000
	// DefaultPayWait bounds how long a pay request waits to be admitted.
	DefaultPayWait = 50 * time.Millisecond
	// DefaultPayPerSignSlot is how many pay requests are let in per
	// signing slot: enough for store writes to overlap (bbolt batches
	// concurrent ones into one fsync), few enough that the admitted are
	// answered quickly.
	DefaultPayPerSignSlot = 4
	DefaultFailRate       = 1.0 // failed authentications per second per client IP, sustained
	DefaultFailBurst      = 20
)

// Dialog answers skill requests; *intents.Dialog satisfies it. Handle never
// returns nil.
type Dialog interface {
	Handle(ctx context.Context, req *tsk.Request) *tsk.Response
}

// Partner runs the partner side of payment; *pay.Service satisfies it. Each
// method returns the reply to send: SUCCESS only once durably stored.
type Partner interface {
	CreateOrder(ctx context.Context, req pay.CreateOrderRequest) pay.Reply
	ShipNotify(ctx context.Context, req pay.ShipNotifyRequest) pay.Reply
	RefundNotify(ctx context.Context, req pay.RefundNotifyRequest) pay.Reply
}

// QR renders signed QR tokens; *qr.Codes satisfies it. PNG fails for a
// forged or expired token.
type QR interface {
	PNG(token string) (png []byte, etag string, err error)
}

// Offers finds the offer an order page's reference names, expired or not;
// *pay.Offers satisfies it. Lookup fails with pay.ErrOfferInvalid or
// pay.ErrOfferUnknown for an altered, forged or unknown reference.
type Offers interface {
	Lookup(ctx context.Context, ref string) (shop.Offer, error)
}

// Store is what the server needs of the ephemeral state: remembering
// request ids (replay protection) and a readiness probe. Any
// shop.StateStore satisfies it.
type Store interface {
	Remember(ctx context.Context, key string, ttl time.Duration) (fresh bool, err error)
	Ping(ctx context.Context) error
}

// Ledger reads orders for the admin API; any shop.OrderStore satisfies it.
// When it also has a Ping method (an OrderStore does), /readyz asks it too.
type Ledger interface {
	Order(ctx context.Context, tradeNo string) (shop.Order, error)
	Orders(ctx context.Context, f shop.OrderFilter) ([]shop.Order, error)
}

// Accounts answers what users own and refunds orders for the admin API;
// *pay.Service satisfies it.
type Accounts interface {
	Entitlements(ctx context.Context, userID string) ([]shop.Entitlement, error)
	Refund(ctx context.Context, tradeNo string, amount shop.Fen, reason string) (shop.Order, error)
}

// Watchlist lists the orders and refunds the reconciler cannot settle by
// itself, for GET /admin/attention; *pay.Reconciler satisfies it.
type Watchlist interface {
	Attention(ctx context.Context) ([]pay.Attention, error)
}

// Config configures the server. The zero value serves health checks and
// refuses everything else cleanly: each feature switches on with the fields
// it needs (keys for /skill and /pay/*, Partner and PrivateKey for /pay/*,
// QR for /qr, AdminSecret with Ledger/Accounts for /admin).
type Config struct {
	// SkillID is our applicationId; a request for any other skill is refused
	// (default DefaultSkillID).
	SkillID string
	// PlatformKeys are the platform's public keys (TSKPublicKey); several
	// may be given while keys rotate. They verify TSK-RSA2 on /skill and
	// /pay/*.
	PlatformKeys []*rsa.PublicKey
	// Secrets are SkillSecrets accepted for TSK-HMAC-SHA256-BASIC on /skill
	// only; none means HMAC is refused.
	Secrets [][]byte
	// PrivateKey is our SkillPrivateKey: it signs every /pay/* reply.
	PrivateKey *rsa.PrivateKey
	// Window is how far a signature's timestamp may be from now
	// (default tsk.DefaultWindow, 3m). Request ids are remembered until their
	// signature leaves the window.
	Window time.Duration

	// Dialog answers /skill (nil: a fixed "unavailable" answer).
	Dialog Dialog
	// Partner answers /pay/* (nil: 503 FAIL).
	Partner Partner
	// Store remembers request ids and answers /readyz (nil: an in-memory
	// store, for tests and tools).
	Store Store
	// QR renders /qr/:token.png (nil: 404).
	QR QR
	// QRMaxAge is the Cache-Control max-age of QR images (default DefaultQRMaxAge).
	QRMaxAge time.Duration
	// Catalog serves the /products/:id pages and names what the
	// /orders/:ref pages show (nil: 404).
	Catalog *shop.Catalog
	// Offers finds the offers of /orders/:ref, the phone page of an offer
	// and its order (nil: 404).
	Offers Offers
	// Support is how to reach customer service (a phone number, an email
	// address), shown on order pages; empty shows only the spoken way to ask
	// for a refund.
	Support string

	// AdminSecret keys the HS256 JWTs of the admin API; empty disables it.
	AdminSecret []byte
	// Ledger lists and shows orders (default: Store, when it is a Ledger,
	// as the Redis store is).
	Ledger Ledger
	// Accounts gives entitlements and refunds (default: Partner, when it is
	// an Accounts).
	Accounts Accounts
	// Moves finds, for the order page of an offer made before the user
	// linked an account, the account the order moved to (nil: linking off).
	Moves pay.Moves
	// Watchlist answers GET /admin/attention (nil: 503).
	Watchlist Watchlist

	// Metrics serves GET /metrics on the operations application (nil: 404).
	Metrics http.Handler
	// TrustedProxies are the networks of the proxies in front of the
	// server (load balancers, TLS terminators): only a peer in one of them
	// is believed about X-Forwarded-For and X-Forwarded-Proto, which then
	// give the client address of logs and limits. None: no proxy trusted.
	TrustedProxies []netip.Prefix

	// The admission control of the pay endpoints (admission.go):
	// SignSlots bounds how many replies are RSA-signed at once (default
	// GOMAXPROCS); PayInFlight how many pay requests are in progress at
	// once (default DefaultPayPerSignSlot×SignSlots, so that store writes
	// overlap); PayQueue how many more wait for a place (0: PayInFlight;
	// negative: none), each at most PayWait (default DefaultPayWait). Past
	// that a pay request is answered 503 with Retry-After (RetryAfter,
	// default 1s), unsigned.
	SignSlots   int
	PayInFlight int
	PayQueue    int
	PayWait     time.Duration
	RetryAfter  time.Duration
	// FailRate and FailBurst size the token bucket each client IP has for
	// failed authentications (default DefaultFailRate per second, burst
	// DefaultFailBurst): a client whose bucket is empty is answered 429
	// before its request is verified.
	FailRate  float64
	FailBurst int

	// Observer is told about every request, signature failure and
	// rejection, for metrics (nil: nobody).
	Observer Observer
	// Draining reports whether the process is draining before it stops:
	// /readyz answers 503 while it does (nil: never).
	Draining func() bool

	// BodyLimit bounds request bodies in bytes (default DefaultBodyLimit); a
	// larger one is refused with 413.
	BodyLimit int
	// OAuth serves account linking's /oauth/* endpoints (skill/oauth's
	// net/http handler; nil: 404).
	OAuth http.Handler

	// DialogTimeout bounds one dialog turn (default DefaultDialogTimeout:
	// the platform gives up after about a second anyway).
	DialogTimeout time.Duration
	// ReadTimeout, WriteTimeout and IdleTimeout bound connections.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Now is the clock for signatures and tokens (default time.Now).
	Now func() time.Time
	// Logger gets one line per request (default slog.Default()).
	Logger *slog.Logger
}

// withDefaults fills the zero fields, in one place.
func (c Config) withDefaults() Config {
	c.SkillID = cmp.Or(c.SkillID, DefaultSkillID)
	c.Window = cmp.Or(c.Window, tsk.DefaultWindow)
	c.QRMaxAge = cmp.Or(c.QRMaxAge, DefaultQRMaxAge)
	c.BodyLimit = cmp.Or(c.BodyLimit, DefaultBodyLimit)
	c.DialogTimeout = cmp.Or(c.DialogTimeout, DefaultDialogTimeout)
	c.ReadTimeout = cmp.Or(c.ReadTimeout, DefaultReadTimeout)
	c.WriteTimeout = cmp.Or(c.WriteTimeout, DefaultWriteTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	if c.Now == nil {
		c.Now = time.Now
	}
	c.SignSlots = cmp.Or(max(c.SignSlots, 0), runtime.GOMAXPROCS(0))
	c.PayInFlight = cmp.Or(max(c.PayInFlight, 0), DefaultPayPerSignSlot*c.SignSlots)
	switch {
	case c.PayQueue == 0:
		c.PayQueue = c.PayInFlight
	case c.PayQueue < 0:
		c.PayQueue = 0
	}
	c.PayWait = cmp.Or(c.PayWait, DefaultPayWait)
	c.RetryAfter = cmp.Or(c.RetryAfter, time.Second)
	if c.FailRate <= 0 {
		c.FailRate = DefaultFailRate
	}
	c.FailBurst = cmp.Or(max(c.FailBurst, 0), DefaultFailBurst)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	if c.Dialog == nil {
		c.Dialog = unavailableDialog{}
	}
	if c.Store == nil {
		c.Store = newMemStore(c.Now)
	}
	if l, ok := c.Store.(Ledger); ok && c.Ledger == nil {
		c.Ledger = l
	}
	if a, ok := c.Partner.(Accounts); ok && c.Accounts == nil {
		c.Accounts = a
	}
	return c
}

// skillVerifier accepts TSK-RSA2 by a platform key and, when secrets are
// configured, TSK-HMAC-SHA256-BASIC.
func (c Config) skillVerifier() *tsk.Verifier {
	return &tsk.Verifier{Secrets: c.Secrets, PublicKeys: c.PlatformKeys, Window: c.Window, Now: c.Now}
}

// payResponder verifies pay requests (TSK-RSA2 by a platform key only) and
// signs pay replies with our private key.
func (c Config) payResponder() *tsk.Responder {
	v := tsk.PayVerifier(c.Now, c.PlatformKeys...)
	v.Window = c.Window
	return &tsk.Responder{Verifier: v, Signer: tsk.Signer{Key: c.PrivateKey, Now: c.Now}}
}

// unavailableDialog answers every turn with an apology: the zero Config's
// dialog.
type unavailableDialog struct{}

// Handle apologises: no dialog is configured.
func (unavailableDialog) Handle(context.Context, *tsk.Request) *tsk.Response {
	return tsk.NewResponse("技能暂时不可用，请稍后再试。", true)
}
