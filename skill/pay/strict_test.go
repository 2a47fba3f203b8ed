package pay_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

func TestCheckJSON(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"skillId":"s","details":[{"itemId":"a","quantity":1},{"itemId":"b","quantity":2}],"totalAmt":300}`: true,
		`{"a":{"b":1,"c":[1,{"b":2}]},"b":{"b":3}}`:                                                          true, // the same key in other objects
		`{"a":[],"b":{},"c":"{\"a\":1,\"a\":2}"}`:                                                            true,
		`{"totalAmt":300,"details":[],"totalAmt":100}`:                                                       false,
		`{"totalAmt":300,"TOTALAMT":100}`:                                                                    false,
		"{\"k\":1,\"\u212a\":2}":                                                                             false, // the Kelvin sign folds to k
		`{"details":[{"itemId":"a","ITEMID":"b"}]}`:                                                          false,
		"{\"userToken\":\"\xff\xfe\"}":                                                                       false,
		`{"a":1`:                                                                                             false,
	} {
		if err := pay.CheckJSON([]byte(body)); (err == nil) != ok {
			t.Errorf("CheckJSON(%s) = %v; want ok %v", body, err, ok)
		}
	}
}

// FuzzCheckJSON: CheckJSON never panics, and accepts only valid JSON.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":[1,2,{"c":3}]},"d":"e"}`, `{"a":1,"A":2}`, `[1,"x",{}]`, `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if pay.CheckJSON(body) != nil {
			return
		}
		if !json.Valid(body) && len(bytes.TrimSpace(body)) > 0 {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}

// BenchmarkCheckJSON: the strict check of a create order, beside the RSA
// sign every reply costs (about 1.3 ms on the development machine).
func BenchmarkCheckJSON(b *testing.B) {
	body := []byte(`{"skillId":"test-skill","userToken":"of_lpI6dFfLwe-02NbF3Om03W7Zuh71","details":[{"itemId":"ep35","quantity":1,"amount":200}],"totalAmt":200,"nonceStr":"0123456789abcdef"}`)
	for b.Loop() {
		if err := pay.CheckJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}
