package server

import (
	"context"
	"testing"
	"time"
)

// The gate admits up to its slots at once, queues up to its queue (each
// for at most its wait) and refuses the rest at once.
func TestGate(t *testing.T) {
	ctx := context.Background()
	g := newGate(1, 1, time.Second)
	if !g.acquire(ctx) {
		t.Fatal("first acquire refused")
	}
	queued := make(chan bool)
	go func() { queued <- g.acquire(ctx) }()
	for g.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if g.acquire(ctx) || time.Since(start) > 100*time.Millisecond {
		t.Fatal("a request past the queue was not refused at once")
	}
	g.release()
	if !<-queued {
		t.Fatal("the queued request did not get the freed slot")
	}
	g.release()

	short := newGate(1, 1, 20*time.Millisecond)
	short.acquire(ctx)
	if short.acquire(ctx) {
		t.Fatal("a queued request got a slot nobody freed")
	}
	if short.waiting.Load() != 0 {
		t.Fatal("a request that gave up still counts as waiting")
	}
}
