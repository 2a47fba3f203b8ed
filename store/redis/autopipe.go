package redis

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"
)

// maxPiped bounds how many commands one automatic pipeline carries.
const maxPiped = 256

// autoPipe sends the commands of concurrent callers together, as rueidis
// does: a command sent while no pipeline is in flight goes at once, alone;
// commands sent while one is in flight wait for it, and then all of them go
// in the next pipeline: one write and one read for the lot, on one
// connection, instead of a round trip each (a socket write, a read and a
// wake-up on both sides). Under load the pipelines grow with the load; a
// lone command waits for nothing.
//
// The dialog's commands go through it (a turn's script, the session's
// save); the order writes do not: they are transactions, and each may wait
// for replicas.
//
// The first caller that finds no pipeline in flight leads: it sends the
// pending commands, pipeline after pipeline, until its own is answered; if
// more are pending then, it hands the lead to a goroutine and returns.
type autoPipe struct {
	rdb goredis.UniversalClient

	mu      sync.Mutex
	pending []piped
	leading bool
}

// piped is a queued command and what to call once it is answered.
type piped struct {
	cmd  goredis.Cmder
	done func()
}

// do sends cmd in the next pipeline and returns its error once it is
// answered (see send).
func (a *autoPipe) do(ctx context.Context, cmd goredis.Cmder) error {
	a.send(ctx, cmd)
	return cmd.Err()
}

// send sends cmds in the next pipeline and returns once each is answered,
// with its own result or error. A context already done sends nothing (each
// command gets its error); once queued, a caller never gives up on its
// commands (a SET NX must not take effect for a caller that already
// answered "unavailable"): the client's read and write timeouts bound the
// wait.
func (a *autoPipe) send(ctx context.Context, cmds ...goredis.Cmder) {
	if err := ctx.Err(); err != nil {
		for _, c := range cmds {
			c.SetErr(err)
		}
		return
	}
	if len(cmds) == 0 {
		return
	}
	w := &waiter{answered: make(chan struct{})}
	w.left.Store(int32(len(cmds)))
	a.mu.Lock()
	for _, c := range cmds {
		a.pending = append(a.pending, piped{cmd: c, done: w.done})
	}
	if a.leading {
		a.mu.Unlock()
		<-w.answered
		return
	}
	a.leading = true
	a.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for {
		a.flush(ctx)
		select {
		case <-w.answered:
			a.mu.Lock()
			more := len(a.pending) > 0
			if !more {
				a.leading = false
			}
			a.mu.Unlock()
			if more {
				go a.lead(ctx)
			}
			return
		default:
		}
	}
}

// waiter is closed once all of a caller's commands are answered.
type waiter struct {
	left     atomic.Int32
	answered chan struct{}
}

func (w *waiter) done() {
	if w.left.Add(-1) == 0 {
		close(w.answered)
	}
}

// lead sends pipelines until none is pending.
func (a *autoPipe) lead(ctx context.Context) {
	for {
		a.mu.Lock()
		if len(a.pending) == 0 {
			a.leading = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		a.flush(ctx)
	}
}

// flush sends the pending commands (up to maxPiped) as one pipeline and
// signals each. Each command carries its own result or error; go-redis
// splits a cluster's pipeline by node and follows redirections.
func (a *autoPipe) flush(ctx context.Context) {
	a.mu.Lock()
	n := min(len(a.pending), maxPiped)
	batch := a.pending[:n:n]
	a.pending = a.pending[n:]
	if len(a.pending) == 0 {
		a.pending = nil
	}
	a.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	if len(batch) == 1 {
		_ = a.rdb.Process(ctx, batch[0].cmd)
	} else {
		_, _ = a.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
			for _, q := range batch {
				_ = p.Process(ctx, q.cmd)
			}
			return nil
		})
	}
	for _, q := range batch {
		q.done()
	}
}

// evalPiped runs script through the automatic pipeline (EVALSHA, and the
// script itself on its own when the server does not have it yet).
func (s *Store) evalPiped(ctx context.Context, script *goredis.Script, keys []string, args ...any) *goredis.Cmd {
	argv := make([]any, 0, 3+len(keys)+len(args))
	argv = append(argv, "evalsha", script.Hash(), len(keys))
	for _, k := range keys {
		argv = append(argv, k)
	}
	argv = append(argv, args...)
	cmd := goredis.NewCmd(ctx, argv...)
	if err := s.pipe.do(ctx, cmd); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		return script.Eval(ctx, s.rdb, keys, args...)
	}
	return cmd
}
