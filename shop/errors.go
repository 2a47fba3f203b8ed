package shop

import (
	"errors"
	"fmt"
)

// Error codes. Each code maps to one reply and HTTP status at the edge (see the
// server package); anything without a code counts as EINTERNAL.
const (
	EINVALID      = "invalid"      // the caller sent something wrong; retrying the same will fail
	ENOTFOUND     = "not_found"    // no such order, product, session
	ECONFLICT     = "conflict"     // the request contradicts stored state (illegal transition, amount mismatch)
	EUNAUTHORIZED = "unauthorized" // bad or missing credentials
	EUNAVAILABLE  = "unavailable"  // a dependency is down; retrying later may succeed
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is a domain error: a code for machines and a short message that is safe
// to show a user or a platform (it never holds secrets).
type Error struct {
	Code    string
	Message string
	Err     error // optional cause, for logs only
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, ErrNotFound) {
		return ENOTFOUND
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err; unknown errors become
// "internal error" so nothing internal leaks.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, ErrNotFound) {
		return "not found"
	}
	return "internal error"
}

// ErrNotFound is returned by stores for a missing key.
var ErrNotFound = errors.New("skill: not found")

// ErrNoChange, returned by an UpdateOrder callback, makes the update a no-op
// that still succeeds: the idempotent answer to a duplicate notification.
var ErrNoChange = errors.New("skill: no change")
