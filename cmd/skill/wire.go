package main

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/metrics"
	"github.com/dingdang-voicepay/voicepay/qr"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/mem"
	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// Files in the data directory.
const (
	storeFile       = "skill.db"
	privateKeyFile  = "skill_private.pem"
	publicKeyFile   = "skill_public.pem"
	tokenSecretFile = "token_secret"
)

// webApp is what the command needs of the HTTP application server.New
// returns (a *fiber.App, which only skill/server may name).
type webApp interface {
	Listener(ln net.Listener) error
	ShutdownWithContext(ctx context.Context) error
	Test(req *http.Request, msTimeout ...int) (*http.Response, error)
}

// The production types fit the ports they are wired into.
var (
	_ server.Dialog    = (*intents.Dialog)(nil)
	_ server.Partner   = (*pay.Service)(nil)
	_ server.Accounts  = (*pay.Service)(nil)
	_ server.QR        = (*qr.Codes)(nil)
	_ server.Watchlist = (*pay.Reconciler)(nil)

	_ server.Observer       = (*metrics.Metrics)(nil)
	_ pay.Observer          = (*metrics.Metrics)(nil)
	_ pay.CallObserver      = (*metrics.Metrics)(nil)
	_ pay.ReconcileObserver = (*metrics.Metrics)(nil)
	_ intents.TurnObserver  = (*metrics.Metrics)(nil)
	_ metrics.OrderCounter  = (*bolt.Store)(nil)
	_ metrics.OrderCounter  = (*redis.Store)(nil)
	_ pay.Lease             = (*redis.Lease)(nil)
)

// options replace parts newApp would otherwise build from the configuration:
// the sandbox passes its fake platform's keys and client, tests a clock.
// Zero fields mean "build it from config".
type options struct {
	PlatformKeys []*rsa.PublicKey     // instead of SKILL_TSK_PUBLIC_KEY
	PrivateKey   *rsa.PrivateKey      // instead of SKILL_PRIVATE_KEY
	PlatformHTTP *http.Client         // the pay client's HTTP client
	Logger       *slog.Logger         // default: a text logger on stderr at SKILL_LOG_LEVEL
	Now          func() time.Time     // default time.Now
	Server       func(*server.Config) // last changes to the server's config
	Serving      bool                 // skill serve: agree on SKILL_TOKEN_SECRET with the other nodes (agreeTokenSecret)
}

// app is the wired skill: every part, built once from the configuration.
type app struct {
	cfg        config
	log        *slog.Logger
	orders     shop.OrderStore
	state      shop.StateStore
	catalog    *shop.Catalog
	ledger     *shop.Ledger
	offers     *pay.Offers
	client     *pay.Client
	pay        *pay.Service
	reconciler *pay.Reconciler
	codes      *qr.Codes
	dialog     *intents.Dialog
	metrics    *metrics.Metrics
	web        webApp      // the public application (SKILL_ADDR)
	ops        webApp      // the operations application (SKILL_OPS_ADDR)
	draining   atomic.Bool // set on SIGTERM: /readyz answers 503
	publicURL  string
}

