// Package redis implements both storage ports on go-redis: the durable
// shop.OrderStore and the ephemeral shop.StateStore. Use it when several
// skill processes share state; the embedded bolt store (with store/mem for
// dialog state) is the default.
//
// Keys (Config.Prefix, default "skill:", in front of each):
//
//	order:{<tradeNo>}                    string: the order's JSON
//	user:{<userID>}:orders               ZSET: the user's orders by created time
//	orders                               ZSET: every order by created time
//	offer:{<id>}                         string: the offer's JSON, expiring
//	                                     shop.OfferRetention past its expiry
//	order_counts                         HASH: state → how many orders are in it (see OrderCounts),
//	                                     _init: counted once; _open: the open index's
//	                                     shop.OpenVersion (see rebuild.go)
//	open:{orders}                        ZSET: the open orders by created time (see open.go)
//	open:{orders}:gen                    string: how many moves into the open states (see open.go)
//	session:{<dialog>}                   string with a TTL: a dialog's state
//	seen:{<dialog>}:<requestID>          string with a TTL: a request of the
//	                                     dialog answered (BeginTurn)
//	remember:<key>                       string with a TTL (SET NX PX)
//	lease:<name>                         string: the holder of a lease, with a TTL (see Lease)
//
// where <dialog> is "<len(sessionID)>:<sessionID>:<len(userID)>:<userID>".
//
// Every key is injective for arbitrary ids: each kind starts with its own
// literal, none a prefix of another, and holds one id framed by fixed text
// (so the key gives back the id), or length-prefixed ids and at most one
// last id. Index members are a fixed-length time key, ':', the tradeNo.
//
// Redis Cluster: a command or script that names several keys needs them in
// one hash slot. BeginTurn's script names a dialog's session and seen
// keys, which share the hash tag {<dialog>} (an id holding '}' cuts both
// tags at the same place: they still match); the open index's scripts name
// open:{orders} and its gen, which share the tag {orders}. Every other
// command names one key on a cluster (the script that stores an order
// names the counts and the open index too only on a single Redis); the
// writes of one call that touch several keys (an order and its index
// entries) go to each key's master separately
// (see replicas.go), in the order that keeps a crash harmless. The prefix
// may not hold braces, so it never moves a key's tag. The conformance
// suites run on a real cluster to prove it.
//
// An order lives in one key, so with Redis Cluster it is in one hash slot
// and its optimistic transaction (WATCH/MULTI) never spans slots. Index
// members are "<created-time key>:<tradeNo>" and scores are unix
// milliseconds; the member's time key breaks ties within a millisecond, so
// listing is exactly newest first (like the bolt store).
//
// CreateOrder writes the indexes before the order, so a crash between the
// two leaves an index entry without an order (skipped when listing), never an
// order that cannot be listed. Listing also skips index entries that do not
// match the order they name (left by a losing concurrent create).
//
// UpdateOrder is an optimistic transaction (WATCH the order key, GET, run the
// Go callback, MULTI/SET/EXEC, retry on TxFailedErr a bounded number of
// times) rather than a Lua compare-and-set: the callback is arbitrary Go
// domain code (Deliver, StartRefund, ...) that cannot run inside Redis, WATCH
// gives compare-and-set on the whole value without adding a version field to
// the order, and the transaction touches only the order's key, so it works
// unchanged on Redis Cluster. Contention per order is low (a few duplicate
// notifications), and duplicates mostly end in shop.ErrNoChange, which
// writes nothing.
//
// Redis errors are returned wrapped in a *shop.Error with code
// shop.EUNAVAILABLE: the caller answers FAIL and the platform retries.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	goredis "github.com/redis/go-redis/v9"
)

