package main_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestTrigger fires each event at a running `skill serve` the way a
// developer would, and checks what it printed and what the server did.
func TestTrigger(t *testing.T) {
	platform := tsktest.NewPlatform(t) // the server asks it for refunds
	data := t.TempDir()
	platformKey := filepath.Join(data, "platform_private.pem")
	if err := os.WriteFile(platformKey, tsktest.PlatformKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := environ(data, "SKILL_PLATFORM_URL="+platform.PayURL())
	p := serve(t, env)
	trigger := func(env []string, args ...string) (string, string, int) {
		t.Helper()
		return cli(t, env, append([]string{"trigger", "--url", p.url, "--ops", p.ops, "--platform-key", platformKey}, args...)...)
	}
	expect := func(what, out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the output lacks %q:\n%s", what, w, out)
			}
		}
	}
	state := func(tradeNo string) string {
		t.Helper()
		var o server.OrderView
		if code := adminGet(t, p.ops, "/admin/orders/"+tradeNo, &o); code != 200 {
			t.Fatalf("admin order %s: HTTP %d", tradeNo, code)
		}
		return string(o.State)
	}

	out, errOut, code := trigger(env, "create-order", "--user", "alice", "--item", "ep35")
	if code != 0 {
		t.Fatalf("create-order: exit %d: %s%s", code, out, errOut)
	}
	expect("create-order", out, "→ POST "+p.url+"/pay/create-order", "Authorization: TSK-RSA2 Datetime=",
		`"userToken": "alice"`, `"totalAmt": 200`, "← HTTP 200", "signature: verified TSK-RSA2", "result:    SUCCESS")
	m := regexp.MustCompile(`"tradeNo": "([A-Z0-9]+)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no tradeNo in:\n%s", out)
	}
	tradeNo := m[1]

	// A refusal is printed, signed, and is not an error of the command.
	out, _, code = trigger(env, "create-order", "--item", "ep36", "--amount", "1")
	if code != 0 {
		t.Fatalf("refused create-order: exit %d", code)
	}
	expect("refused create-order", out, "signature: verified", "result:    FAIL total_mismatch")

	out, _, code = trigger(env, "ship-notify", "--order", tradeNo)
	expect("ship-notify", out, "/pay/ship-notify", `"tradeNo": "`+tradeNo+`"`, "result:    SUCCESS")
	if code != 0 || state(tradeNo) != "DELIVERED" {
		t.Fatalf("ship-notify: exit %d, order %s", code, state(tradeNo))
	}

	out, _, code = trigger(env, "connections-response", "--order", tradeNo)
	expect("connections-response", out, "→ POST "+p.url+"/skill", `"partnerOrderId": "`+tradeNo+`"`,
		"skill responses are not signed", "购买成功！现在为你播放万古神帝第35集")
	if code != 0 {
		t.Fatalf("connections-response: exit %d", code)
	}
	// A second process sends the jump again: a request id of its own (not
	// one numbered from 1 in every process, which the skill would refuse as
	// replayed), and the skill says the order is done.
	out, errOut, code = trigger(env, "connections-response", "--order", tradeNo)
	if code != 0 || !strings.Contains(out, "这笔订单已经完成了") {
		t.Fatalf("second connections-response: exit %d\n%s%s", code, out, errOut)
	}

	// A refund the platform accepted, then its result notified.
	platform.Pay(tradeNo, 200)
	if out, errOut, code := cli(t, env, "refund", tradeNo, "--server", p.ops); code != 0 {
		t.Fatalf("refund: exit %d: %s%s", code, out, errOut)
	}
	out, _, code = trigger(env, "refund-notify", "--order", tradeNo)
	expect("refund-notify", out, "/pay/refund-notify", `"refundStatus": "SUCCESS"`, "result:    SUCCESS")
	if code != 0 || state(tradeNo) != "REFUNDED" {
		t.Fatalf("refund-notify: exit %d, order %s", code, state(tradeNo))
	}

	// A reply signed with another key than the one we hold for the skill
	// fails the command.
	otherKey := filepath.Join(data, "not_the_skill.pem")
	if err := os.WriteFile(otherKey, tsktest.PlatformKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = trigger(append(env, "SKILL_PRIVATE_KEY="+otherKey), "ship-notify", "--order", tradeNo)
	if code != 1 || !strings.Contains(out, "signature: FAILED") || !strings.Contains(errOut, "does not verify") {
		t.Fatalf("wrong skill key: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"ship-notify"}, {"explode", "--order", tradeNo}, {}} {
		if _, errOut, code := trigger(env, args...); code != 2 {
			t.Errorf("trigger %v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}
