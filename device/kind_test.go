package device_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// withInterfaces sets a request's supportedInterfaces to the keys given.
func withInterfaces(keys ...string) fakeplatform.Option {
	return func(r *tsk.Request) {
		r.Context.System.Device.SupportedInterfaces = map[string]json.RawMessage{}
		for _, k := range keys {
			r.Context.System.Device.SupportedInterfaces[k] = json.RawMessage(`{}`)
		}
	}
}

func TestOf(t *testing.T) {
	tests := []struct {
		name string
		req  *tsk.Request
		want *device.Kind
	}{
		{"display", fakeplatform.NewLaunch(withInterfaces("Display", "AudioPlayer")), device.Screened},
		{"display only", fakeplatform.NewLaunch(withInterfaces("Display")), device.Screened},
		{"audio only", fakeplatform.NewLaunch(withInterfaces("AudioPlayer")), device.Screenless},
		{"nothing", fakeplatform.NewLaunch(withInterfaces()), device.Screenless},
		{"nil request", nil, device.Screenless},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := device.Of(tt.req); got != tt.want {
				t.Errorf("Of = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestKinds checks every listed kind: a unique name Parse finds, typical
// interfaces that Of maps back to the kind, and a renderer.
func TestKinds(t *testing.T) {
	kinds := device.Kinds()
	if len(kinds) < 2 || len(kinds[len(kinds)-1].Needs) != 0 {
		t.Fatalf("kinds %v: want at least two, the last needing nothing", kinds)
	}
	seen := map[string]bool{}
	for _, k := range kinds {
		if k.Name == "" || seen[k.Name] {
			t.Errorf("kind %q: empty or duplicate name", k.Name)
		}
		seen[k.Name] = true
		if got, err := device.Parse(k.Name); got != k || err != nil {
			t.Errorf("Parse(%q) = %v, %v", k.Name, got, err)
		}
		if got := device.Of(fakeplatform.NewLaunch(fakeplatform.WithDeviceKind(k))); got != k {
			t.Errorf("a request built with %s's interfaces is of kind %v", k, got)
		}
		if k.Renderer == nil || k.Renderer(device.Config{}) == nil {
			t.Errorf("kind %s has no renderer", k)
		}
	}
	if fmt.Sprint(device.Names()) != fmt.Sprint(keys(kinds)) {
		t.Errorf("Names %v", device.Names())
	}
}

func keys(ks []*device.Kind) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Name)
	}
	return out
}

func TestParseUnknown(t *testing.T) {
	for _, name := range []string{"", "Screened", "tv"} {
		k, err := device.Parse(name)
		if k != nil || err == nil || !strings.Contains(err.Error(), "want "+strings.Join(device.Names(), " or ")) {
			t.Errorf("Parse(%q) = %v, %v", name, k, err)
		}
	}
}

func TestSupportedInterfacesIsACopy(t *testing.T) {
	m := device.Screened.SupportedInterfaces()
	delete(m, "Display")
	if _, ok := device.Screened.Interfaces["Display"]; !ok {
		t.Fatal("SupportedInterfaces shares the kind's map")
	}
}
