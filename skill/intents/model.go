package intents

import (
	"bytes"
	_ "embed" // the interaction model
)

//go:embed interaction-model.json
var interactionModel []byte

// InteractionModel returns the interaction model to enter in the platform's
// console (interaction-model.json, next to the intents it declares): every
// intent of the dialog's list, its slots and its sample utterances. A test
// keeps it and the list in sync; the sandbox's NLU learns from it.
func InteractionModel() []byte { return bytes.Clone(interactionModel) }
