package tsk_test

import (
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func TestEnvelope(t *testing.T) {
	example := examples(t, "scf-")["scf-envelope.json"]
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"platform example", string(example), true},
		{"bare request", `{"version":"1.0","request":{"type":"LaunchRequest"}}`, false},
		{"body not a string", `{"header":{},"body":{"version":"1.0"}}`, false},
		{"request with a body field", `{"version":"1.0","body":"x"}`, false},
		{"not json", `{"body":"x"`, false},
		{"array", `[{"body":"x"}]`, false},
		{"empty", ``, false},
		{"spaced bare request", " {\n \"version\": \"1.0\"}", false},
		{"escaped key", `{"\u0062ody":"x"}`, true},
		{"body first", `{"body":"x","header":{}}`, true},
		{"version after the body", `{"body":"x","version":"1.0"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tsk.IsEnvelope([]byte(tt.in)); got != tt.want {
				t.Errorf("IsEnvelope = %v, want %v", got, tt.want)
			}
		})
	}
	e, err := tsk.DecodeEnvelope(example)
	if err != nil {
		t.Fatal(err)
	}
	a, err := tsk.ParseAuthorization(e.Get("authorization"))
	if err != nil || a.Algorithm != tsk.HMAC || a.Datetime != "20180101T203559Z" {
		t.Errorf("envelope Authorization = %+v, %v", a, err)
	}
	if _, err := tsk.DecodeEnvelope([]byte(`{"body":1}`)); err == nil {
		t.Error("DecodeEnvelope with a numeric body succeeded")
	}
}

func TestWrapResponse(t *testing.T) {
	body := []byte(`{"version":"1.0"}`)
	out, err := tsk.WrapResponse(body, map[string]string{"Authorization": "TSK-RSA2 Datetime=1, Signature=2"})
	if err != nil {
		t.Fatal(err)
	}
	if !tsk.IsEnvelope(out) {
		t.Fatalf("WrapResponse output is not an envelope: %s", out)
	}
	e, _ := tsk.DecodeEnvelope(out)
	if e.Body != string(body) || e.Get("Content-Type") != "application/json" || e.Get("AUTHORIZATION") == "" {
		t.Errorf("envelope = %+v", e)
	}
}
