package ttlmap_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/ttlmap"
)

func TestSeen(t *testing.T) {
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	s := ttlmap.NewSeen(ttlmap.Config{Now: c.Now})
	add := func(key string, ttl time.Duration, want bool) {
		t.Helper()
		if got, err := s.Add(key, ttl); err != nil || got != want {
			t.Errorf("Add(%q, %v) at +%v = %v, %v; want %v", key, ttl, c.Now().Sub(time.Unix(1_700_000_000, 0)), got, err, want)
		}
	}
	add("a", 3*time.Minute, true)
	add("a", 3*time.Minute, false)
	add("b", 3*time.Minute, true)
	add("a", time.Second, false) // seen, whatever the ttl asked now
	add("short", 300*time.Millisecond, true)

	c.Add(299 * time.Millisecond)
	add("short", 300*time.Millisecond, false)
	c.Add(300*time.Millisecond/8 + 2*time.Millisecond) // at most an eighth longer
	add("short", 300*time.Millisecond, true)

	c.Add(3*time.Minute - 400*time.Millisecond)
	add("a", 3*time.Minute, false) // within its ttl: the first add's
	c.Add(3*time.Minute/8 + time.Second)
	add("a", 3*time.Minute, true)
	if n := s.Len(); n > 3 {
		t.Errorf("Len() = %d after the first keys expired; want their buckets dropped", n)
	}
}

func TestSeenFull(t *testing.T) {
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	s := ttlmap.NewSeen(ttlmap.Config{Max: 3, Now: c.Now})
	for i := range 3 {
		if ok, err := s.Add(fmt.Sprint(i), time.Second); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if _, err := s.Add("x", time.Second); !errors.Is(err, ttlmap.ErrFull) {
		t.Errorf("Add past Max = %v; want ErrFull", err)
	}
	if ok, err := s.Add("0", time.Second); ok || err != nil {
		t.Errorf("Add of a live key when full = %v, %v; want seen, no error", ok, err)
	}
	c.Add(2 * time.Second)
	if ok, err := s.Add("x", time.Second); !ok || err != nil {
		t.Errorf("Add after expiry = %v, %v; want room again", ok, err)
	}
}

// TestSeenCompact: a replay memory of request ids costs about the size of
// their digests, whatever the ids' length.
func TestSeenCompact(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates")
	}
	const n = 500_000
	// One instant for every id: with the wall clock, a run that crosses a
	// bucket boundary splits the ids over two sets and measures each one's
	// slack at its own size.
	at := time.Now()
	s := ttlmap.NewSeen(ttlmap.Config{Now: func() time.Time { return at }})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		if _, err := s.Add(fmt.Sprintf("a-request-id-of-some-length-%012d", i), 3*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.1f bytes per remembered request id", per)
	if per > 16 { // a set grown by half from three quarters full is half full
		t.Errorf("%.1f bytes per remembered request id; want at most 16", per)
	}
	runtime.KeepAlive(s)
}

// Under a steady load each bucket is sized for what the one before it held,
// so the sets stay about three quarters full: some 11 bytes an id.
func TestSeenCompactSteady(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates")
	}
	c := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := ttlmap.NewSeen(ttlmap.Config{Now: c.Now})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const perMilli, millis = 4, 160_000 // ten 16-second buckets of a 3-minute ttl
	for ms := range millis {
		for i := range perMilli {
			if _, err := s.Add(fmt.Sprintf("id-%d-%d", ms, i), 3*time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		c.Add(time.Millisecond)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / (perMilli * millis)
	t.Logf("%.1f bytes per remembered request id", per)
	if per > 13 {
		t.Errorf("%.1f bytes per remembered request id under a steady load; want at most 13", per)
	}
	runtime.KeepAlive(s)
}
