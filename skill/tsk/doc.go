// Package tsk speaks the Tencent Dingdang (TSK) custom-skill protocol: it
// signs and verifies requests and replies (TSK-HMAC-SHA256-BASIC and
// TSK-RSA2), loads RSA keys, and models the JSON a skill receives (Request)
// and answers (Response, with its directives).
//
// The package depends on the standard library and the core package skill
// only; it never imports an HTTP framework. Signing works over raw body
// bytes and header strings, so an HTTP layer is a thin wrapper:
//
//	auth, err := verifier.Verify(body, r.Header.Get("Authorization"))
//
// The signed content is the exact body bytes immediately followed by the
// timestamp in the form 20060102T150405Z (UTC), with no separator. Never
// re-serialise a body before verifying it.
package tsk
