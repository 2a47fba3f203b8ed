package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

// startConsole runs a sandbox on free ports, as `skill sandbox` does, with
// the given keys (nil: made into the data dir).
func startConsole(t *testing.T, dir string, keys *sandbox.Keys, hmac bool) *sandbox.Sandbox {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sandbox.Start(context.Background(), sandbox.Config{
		Addr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0", PlatformAddr: "127.0.0.1:0", DataDir: dir, Keys: keys, HMAC: hmac,
		Build: sandboxBuild(testConfig(t), quiet, true), Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSandboxBuyPayRefundByVoice(t *testing.T) {
	for _, device := range []string{"screened", "screenless"} {
		t.Run(device, func(t *testing.T) {
			s := startConsole(t, t.TempDir(), testKeys(), device == "screenless")
			ctx := context.Background()
			say := func(text string) *sandbox.Answer {
				t.Helper()
				a, err := s.Console.Say(ctx, sandbox.SayRequest{Device: device, User: "alice", Text: text})
				if err != nil {
					t.Fatalf("say %q: %v", text, err)
				}
				return a
			}
			if a := say("我要买万古神帝第35集"); !strings.Contains(a.Speech, "2元") || a.ShouldEndSession {
				t.Fatalf("buy: %+v", a)
			}
			a := say("是的")
			if a.Order == nil || a.Order.TradeNo == "" || a.Order.TotalAmt != 200 {
				t.Fatalf("confirm: no order: %+v", a)
			}
			// The order's page, the one a card's QR code opens, named for a
			// browser on a desktop.
			if page, err := http.Get(a.Order.Page); err != nil || page.StatusCode != http.StatusOK {
				t.Errorf("the order's page %q: %v %v", a.Order.Page, page, err)
			} else {
				body, _ := io.ReadAll(page.Body)
				page.Body.Close()
				if !strings.Contains(string(body), a.Order.TradeNo) {
					t.Errorf("the order's page does not show %s", a.Order.TradeNo)
				}
			}
			paid, err := s.Console.Pay(ctx, sandbox.PayRequest{Device: device, User: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			if paid.Order.ShipNotify != "SUCCESS" || !strings.Contains(strings.Join(paid.Directives, " "), "wangu-35.mp3") {
				t.Fatalf("pay: %+v", paid)
			}
			if a := say("我买过什么"); !strings.Contains(a.Speech, "万古神帝第35集") {
				t.Fatalf("my purchases: %+v", a)
			}
			if a := say("我要退款"); !strings.Contains(a.Speech, "退还2元") {
				t.Fatalf("refund: %+v", a)
			}
			if a := say("是的"); len(a.Refunds) != 1 || a.Refunds[0].Notify != "SUCCESS" {
				t.Fatalf("refund confirmed: %+v", a)
			}
		})
	}
}

func TestSandboxRefundSettles(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), true)
	ctx := context.Background()
	for _, text := range []string{"买3个听书币", "是的"} { // screened, HMAC-signed
		if _, err := s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Console.Pay(ctx, sandbox.PayRequest{User: "bob"}); err != nil {
		t.Fatal(err)
	}
	a, err := s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: "我要退款"})
	if err != nil || !strings.Contains(a.Speech, "退还3元") {
		t.Fatalf("refund: %+v %v", a, err)
	}
	a, err = s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: "是的"})
	if err != nil || len(a.Refunds) != 1 || a.Refunds[0].Notify != "SUCCESS" {
		t.Fatalf("refund confirmed: %+v %v", a, err)
	}
}

// TestSandboxAnswersToSlotQuestions: the skill elicits slots without updatedIntent
// (the schema and the docs disagree on its shape), so the sandbox, like the
// platform, keeps the session's intent for the answer.
func TestSandboxAnswersToSlotQuestions(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), false)
	ctx := context.Background()
	for _, turn := range []struct{ say, want string }{
		{"我要买东西", "你想买什么"},
		{"第36集", "万古神帝第36集，2元，确定购买吗"},
		{"取消", "已取消"},
		{"我要买听书币", "要买几个"},
		{"三个", "3个听书币，共3元，确定购买吗"},
	} {
		a, err := s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: turn.say})
		if err != nil || !strings.Contains(a.Speech, turn.want) {
			t.Fatalf("say %q: %+v, %v; want %q", turn.say, a, err, turn.want)
		}
	}
}

