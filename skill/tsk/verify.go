package tsk

import (
	"crypto/rsa"
	"fmt"
	"time"
)

// Verifier checks the Authorization header of signed bodies. Its zero value
// accepts nothing (no keys); fill Secrets for TSK-HMAC-SHA256-BASIC and
// PublicKeys for TSK-RSA2. Several secrets and keys may be given at once so
// they can rotate: a signature is good if any of them verifies it.
type Verifier struct {
	Secrets    [][]byte         // SkillSecrets accepted for TSK-HMAC-SHA256-BASIC
	PublicKeys []*rsa.PublicKey // sender public keys accepted for TSK-RSA2
	Window     time.Duration    // allowed clock distance either way; 0 means DefaultWindow (3m)
	Now        func() time.Time // the clock; nil means time.Now
	RSAOnly    bool             // refuse HMAC (the pay interfaces require TSK-RSA2)
}

// Verify checks that header signs body: it parses the header, checks the
// algorithm is allowed, the signature verifies with one of the keys, and the
// timestamp is within the window of now. On success it returns the parsed
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
	var ok bool
	switch a.Algorithm {
	case HMAC:
		if v.RSAOnly {
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
	if err := v.checkTime(at); err != nil {
		return Auth{}, err
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
