package intents_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// turnBudget is the most CPU time one turn may take, whatever was said: well
// under the platform's one-second deadline, with room for -race.
const turnBudget = 250 * time.Millisecond

// distinctCJK returns n distinct CJK characters, none of them in the demo
// catalog's names (nor 分, which speech must not say next to a number).
func distinctCJK(n int) string {
	var b strings.Builder
	for r := rune(0x4E00); n > 0; r++ {
		if strings.ContainsRune("万古神帝第集听书点数会员月卡分", r) {
			continue
		}
		b.WriteRune(r)
		n--
	}
	return b.String()
}

// TestLongSlotIsBounded: a product slot of 19,000 distinct characters took
// seconds of CPU (quadratic matching per name and alias). Matching now looks
// at a bounded prefix, and what is said back is short.
func TestLongSlotIsBounded(t *testing.T) {
	huge := distinctCJK(19000)
	tests := map[string]string{
		"distinct characters":              huge,
		"a catalog name after the garbage": huge + "万古神帝第35集",
		"repeated characters":              strings.Repeat("万古", 20000),
		"ascii":                            strings.Repeat("ab ", 30000),
	}
	for name, said := range tests {
		t.Run(name, func(t *testing.T) {
			for _, purpose := range []string{intents.Buy, intents.Play} {
				e := newEnv(t, device.Screened)
				start := time.Now()
				r := e.intent(purpose, map[string]string{"product": said})
				if d := time.Since(start); d > turnBudget {
					t.Errorf("%s: turn took %v, budget %v", purpose, d, turnBudget)
				}
				if n := utf8.RuneCountInString(speech(r)); n > 200 {
					t.Errorf("%s: speech of %d characters: %.80q…", purpose, n, speech(r))
				}
				// What is said next is matched the same way.
				start = time.Now()
				e.send(fakeplatform.NewIntent("no_such_intent", nil, e.opts(fakeplatform.WithQuery(said))...))
				if d := time.Since(start); d > turnBudget {
					t.Errorf("%s: answer to the question took %v", purpose, d)
				}
			}
		})
	}
}

// TestDeadlineIsHonoured: a turn whose context is already done does no
// work: it apologises instead of offering.
func TestDeadlineIsHonoured(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.ctx = ctx
	r := e.intent(intents.Yes, nil)
	if _, ok := find[tsk.Charge](r); ok || !r.Response.ShouldEndSession {
		t.Fatalf("a turn past its deadline offered: %q %+v", speech(r), r.Response.Directives)
	}
	wantSpeech(t, r, false, "抱歉")
}

// FuzzDialogTurnBudget sends arbitrary text as a product slot, a count slot
// and the utterance, to each intent, in one session, and checks that every
// turn stays within the time budget and answers within the protocol.
func FuzzDialogTurnBudget(f *testing.F) {
	for _, s := range []string{"万古神帝第35集", "第二个", "三", "", "会员", distinctCJK(2000), strings.Repeat("点数", 5000)} {
		f.Add(uint8(0), s, s)
	}
	for i := range len(intents.IntentNames()) {
		for _, s := range []string{"不", "不要三个要五个", "不对，要一个月，不是一年", "退吧，买多了", "对，退三块", "买一年半会员", "三十五和三十六集"} {
			f.Add(uint8(i), "", s) // the words the dialog reads itself (a "不" alone panicked)
		}
	}
	f.Add(uint8(1), "听书点数", "十二")
	e := newEnv(f, device.Screened)
	names := append(intents.IntentNames(), "no_such_intent")
	f.Fuzz(func(t *testing.T, which uint8, product, query string) {
		e.t = t
		name := names[int(which)%len(names)]
		slots := map[string]string{}
		if product != "" {
			slots[intents.SlotProduct] = product
		}
		if which&0x80 != 0 {
			slots[intents.SlotCount] = query
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req := fakeplatform.NewIntent(name, slots, e.opts(fakeplatform.WithQuery(query))...)
		start := time.Now()
		resp := e.dialog.Handle(ctx, req)
		if d := time.Since(start); d > turnBudget {
			t.Fatalf("%s with %d+%d bytes took %v, budget %v", name, len(product), len(query), d, turnBudget)
		}
		body, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		tsktest.ValidateResponse(t, body)
		checkRules(t, req, resp, device.Screened)
		if strings.Contains(speech(resp), "出了点小问题") {
			t.Fatalf("%s %q %q: the apology of a failed turn (a panic?): %q", name, product, query, speech(resp))
		}
	})
}
