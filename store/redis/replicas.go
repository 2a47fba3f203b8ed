package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Writes that must survive a failover.
//
// Redis replicates asynchronously: a master acknowledges a write before any
// replica has it, and a replica promoted after the master dies has lost
// what it had not received. So when replicas are required (Config.
// MinReplicas), every order and offer write is followed, on the same
// connection, by WAIT, and is acknowledged only when enough replicas
// confirmed it (the same for account linking's grants and order moves);
// otherwise the call fails as EUNAVAILABLE and the platform
// retries. WAIT confirms everything the master did before this
// connection's last write, so a call that answers from what another call
// wrote (a duplicate create, a notification already applied) first writes
// it again, unchanged: its WAIT then covers the other call's write too.
//
// On a cluster the writes of one call go to the masters that serve their
// keys, each with its own WAIT: the client of that master is taken from the
// cluster client (MasterForKey), and a redirection or a lost master makes
// the cluster client reload the slot map and the write try again, a few
// times within about 300ms.

// defaultReplicaTimeout is how long a WAIT waits for replicas by default.
const defaultReplicaTimeout = 500 * time.Millisecond

// errNotReplicated is a write that enough replicas did not confirm in time.
var errNotReplicated = errors.New("redis: not confirmed by enough replicas")

// master returns the client of the master that serves key: on a cluster,
// that master's own client among c's; otherwise c (a Sentinel client
// follows the master itself).
func master(ctx context.Context, c goredis.UniversalClient, key string) (goredis.UniversalClient, error) {
	if cc, ok := c.(*goredis.ClusterClient); ok {
		m, err := cc.MasterForKey(ctx, key)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	return c, nil
}

// wait queues a WAIT for the required replicas on p, if any are required.
func (s *Store) wait(ctx context.Context, p goredis.Pipeliner) *goredis.Cmd {
	if s.minReplicas <= 0 {
		return nil
	}
	return p.Do(ctx, "wait", s.minReplicas, s.cfg.ReplicaTimeout.Milliseconds())
}

// waitTx sends WAIT on a transaction's connection, after its EXEC, if
// replicas are required.
func (s *Store) waitTx(ctx context.Context, tx *goredis.Tx) *goredis.Cmd {
	if s.minReplicas <= 0 {
		return nil
	}
	return tx.Do(ctx, "wait", s.minReplicas, s.cfg.ReplicaTimeout.Milliseconds())
}

// waited checks a WAIT's answer.
func (s *Store) waited(w *goredis.Cmd) error {
	if w == nil {
		return nil
	}
	n, err := w.Int64()
	if err != nil {
		return err
	}
	if n < int64(s.minReplicas) {
		return fmt.Errorf("%w: %d of %d within %v", errNotReplicated, n, s.minReplicas, s.cfg.ReplicaTimeout)
	}
	return nil
}

// writeAttempts bounds how many times a write is sent to a cluster whose
// slot map is changing (a failover, a resharding).
const writeAttempts = 4

// write sends, for each master that serves some of keys, one pipeline of
// the commands fn queues for those keys, followed by WAIT when replicas are
// required. The masters are written in parallel. fn's commands must be
// idempotent: on a cluster a write that failed is sent again after the
// slot map is reloaded. It returns nil when every master took its writes
// and, when required, enough replicas confirmed them; fn's commands hold
// their replies.
func (s *Store) write(ctx context.Context, keys []string, fn func(p goredis.Pipeliner, key string)) error {
	return s.writeVia(ctx, s.rdb, keys, fn)
}

// writeVia is write through the connections of client c (s.rdb or, while
// a transaction holds one of s.rdb's, s.side).
func (s *Store) writeVia(ctx context.Context, c goredis.UniversalClient, keys []string, fn func(p goredis.Pipeliner, key string)) error {
	for attempt := 0; ; attempt++ {
		err := s.writeOnce(ctx, c, keys, fn)
		if err == nil || !s.retryable(ctx, err, attempt) {
			return err
		}
	}
}

// retryable reports whether a failed write may succeed if tried again: on
// a cluster, for a few attempts, unless replicas did not confirm it (a
// failover is not what delays them). It reloads the slot map and waits a
// little, more after each attempt, before saying yes.
func (s *Store) retryable(ctx context.Context, err error, attempt int) bool {
	cc, ok := s.rdb.(*goredis.ClusterClient)
	if !ok || attempt >= writeAttempts-1 || errors.Is(err, errNotReplicated) || ctx.Err() != nil {
		return false
	}
	cc.ReloadState(ctx)
	if side, ok := s.side.(*goredis.ClusterClient); ok && side != cc {
		side.ReloadState(ctx)
	}
	return sleep(ctx, time.Duration(attempt+1)*50*time.Millisecond) == nil
}

func (s *Store) writeOnce(ctx context.Context, via goredis.UniversalClient, keys []string, fn func(p goredis.Pipeliner, key string)) error {
	type group struct {
		c    goredis.UniversalClient
		keys []string
	}
	var groups []*group
	for _, k := range keys {
		c, err := master(ctx, via, k)
		if err != nil {
			return err
		}
		var g *group
		for _, h := range groups {
			if h.c == c {
				g = h
			}
		}
		if g == nil {
			g = &group{c: c}
			groups = append(groups, g)
		}
		g.keys = append(g.keys, k)
	}
	errs := make([]error, len(groups))
	run := func(i int) {
		g := groups[i]
		var w *goredis.Cmd
		_, err := g.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, k := range g.keys {
				fn(p, k)
			}
			w = s.wait(ctx, p)
			return nil
		})
		if err != nil && !errors.Is(err, goredis.Nil) {
			errs[i] = err
			return
		}
		errs[i] = s.waited(w)
	}
	if len(groups) == 1 {
		run(0)
	} else {
		var wg sync.WaitGroup
		for i := range groups {
			wg.Go(func() { run(i) })
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}

// sleep waits d or until ctx is done.
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
