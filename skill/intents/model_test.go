package intents_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

// model is the part of the interaction model the tests read.
type model struct {
	EntityTypes []struct {
		Name string `json:"name"`
	} `json:"entityTypes"`
	Intents []struct {
		Name  string `json:"name"`
		Slots []struct {
			Name       string `json:"name"`
			EntityType string `json:"entityType"`
		} `json:"slots"`
		Samples []string `json:"samples"`
	} `json:"intents"`
}

var slotRef = regexp.MustCompile(`\{([^}]*)\}`)

// TestInteractionModel keeps interaction-model.json and the registered
// intents in sync, both ways, and checks the model's slots.
func TestInteractionModel(t *testing.T) {
	raw := intents.InteractionModel()
	var m model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var inModel []string
	for _, in := range m.Intents {
		inModel = append(inModel, in.Name)
		if len(in.Samples) == 0 {
			t.Errorf("intent %s has no sample utterances", in.Name)
		}
		declared := map[string]bool{}
		for _, s := range in.Slots {
			declared[s.Name] = true
			custom := slices.ContainsFunc(m.EntityTypes, func(e struct {
				Name string `json:"name"`
			}) bool {
				return e.Name == s.EntityType
			})
			if !custom && !regexp.MustCompile(`^sys\.`).MatchString(s.EntityType) {
				t.Errorf("intent %s slot %s: unknown entity type %q", in.Name, s.Name, s.EntityType)
			}
		}
		for _, sample := range in.Samples {
			for _, ref := range slotRef.FindAllStringSubmatch(sample, -1) {
				if !declared[ref[1]] {
					t.Errorf("intent %s sample %q uses undeclared slot %q", in.Name, sample, ref[1])
				}
			}
		}
	}
	code := intents.IntentNames()
	for _, n := range code {
		if !slices.Contains(inModel, n) {
			t.Errorf("intent %q is registered but missing from the interaction model", n)
		}
	}
	for _, n := range inModel {
		if !slices.Contains(code, n) {
			t.Errorf("intent %q is in the interaction model but not registered", n)
		}
	}
	if len(inModel) != len(code) {
		t.Errorf("model has %d intents, code %d (duplicates?)", len(inModel), len(code))
	}
}

// TestInteractionModelNamesProducts: every intent that names a product
// declares the slots the resolver reads, including the platform's own
// album + index (its pay example: play, album 万古神帝, index 35), with a
// sample that uses them.
func TestInteractionModelNamesProducts(t *testing.T) {
	var m model
	if err := json.Unmarshal(intents.InteractionModel(), &m); err != nil {
		t.Fatal(err)
	}
	for _, in := range m.Intents {
		if !slices.Contains([]string{intents.Buy, intents.Play, intents.Refund}, in.Name) {
			continue
		}
		var slots []string
		for _, s := range in.Slots {
			slots = append(slots, s.Name)
		}
		for _, want := range []string{intents.SlotProduct, intents.SlotAlbum, intents.SlotIndex} {
			if !slices.Contains(slots, want) {
				t.Errorf("intent %s lacks slot %s", in.Name, want)
			}
		}
		if !slices.ContainsFunc(in.Samples, func(s string) bool { return regexp.MustCompile(`\{album\}.*\{index\}`).MatchString(s) }) {
			t.Errorf("intent %s has no sample with {album} and {index}", in.Name)
		}
	}
}
