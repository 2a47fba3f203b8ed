package intents

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// A state encoded with its intent spliced in reads back as the state
// encoding/json would have written.
func TestStateEncode(t *testing.T) {
	original := &tsk.Intent{Name: "Play", ConfirmationStatus: tsk.NoConfirmation, Slots: map[string]tsk.Slot{
		SlotProduct: {Name: SlotProduct, ConfirmationStatus: tsk.NoConfirmation, Values: []tsk.SlotValue{{Value: tsk.TextValue("万古神帝 \"第35集\"")}}},
	}}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []state{
		{},
		{Original: original},
		{Step: stepConfirm, Intent: "Buy", ProductID: "wgsd-35", Count: 2, Original: original},
		{Step: stepConfirm, ProductID: "wgsd-35", Offered: []sentOffer{{Ref: "r1", ProductID: "wgsd-35", Count: 1, Total: 200, At: at, Until: at.Add(time.Hour)}}, LinkSuggested: true},
	} {
		got, err := s.encode()
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(got) {
			t.Fatalf("encode(%+v) = %s: not JSON", s, got)
		}
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var a, b state
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("encode reads back as %+v; encoding/json's as %+v\n%s\n%s", a, b, got, want)
		}
	}
}
