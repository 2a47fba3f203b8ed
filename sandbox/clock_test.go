package sandbox_test

import (
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

func TestClock(t *testing.T) {
	var c sandbox.Clock
	near := func(what string, want time.Duration) {
		t.Helper()
		if ahead := time.Until(c.Now()); ahead < want-time.Second || ahead > want+time.Second {
			t.Errorf("%s: the clock is %v ahead, want %v", what, ahead, want)
		}
		if c.Ahead() != want {
			t.Errorf("%s: Ahead() = %v, want %v", what, c.Ahead(), want)
		}
	}
	near("a new clock", 0)
	if err := c.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	near("after Advance(2h)", 2*time.Hour)
	for _, d := range []time.Duration{0, -time.Hour} {
		if err := c.Advance(d); err == nil {
			t.Errorf("Advance(%v) succeeded; want a positive duration", d)
		}
		if _, err := c.Rewind(d); err == nil {
			t.Errorf("Rewind(%v) succeeded; want a positive duration", d)
		}
	}
	near("after refused moves", 2*time.Hour)
	if err := c.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if back, err := c.Rewind(3 * time.Hour); err != nil || back != 3*time.Hour {
		t.Fatalf("Rewind(3h) = %v, %v", back, err)
	}
	near("after Advance(2h), Rewind(3h)", time.Hour)
	if back, err := c.Rewind(5 * time.Hour); err != nil || back != time.Hour {
		t.Fatalf("Rewind(5h) an hour ahead = %v, %v; want 1h: never behind real time", back, err)
	}
	near("after rewinding past real time", 0)
}
