// Package devicetest checks renderers against goldens: one shared set of
// input views (device/testdata/views.json), one golden file per renderer.
package devicetest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// Views is the shared input set, relative to a renderer package's directory.
var Views = filepath.Join("..", "testdata", "views.json")

// named is one entry of the views file or of a golden file.
type named struct {
	Name     string          `json:"name"`
	View     ui.View         `json:"view,omitzero"`
	Response json.RawMessage `json:"response,omitempty"`
}

// CompareGolden renders every view of Views with r, checks each response
// against the platform's schema, and compares them all with the golden file;
// with update it rewrites the golden first (review the diff).
func CompareGolden(t *testing.T, r ui.Renderer, golden string, update bool) {
	t.Helper()
	in, err := os.ReadFile(Views)
	if err != nil {
		t.Fatal(err)
	}
	var views []named
	if err := json.Unmarshal(in, &views); err != nil {
		t.Fatal(err)
	}
	var out []named
	for _, v := range views {
		body, err := json.Marshal(r.Render(v.View))
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		tsktest.ValidateResponse(t, body)
		out = append(out, named{Name: v.Name, Response: body})
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test -update and review the diff\n(-want +got):\n-%s\n+%s", golden, want, got)
	}
}
