package intents

import (
	"bytes"
	_ "embed" // the interaction model
	"encoding/json"
	"sync"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

//go:embed interaction-model.json
var interactionModel []byte

// InteractionModel returns the interaction model to enter in the platform's
// console (interaction-model.json, next to the intents it declares): every
// intent of the dialog's list, its slots and its sample utterances. A test
// keeps it and the list in sync; the sandbox's NLU learns from it.
func InteractionModel() []byte { return bytes.Clone(interactionModel) }

// declaredSlots are the slots each intent of the interaction model declares.
var declaredSlots = sync.OnceValue(func() map[string]map[string]bool {
	var m struct {
		Intents []struct {
			Name  string `json:"name"`
			Slots []struct {
				Name string `json:"name"`
			} `json:"slots"`
		} `json:"intents"`
	}
	if err := json.Unmarshal(interactionModel, &m); err != nil {
		panic("intents: interaction-model.json: " + err.Error()) // embedded: a test reads it
	}
	out := make(map[string]map[string]bool, len(m.Intents))
	for _, in := range m.Intents {
		out[in.Name] = map[string]bool{}
		for _, s := range in.Slots {
			out[in.Name][s.Name] = true
		}
	}
	return out
})

// elicits reports whether a reply to req may ask the platform for slot
// (Dialog.ElicitSlot): the platform fills that slot of the request's
// intent, so an intent request's must declare it. Otherwise the question
// is asked with the mic open and no directive, and its answer comes back
// as whatever intent the platform hears, with the words in queryText,
// which the dialog reads as the answer. A reply to an event (a tap on the
// screen's list) elicits: there is no intent it could contradict.
func elicits(req *tsk.Request, slot string) bool {
	if req.Request.Type != tsk.TypeIntent {
		return true
	}
	in := req.Request.Intent
	return in != nil && declaredSlots()[in.Name][slot]
}
