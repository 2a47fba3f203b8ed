// Package days reads durations as people write them for orders and offers:
// a Go duration ("36h", "90m") or whole days ("7d"), optionally followed
// by a Go duration ("1d12h").
package days

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Day is 24 hours (the calendar's days are not needed here).
const Day = 24 * time.Hour

// Parse reads s as a Go duration, or as a whole number of days followed by
// "d" and optionally by a Go duration: "8d", "1d12h". A duration that
// overflows is an error.
func Parse(s string) (time.Duration, error) {
	bad := fmt.Errorf("days: %q: want a duration such as 8d, 1d12h or 36h", s)
	i := strings.IndexByte(s, 'd')
	if i < 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, bad
		}
		return d, nil
	}
	if !digits(s[:i]) {
		return 0, bad
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > int64(math.MaxInt64/Day) {
		return 0, fmt.Errorf("days: %q is too long", s)
	}
	d := time.Duration(n) * Day
	if rest := s[i+1:]; rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil || !digits(rest[:1]) || !strings.ContainsAny(rest[len(rest)-1:], "hms") {
			return 0, bad // "1d+1h", "1d.5h", "1d0"
		}
		if d > math.MaxInt64-more {
			return 0, fmt.Errorf("days: %q is too long", s)
		}
		d += more
	}
	return d, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Format writes d as Parse reads it, in days and what is left when it is
// a day or more ("9d12h", "8d"), else as a Go duration ("2h30m0s").
func Format(d time.Duration) string {
	if d < Day {
		return d.String()
	}
	s := strconv.FormatInt(int64(d/Day), 10) + "d"
	rest := d % Day
	if rest == 0 {
		return s
	}
	r := rest.String() // "12h0m0s": drop the zero minutes and seconds
	if strings.HasSuffix(r, "m0s") {
		r = strings.TrimSuffix(r, "0s")
	}
	if strings.HasSuffix(r, "h0m") {
		r = strings.TrimSuffix(r, "0m")
	}
	return s + r
}
