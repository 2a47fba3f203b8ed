package tsk

import "errors"

// Sentinel errors of signature verification. Verify wraps one of them, so
// callers test with errors.Is.
var (
	// ErrNotSigned means the Authorization header is missing or blank.
	ErrNotSigned = errors.New("tsk: request not signed")
	// ErrMalformedHeader means the Authorization header cannot be parsed.
	ErrMalformedHeader = errors.New("tsk: malformed authorization header")
	// ErrUnknownAlgorithm means the header names an algorithm other than
	// TSK-HMAC-SHA256-BASIC or TSK-RSA2.
	ErrUnknownAlgorithm = errors.New("tsk: unknown signature algorithm")
	// ErrAlgorithmNotAllowed means the algorithm is known but refused, e.g.
	// HMAC when the Verifier requires RSA2, or no key is configured for it.
	ErrAlgorithmNotAllowed = errors.New("tsk: signature algorithm not allowed")
	// ErrBadSignature means no configured key verifies the signature.
	ErrBadSignature = errors.New("tsk: bad signature")
	// ErrStale means the signed timestamp is older than the window allows.
	ErrStale = errors.New("tsk: signature timestamp too old")
	// ErrFuture means the signed timestamp is further ahead than the window allows.
	ErrFuture = errors.New("tsk: signature timestamp in the future")
)

// ErrInvalidRequest is wrapped by Decode when a request body is not valid
// JSON or lacks a required field.
var ErrInvalidRequest = errors.New("tsk: invalid request")
