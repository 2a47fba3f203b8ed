package tsk_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

func TestSlotValueKinds(t *testing.T) {
	tests := []struct {
		name     string
		json     string
		want     tsk.Value
		wantText string
	}{
		{"text", `{"type":"text","value":"万古神帝","origin":"万古神帝"}`,
			tsk.Value{Type: tsk.ValueText, Value: "万古神帝", Origin: "万古神帝"}, "万古神帝"},
		{"empty text", `{"type":"text","value":"","origin":"嗯"}`,
			tsk.Value{Type: tsk.ValueText, Origin: "嗯"}, "嗯"},
		{"unit", `{"type":"unit","amount":"3.5","unit":"元","origin":"三块五"}`,
			tsk.Value{Type: tsk.ValueUnit, Amount: "3.5", Unit: "元", Origin: "三块五"}, "3.5元"},
		{"address", `{"type":"address","country":"中国","province":"广东省","city":"深圳市","district":"南山区","town":"粤海街道","village":"科技园","title":"腾讯大厦","origin":"腾讯大厦"}`,
			tsk.Value{Type: tsk.ValueAddress, Country: "中国", Province: "广东省", City: "深圳市", District: "南山区",
				Town: "粤海街道", Village: "科技园", Title: "腾讯大厦", Origin: "腾讯大厦"}, "腾讯大厦"},
		{"address without title", `{"type":"address","city":"深圳市","origin":"深圳"}`,
			tsk.Value{Type: tsk.ValueAddress, City: "深圳市", Origin: "深圳"}, "深圳"},
		{"datetime normal", `{"type":"datetime","value":{"type":"NORMAL","datetime":{"date":"2019-05-20","time":"19:35:05"}},"origin":"今晚七点半"}`,
			tsk.Value{Type: tsk.ValueDateTime, Origin: "今晚七点半", DateTime: &tsk.DateTimeValue{Type: tsk.DateTimeNormal,
				DateTime: &tsk.DateTime{Date: "2019-05-20", Time: "19:35:05"}}}, "今晚七点半"},
		{"datetime interval", `{"type":"datetime","value":{"type":"INTERVAL","start":{"date":"2019-05-20"},"end":{"date":"2019-05-26"}},"origin":"这周"}`,
			tsk.Value{Type: tsk.ValueDateTime, Origin: "这周", DateTime: &tsk.DateTimeValue{Type: tsk.DateTimeInterval,
				Start: &tsk.DateTime{Date: "2019-05-20"}, End: &tsk.DateTime{Date: "2019-05-26"}}}, "这周"},
		{"datetime repeat", `{"type":"datetime","value":{"type":"REPEAT","amount":"1","repeatType":"WORKDAY","start":{"time":"08:00:00"},"end":{"time":"08:00:00"}},"origin":"每个工作日早上八点"}`,
			tsk.Value{Type: tsk.ValueDateTime, Origin: "每个工作日早上八点", DateTime: &tsk.DateTimeValue{Type: tsk.DateTimeRepeat,
				Amount: "1", RepeatType: tsk.RepeatWorkday, Start: &tsk.DateTime{Time: "08:00:00"}, End: &tsk.DateTime{Time: "08:00:00"}}}, "每个工作日早上八点"},
		{"unknown type keeps origin", `{"type":"color","value":"红","origin":"红色"}`,
			tsk.Value{Type: "color", Value: "红", Origin: "红色"}, "红色"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got tsk.Value
			if err := json.Unmarshal([]byte(tt.json), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("decoded\n got %+v\nwant %+v", got, tt.want)
			}
			if txt := got.Text(); txt != tt.wantText {
				t.Errorf("Text() = %q, want %q", txt, tt.wantText)
			}
			var again tsk.Value
			if err := json.Unmarshal(mustJSON(t, got), &again); err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("round trip: %+v, %v", again, err)
			}
		})
	}
}

func TestValueMarshalRequiredFields(t *testing.T) {
	tests := []struct {
		v    tsk.Value
		want string
	}{
		{tsk.Value{Type: tsk.ValueText}, `{"type":"text","value":"","origin":""}`},
		{tsk.TextValue("好"), `{"type":"text","value":"好","origin":"好"}`},
		{tsk.Value{Type: tsk.ValueUnit, Origin: "x"}, `{"type":"unit","amount":"","unit":"","origin":"x"}`},
		{tsk.Value{Type: tsk.ValueAddress, Origin: "x"}, `{"type":"address","origin":"x"}`},
	}
	for _, tt := range tests {
		if got := string(mustJSON(t, tt.v)); got != tt.want {
			t.Errorf("Marshal(%+v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestIntentMarshalDefaults(t *testing.T) {
	got := string(mustJSON(t, tsk.Intent{Name: "buy"}))
	if want := `{"name":"buy","confirmationStatus":"NONE","slots":{}}`; got != want {
		t.Errorf("Intent = %s, want %s", got, want)
	}
	got = string(mustJSON(t, tsk.Slot{Name: "n"}))
	if want := `{"name":"n","confirmationStatus":"NONE"}`; got != want {
		t.Errorf("Slot = %s, want %s", got, want)
	}
	var nilIntent *tsk.Intent
	if _, ok := nilIntent.Slot("x"); ok {
		t.Error("nil intent has a slot")
	}
}

func TestSlotValueBareForm(t *testing.T) {
	var wrapped, bare tsk.SlotValue
	if err := json.Unmarshal([]byte(`{"value":{"type":"text","value":"公司","origin":"公司"}}`), &wrapped); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"type":"text","value":"公司","origin":"公司"}`), &bare); err != nil {
		t.Fatal(err)
	}
	if wrapped != bare || wrapped.Value.Text() != "公司" {
		t.Fatalf("wrapped %+v, bare %+v", wrapped, bare)
	}
	if got := string(mustJSON(t, bare)); got != `{"value":{"type":"text","value":"公司","origin":"公司"}}` {
		t.Errorf("SlotValue marshals as %s, want the wrapped form", got)
	}
}
