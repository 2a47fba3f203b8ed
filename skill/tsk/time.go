package tsk

import (
	"fmt"
	"time"
)

// TimeLayout is the layout of TSK timestamps: YYYYMMDD'T'HHMMSS'Z', in UTC.
const TimeLayout = "20060102T150405Z"

// DefaultWindow is how far a signed timestamp may be from now, in either
// direction, when Verifier.Window is zero.
const DefaultWindow = 3 * time.Minute

// FormatTime formats t in UTC as a TSK timestamp, e.g. "20170720T193559Z".
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeLayout)
}

// ParseTime parses a TSK timestamp ("20170720T193559Z") as a UTC time.
func ParseTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(TimeLayout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("tsk: bad timestamp %q: %w", s, err)
	}
	return t, nil
}

// signingContent returns body immediately followed by the timestamp.
func signingContent(body []byte, ts string) []byte {
	buf := make([]byte, 0, len(body)+len(ts))
	buf = append(buf, body...)
	return append(buf, ts...)
}
