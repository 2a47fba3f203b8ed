package bolt

import (
	"errors"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/dingdang-voicepay/voicepay/internal/coalesce"
)

// maxGroup bounds how many writes share one transaction.
const maxGroup = 1000

// errClosed is returned by writes after Close.
var errClosed = errors.New("bolt: store closed")

// commitPace is the least time between the start of a transaction of
// several writes and the next one: under a load that groups, every write
// arriving within it shares the next transaction and its fsyncs. Pay
// requests reach the store spaced out by their RSA signing, each after the
// one before committed; with no pace each then had a transaction of its
// own, two fsyncs that cost about a fifth of the CPU of a create-order
// (loadbench). After a transaction of one write the next starts at once,
// so a lone write, or writes one after another, do not wait for it.
const commitPace = 5 * time.Millisecond

// committer runs the store's writes as a group commit (internal/coalesce):
// a write waits only while the transaction in progress commits (its
// fsync), or for the rest of commitPace after a group started, and every
// write that arrived meanwhile then shares the next transaction and its
// fsync. A lone write commits at once, and under load the groups grow
// with the load: bbolt's own Batch instead waits its full delay for every
// group, even a lone write, and then queues its transaction behind the one
// in progress.
type committer struct {
	db     *bbolt.DB
	group  coalesce.Group[*write]
	closed atomic.Bool
}

// write is one caller's transaction function and its result.
type write struct {
	fn  func(*bbolt.Tx) error
	err error
}

func newCommitter(db *bbolt.DB) *committer {
	c := &committer{db: db}
	c.group.Run, c.group.Max, c.group.Pace = c.commit, maxGroup, commitPace
	return c
}

// do runs fn in a write transaction shared with other writes and returns
// once that transaction is durable. Like bbolt's Batch, fn may run more
// than once (again on its own when another write of its group failed), so
// it must start from scratch each time and return an error only for a real
// failure.
func (c *committer) do(fn func(*bbolt.Tx) error) error {
	if c.closed.Load() {
		return errClosed
	}
	w := &write{fn: fn}
	c.group.Do(w)
	return w.err
}

// commit runs a group's writes in one transaction. When it fails, each
// write runs again in a transaction of its own, so that one write's
// failure is not the others'.
func (c *committer) commit(group []*write) {
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
			w.err = err
		}
		return
	}
	for _, w := range group {
		w.err = c.db.Update(w.fn)
	}
}

// close refuses writes from now on; those already handed in still commit.
func (c *committer) close() { c.closed.Store(true) }
