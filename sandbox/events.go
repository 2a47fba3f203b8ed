package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub tells the open simulator pages that something happened: each
// subscriber gets the console's latest change number. A slow subscriber
// misses numbers, never the last one.
type hub struct {
	mu     sync.Mutex
	subs   map[chan int]struct{}
	closed bool
}

// publish sends seq to every subscriber without blocking.
func (h *hub) publish(seq int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- seq:
		default: // full: drop the older number, keep the newest
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- seq:
			default:
			}
		}
	}
}

// subscribe returns a channel of change numbers, closed by close, and a
// function to stop.
func (h *hub) subscribe() (<-chan int, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := make(chan int, 1)
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	if h.subs == nil {
		h.subs = map[chan int]struct{}{}
	}
	h.subs[ch] = struct{}{}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// close ends every subscription, so that streaming handlers return and a
// server can shut down.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		close(ch)
	}
	h.subs = nil
}

// serveEvents is GET /sandbox/events: a server-sent event stream with one
// "change" event (data: the change number) whenever the console did
// something, and a comment every 15 seconds to keep proxies from closing it.
func (c *Console) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, stop := c.hub.subscribe()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	c.mu.Lock()
	seq := c.seq
	c.mu.Unlock()
	fmt.Fprintf(w, "retry: 2000\nevent: change\ndata: %d\n\n", seq)
	flusher.Flush()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case seq, ok := <-ch:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: change\ndata: %d\n\n", seq)
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-r.Context().Done():
			return
		}
		flusher.Flush()
	}
}
