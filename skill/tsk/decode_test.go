package tsk_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// exampleDir holds copies of the platform's examples (shared/tsk/examples).
const exampleDir = "../../testdata/tsk/examples"

func examples(t testing.TB, prefix string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(exampleDir, prefix+"*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no %s examples in %s (%v)", prefix, exampleDir, err)
	}
	out := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func TestDecodeExamples(t *testing.T) {
	for name, body := range examples(t, "request-") {
		t.Run(name, func(t *testing.T) {
			r, err := tsk.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			if r.Version != "1.0" || r.SkillID() == "" || r.UserID() == "" || r.DeviceID() == "" {
				t.Errorf("context not decoded: %+v", r)
			}
			if !r.Supports("AudioPlayer") || r.Supports("Display") {
				t.Errorf("supportedInterfaces = %v", r.Context.System.Device.SupportedInterfaces)
			}
			if r.Time().IsZero() {
				t.Errorf("Time() is zero for %q", r.Request.Timestamp)
			}
			// Re-encoding and decoding again gives the same request.
			again, err := tsk.Decode(mustJSON(t, r))
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if a, b := string(mustJSON(t, again)), string(mustJSON(t, r)); a != b {
				t.Errorf("round trip changed the request:\n%s\n%s", a, b)
			}
		})
	}
}

func TestDecodePayRound1(t *testing.T) {
	r, err := tsk.Decode(examples(t, "request-pay-round1")["request-pay-round1-intent.json"])
	if err != nil {
		t.Fatal(err)
	}
	if r.Request.Type != tsk.TypeIntent || r.Request.Intent.Name != "play" || r.Request.DialogState != tsk.DialogInProgress {
		t.Fatalf("request = %+v", r.Request)
	}
	if v, ok := r.Request.Intent.Slot("index"); !ok || v.Text() != "35" {
		t.Errorf("slot index = %+v, %v", v, ok)
	}
	if _, ok := r.Request.Intent.Slot("missing"); ok {
		t.Error("missing slot found")
	}
	if r.AccessToken() != "aBcdEthisisaccesstoKeNhh" || !r.Session.New || r.Session.SessionID != "sample-payment-session" {
		t.Errorf("user/session = %+v %+v", r.Context.System.User, r.Session)
	}
}

func TestDecodeConnectionsResponse(t *testing.T) {
	r, err := tsk.Decode(examples(t, "request-pay-round2")["request-pay-round2-connections-response.json"])
	if err != nil {
		t.Fatal(err)
	}
	b := r.Request
	if b.Type != tsk.TypeConnectionsResponse || b.Name != tsk.ChargeName || b.Payload == nil ||
		b.Payload.PartnerOrderID != "order-id-generated-by-dingdang" || b.Payload.DingdangOrderID != "order-id-generated-by-yuewen" {
		t.Fatalf("body = %+v payload %+v", b, b.Payload)
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := `{"version":"1.0","session":{"new":true,"sessionId":"s"},
	"context":{"System":{"application":{"applicationId":"a"},"device":{"deviceId":"d"},"user":{"userId":"u"}}},
	"request":{"type":"IntentRequest","requestId":"r","timestamp":"20190520T193505Z","intent":{"name":"i","confirmationStatus":"NONE","slots":{}}}}`
	if _, err := tsk.Decode([]byte(valid)); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	tests := []struct {
		name, old, new, field string
	}{
		{"not json", valid, "{", ""},
		{"array", valid, "[]", ""},
		{"wrong type", `"version":"1.0"`, `"version":1`, ""},
		{"version", `"version":"1.0",`, ``, "version"},
		{"type", `"type":"IntentRequest",`, ``, "request.type"},
		{"requestId", `"requestId":"r",`, ``, "request.requestId"},
		{"timestamp", `"timestamp":"20190520T193505Z",`, ``, "request.timestamp"},
		{"bad timestamp", `20190520T193505Z`, `2019-05-20`, "request.timestamp"},
		{"applicationId", `"applicationId":"a"`, `"applicationId":""`, "applicationId"},
		{"userId", `"userId":"u"`, `"x":"u"`, "context.System.user.userId"},
		{"sessionId", `"sessionId":"s"`, `"sessionId":""`, "session.sessionId"},
		{"intent", `,"intent":{"name":"i","confirmationStatus":"NONE","slots":{}}`, ``, "request.intent"},
		{"intent name", `"name":"i"`, `"name":""`, "request.intent.name"},
		{"connections name", `"type":"IntentRequest"`, `"type":"Connections.Response"`, "request.name"},
		{"element token", `"type":"IntentRequest"`, `"type":"Display.ElementSelected"`, "request.token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(valid, tt.old, tt.new, 1)
			if in == valid {
				t.Fatalf("test case did not change the input")
			}
			_, err := tsk.Decode([]byte(in))
			if !errors.Is(err, tsk.ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want it to name %q", err, tt.field)
			}
		})
	}
}

func TestDecodeIgnoresUnknownFieldsAndTypes(t *testing.T) {
	in := `{"version":"1.0","future":{"x":1},"context":{"System":{"application":{"applicationId":"a","extra":1},
	"user":{"userId":"u"}}},"request":{"type":"Some.FutureRequest","requestId":"r","timestamp":"20190520T193505Z","new":[1]}}`
	r, err := tsk.Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if r.Request.Type != "Some.FutureRequest" {
		t.Errorf("type = %q", r.Request.Type)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
