package main

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

// TestSandboxUnderstandsWhatItOffers: every utterance the simulator offers
// works where it is offered. "打开叮当书店" opens the skill (a
// LaunchRequest); answers such as "第二个" are set apart (offered only
// while the skill asks) and answer the question when it is asked; an
// utterance the NLU does not know gets a kind Chinese message, with the
// English API advice for curl in "detail".
func TestSandboxUnderstandsWhatItOffers(t *testing.T) {
	sb := startSimulator(t) // the fixtures' utterances as buttons, as `make run` has them
	ctx := context.Background()

	resp, err := http.Get(sb.PlatformURL + "/sandbox/meta")
	if err != nil {
		t.Fatal(err)
	}
	var meta sandbox.Meta
	err = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"第二个", "第一个"} { // ("3个" is a buy of a count on its own: the model has {count}个)
		if !slices.Contains(meta.Answers, a) || slices.Contains(meta.Utterances, a) {
			t.Errorf("%q: want it among the answers, not the utterances: %q / %q", a, meta.Answers, meta.Utterances)
		}
	}
	if !slices.Contains(meta.Utterances, "打开叮当书店") {
		t.Errorf("打开叮当书店 is not offered: %q", meta.Utterances)
	}
	// The fixtures' mishearings are set apart, with what was meant, so that
	// they do not look like typos among the utterances.
	misheard := map[string]string{}
	for _, m := range meta.Misheard {
		misheard[m.Say] = m.Meant
	}
	for say, meant := range map[string]string{"我要买万股神地第三十五集": "我要买万古神帝第三十五集", "再买两个听书必": "再买两个听书币"} {
		if misheard[say] != meant || slices.Contains(meta.Utterances, say) {
			t.Errorf("%q: want it among the mishearings (meant %q), not the utterances: %q / %q", say, meant, meta.Misheard, meta.Utterances)
		}
	}
	// Every utterance offered on its own is understood on its own.
	for _, u := range append(meta.Utterances, slices.Collect(maps.Keys(misheard))...) {
		if _, err := sb.Console.Say(ctx, sandbox.SayRequest{User: "zoe", Text: u}); err != nil {
			t.Errorf("say %q: %v", u, err)
		}
	}

	a, err := sb.Console.Say(ctx, sandbox.SayRequest{User: "amy", Text: "打开叮当书店"})
	if err != nil || !strings.HasPrefix(a.Speech, "欢迎来到叮当书店") || a.Heard == nil || a.Heard.Request != "launch" {
		t.Fatalf("打开叮当书店: %+v, %v", a, err)
	}

	// Out of context, an answer is not understood: the message says so kindly.
	_, err = sb.Console.Say(ctx, sandbox.SayRequest{User: "amy", Text: "第二个"})
	var r *sandbox.Refusal
	if !errors.As(err, &r) || !strings.Contains(r.Message, "沙箱还听不懂“第二个”") || !strings.Contains(r.Message, "叮当提问之后") ||
		!strings.Contains(r.Detail, `send "intent"`) {
		t.Fatalf("第二个 out of context: %v (%+v)", err, r)
	}
	// In context it answers the question.
	if a, err := sb.Console.Say(ctx, sandbox.SayRequest{User: "amy", Text: "播放第35集"}); err != nil || !strings.Contains(a.Speech, "还是") {
		t.Fatalf("播放第35集: %+v, %v", a, err)
	}
	if a, err := sb.Console.Say(ctx, sandbox.SayRequest{User: "amy", Text: "第二个"}); err != nil || !strings.Contains(a.Speech, "星辰变第35集") {
		t.Fatalf("第二个 in context: %+v, %v", a, err)
	}

	// Over HTTP: the message in "error", the API advice in "detail".
	resp, err = http.Post(sb.PlatformURL+"/sandbox/say", "application/json", strings.NewReader(`{"user":"amy","text":"今天天气怎么样"}`))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 400 || !strings.Contains(body["error"], "沙箱还听不懂“今天天气怎么样”") ||
		!strings.Contains(body["detail"], "did not understand") {
		t.Fatalf("POST /sandbox/say 今天天气怎么样: %d %v %v", resp.StatusCode, body, err)
	}
}

// TestSandboxNLUHearsTheFixtures: what the users of the fixtures say (the
// simulator's buttons) is understood by the sandbox's NLU as the fixture
// has it: the same intent, or the launch, alone or as the answer to the
// question the fixture's skill asked just before.
func TestSandboxNLUHearsTheFixtures(t *testing.T) {
	nlu, err := sandbox.NewNLU(intents.InteractionModel())
	if err != nil {
		t.Fatal(err)
	}
	files, err := replay.Files(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		f, err := replay.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var asked *replay.UserTurn // the turn whose answer asked for a slot
		var slot string
		for _, turn := range f.Turns {
			u := turn.User
			if u == nil {
				continue
			}
			if u.Say != "" && (u.Intent != "" || u.Request == replay.RequestLaunch) {
				got := nlu.Understand(u.Say)
				if asked != nil {
					got = nlu.Follow(u.Say, slot, asked.Intent, asked.Slots)
				}
				if got.Intent != u.Intent || (got.Request == sandbox.RequestLaunch) != (u.Request == replay.RequestLaunch) {
					t.Errorf("%s: turn %d: %q is heard as %+v, the fixture has intent %q request %q", path, turn.N, u.Say, got, u.Intent, u.Request)
				}
			}
			asked, slot = nil, ""
			if turn.Want != nil {
				for _, d := range turn.Want.Directives {
					if d.Type == "Dialog.ElicitSlot" {
						asked, slot = u, d.Slot
					}
				}
			}
		}
	}
}
