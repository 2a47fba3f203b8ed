package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

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
	// Hours later the access token has expired: the platform refreshes it
	// before it sends her request (she was a stranger, sold again what
	// the account owns).
	if err := s.Clock.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if a := say("screenless", "alice", "我买过什么"); !strings.Contains(a.Speech, "听书币") {
		t.Errorf("after the token expired: %q", a.Speech)
	}
	if _, err := s.Clock.Rewind(2 * time.Hour); err != nil { // back before the new token's issue
		t.Fatal(err)
	}
	if a := say("screenless", "alice", "我的账号"); !strings.Contains(a.Speech, "acct-alice") {
		t.Errorf("after a rewind: %q", a.Speech)
	}
	if _, err := s.Console.Link(ctx, sandbox.LinkRequest{User: "alice"}); err == nil {
		t.Error("a link without an account succeeded")
	}
}

// TestSandboxLinkFollowsOrders: after erin links an account, her orders
// move there, and what knows only her platform userId follows them: the
// order page her card's QR code opens still says paid, and the
// simulator's panel still lists the order and what she owns.
func TestSandboxLinkFollowsOrders(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), false)
	ctx := context.Background()
	say := func(text string) *sandbox.Answer {
		t.Helper()
		a, err := s.Console.Say(ctx, sandbox.SayRequest{Device: "screened", User: "erin", Text: text})
		if err != nil {
			t.Fatalf("say %q: %v", text, err)
		}
		return a
	}
	say("我要买万古神帝第36集")
	a := say("是的")
	m := regexp.MustCompile(`/qr/([A-Za-z0-9_-]+)\.`).FindStringSubmatch(strings.Join(a.Directives, " "))
	if m == nil {
		t.Fatalf("no QR code on the card: %q", a.Directives)
	}
	var qr struct {
		Page string `json:"c"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(m[1]); err != nil || json.Unmarshal(b, &qr) != nil || qr.Page == "" {
		t.Fatalf("QR token %q: %v", m[1], err)
	}
	title := func() string {
		t.Helper()
		resp, err := http.Get(qr.Page)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return regexp.MustCompile(`<title>([^<]*)`).FindStringSubmatch(string(b))[1]
	}
	if _, err := s.Console.Pay(ctx, sandbox.PayRequest{Device: "screened", User: "erin"}); err != nil {
		t.Fatal(err)
	}
	if got := title(); !strings.Contains(got, "已支付") {
		t.Fatalf("order page before linking: %q", got)
	}
	if _, err := s.Console.Link(ctx, sandbox.LinkRequest{User: "erin", Account: "acct-erin"}); err != nil {
		t.Fatal(err)
	}
	say("我买过什么") // the first request with the token moves the orders
	if got := title(); !strings.Contains(got, "已支付") {
		t.Errorf("order page after linking: %q, want it paid still", got)
	}
	resp, err := http.Get(s.PlatformURL + "/sandbox/state?user=erin")
	if err != nil {
		t.Fatal(err)
	}
	var st sandbox.State
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil || st.Account != "acct-erin" || len(st.OrderViews) != 1 || len(st.Owned) != 1 || st.AdminError != "" {
		t.Errorf("panel after linking: account %q, %d orders, owned %+v, %v %s", st.Account, len(st.OrderViews), st.Owned, err, st.AdminError)
	}
}
