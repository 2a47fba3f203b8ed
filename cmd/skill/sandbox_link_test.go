package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

// TestSandboxLink links alice over HTTP, as the README's curl does: her
// later turns carry the token, on every device, and her purchase is the
// account's; the sandbox suggests linking before that.
func TestSandboxLink(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), false)
	ctx := context.Background()
	say := func(device, user, text string) *sandbox.Answer {
		t.Helper()
		a, err := s.Console.Say(ctx, sandbox.SayRequest{Device: device, User: user, Text: text})
		if err != nil {
			t.Fatalf("say %q: %v", text, err)
		}
		return a
	}
	say("screenless", "alice", "买3个听书币")
	if a := say("screenless", "alice", "是的"); !strings.Contains(a.Speech, "关联账号") {
		t.Errorf("unlinked purchase in the sandbox (SKILL_LINK=optional): %q", a.Speech)
	}
	if _, err := s.Console.Pay(ctx, sandbox.PayRequest{Device: "screenless", User: "alice"}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Post(s.PlatformURL+"/sandbox/link", "application/json", strings.NewReader(`{"user":"alice","account":"acct-alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	var r sandbox.LinkReply
	err = json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || r.AccessToken == "" || r.Account != "acct-alice" || r.ExpiresIn < 3500 {
		t.Fatalf("link: %d %+v, %v", resp.StatusCode, r, err)
	}
	for _, device := range []string{"screened", "screenless"} {
		if a := say(device, "alice", "我的账号"); !strings.Contains(a.Speech, "acct-alice") {
			t.Errorf("%s: %q", device, a.Speech)
		}
		if a := say(device, "alice", "我买过什么"); !strings.Contains(a.Speech, "听书币") {
			t.Errorf("%s: the purchase did not follow the account: %q", device, a.Speech)
		}
	}
	if a := say("screened", "bob", "我的账号"); !strings.Contains(a.Speech, "还没有关联账号") {
		t.Errorf("bob is not linked: %q", a.Speech)
	}
	if _, err := s.Console.Link(ctx, sandbox.LinkRequest{User: "alice"}); err == nil {
		t.Error("a link without an account succeeded")
	}
}
