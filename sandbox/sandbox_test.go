package sandbox_test

import (
	"context"
	"github.com/dingdang-voicepay/voicepay/internal/apptest"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// start runs a sandbox on free ports with the TESTING keys.
func start(t *testing.T, hmac bool) *sandbox.Sandbox {
	t.Helper()
	keys := sandbox.Keys{Skill: tsktest.SkillKey, Platform: tsktest.PlatformKey, Secret: tsktest.Secret}
	s, err := sandbox.Start(context.Background(), sandbox.Config{
		Addr: "127.0.0.1:0", PlatformAddr: "127.0.0.1:0", DataDir: t.TempDir(), Keys: &keys, HMAC: hmac,
		Build: apptest.Build,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBuyPayRefundByVoice(t *testing.T) {
	for _, device := range []string{"screened", "screenless"} {
		t.Run(device, func(t *testing.T) {
			s := start(t, device == "screenless")
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
			if a := say("我要退款"); !strings.Contains(a.Speech, "将退还2元") {
				t.Fatalf("refund: %+v", a)
			}
			if a := say("是的"); len(a.Refunds) != 1 || a.Refunds[0].Notify != "SUCCESS" {
				t.Fatalf("refund confirmed: %+v", a)
			}
		})
	}
}

func TestRefundSettles(t *testing.T) {
	s := start(t, true)
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
	if err != nil || !strings.Contains(a.Speech, "将退还3元") {
		t.Fatalf("refund: %+v %v", a, err)
	}
	a, err = s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: "是的"})
	if err != nil || len(a.Refunds) != 1 || a.Refunds[0].Notify != "SUCCESS" {
		t.Fatalf("refund confirmed: %+v %v", a, err)
	}
}

// TestAnswersToSlotQuestions: the skill elicits slots without updatedIntent
// (the schema and the docs disagree on its shape), so the sandbox, like the
// platform, keeps the session's intent for the answer.
func TestAnswersToSlotQuestions(t *testing.T) {
	s := start(t, false)
	ctx := context.Background()
	for _, turn := range []struct{ say, want string }{
		{"我要买东西", "你想买什么"},
		{"第36集", "万古神帝第36集，2元，确定购买吗"},
		{"取消", "已取消"},
		{"我要买听书币", "要买几个"},
		{"三个", "听书币3个，共3元，确定购买吗"},
	} {
		a, err := s.Console.Say(ctx, sandbox.SayRequest{User: "bob", Text: turn.say})
		if err != nil || !strings.Contains(a.Speech, turn.want) {
			t.Fatalf("say %q: %+v, %v; want %q", turn.say, a, err, turn.want)
		}
	}
}
