package coalesce_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/coalesce"
)

// Items handed in while a group runs make the next group (at most Max);
// every item is run exactly once, and Do returns only after its items ran.
func TestGroupsGrowWithTheLoad(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var groups [][]int
	ran := map[int]int{}
	g := &coalesce.Group[int]{Max: 10, Run: func(items []int) {
		if items[0] == -1 {
			<-release // the first group holds the others back
		}
		mu.Lock()
		defer mu.Unlock()
		groups = append(groups, items)
		for _, it := range items {
			ran[it]++
		}
	}}
	var wg sync.WaitGroup
	wg.Go(func() { g.Do(-1) })
	time.Sleep(20 * time.Millisecond)
	for i := range 25 {
		wg.Go(func() {
			g.Do(i)
			mu.Lock()
			defer mu.Unlock()
			if ran[i] != 1 {
				t.Errorf("Do(%d) returned with the item run %d times", i, ran[i])
			}
		})
	}
	for g.Pending() != 25 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if len(groups) != 4 || len(groups[1]) != 10 || len(groups[2]) != 10 || len(groups[3]) != 5 {
		t.Errorf("groups %v; want [-1], then 10, 10 and 5", groups)
	}
	if len(ran) != 26 || g.Pending() != 0 {
		t.Errorf("%d items ran, %d pending", len(ran), g.Pending())
	}
}

// A lone item runs at once, alone, in the caller's goroutine.
func TestLoneItemRunsAtOnce(t *testing.T) {
	var got []string
	g := &coalesce.Group[string]{Run: func(items []string) { got = append(got, items...) }}
	g.Do("a")
	g.Do("b", "c")
	if len(got) != 3 || got[0] != "a" || got[2] != "c" {
		t.Errorf("ran %v", got)
	}
}

// With a Pace, a group follows one of more than one item at least that
// far apart, and what is handed in meanwhile joins it; after a group of
// one the next starts at once, so work handed in in sequence does not wait.
func TestPace(t *testing.T) {
	const pace = 300 * time.Millisecond
	release := make(chan struct{})
	var mu sync.Mutex
	var starts []time.Time
	var sizes []int
	g := &coalesce.Group[int]{Pace: pace, Run: func(items []int) {
		if items[0] == -1 {
			<-release // the first group holds ten others back, to make a group
		}
		mu.Lock()
		defer mu.Unlock()
		starts, sizes = append(starts, time.Now()), append(sizes, len(items))
	}}
	var wg sync.WaitGroup
	wg.Go(func() { g.Do(-1) })
	for g.Pending() != 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	for i := range 10 {
		wg.Go(func() { g.Do(i) })
	}
	for g.Pending() != 10 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for {
		mu.Lock()
		n := len(sizes)
		mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i := range 10 { // within the pace of the group of ten
		wg.Go(func() { g.Do(100 + i) })
	}
	wg.Wait()
	if fmt.Sprint(sizes) != "[1 10 10]" {
		t.Fatalf("groups of %v; want 1, then the 10 held back, then the 10 handed in within the pace", sizes)
	}
	// Run is timed a little after the group starts (the pace runs from
	// then): a few milliseconds either way are that, not the pace missed
	// (a run on a busy machine measured 299.93ms).
	if gap := starts[2].Sub(starts[1]); gap < pace-10*time.Millisecond {
		t.Errorf("the third group started %v after the second; want at least %v", gap, pace)
	}
	t0 := time.Now()
	for i := range 20 { // in sequence: each a group of one
		g.Do(200 + i)
	}
	if took := time.Since(t0); took > 2*pace {
		t.Errorf("20 items in sequence took %v: they waited for the pace (%v) more than once", took, pace)
	}
}
