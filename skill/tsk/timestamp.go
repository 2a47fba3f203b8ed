package tsk

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// isoDateTime matches an ISO 8601 date and time of day in the basic
// (20170720T193559Z) or extended (2017-07-20T19:35:59Z) form, with an
// optional fraction of a second (. or ,) and an optional zone: Z or an
// offset of hours, with or without minutes.
var isoDateTime = regexp.MustCompile(`^(\d{4})(-?)(\d{2})(-?)(\d{2})[Tt](\d{2})(:?)(\d{2})(:?)(\d{2})(?:[.,](\d{1,9}))?([Zz]|[+-]\d{2}(?::?\d{2})?)?$`)

// ParseTimestamp parses a request's request.timestamp. The docs give the
// compact form of the signature's Datetime (20170720T193559Z), but the
// platform's examples and other platforms' events use other ISO 8601 forms,
// so any of them is accepted: basic or extended, with Z, an offset (+08:00,
// +0800, +08) or no zone (UTC, the platform's clock), with a fraction of a
// second. The result is in UTC. ParseTime, for the signed Datetime, stays
// strict: its exact string is part of what is signed.
func ParseTimestamp(s string) (time.Time, error) {
	m := isoDateTime.FindStringSubmatch(s)
	if m == nil || m[2] != m[4] || m[7] != m[9] {
		return time.Time{}, fmt.Errorf("tsk: bad timestamp %q: want ISO 8601, e.g. 20170720T193559Z or 2017-07-20T19:35:59+08:00", s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	year, month, day, hour, minute, sec := n(1), n(3), n(5), n(6), n(8), n(10)
	nanos := 0
	if f := m[11]; f != "" {
		nanos, _ = strconv.Atoi((f + "00000000")[:9])
	}
	zone, err := offset(m[12])
	if err != nil {
		return time.Time{}, fmt.Errorf("tsk: bad timestamp %q: %w", s, err)
	}
	daysIn := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("tsk: bad timestamp %q: out of range", s)
	}
	// A leap second (:60) is the next second's start, as time.Date makes it.
	return time.Date(year, time.Month(month), day, hour, minute, sec, nanos, zone).UTC(), nil
}

// offset parses the zone of an ISO 8601 time: "" or Z is UTC.
func offset(z string) (*time.Location, error) {
	if z == "" || z == "Z" || z == "z" {
		return time.UTC, nil
	}
	digits := z[1:]
	if len(digits) > 2 && digits[2] == ':' {
		digits = digits[:2] + digits[3:]
	}
	h, _ := strconv.Atoi(digits[:2])
	mins := 0
	if len(digits) == 4 {
		mins, _ = strconv.Atoi(digits[2:])
	}
	if h > 23 || mins > 59 {
		return nil, fmt.Errorf("offset %s out of range", z)
	}
	secs := (h*60 + mins) * 60
	if z[0] == '-' {
		secs = -secs
	}
	return time.FixedZone("", secs), nil
}