// TestSandboxMakesItsKeys checks that a sandbox without given keys makes
// them into its data dir on the first start and reuses them on the next,
// and that the skill and the platform each got their own pair.
func TestSandboxMakesItsKeys(t *testing.T) {
	dir := t.TempDir()
	first := startConsole(t, dir, nil, false)
	if len(first.Created) != 5 {
		t.Fatalf("first start wrote %v, want 5 files", first.Created)
	}
	for _, name := range []string{sandbox.SkillKeyFile, sandbox.SkillPubFile, sandbox.PlatformKeyFile, sandbox.PlatformPubFile, sandbox.SecretFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if first.Keys.Skill.Equal(first.Keys.Platform) {
		t.Error("the skill and the platform share a key")
	}
	if a, err := first.Console.Say(context.Background(), sandbox.SayRequest{Text: "我要买万古神帝第35集"}); err != nil || !strings.Contains(a.Speech, "2元") {
		t.Fatalf("say with made keys: %+v %v", a, err)
	}
	first.Close()
	second := startConsole(t, dir, nil, false)
	if len(second.Created) != 0 || !second.Keys.Skill.Equal(first.Keys.Skill) || !second.Keys.Platform.Equal(first.Keys.Platform) {
		t.Fatalf("second start made new keys: %v", second.Created)
	}
}

// TestSandboxAdvance: POST /sandbox/platform/advance moves the clock of the whole
// sandbox forward, and a purchase still goes through after: the skill, the
// platform and the console agree on the time. /sandbox/platform/rewind
// moves it back, never behind real time.
func TestSandboxAdvance(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), false)
	ctx := context.Background()
	move := func(how, by string) (int, sandbox.AdvanceReply) {
		t.Helper()
		resp, err := http.Post(s.PlatformURL+"/sandbox/platform/"+how, "application/json", strings.NewReader(`{"by":"`+by+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r sandbox.AdvanceReply
		_ = json.NewDecoder(resp.Body).Decode(&r)
		return resp.StatusCode, r
	}
	advance := func(by string) (int, sandbox.AdvanceReply) { return move("advance", by) }
	for _, text := range []string{"买3个听书币", "是的"} {
		if _, err := s.Console.Say(ctx, sandbox.SayRequest{User: "carol", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	status, r := advance("2h")
	if ahead := time.Until(r.Now); status != 200 || ahead < 2*time.Hour-time.Minute || ahead > 2*time.Hour+time.Minute {
		t.Fatalf("advance 2h: %d, now %v (%v ahead)", status, r.Now, ahead)
	}
	if ahead := time.Until(s.Clock.Now()); ahead < 2*time.Hour-time.Minute {
		t.Errorf("the sandbox's clock is %v ahead, want 2h", ahead)
	}
	for _, by := range []string{"-1h", "0s", "tomorrow"} {
		if status, _ := advance(by); status != http.StatusBadRequest {
			t.Errorf("advance %s: %d, want 400", by, status)
		}
	}
	paid, err := s.Console.Pay(ctx, sandbox.PayRequest{User: "carol"})
	if err != nil || paid.Order.ShipNotify != "SUCCESS" || !strings.Contains(paid.Speech, "听书币现在有3个") {
		t.Fatalf("pay two hours later: %+v, %v", paid, err)
	}
	for _, by := range []string{"-1h", "0s", "tomorrow"} {
		if status, _ := move("rewind", by); status != http.StatusBadRequest {
			t.Errorf("rewind %s: %d, want 400", by, status)
		}
	}
	if status, r := move("rewind", "90m"); status != 200 || r.Ahead != "30m0s" {
		t.Errorf("rewind 90m after advance 2h: %d, ahead %q, want 30m0s", status, r.Ahead)
	}
	if status, r := move("rewind", "5h"); status != 200 || r.Ahead != "0s" || s.Clock.Ahead() != 0 {
		t.Errorf("rewind 5h half an hour ahead: %d, ahead %q (clock %v), want 0s", status, r.Ahead, s.Clock.Ahead())
	}
}
