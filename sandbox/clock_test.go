package sandbox_test

import (
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

func TestClock(t *testing.T) {
	var c sandbox.Clock
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Errorf("a new clock is %v off real time", d)
	}
	if err := c.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if ahead := time.Until(c.Now()); ahead < 2*time.Hour-time.Second || ahead > 2*time.Hour+time.Second {
		t.Errorf("after Advance(2h) the clock is %v ahead", ahead)
	}
	for _, d := range []time.Duration{0, -time.Hour} {
		if err := c.Advance(d); err == nil {
			t.Errorf("Advance(%v) succeeded; the clock only moves forward", d)
		}
	}
	if ahead := time.Until(c.Now()); ahead < 2*time.Hour-time.Second {
		t.Errorf("a refused Advance moved the clock: %v ahead", ahead)
	}
}
