package days_test

import (
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/days"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"8d", 8 * days.Day, true},
		{"0d", 0, true},
		{"1d12h", 36 * time.Hour, true},
		{"1d30m", days.Day + 30*time.Minute, true},
		{"36h", 36 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{"-2h", -2 * time.Hour, true}, // Go's own reading; callers bound it
		{"d", 0, false},
		{"-1d", 0, false},
		{"+1d", 0, false},
		{"1.5d", 0, false},
		{"1dd", 0, false},
		{"1d-1h", 0, false},
		{"1d 2h", 0, false},
		{"1d+1h", 0, false},
		{"1d.5h", 0, false},
		{"1d0", 0, false},
		{"1d-0s", 0, false},
		{"1d1", 0, false},
		{"1d1h1", 0, false},
		{"7days", 0, false},
		{"", 0, false},
		{"106751d", 106751 * days.Day, true},
		{"106752d", 0, false},
		{"106751d23h59m59s", 0, false},
	} {
		got, err := days.Parse(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("days.Parse(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		8 * days.Day:                       "8d",
		9*days.Day + 12*time.Hour:          "9d12h",
		days.Day + 70*time.Minute:          "1d1h10m",
		days.Day + 5*time.Second:           "1d5s",
		days.Day + time.Hour + time.Second: "1d1h0m1s",
		2*time.Hour + 30*time.Minute:       "2h30m0s",
		0:                                  "0s",
	} {
		if got := days.Format(d); got != want {
			t.Errorf("days.Format(%v) = %q, want %q", d, got, want)
		}
		if back, err := days.Parse(days.Format(d)); err != nil || back != d {
			t.Errorf("days.Parse(days.Format(%v)) = %v, %v", d, back, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"8d", "1d12h", "36h", "106751d", "-1d", "1d-1h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := days.Parse(s)
		if err == nil && d >= 0 {
			if back, err := days.Parse(days.Format(d)); err != nil || back != d {
				t.Errorf("days.Parse(days.Format(%v)) = %v, %v", d, back, err)
			}
		}
		if err == nil && d < 0 {
			if _, goErr := time.ParseDuration(s); goErr != nil {
				t.Errorf("days.Parse(%q) = %v: negative, and not a Go duration", s, d)
			}
		}
	})
}
