package oauth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
)

// faulty is the real grant store with one call made to fail: once armed,
// the at-th call fails with a storage error (EUNAVAILABLE), after being
// carried out when applied is set (a reply lost after the store acted, as
// a Redis write whose replicas did not confirm it).
type faulty struct {
	oauth.Grants
	mu      sync.Mutex
	calls   int
	at      int // 0: disarmed
	applied bool
	fired   string // the call that failed
}

func (f *faulty) arm(at int, applied bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.at, f.applied, f.fired = 0, at, applied, ""
}

// disarm stops the failures and says which call failed, if one did.
func (f *faulty) disarm() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at = 0
	return f.fired
}

// call runs do, or fails in its place, or after it, when it is the
// chosen call.
func (f *faulty) call(what, key string, do func() error) error {
	f.mu.Lock()
	fail := false
	if f.at > 0 {
		f.calls++
		if fail = f.calls == f.at; fail {
			f.fired = what + " " + key
		}
	}
	applied := f.applied
	f.mu.Unlock()
	if !fail {
		return do()
	}
	if applied {
		_ = do()
	}
	return shop.Errorf(shop.EUNAVAILABLE, "faulty: %s %s failed", what, key)
}

func (f *faulty) PutGrant(ctx context.Context, key string, g shop.Grant) error {
	return f.call("PutGrant", key, func() error { return f.Grants.PutGrant(ctx, key, g) })
}

func (f *faulty) Grant(ctx context.Context, key string) (g shop.Grant, err error) {
	err = f.call("Grant", key, func() error { g, err = f.Grants.Grant(ctx, key); return err })
	return g, err
}

func (f *faulty) TakeGrant(ctx context.Context, key string) (g shop.Grant, err error) {
	err = f.call("TakeGrant", key, func() error { g, err = f.Grants.TakeGrant(ctx, key); return err })
	return g, err
}

// TestRefreshSurvivesAStorageFailure fails each storage call of a refresh
// in turn, before or after the store carries it out, and checks that no
// single failure loses the retry grace: the refresh answers with its
// tokens (lost on the way) or 503, and the platform's retry of the same
// token then succeeds, with a token that refreshes in turn. Reuse
// detection still works afterwards. The failing refresh is the first use
// of the token, or already a retry of one whose answer was lost.
func TestRefreshSurvivesAStorageFailure(t *testing.T) {
	for _, retry := range []bool{false, true} {
		for _, applied := range []bool{false, true} {
			for at := 1; ; at++ {
				fired := ""
				t.Run(fmt.Sprintf("retry=%v/applied=%v/call%d", retry, applied, at), func(t *testing.T) {
					var f *faulty
					e := newEnvGrants(t, nil, func(g oauth.Grants) oauth.Grants { f = &faulty{Grants: g}; return f })
					first := e.link(t)
					if retry {
						if r := e.refresh(t, first); r.status != 200 { // its answer is lost
							t.Fatalf("refresh: %d %v", r.status, r.body)
						}
					}
					f.arm(at, applied)
					r := e.refresh(t, first) // its answer is lost, or 503
					if fired = f.disarm(); fired == "" {
						t.Logf("a refresh makes %d storage calls", at-1)
						return
					}
					if r.status != 200 && r.status != 503 {
						t.Errorf("%s failed: %d %v, want tokens or 503", fired, r.status, r.body)
					}
					again := e.refresh(t, first)
					if again.status != 200 {
						t.Fatalf("%s failed, then the retry: %d %v, want 200", fired, again.status, again.body)
					}
					next := e.refresh(t, again.str("refresh_token"))
					if next.status != 200 {
						t.Fatalf("%s failed, then the retry's token: %d %v, want 200", fired, next.status, next.body)
					}
					e.advance(oauth.DefaultRetryGrace + time.Second)
					if r := e.refresh(t, first); r.str("error") != "invalid_grant" {
						t.Errorf("%s failed, then the first token reused: %d %v, want invalid_grant", fired, r.status, r.body)
					}
					if r := e.refresh(t, next.str("refresh_token")); r.str("error") != "invalid_grant" {
						t.Errorf("%s failed, then the live token after a reuse: %d %v, want invalid_grant", fired, r.status, r.body)
					}
				})
				if fired == "" {
					break
				}
			}
		}
	}
}
