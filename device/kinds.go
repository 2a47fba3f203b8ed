package device

import (
	"encoding/json"

	"github.com/dingdang-voicepay/voicepay/device/headless"
	"github.com/dingdang-voicepay/voicepay/device/screen"
	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// The kinds of speaker.
var (
	// Screened is a speaker with a screen: its supportedInterfaces has a
	// Display key. It shows pay cards, product lists and result cards.
	Screened = &Kind{
		Name:    "screened",
		Needs:   []string{"Display"},
		Display: true,
		Interfaces: map[string]json.RawMessage{
			"AudioPlayer": json.RawMessage(`{"Play":true,"Stop":true,"ClearQueue":true}`),
			"Display":     json.RawMessage(`{}`),
		},
		Renderer: func(c Config) ui.Renderer { return screen.New(screen.Config{QRURL: c.QRURL}) },
	}
	// Screenless is a voice-only speaker, and any device no other kind
	// claims: the pay page goes to the Dingdang app on the user's phone.
	Screenless = &Kind{
		Name: "screenless",
		Interfaces: map[string]json.RawMessage{
			"AudioPlayer": json.RawMessage(`{"Play":true,"Stop":false,"ClearQueue":false}`),
		},
		Renderer: func(Config) ui.Renderer { return headless.New() },
	}
)

// kinds is THE list of kinds, most specific first: Of picks the first whose
// Needs a request lists, so the last one needs nothing. Adding a kind of
// device is its package and one line here.
var kinds = []*Kind{Screened, Screenless}
