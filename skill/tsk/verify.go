package tsk

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"time"
)

// Verifier checks the Authorization header of signed bodies. Its zero value
// accepts nothing (no keys); fill Secrets for TSK-HMAC-SHA256-BASIC and
// PublicKeys for TSK-RSA2. Several secrets and keys may be given at once so
// they can rotate: a signature is good if any of them verifies it. The pay
// interfaces take TSK-RSA2 only: build their Verifier with PayVerifier.
type Verifier struct {
	Secrets    [][]byte         // SkillSecrets accepted for TSK-HMAC-SHA256-BASIC
	PublicKeys []*rsa.PublicKey // sender public keys accepted for TSK-RSA2
	Window     time.Duration    // allowed clock distance either way; 0 means DefaultWindow (3m)
	Now        func() time.Time // the clock; nil means time.Now

	rsaOnly bool // refuse HMAC whatever Secrets holds: set by PayVerifier only
}

// Verify checks that header signs body: it parses the header, checks the
// timestamp is within the window of now (before any cryptography, so a
// stale request costs nothing), the algorithm is allowed and the signature
// verifies with one of the keys. On success it returns the parsed
// header. Errors wrap ErrNotSigned, ErrMalformedHeader, ErrUnknownAlgorithm,
// ErrAlgorithmNotAllowed, ErrBadSignature, ErrStale or ErrFuture.
func (v *Verifier) Verify(body []byte, header string) (Auth, error) {
	a, err := ParseAuthorization(header)
	if err != nil {
		return Auth{}, err
	}
	at, err := ParseTime(a.Datetime)
	if err != nil {
		return Auth{}, fmt.Errorf("%w: %w", ErrMalformedHeader, err)
	}
	// The clock first: a stale or future request is refused without any
	// RSA or HMAC work.
	if err := v.checkTime(at); err != nil {
		return Auth{}, err
	}
	var ok bool
	switch a.Algorithm {
	case HMAC:
		if v.rsaOnly {
			return Auth{}, fmt.Errorf("%w: %s (RSA2 required)", ErrAlgorithmNotAllowed, HMAC)
		}
		if len(v.Secrets) == 0 {
			return Auth{}, fmt.Errorf("%w: %s (no secret configured)", ErrAlgorithmNotAllowed, HMAC)
		}
		ok = verifyHMAC(body, a.Datetime, a.Signature, v.Secrets)
	case RSA2:
		if len(v.PublicKeys) == 0 {
			return Auth{}, fmt.Errorf("%w: %s (no public key configured)", ErrAlgorithmNotAllowed, RSA2)
		}
		ok = verifyRSA2(body, a.Datetime, a.Signature, v.PublicKeys)
	default:
		return Auth{}, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, truncate(a.Algorithm))
	}
	if !ok {
		return Auth{}, ErrBadSignature
	}
	return a, nil
}

// checkTime reports ErrStale or ErrFuture when at is outside the window.
func (v *Verifier) checkTime(at time.Time) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	window := v.Window
	if window <= 0 {
		window = DefaultWindow
	}
	d := now().Sub(at)
	switch {
	case d > window:
		return fmt.Errorf("%w: signed %s ago, window %s", ErrStale, d.Truncate(time.Second), window)
	case d < -window:
		return fmt.Errorf("%w: signed %s ahead, window %s", ErrFuture, (-d).Truncate(time.Second), window)
	}
	return nil
}

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
