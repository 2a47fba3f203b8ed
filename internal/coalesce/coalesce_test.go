package coalesce_test

import (
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

// With a Pace, groups start at least that far apart, and what is handed in
// meanwhile joins the next group; after a pause an item starts at once.
func TestPace(t *testing.T) {
	const pace = 300 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	var sizes []int
	g := &coalesce.Group[int]{Pace: pace, Run: func(items []int) {
		mu.Lock()
		defer mu.Unlock()
		starts, sizes = append(starts, time.Now()), append(sizes, len(items))
	}}
	t0 := time.Now()
	g.Do(0)
	if took := time.Since(t0); took > pace*3/4 {
		t.Errorf("the first item took %v: it waited for the pace", took)
	}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() { g.Do(i + 1) })
	}
	wg.Wait()
	if len(sizes) != 2 || sizes[1] != 10 {
		t.Fatalf("groups of %v; want 1, then the 10 handed in within the pace", sizes)
	}
	if gap := starts[1].Sub(starts[0]); gap < pace {
		t.Errorf("the second group started %v after the first; want at least %v", gap, pace)
	}
	time.Sleep(pace + 50*time.Millisecond)
	t1 := time.Now()
	g.Do(99)
	if took := time.Since(t1); took > pace*3/4 {
		t.Errorf("an item after a pause took %v: it waited for the pace", took)
	}
}
