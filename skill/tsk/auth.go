package tsk

import (
	"fmt"
	"strings"
	"time"
)

// Signature algorithms, as they appear first in the Authorization header.
const (
	HMAC = "TSK-HMAC-SHA256-BASIC"
	RSA2 = "TSK-RSA2"
)

// Auth is a parsed Authorization header:
// "<Algorithm> Datetime=<timestamp>, Signature=<signature>".
type Auth struct {
	Algorithm string // HMAC or RSA2 (or anything else, then Verify refuses it)
	Datetime  string // the signed timestamp, 20060102T150405Z
	Signature string // lowercase hex (HMAC) or standard base64 (RSA2)
}

// String formats a as an Authorization header value.
func (a Auth) String() string {
	return a.Algorithm + " Datetime=" + a.Datetime + ", Signature=" + a.Signature
}

// ParseAuthorization parses an Authorization header value. It tolerates
// surrounding and repeated spaces and either order of the two parameters;
// parameter names are matched case-insensitively. A blank header is
// ErrNotSigned; anything else it cannot read is ErrMalformedHeader. It does
// not check that the algorithm is known (Verify does).
func ParseAuthorization(h string) (Auth, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return Auth{}, ErrNotSigned
	}
	i := strings.IndexAny(h, " \t")
	if i < 0 {
		return Auth{}, fmt.Errorf("%w: no parameters after %q", ErrMalformedHeader, truncate(h))
	}
	alg, rest := h[:i], h[i+1:]
	a := Auth{Algorithm: alg}
	var haveDate, haveSig bool
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return Auth{}, fmt.Errorf("%w: empty parameter", ErrMalformedHeader)
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return Auth{}, fmt.Errorf("%w: parameter %q has no value", ErrMalformedHeader, truncate(part))
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if value == "" || strings.ContainsAny(value, " \t") {
			return Auth{}, fmt.Errorf("%w: bad value for %q", ErrMalformedHeader, truncate(name))
		}
		switch {
		case strings.EqualFold(name, "Datetime") && !haveDate:
			a.Datetime, haveDate = value, true
		case strings.EqualFold(name, "Signature") && !haveSig:
			a.Signature, haveSig = value, true
		default:
			return Auth{}, fmt.Errorf("%w: unexpected parameter %q", ErrMalformedHeader, truncate(name))
		}
	}
	if !haveDate || !haveSig {
		return Auth{}, fmt.Errorf("%w: want Datetime and Signature", ErrMalformedHeader)
	}
	return a, nil
}

// truncate keeps attacker-controlled text in error messages short.
func truncate(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

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
