package shop

import (
	"errors"
	"fmt"
)

// Error classes. Each class maps to one HTTP status at the edge (see the
// server package); anything without a class counts as EINTERNAL. A class is
// also a code, for errors that need nothing more specific.
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
//
// Code is short, stable and snake_case (at most 32 bytes, so that it fits a
// pay reply's retMsg): a class above, or a specific code (rules.go) whose
// class is in Class.
type Error struct {
	Code    string
	Class   string // "" when Code is itself a class
	Message string
	Err     error // optional cause, for logs only
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Coded returns an *Error of a class with a specific code and a formatted
// message.
func Coded(class, code, format string, args ...any) *Error {
	return &Error{Code: code, Class: class, Message: fmt.Sprintf(format, args...)}
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

// ErrorClass returns the class of err's code: one of EINVALID, ENOTFOUND,
// ECONFLICT, EUNAUTHORIZED, EUNAVAILABLE, EINTERNAL (for an unknown one or
// an error without a code), or "" for nil.
func ErrorClass(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return ErrorCode(err)
	}
	class := e.Class
	if class == "" {
		class = e.Code
	}
	switch class {
	case EINVALID, ENOTFOUND, ECONFLICT, EUNAUTHORIZED, EUNAVAILABLE, EINTERNAL:
		return class
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
