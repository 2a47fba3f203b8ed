package pay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync/atomic"
	"time"
)

// DefaultLeaseTTL is how long the reconciler's lease lasts unless renewed;
// it is renewed every third of it.
const DefaultLeaseTTL = 30 * time.Second

// Lease lets one process of a fleet run the reconciler at a time: the
// processes share a store, and the one that holds the lease makes the
// passes. It saves the platform the same queries from every node; it is not
// what keeps the books right (passes are safe to run concurrently). The
// Redis store's lease satisfies it; a bbolt file has one process anyway.
type Lease interface {
	// Acquire takes the lease for owner for ttl, or extends it when owner
	// holds it already; false when another owner holds it.
	Acquire(ctx context.Context, owner string, ttl time.Duration) (bool, error)
	// Release gives the lease up if owner holds it.
	Release(ctx context.Context, owner string) error
}

// owner names this reconciler to its lease: the host name and a random
// suffix, so two processes on one host differ.
func (r *Reconciler) owner() string {
	if r.LeaseOwner != "" {
		return r.LeaseOwner
	}
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// runLeased is Run with a Lease: a renewer takes or extends the lease every
// third of its TTL, and a pass is made each Interval (and at once on
// taking the lease) only while it is held. When ctx is done the lease is
// released, so another process takes over without waiting for it to expire.
func (r *Reconciler) runLeased(ctx context.Context) {
	ttl := positive(r.LeaseTTL, DefaultLeaseTTL)
	owner := r.owner()
	var held atomic.Bool
	gained := make(chan struct{}, 1)
	renewed := make(chan struct{})
	r.leading(false)
	go func() {
		defer close(renewed)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for first := true; ; first = false {
			ok, err := r.Lease.Acquire(ctx, owner, ttl)
			if err != nil && ctx.Err() == nil {
				r.log().WarnContext(ctx, "pay: reconciler lease", "owner", owner, "err", err)
			}
			if ctx.Err() != nil {
				return
			}
			if first && !ok && err == nil { // a follower says so once: it runs, and waits for the lease
				r.log().InfoContext(ctx, "pay: reconciler lease", "owner", owner, "held", false, "detail", "another node runs the reconciler")
			}
			if ok != held.Swap(ok) {
				r.log().InfoContext(ctx, "pay: reconciler lease", "owner", owner, "held", ok)
				r.leading(ok)
				if ok {
					select {
					case gained <- struct{}{}:
					default:
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	t := time.NewTicker(positive(r.Interval, DefaultReconcileInterval))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-renewed
			if held.Load() {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				if err := r.Lease.Release(rctx, owner); err != nil {
					r.log().WarnContext(ctx, "pay: release reconciler lease", "owner", owner, "err", err)
				}
				cancel()
				r.leading(false)
			}
			return
		case <-gained:
		case <-t.C:
		}
		if held.Load() {
			r.pass(ctx)
		}
	}
}

// leading tells the observer whether this process runs the reconciler.
func (r *Reconciler) leading(held bool) {
	if r.Observer != nil {
		r.Observer.Leading(held)
	}
}
