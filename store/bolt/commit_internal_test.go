package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"
)

func openCommitter(t *testing.T) *committer {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "c.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return newCommitter(db)
}

func put(key string) func(*bbolt.Tx) error {
	return func(tx *bbolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte(key), []byte("v")) }
}

func has(t *testing.T, c *committer, key string) bool {
	t.Helper()
	found := false
	_ = c.db.View(func(tx *bbolt.Tx) error { found = tx.Bucket([]byte("b")).Get([]byte(key)) != nil; return nil })
	return found
}

// hold starts a write that blocks the committer until release is closed,
// so that the writes started next pile up into one group.
func hold(t *testing.T, c *committer) (release func(), wait func()) {
	started, unblock := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := c.do(func(tx *bbolt.Tx) error {
			select {
			case <-started:
			default:
				close(started)
			}
			<-unblock
			return put("first")(tx)
		}); err != nil {
			t.Error(err)
		}
	})
	<-started
	return func() { close(unblock) }, wg.Wait
}

// Writes that arrive while a commit is in progress share the next
// transaction, and each is durable when do returns.
func TestGroupCommitSharesTransactions(t *testing.T) {
	c := openCommitter(t)
	release, wait := hold(t, c)
	const n = 50
	var mu sync.Mutex
	txs := map[int]bool{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := c.do(func(tx *bbolt.Tx) error {
				mu.Lock()
				txs[tx.ID()] = true
				mu.Unlock()
				return put(fmt.Sprint(i))(tx)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	for c.group.Pending() != n { // every write is queued behind the held one
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	wait()
	for i := range n {
		if !has(t, c, fmt.Sprint(i)) {
			t.Errorf("write %d acknowledged but not stored", i)
		}
	}
	if len(txs) != 1 {
		t.Errorf("%d writes queued together took %d transactions, want 1", n, len(txs))
	}
	if n := c.group.Pending(); n != 0 {
		t.Errorf("committer left %d writes pending", n)
	}
}

// A write that fails fails alone: the others of its group are committed.
func TestGroupCommitIsolatesFailure(t *testing.T) {
	c := openCommitter(t)
	release, wait := hold(t, c)
	boom := errors.New("boom")
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			errs[i] = c.do(func(tx *bbolt.Tx) error {
				if i == 2 {
					_ = put("bad")(tx)
					return boom
				}
				return put(fmt.Sprint(i))(tx)
			})
		})
	}
	for c.group.Pending() != len(errs) {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	wait()
	for i, err := range errs {
		switch {
		case i == 2 && !errors.Is(err, boom):
			t.Errorf("failing write: %v, want boom", err)
		case i != 2 && (err != nil || !has(t, c, fmt.Sprint(i))):
			t.Errorf("write %d: %v, stored %v", i, err, has(t, c, fmt.Sprint(i)))
		}
	}
	if has(t, c, "bad") {
		t.Error("the failed write's change was committed")
	}
}

func TestGroupCommitAfterClose(t *testing.T) {
	c := openCommitter(t)
	c.close()
	if err := c.do(put("k")); !errors.Is(err, errClosed) {
		t.Errorf("write after close: %v, want errClosed", err)
	}
}
