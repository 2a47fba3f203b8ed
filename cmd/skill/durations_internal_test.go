package main

import (
	"testing"
	"time"
)

// TestDurationSettings: SKILL_OFFER_TTL and SKILL_PAYMENT_WINDOW take days
// as well as Go durations, within their bounds.
func TestDurationSettings(t *testing.T) {
	for _, c := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"90d", 90 * 24 * time.Hour, true},
		{"91d", 0, false},
		{"+7d", 0, false},
		{"30s", 0, false},
	} {
		got, err := config{OfferTTL: c.value}.offerTTL()
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("SKILL_OFFER_TTL=%s: %v, %v; want %v, ok %v", c.value, got, err, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"2d", 48 * time.Hour, true},
		{"24h", 24 * time.Hour, true},
		{"1d30m", 24*time.Hour + 30*time.Minute, true},
		{"30s", 0, false},
		{"soon", 0, false},
	} {
		got, err := config{PaymentWindow: c.value}.paymentWindow()
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("SKILL_PAYMENT_WINDOW=%s: %v, %v; want %v, ok %v", c.value, got, err, c.want, c.ok)
		}
	}
}