// Config configures a Store. The zero value works.
type Config struct {
	// Prefix is put in front of every key; default "skill:".
	Prefix string
	// Now fills a zero CreatedAt in CreateOrder and times how long an
	// entry of the open index has been found without its order (open.go);
	// default time.Now. Expiry is Redis's own clock.
	Now func() time.Time
	// MaxAttempts bounds how many times UpdateOrder runs its optimistic
	// transaction when other writers keep changing the order; default 100.
	MaxAttempts int
	// MinReplicas is how many replicas must confirm an order or offer
	// write (WAIT) before it is acknowledged; see replicas.go. Zero means
	// the default of the topology: 1 on a cluster or behind Sentinel, none
	// on a single server. Negative means none.
	MinReplicas int
	// ReplicaTimeout bounds each WAIT for replicas (default 500ms); keep it
	// below the client's read timeout (1s unless the URL's read_timeout
	// says otherwise).
	ReplicaTimeout time.Duration
	// TurnReadsOrders makes BeginTurn read the user's order index too (a
	// page of it), so that the turn's listing of the user's orders needs
	// no round trip of its own. Set it when the same store keeps the
	// orders and the dialogs: on a cluster, where the index lives in
	// another hash slot than the dialog, it is read beside the turn's
	// script in the same pipeline. Without it, a store that keeps only
	// orders reads the index beside another store's BeginTurn
	// (PrefetchUser).
	TurnReadsOrders bool
	// Topology is what the client is connected to: New sets it from the
	// URL; NewWithClient takes it from here, or Cluster for a
	// *goredis.ClusterClient. It decides the default of MinReplicas.
	Topology Topology
	// Logger takes the line New logs when it rebuilds the index of open
	// orders; default slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = "skill:"
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 100
	}
	if c.ReplicaTimeout <= 0 {
		c.ReplicaTimeout = defaultReplicaTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// replicas is how many replicas must confirm a durable write.
func (c Config) replicas() int {
	switch {
	case c.MinReplicas < 0:
		return 0
	case c.MinReplicas > 0:
		return c.MinReplicas
	case c.Topology == Cluster || c.Topology == Sentinel:
		return 1
	}
	return 0
}

// Store is the Redis shop.OrderStore and shop.StateStore. It is safe for
// concurrent use.
type Store struct {
	rdb goredis.UniversalClient
	// side is, on a cluster, a second client with pools of its own, for
	// the commands that an optimistic transaction sends to other masters
	// (the counts, the open index) while it holds one of rdb's
	// connections: on rdb's pools, enough concurrent transactions would
	// hold every connection of a master and wait for one more. Otherwise
	// it is rdb.
	side        goredis.UniversalClient
	cfg         Config
	ownsConn    bool
	minReplicas int       // resolved Config.MinReplicas
	pipe        *autoPipe // the dialog's commands and listings, pipelined together

	openReady atomic.Bool  // the open index covers every order (openIndexed)
	missing   missingSince // entries of the open index found without their order

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

var (
	_ shop.OrderStore = (*Store)(nil)
	_ shop.StateStore = (*Store)(nil)
)

// New connects to the Redis that url names (see dial: one server, a
// cluster, or a master behind Sentinel) and checks it with a PING bounded by
// ctx. The Store owns the client: Close closes it. On data written before
// the store kept its order counts, New counts the orders first (once: see
// initCounts); on data without an index of open orders, or with one built
// for an older shop.OpenVersion, it rebuilds the index (rebuild.go). These
// read every order: they are bounded by the client's timeouts, not by
// ctx's deadline, which is meant for connecting.
func New(ctx context.Context, url string, cfg Config) (*Store, error) {
	if err := checkPrefix(cfg.Prefix); err != nil {
		return nil, err
	}
	rdb, topo, err := dial(url)
	if err != nil {
		return nil, err
	}
	cfg.Topology = topo
	s := NewWithClient(rdb, cfg)
	s.ownsConn = true
	if err := s.Ping(ctx); err != nil {
		_ = s.Close() // its clients: a cluster's second one too
		return nil, err
	}
	upgrade := context.WithoutCancel(ctx)
	if err := s.initCounts(upgrade); err != nil {
		_ = s.Close()
		return nil, unavailable("count orders", err)
	}
	if err := s.initOpen(upgrade); err != nil {
		_ = s.Close()
		return nil, unavailable("index open orders", err)
	}
	return s, nil
}

// checkPrefix refuses a key prefix that would move keys' hash tags.
func checkPrefix(p string) error {
	if strings.ContainsAny(p, "{}") {
		return fmt.Errorf("redis: key prefix %q may not hold braces (they would decide the keys' cluster slots)", p)
	}
	return nil
}

// NewWithClient returns a Store on an existing client (a *goredis.Client,
// *goredis.ClusterClient, ...). Close does not close a client passed in
// (on a cluster it closes the second client the Store makes, see side). It
// panics if cfg.Prefix holds braces (New returns that as an error).
func NewWithClient(rdb goredis.UniversalClient, cfg Config) *Store {
	if err := checkPrefix(cfg.Prefix); err != nil {
		panic(err)
	}
	if _, ok := rdb.(*goredis.ClusterClient); ok && cfg.Topology == Single {
		cfg.Topology = Cluster
	}
	cfg = cfg.withDefaults()
	side := rdb
	if cc, ok := rdb.(*goredis.ClusterClient); ok {
		opts := *cc.Options()
		side = goredis.NewClusterClient(&opts)
	}
	return &Store{rdb: rdb, side: side, cfg: cfg, minReplicas: cfg.replicas(), pipe: newAutoPipe(rdb), closed: make(chan struct{})}
}

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.cfg.Prefix }

// Topology returns what the store is connected to.
func (s *Store) Topology() Topology { return s.cfg.Topology }

// MinReplicas returns how many replicas confirm each order and offer write.
func (s *Store) MinReplicas() int { return s.minReplicas }

// Client returns the underlying client.
func (s *Store) Client() goredis.UniversalClient { return s.rdb }

// Ping sends a PING.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close closes the client if the Store created it; calls after Close fail.
// Calling Close again returns the first result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.side != s.rdb {
			_ = s.side.Close()
		}
		if s.ownsConn {
			if err := s.rdb.Close(); err != nil {
				s.closeErr = fmt.Errorf("redis: close: %w", err)
			}
		}
	})
	return s.closeErr
}

// errClosed is returned by calls after Close.
var errClosed = errors.New("redis: store is closed")

func (s *Store) check() error {
	select {
	case <-s.closed:
		return errClosed
	default:
		return nil
	}
}

// unavailable wraps a Redis error: the store could not answer, and retrying
// later may succeed.
func unavailable(op string, err error) error {
	return &shop.Error{Code: shop.EUNAVAILABLE, Message: "storage unavailable", Err: fmt.Errorf("redis: %s: %w", op, err)}
}

func (s *Store) orderKey(tradeNo string) string { return s.cfg.Prefix + "order:{" + tradeNo + "}" }
func (s *Store) userKey(userID string) string   { return s.cfg.Prefix + "user:{" + userID + "}:orders" }
func (s *Store) allKey() string                 { return s.cfg.Prefix + "orders" }
func (s *Store) offerKey(id string) string      { return s.cfg.Prefix + "offer:{" + id + "}" }
func (s *Store) rememberKey(key string) string  { return s.cfg.Prefix + "remember:" + key }
