package shop_test

import (
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestQueryFails(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var q shop.QueryFails
	if q.Reset() {
		t.Error("Reset of nothing reports a change")
	}
	steps := []struct {
		why        string
		late       bool
		count, lat int
	}{
		{"ret_fail", false, 1, 0},
		{"ret_fail", true, 2, 1},
		{"ret_fail", true, 3, 2},
		{"mismatch", false, 4, 0}, // not a plain late FAIL: Late starts again
		{"ret_fail", true, 5, 1},
	}
	for i, s := range steps {
		q.Add(t0.Add(time.Duration(i)*time.Minute), s.why, "msg", s.late)
		if q.Count != s.count || q.Late != s.lat || q.Why != s.why || !q.Since.Equal(t0) || !q.At.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Fatalf("step %d: %+v", i, q)
		}
	}
	if !q.Reset() || q != (shop.QueryFails{}) {
		t.Errorf("after Reset: %+v", q)
	}
}