// newApp builds the store, catalog, keys, pay service, platform client,
// reconciler, QR codes, dialog and HTTP application. Configuration problems
// are *settingError.
func newApp(ctx context.Context, cfg config, opt options) (*app, error) {
	a := &app{cfg: cfg, log: opt.Logger}
	if a.log == nil {
		var err error
		if a.log, err = newLogger(cfg, os.Stderr); err != nil {
			return nil, err
		}
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	// Everything is checked before anything is opened or written: the
	// settings, the files they name, an existing token secret, Redis.
	if err := cfg.check(); err != nil {
		return nil, err
	}
	var err error
	if a.catalog, err = catalog.Load(cfg.Catalog); err != nil {
		return nil, badSetting("SKILL_CATALOG", "%v", err)
	}
	platformKeys, privateKey := opt.PlatformKeys, opt.PrivateKey
	if platformKeys == nil {
		if platformKeys, err = cfg.loadPlatformKeys(); err != nil {
			return nil, err
		}
	}
	if privateKey == nil {
		if privateKey, err = cfg.loadPrivateKey(); err != nil {
			return nil, err
		}
	}
	if cfg.TokenSecret == "" {
		if _, err := readTokenSecret(filepath.Join(cfg.Data, tokenSecretFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	window, err := cfg.paymentWindow()
	if err != nil {
		return nil, err
	}
	offerTTL, err := cfg.offerTTL()
	if err != nil {
		return nil, err
	}
	slots, inflight, queue, err := cfg.admission()
	if err != nil {
		return nil, err
	}
	proxies, err := cfg.trustedProxies()
	if err != nil {
		return nil, err
	}
	var lease pay.Lease
	if a.orders, a.state, lease, err = openStores(ctx, cfg, now, a.log); err != nil {
		return nil, err
	}
	tokenSecret, err := cfg.tokenSecret()
	if err == nil && opt.Serving {
		err = agreeTokenSecret(ctx, cfg, a.orders, tokenSecret)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	mc := metrics.Config{Now: now}
	if c, ok := a.orders.(metrics.OrderCounter); ok {
		mc.Orders = c
	}
	a.metrics = metrics.New(mc)

	a.publicURL = strings.TrimRight(cfg.PublicURL, "/")
	if a.publicURL == "" {
		a.publicURL = cmp.Or(cfg.scheme, "http") + "://" + cfg.Addr
	}
	a.offers = &pay.Offers{Secret: subkey(tokenSecret, "offer"), Store: a.orders, TTL: offerTTL, Now: now}
	a.codes = &qr.Codes{Secret: subkey(tokenSecret, "qr"), Now: now}
	a.client = &pay.Client{
		BaseURL: cfg.PlatformURL, SkillID: cfg.SkillID, Key: privateKey,
		Verifier: tsk.PayVerifier(now, platformKeys...),
		HTTP:     opt.PlatformHTTP, Now: now, Logger: a.log, Observer: a.metrics,
	}
	a.ledger = &shop.Ledger{Store: a.orders, Catalog: a.catalog, Now: now}
	a.pay = &pay.Service{Ledger: a.ledger, SkillID: cfg.SkillID, Offers: a.offers,
		Platform: a.client, OrderTTL: window, Logger: a.log, Observer: a.metrics}
	a.reconciler = &pay.Reconciler{Service: a.pay, PaymentWindow: window, Logger: a.log,
		Observer: a.metrics, Lease: lease}
	link, err := newLinking(ctx, cfg, a.orders, a.pay, tokenSecret, a.publicURL, now, a.log)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	a.pay.Moves = link.moves()
	a.dialog = intents.New(intents.Config{Catalog: a.catalog, Sessions: a.state, Ledger: a.ledger, Payments: a.pay,
		Offers: a.offers, Accounts: link.accounts(), Link: link.mode, QRURL: a.qrURL, Now: now, Logger: a.log,
		Support: cfg.Support, Observer: a.metrics})

	sc := server.Config{
		SkillID: cfg.SkillID, PlatformKeys: platformKeys, PrivateKey: privateKey,
		Dialog: a.dialog, Partner: a.pay, Store: a.state, Ledger: a.orders, QR: a.codes, Offers: a.offers,
		Catalog: a.catalog, Support: cfg.Support, Moves: link.moves(), AdminSecret: []byte(cfg.AdminSecret),
		Watchlist: a.reconciler, OAuth: link.handler, Draining: a.draining.Load, Now: now, Logger: a.log,
		Observer: a.metrics, Metrics: a.metrics.Handler(),
		SignSlots: slots, PayInFlight: inflight, PayQueue: queue, TrustedProxies: proxies,
	}
	if cfg.Secret != "" {
		sc.Secrets = [][]byte{[]byte(cfg.Secret)}
	}
	if opt.Server != nil {
		opt.Server(&sc)
	}
	a.web, a.ops = server.New(sc), server.NewOps(sc)
	return a, nil
}

// qrURL is the image URL a screened speaker shows on an offer's card: a QR
// code of the offer's order page (named by the offer's reference), behind
// a signed, expiring image token; none without a reference.
func (a *app) qrURL(o *ui.Offer) string {
	if o.Token == "" {
		return ""
	}
	page := a.publicURL + "/orders/" + o.Token
	return a.publicURL + "/qr/" + a.codes.Token(page) + ".png"
}

// start runs the background work of a serving process (the reconciler)
// until stop is called; stop waits for it to end.
func (a *app) start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.reconciler.Run(ctx)
	}()
	return func() { cancel(); wg.Wait() }
}

// shutdown stops both applications, letting in-flight requests finish
// within ctx: the public one first, then the operations one.
func (a *app) shutdown(ctx context.Context) error {
	return errors.Join(a.web.ShutdownWithContext(ctx), a.ops.ShutdownWithContext(ctx))
}

// Close releases the stores.
func (a *app) Close() error {
	return errors.Join(a.orders.Close(), a.state.Close())
}

// openStores opens the order store and the state store: Redis for both when
// SKILL_REDIS_URL is set (see openRedis), with the reconciler's lease
// (several processes share it), else the bbolt file in the data directory
// (which another process, such as a running server, may hold locked) for
// orders and memory for the dialog state of this one process, without a
// lease (the process holding the file is the only one).
func openStores(ctx context.Context, cfg config, now func() time.Time, log *slog.Logger) (shop.OrderStore, shop.StateStore, pay.Lease, error) {
	if cfg.RedisURL != "" || cfg.SessionRedis != "" {
		return openRedis(ctx, cfg, now, log)
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, nil, nil, badSetting("SKILL_DATA", "%v", err)
	}
	path := filepath.Join(cfg.Data, storeFile)
	st, err := bolt.Open(path, bolt.Config{Timeout: 500 * time.Millisecond, Now: now, Logger: log})
	if errors.Is(err, bolt.ErrLocked) {
		return nil, nil, nil, fmt.Errorf("%w: %s is in use by another process: is `skill serve` or `skill sandbox` (make run) running? (`orders` and `refund` reach it with --server URL; it reconciles by itself)", errLocked, path)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	limit, err := cfg.sessionMemory()
	if err != nil {
		return nil, nil, nil, errors.Join(err, st.Close())
	}
	return st, mem.New(mem.Config{Now: now, MaxBytes: limit}), nil, nil
}

// errLocked means the bbolt file is held by another process.
var errLocked = errors.New("store locked")

// agreeTokenSecret checks, on Redis, that SKILL_TOKEN_SECRET is the one the
// other nodes use: a node with another signs offers, QR links and account
// tokens that the others refuse (about one sale in N lost behind a balancer,
// with nothing but "bad_offer" in the logs). The first node records a
// fingerprint (an HMAC of the secret, which tells nothing of it).
func agreeTokenSecret(ctx context.Context, cfg config, orders shop.OrderStore, secret []byte) error {
	rs, ok := orders.(*redis.Store)
	if !ok || cfg.TokenSecret == "" {
		return nil
	}
	fp := hex.EncodeToString(subkey(secret, "fingerprint")[:8])
	stored, err := rs.Agree(ctx, "token-secret-fingerprint", fp)
	if err != nil {
		return unreachable("SKILL_REDIS_URL", redact(cfg.RedisURL), err)
	}
	if stored != fp {
		return badSetting("SKILL_TOKEN_SECRET", "not the secret of the other nodes on this Redis (fingerprint %s, theirs %s): every node must have the same, or offers and QR links made on one are refused by another; after changing it on every node on purpose, delete the Redis key %s", fp, stored, rs.SettingKey("token-secret-fingerprint"))
	}
	return nil
}

// tokenSecret is SKILL_TOKEN_SECRET, or a random secret generated once into
// the data directory (mode 0600) and read back on later starts.
func (c config) tokenSecret() ([]byte, error) {
	if c.TokenSecret != "" {
		return []byte(c.TokenSecret), nil
	}
	path := filepath.Join(c.Data, tokenSecretFile)
	if secret, err := readTokenSecret(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	if err := os.MkdirAll(c.Data, 0o700); err != nil {
		return nil, badSetting("SKILL_DATA", "%v", err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(buf)
	// Written whole to a temporary file, then linked into place: a crash
	// never leaves a half-written secret, and if another process got there
	// first its secret wins.
	tmp, err := os.CreateTemp(c.Data, tokenSecretFile+".*")
	if err != nil {
		return nil, badSetting("SKILL_TOKEN_SECRET", "not set and %v", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(secret + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, badSetting("SKILL_TOKEN_SECRET", "not set and %v", err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return readTokenSecret(path)
	} else if err != nil {
		return nil, badSetting("SKILL_TOKEN_SECRET", "not set and %v", err)
	}
	return []byte(secret), nil
}

// readTokenSecret reads a generated token secret; a missing file is an
// error wrapping fs.ErrNotExist.
func readTokenSecret(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, badSetting("SKILL_TOKEN_SECRET", "not set and %s: %v", path, err)
	}
	secret := strings.TrimSpace(string(data))
	if len(secret) < 32 {
		return nil, badSetting("SKILL_TOKEN_SECRET", "not set and %s is too short (delete it to generate a new one)", path)
	}
	return []byte(secret), nil
}

// subkey derives an independent key for one use from a secret, so offer and
// QR tokens never verify as each other.
func subkey(secret []byte, use string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("dingdang-skill/" + use))
	return m.Sum(nil)
}

// newLogger is the process logger: lines on w at SKILL_LOG_LEVEL, as text
// or JSON (SKILL_LOG_FORMAT), each with the request id and trade number its
// context carries (logctx).
func newLogger(cfg config, w io.Writer) (*slog.Logger, error) {
	level, err := cfg.logLevel()
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch cfg.LogFormat {
	case "text", "":
		h = slog.NewTextHandler(w, opts)
	case "json":
		// Durations in seconds, as zap's production encoder and
		// Prometheus write them, not slog's integer nanoseconds.
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				a.Value = slog.Float64Value(a.Value.Duration().Seconds())
			}
			return a
		}
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, badSetting("SKILL_LOG_FORMAT", "%q: want text or json", cfg.LogFormat)
	}
	lh := logctx.NewHandler(h)
	if f, ok := w.(interface{ Flush() error }); ok { // buffered: warnings out at once
		lh.FlushAt(slog.LevelWarn, f.Flush)
	}
	return slog.New(lh), nil
}
