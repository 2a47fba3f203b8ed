// Package coalesce runs the work of concurrent callers in groups: work
// handed in while no group is running starts at once, alone; work handed
// in while a group runs waits for it, and then all of it runs as the next
// group. Under load the groups grow with the load, and a lone caller waits
// for nothing. A Group may also keep a least time between the starts of
// its groups once they have company (Pace), to make them larger under a
// steady load. The store/bolt group commit (one transaction and fsync for
// the writes of a group) and the store/redis automatic pipeline (one round
// trip for the commands of a group) are built on it.
//
// The first caller that finds no group running leads: it runs the pending
// work, group after group, until its own is done; if more is pending then,
// it hands the lead to a goroutine and returns.
package coalesce

import (
	"sync"
	"sync/atomic"
	"time"
)

// Group runs items of type T in groups of at most Max with Run. Set Run,
// Max and Pace before first use; the zero Max means no bound.
type Group[T any] struct {
	// Run handles one group; every item of it counts as done when Run
	// returns (Run reports each item's result through the item itself).
	Run func(items []T)
	// Max bounds a group's size.
	Max int
	// Pace is the least time between the start of a group of more than
	// one item and the start of the next (0: none). A group due sooner
	// waits out the rest, and the work handed in meanwhile joins it: under
	// a load that groups, groups then grow to what arrives in Pace. After a
	// group of one, the next starts at once: a lone caller, or one handing
	// in work after work in sequence, waits for the pace once at most.
	Pace time.Duration

	mu      sync.Mutex
	pending []entry[T]
	leading bool
	started time.Time // when the last group of more than one started (with Pace)
	grouped bool      // the last group had more than one item
}

type entry[T any] struct {
	item T
	w    *waiter
}

// waiter is closed once all of one caller's items are done.
type waiter struct {
	left atomic.Int32
	done chan struct{}
}

func (w *waiter) one() {
	if w.left.Add(-1) == 0 {
		close(w.done)
	}
}

// Do hands items in and returns once Run has handled every one of them.
func (g *Group[T]) Do(items ...T) {
	if len(items) == 0 {
		return
	}
	w := &waiter{done: make(chan struct{})}
	w.left.Store(int32(len(items)))
	g.mu.Lock()
	for _, it := range items {
		g.pending = append(g.pending, entry[T]{it, w})
	}
	if g.leading {
		g.mu.Unlock()
		<-w.done
		return
	}
	g.leading = true
	g.mu.Unlock()
	for {
		g.next()
		select {
		case <-w.done:
			g.mu.Lock()
			more := len(g.pending) > 0
			if !more {
				g.leading = false
			}
			g.mu.Unlock()
			if more {
				go g.lead()
			}
			return
		default:
		}
	}
}

// lead runs groups until none is pending.
func (g *Group[T]) lead() {
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.leading = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.next()
	}
}

// next runs the pending items (up to Max) as one group.
func (g *Group[T]) next() {
	if g.Pace > 0 {
		g.mu.Lock()
		wait := time.Until(g.started.Add(g.Pace))
		grouped := g.grouped
		g.mu.Unlock()
		if grouped && wait > 0 {
			time.Sleep(wait)
		}
	}
	g.mu.Lock()
	n := len(g.pending)
	if g.Max > 0 {
		n = min(n, g.Max)
	}
	if g.Pace > 0 && n > 0 {
		g.grouped = n > 1
		if g.grouped {
			g.started = time.Now()
		}
	}
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	if len(g.pending) == 0 {
		g.pending = nil
	}
	g.mu.Unlock()
	if n == 0 {
		return
	}
	items := make([]T, n)
	for i, e := range batch {
		items[i] = e.item
	}
	g.Run(items)
	for _, e := range batch {
		e.w.one()
	}
}

// Pending reports how many items wait for a group (for tests and metrics).
func (g *Group[T]) Pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pending)
}
