package tsk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2017, 7, 20, 19, 35, 59, 0, time.UTC)
	frac := want.Add(123 * time.Millisecond)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"20170720T193559Z", want},          // the docs' compact (basic) form
		{"2017-07-20T19:35:59Z", want},      // extended
		{"2017-07-21T03:35:59+08:00", want}, // with an offset
		{"2017-07-20T14:35:59-05:00", want}, // west of UTC
		{"20170721T033559+0800", want},      // basic with an offset
		{"2017-07-21T03:35:59+08", want},    // hours-only offset
		{"2017-07-20T19:35:59.123Z", frac},  // fractional seconds
		{"2017-07-20T19:35:59,123Z", frac},  // ISO's decimal comma
		{"20170720T193559.123Z", frac},      // compact with a fraction
		{"2017-07-21T03:35:59.123456789+08:00", want.Add(123456789)},
		{"2017-07-20T19:35:59", want},  // no zone: the platform's clock is UTC
		{"2017-07-20t19:35:59z", want}, // RFC 3339 allows lower case
		{"2017-07-20T19:35:59+00:00", want},
	}
	for _, tt := range tests {
		got, err := tsk.ParseTimestamp(tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", "2017-07-20", "19:35:59", "2017-07-20 19:35:59Z", "2017-13-20T19:35:59Z", "2017-02-30T19:35:59Z",
		"2017-07-20T24:35:59Z", "2017-07-20T19:60:59Z", "2017-07-20T19:35:61Z", "2017-07-20T19:35:59+25:00",
		"2017-07-20T19:35:59.Z", "2017-07-20T19:35:59.1234567891Z", "2017-07-20T19:35:59ZZ", "1500579359",
		"2017-07-20T19:35:59+08:0", "+2017-07-20T19:35:59Z", strings.Repeat("2", 100),
	} {
		if got, err := tsk.ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) = %v, want an error", bad, got)
		}
	}
}

// TestDecodeTimestampForms: request.timestamp may come in any ISO 8601 form.
func TestDecodeTimestampForms(t *testing.T) {
	for _, ts := range []string{"20190520T193505Z", "2019-05-20T19:35:05Z", "2019-05-21T03:35:05+08:00", "2019-05-20T19:35:05.250Z"} {
		body := `{"version":"1.0","session":{"new":true,"sessionId":"s"},
		"context":{"System":{"application":{"applicationId":"a"},"device":{"deviceId":"d"},"user":{"userId":"u"}}},
		"request":{"type":"LaunchRequest","requestId":"r","timestamp":"` + ts + `"}}`
		r, err := tsk.Decode([]byte(body))
		if err != nil {
			t.Errorf("timestamp %q: %v", ts, err)
			continue
		}
		if got := r.Time().Truncate(time.Second); !got.Equal(time.Date(2019, 5, 20, 19, 35, 5, 0, time.UTC)) {
			t.Errorf("timestamp %q: Time() = %v", ts, got)
		}
	}
	_, err := tsk.Decode([]byte(`{"version":"1.0","session":{"sessionId":"s"},"context":{"System":{"application":{"applicationId":"a"},"user":{"userId":"u"}}},
	"request":{"type":"LaunchRequest","requestId":"r","timestamp":"yesterday"}}`))
	if !errors.Is(err, tsk.ErrInvalidRequest) || !strings.Contains(err.Error(), "request.timestamp") {
		t.Errorf("bad timestamp: %v", err)
	}
}
