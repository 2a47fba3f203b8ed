package headless_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/device/headless"
	"github.com/dingdang-voicepay/skill/skill"
	"github.com/dingdang-voicepay/skill/skill/tsk"
	"github.com/dingdang-voicepay/skill/skill/tsk/tsktest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type named struct {
	Name     string          `json:"name"`
	View     device.View     `json:"view,omitzero"`
	Response json.RawMessage `json:"response,omitempty"`
}

func TestRenderGolden(t *testing.T) {
	compareGolden(t, headless.New(), filepath.Join("testdata", "golden.json"))
}

func TestNoDisplay(t *testing.T) {
	p := device.Offer{Token: "tok", Count: 2, Total: 200}
	p.Product.ID, p.Product.Name, p.Product.Price = "credits", "听书点数", 100
	resp := headless.New().Render(device.View{Speech: "好的。", Offer: &p, Result: &device.Result{Title: "x", Text: "y"},
		Products: []skill.Product{p.Product}})
	for _, d := range resp.Response.Directives {
		if strings.HasPrefix(d.DirectiveType(), "Display.") {
			t.Errorf("headless sent %s", d.DirectiveType())
		}
	}
	if _, ok := resp.Response.Directives[0].(tsk.Charge); !ok || !strings.Contains(resp.Response.OutputSpeech.Text, "叮当App") {
		t.Errorf("offer not sent to the app: %+v", resp.Response)
	}
}

// compareGolden renders the shared input views (../testdata/views.json) and
// compares the responses with the golden file, rewriting it with -update.
func compareGolden(t *testing.T, r device.Renderer, golden string) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("..", "testdata", "views.json"))
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
	if *update {
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
