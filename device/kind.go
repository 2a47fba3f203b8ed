package device

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Kind is one kind of speaker: what it is called, how a request shows it,
// what it can show and which renderer speaks to it. Kinds are compared by
// pointer; the listed ones are the variables of kinds.go.
type Kind struct {
	// Name names the kind in fixtures ("device: screened"), the sandbox
	// ("device": "screened") and logs.
	Name string
	// Needs lists the supportedInterfaces keys a request must have to be of
	// this kind.
	Needs []string
	// Display reports whether the kind shows Display templates: Enforce
	// drops every Display directive sent to a kind without.
	Display bool
	// Interfaces is what a device of this kind typically lists in
	// supportedInterfaces; the sandbox, replay and tests build requests
	// with it.
	Interfaces map[string]json.RawMessage
	// Renderer returns the kind's renderer for the configuration.
	Renderer func(Config) ui.Renderer
}

// String returns the kind's name.
func (k *Kind) String() string {
	if k == nil {
		return ""
	}
	return k.Name
}

// SupportedInterfaces returns a copy of Interfaces, for a request's
// context.System.device.supportedInterfaces.
func (k *Kind) SupportedInterfaces() map[string]json.RawMessage {
	return maps.Clone(k.Interfaces)
}

// Kinds returns the kinds of speaker, in the order Of tries them.
func Kinds() []*Kind { return slices.Clone(kinds) }

// Names returns the names of the kinds, in the order of Kinds.
func Names() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return names
}

// Parse returns the kind with the name; an unknown name is an error that
// lists the known ones.
func Parse(name string) (*Kind, error) {
	for _, k := range kinds {
		if k.Name == name {
			return k, nil
		}
	}
	return nil, fmt.Errorf("device %q: want %s", name, strings.Join(Names(), " or "))
}

// Of decides the kind of the device that sent req, the one rule of the
// protocol digest: a device is screened when its supportedInterfaces has a
// Display key, otherwise screenless. In general it is the first of Kinds
// whose Needs the request all lists. A configuration overrides it by
// deciding with its own function instead (intents.Config.Device).
func Of(req *tsk.Request) *Kind {
	var have map[string]json.RawMessage
	if req != nil {
		have = req.Context.System.Device.SupportedInterfaces
	}
	for _, k := range kinds {
		if hasAll(have, k.Needs) {
			return k
		}
	}
	return kinds[len(kinds)-1]
}

// hasAll reports whether every key is in m.
func hasAll(m map[string]json.RawMessage, keys []string) bool {
	for _, key := range keys {
		if _, ok := m[key]; !ok {
			return false
		}
	}
	return true
}
