package tsk_test

import (
	"errors"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"TSK-RSA2 Datetime=20170720T193559Z, Signature=ZDg2MA==",
		"TSK-HMAC-SHA256-BASIC Datetime=20180101T203559Z, Signature=d8612ab1ff0301e1016d817c02350a2b76ea62e0",
		"  TSK-RSA2  Signature=a ,Datetime=b ",
		"", "TSK-RSA2", "x y=z", "a b=c, d=e, f=g",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := tsk.ParseAuthorization(h)
		if err != nil {
			if !errors.Is(err, tsk.ErrNotSigned) && !errors.Is(err, tsk.ErrMalformedHeader) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if a.Algorithm == "" || a.Datetime == "" || a.Signature == "" {
			t.Fatalf("parsed %q into an incomplete %+v", h, a)
		}
		b, err := tsk.ParseAuthorization(a.String())
		if err != nil || b != a {
			t.Fatalf("String() does not round-trip: %+v -> %q -> %+v, %v", a, a.String(), b, err)
		}
	})
}

func FuzzDecode(f *testing.F) {
	for _, body := range examples(f, "request-") {
		f.Add(body)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"version":"1.0","request":{"type":"IntentRequest","intent":{"slots":{"a":{"values":[{"value":{"type":"datetime","value":{"type":"REPEAT"}}}]}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := tsk.Decode(body)
		if err != nil {
			if !errors.Is(err, tsk.ErrInvalidRequest) {
				t.Fatalf("error does not wrap ErrInvalidRequest: %v", err)
			}
			return
		}
		if r.Request.Intent != nil {
			for name := range r.Request.Intent.Slots {
				v, _ := r.Request.Intent.Slot(name)
				_ = v.Text()
			}
		}
		// What decoded re-encodes and decodes again.
		if _, err := tsk.Decode(mustJSON(t, r)); err != nil {
			t.Fatalf("re-decode of %s: %v", mustJSON(t, r), err)
		}
	})
}
