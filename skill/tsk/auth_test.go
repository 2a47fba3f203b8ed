package tsk_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func TestParseAuthorization(t *testing.T) {
	want := tsk.Auth{Algorithm: tsk.RSA2, Datetime: "20170720T193559Z", Signature: "ZDg2MA=="}
	tests := []struct {
		name    string
		header  string
		want    tsk.Auth
		wantErr error
	}{
		{"canonical", "TSK-RSA2 Datetime=20170720T193559Z, Signature=ZDg2MA==", want, nil},
		{"no space after comma", "TSK-RSA2 Datetime=20170720T193559Z,Signature=ZDg2MA==", want, nil},
		{"extra spaces", "  TSK-RSA2   Datetime = 20170720T193559Z ,   Signature= ZDg2MA==  ", want, nil},
		{"reversed order", "TSK-RSA2 Signature=ZDg2MA==, Datetime=20170720T193559Z", want, nil},
		{"tab separator", "TSK-RSA2\tDatetime=20170720T193559Z,\tSignature=ZDg2MA==", want, nil},
		{"lower-case names", "TSK-RSA2 datetime=20170720T193559Z, signature=ZDg2MA==", want, nil},
		{"hmac hex kept as is", "TSK-HMAC-SHA256-BASIC Datetime=20180101T203559Z, Signature=D861ab",
			tsk.Auth{Algorithm: tsk.HMAC, Datetime: "20180101T203559Z", Signature: "D861ab"}, nil},
		{"unknown algorithm parses", "FOO Datetime=1, Signature=2", tsk.Auth{Algorithm: "FOO", Datetime: "1", Signature: "2"}, nil},
		{"empty", "", tsk.Auth{}, tsk.ErrNotSigned},
		{"algorithm only", "TSK-RSA2", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"missing signature", "TSK-RSA2 Datetime=20170720T193559Z", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"missing datetime", "TSK-RSA2 Signature=abc", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"duplicate datetime", "TSK-RSA2 Datetime=1, Datetime=2, Signature=3", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"empty value", "TSK-RSA2 Datetime=, Signature=abc", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"no equals", "TSK-RSA2 Datetime 1, Signature=abc", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"unknown parameter", "TSK-RSA2 Datetime=1, Signature=2, Nonce=3", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"trailing comma", "TSK-RSA2 Datetime=1, Signature=2,", tsk.Auth{}, tsk.ErrMalformedHeader},
		{"space inside value", "TSK-RSA2 Datetime=1 2, Signature=3", tsk.Auth{}, tsk.ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tsk.ParseAuthorization(tt.header)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseAuthorization = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAuthStringRoundTrip(t *testing.T) {
	a := tsk.Auth{Algorithm: tsk.HMAC, Datetime: "20180101T203559Z", Signature: "d8612ab1"}
	if got := a.String(); got != "TSK-HMAC-SHA256-BASIC Datetime=20180101T203559Z, Signature=d8612ab1" {
		t.Fatalf("String = %q", got)
	}
	b, err := tsk.ParseAuthorization(a.String())
	if err != nil || b != a {
		t.Fatalf("ParseAuthorization(String) = %+v, %v", b, err)
	}
}

func TestTime(t *testing.T) {
	beijing := time.FixedZone("CST", 8*3600)
	if got := tsk.FormatTime(time.Date(2017, 7, 21, 3, 35, 59, 999, beijing)); got != "20170720T193559Z" {
		t.Errorf("FormatTime = %q, want UTC 20170720T193559Z", got)
	}
	got, err := tsk.ParseTime("20170720T193559Z")
	if err != nil || !got.Equal(time.Date(2017, 7, 20, 19, 35, 59, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("ParseTime = %v, %v", got, err)
	}
	for _, bad := range []string{"", "2017-07-20T19:35:59Z", "20170720T193559", "20171320T193559Z"} {
		if _, err := tsk.ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}
