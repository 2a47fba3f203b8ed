package headless_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device/devicetest"

	"github.com/dingdang-voicepay/voicepay/device/headless"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	devicetest.CompareGolden(t, headless.New(), filepath.Join("testdata", "golden.json"), *update)
}

func TestNoDisplay(t *testing.T) {
	p := ui.Offer{Token: "tok", Count: 2, Total: 200}
	p.Product.ID, p.Product.Name, p.Product.Price = "credits", "听书点数", 100
	resp := headless.New().Render(ui.View{Speech: "好的。", Offer: &p, Result: &ui.Result{Title: "x", Text: "y"},
		Products: []shop.Product{p.Product}})
	for _, d := range resp.Response.Directives {
		if strings.HasPrefix(d.DirectiveType(), "Display.") {
			t.Errorf("headless sent %s", d.DirectiveType())
		}
	}
	if _, ok := resp.Response.Directives[0].(tsk.Charge); !ok || !strings.Contains(resp.Response.OutputSpeech.Text, "叮当App") {
		t.Errorf("offer not sent to the app: %+v", resp.Response)
	}
}

// A list whose speech names some of its products (the next page of a
// browse) is not said again; one whose speech names none is.
func TestSpokenList(t *testing.T) {
	ps := []shop.Product{{ID: "a", Name: "万古神帝第35集", Price: 200}, {ID: "b", Name: "听书点数", Price: 100},
		{ID: "c", Name: "会员月卡", Price: 1990}, {ID: "d", Name: "星辰变第35集", Price: 300}}
	for _, tt := range []struct{ speech, want string }{
		{"还有星辰变第35集3元。想买哪个？", "还有星辰变第35集3元。想买哪个？"},
		{"想买哪个？", "有万古神帝第35集2元、听书点数1元、会员月卡19.9元等。想买哪个？"},
	} {
		if got := headless.New().Render(ui.View{Speech: tt.speech, Ask: true, Products: ps}).Response.OutputSpeech.Text; got != tt.want {
			t.Errorf("speech %q: said %q, want %q", tt.speech, got, tt.want)
		}
	}
}
