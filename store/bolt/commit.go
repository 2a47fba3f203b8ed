package bolt

import (
	"errors"
	"sync"

	bbolt "go.etcd.io/bbolt"
)

// maxGroup bounds how many writes share one transaction.
const maxGroup = 1000

// errClosed is returned by writes after Close.
var errClosed = errors.New("bolt: store closed")

// committer runs the store's writes as a group commit: a write waits only
// while the transaction in progress commits (its fsync), and every write
// that arrived meanwhile then shares the next transaction and its fsync.
// Nothing waits on a timer, so a lone write commits at once, and under load
// the groups grow with the load: bbolt's own Batch instead collects writes
// for a fixed delay and then queues its transaction behind the one in
// progress, so its groups stay as small as the delay.
//
// The first writer that finds no commit in progress leads: it commits the
// pending writes, group after group, until its own is done; if more are
// pending then, it hands the lead to a goroutine of its own and returns.
type committer struct {
	db *bbolt.DB

	mu      sync.Mutex
	pending []write
	leading bool
	closed  bool
}

// write is one caller's transaction function and where its result goes.
type write struct {
	fn   func(*bbolt.Tx) error
	done chan error
}

// do runs fn in a write transaction shared with other writes and returns
// once that transaction is durable. Like bbolt's Batch, fn may run more
// than once (again on its own when another write of its group failed), so
// it must start from scratch each time and return an error only for a real
// failure.
func (c *committer) do(fn func(*bbolt.Tx) error) error {
	w := write{fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.pending = append(c.pending, w)
	if c.leading {
		c.mu.Unlock()
		return <-w.done
	}
	c.leading = true
	c.mu.Unlock()
	for {
		c.commitNext()
		select {
		case err := <-w.done:
			c.mu.Lock()
			more := len(c.pending) > 0
			if !more {
				c.leading = false
			}
			c.mu.Unlock()
			if more {
				go c.lead()
			}
			return err
		default:
		}
	}
}

// lead commits groups until none is pending.
func (c *committer) lead() {
	for {
		c.mu.Lock()
		if len(c.pending) == 0 {
			c.leading = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.commitNext()
	}
}

// commitNext commits the pending writes (up to maxGroup) in one
// transaction and tells each its result. When the transaction fails, each
// write runs again in a transaction of its own, so that one write's
// failure is not the others'.
func (c *committer) commitNext() {
	c.mu.Lock()
	n := min(len(c.pending), maxGroup)
	group := c.pending[:n:n]
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.pending = nil
	}
	c.mu.Unlock()
	if len(group) == 0 {
		return
	}
	err := c.db.Update(func(tx *bbolt.Tx) error {
		for _, w := range group {
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(group) == 1 {
		for _, w := range group {
			w.done <- err
		}
		return
	}
	for _, w := range group {
		w.done <- c.db.Update(w.fn)
	}
}

// close refuses writes from now on; those already pending still commit.
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}
