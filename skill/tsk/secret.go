package tsk

import "log/slog"

// Secret is a shared secret (the SkillSecret of TSK-HMAC-SHA256-BASIC, or any
// other key material). It logs as "[redacted]" through log/slog and prints
// the same way with fmt's %v and %s.
type Secret []byte

// LogValue implements slog.LogValuer: a Secret never reaches a log.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String returns "[redacted]", so fmt never prints the secret either.
func (Secret) String() string { return "[redacted]" }

// GoString returns "[redacted]" for %#v.
func (Secret) GoString() string { return "tsk.Secret([redacted])" }

var _ slog.LogValuer = Secret(nil)
