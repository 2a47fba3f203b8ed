package screen_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/skill/device"
	"github.com/dingdang-voicepay/skill/device/screen"
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
	r := screen.New(screen.Config{QRURL: func(c string) string { return "https://skill.example.com/qr/" + c + ".png" }})
	compareGolden(t, r, filepath.Join("testdata", "golden.json"))
}

func TestPayCard(t *testing.T) {
	r := screen.New(screen.Config{QRURL: func(c string) string { return "https://q.example/" + c + ".png" }})
	p := device.Offer{Token: "tok", Count: 1, Total: 1990}
	p.Product.ID, p.Product.Name, p.Product.Price = "vip", "会员月卡", 1990
	resp := r.Render(device.View{Speech: "好的。", Offer: &p})
	var charge, card bool
	for _, d := range resp.Response.Directives {
		switch d := d.(type) {
		case tsk.Charge:
			charge = d.Payload.ChargeInfo.UserID == "tok" && d.Payload.ChargeInfo.Items[0].TotalFee == 1990
		case tsk.RenderTemplate:
			desc := d.Template.TextContent.Description
			card = d.Template.Type == tsk.NewsBodyTemplate && strings.Contains(desc, "19.9元") &&
				strings.Contains(desc, "微信扫码支付") && d.Template.BackgroundImage.Source.URL == "https://q.example/vip.png"
			if n := len([]rune(desc)); n > screen.CardChars {
				t.Errorf("pay card text has %d characters, want ≤ %d", n, screen.CardChars)
			}
		}
	}
	if !charge || !card {
		t.Errorf("charge=%v card=%v in %+v", charge, card, resp.Response.Directives)
	}
	if !resp.Response.ShouldEndSession {
		t.Error("an offer ends the session")
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
