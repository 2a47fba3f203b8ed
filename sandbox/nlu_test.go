package sandbox_test

import (
	"reflect"
	"testing"

	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

func TestNLU(t *testing.T) {
	nlu, err := sandbox.NewNLU(intents.InteractionModel())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want sandbox.Understanding
	}{
		{"我要买三个听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "三"}}},
		{"买2份听书币", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "听书币", "count": "2"}}},
		{"我要买万古神帝第35集", sandbox.Understanding{Intent: "buy", Slots: map[string]string{"product": "万古神帝第35集"}}},
		{"是的", sandbox.Understanding{Intent: "yes"}},
		{"我要退款", sandbox.Understanding{Intent: "refund"}},
		{"今天天气怎么样", sandbox.Understanding{}},
	}
	for _, tt := range tests {
		if got := nlu.Understand(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Understand(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}
