package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// dialogScript runs `skill dialog args...` with the lines as its input and
// returns what it printed.
func dialogScript(t *testing.T, vars map[string]string, args []string, lines ...string) string {
	t.Helper()
	var out bytes.Buffer
	e := &env{stdin: strings.NewReader(strings.Join(lines, "\n") + "\n"), stdout: &out, stderr: &out,
		getenv: func(k string) string { return vars[k] }}
	if code := run(context.Background(), append([]string{"dialog"}, args...), e); code != 0 {
		t.Fatalf("skill dialog exited %d:\n%s", code, out.String())
	}
	return out.String()
}

// TestDialogRecordsFixturesThatReplay talks to the in-process skill at the
// prompt as a developer would, records two conversations and replays the
// files written against another, fresh skill: they must pass as written.
func TestDialogRecordsFixturesThatReplay(t *testing.T) {
	dir := t.TempDir()
	one, two := filepath.Join(dir, "one.txtar"), filepath.Join(dir, "two.txtar")
	out := dialogScript(t, nil, nil,
		"我要买万古神帝第35集", "是的", ":pay", "我买过什么", ":record "+one,
		":user bob", ":device screenless", "我要买听书币", "三个", "是的", ":late", ":ship-notify 2",
		"我要退款", "是的", ":advance 1h", ":refund-notify", ":record "+two+" 无屏买听书币，晚到的发货通知，再退款",
		"今天天气怎么样", ":nonsense", ":device tv", ":quit", "这一行不再读")
	for _, want := range []string{
		"叮当：万古神帝第35集，2元，确定购买吗？", "平台 create-order → SUCCESS", "叮当：购买成功！现在为你播放万古神帝第35集",
		"已写入 " + one + "（7 轮）", "新对话：用户 bob，screenless", "追问 count", "平台 ship-notify → SUCCESS, SUCCESS",
		"平台 advance → ADVANCED 1h", "平台 refund-notify → SUCCESS", "已写入 " + two, "听不懂“今天天气怎么样”", "不认识的命令 :nonsense", `device "tv"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dialog did not print %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "不再读") {
		t.Error("the dialog read past :quit")
	}
	data, _ := os.ReadFile(two)
	for _, want := range []string{"title: 无屏买听书币，晚到的发货通知，再退款\ndevice: screenless\nuser: bob\n",
		"tradeNo: <tradeNo>", "user: <token>", "step: refund-notify", "session: \"2\""} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", two, want, data)
		}
	}
	f, err := replay.ParseFile(one)
	if err != nil || f.Device != device.Screened || f.User != "alice" || len(f.Turns) != 7 {
		t.Fatalf("%s: %+v %v", one, f, err)
	}
	var diff bytes.Buffer
	r := replay.Runner{Target: replay.NewSandboxTarget(startSandbox(t, false), false), Out: &diff, Check: tsktest.CheckResponse}
	results, err := r.RunFiles(context.Background(), []string{one, two})
	if err != nil || len(results) != 2 {
		t.Fatalf("replaying the recorded fixtures: %v\n%s", err, diff.String())
	}
}

// TestDialogRefundNotifyWithoutRefund: :refund-notify for an order with no
// refund says how to ask for one, as skill trigger does, not the fake
// platform's raw error; once asked for, the refund settles.
func TestDialogRefundNotifyWithoutRefund(t *testing.T) {
	out := dialogScript(t, nil, nil, "我要买万古神帝第35集", "是的", ":pay", ":refund-notify", "我要退款", "是的", ":refund-notify")
	if !regexp.MustCompile(`出错：order T\S+ has no refund to settle \(ask for one: say 我要退款, then 是的\)\n`).MatchString(out) {
		t.Errorf("no advice on the missing refund:\n%s", out)
	}
	if strings.Contains(out, `"error"`) || strings.Contains(out, "fakeplatform") || !strings.Contains(out, "平台 refund-notify → SUCCESS") {
		t.Errorf("the dialog printed a raw error, or no refund notify once asked for:\n%s", out)
	}
}

// TestDialogAgainstARunningSandbox talks to a running sandbox with --url,
// signing with the keys in its data directory.
func TestDialogAgainstARunningSandbox(t *testing.T) {
	dir := t.TempDir()
	sb := startConsole(t, dir, nil, false)
	out := dialogScript(t, map[string]string{"SKILL_DATA": dir, "SKILL_ID": sb.SkillID},
		[]string{"--url", sb.SkillURL, "--platform", sb.PlatformURL, "--user", "erin"},
		"我要买万古神帝第36集", "是的", ":advance 2h", ":pay", ":advance 30m", ":record")
	for _, want := range []string{"对着 " + sb.SkillURL + " 说话", "购买成功！现在为你播放万古神帝第36集", "用法：:record",
		"时钟已拨回 2h30m0s"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dialog did not print %q:\n%s", want, out)
		}
	}
	// The dialog's :advance is undone when it ends.
	if ahead := sb.Clock.Ahead(); ahead != 0 {
		t.Errorf("after the dialog the sandbox's clock is %v ahead, want 0", ahead)
	}
}

// TestDialogRecordRefusesAContinuation: after a speaker switch the user's
// earlier turns are not in the conversation, and a fixture of it would not
// replay as it went (the purchases made before are missing): :record says
// so and writes nothing; a new user records as usual.
func TestDialogRecordRefusesAContinuation(t *testing.T) {
	dir := t.TempDir()
	cont, fresh := filepath.Join(dir, "cont.txtar"), filepath.Join(dir, "fresh.txtar")
	out := dialogScript(t, nil, nil,
		"我要买万古神帝第35集", "是的", ":pay", ":device screenless", "我要买三个听书币", "是的", ":record "+cont,
		":user zed", "我要买三个听书币", "是的", ":record "+fresh, ":quit")
	if !strings.Contains(out, "没有写入：alice 在这段对话之前还有") {
		t.Errorf("the continuation was not refused:\n%s", out)
	}
	if _, err := os.Stat(cont); !os.IsNotExist(err) {
		t.Errorf("%s was written: %v", cont, err)
	}
	if !strings.Contains(out, "已写入 "+fresh) {
		t.Errorf("a new user's conversation was not recorded:\n%s", out)
	}
}

// TestDialogKeepsOrdersAcrossSpeakers: the user goes on on another speaker
// (or comes back after another user): :pay still pays the order placed
// before, and :refund-notify settles the refund asked for, not the last
// order ("no order created yet", "has no refund to settle" before).
func TestDialogKeepsOrdersAcrossSpeakers(t *testing.T) {
	out := dialogScript(t, nil, []string{"--device", "screenless"},
		"我要买三个听书币", "是的", ":device screened", ":pay",
		"我要买万古神帝第35集", "是的", ":user bob", ":user alice", ":pay",
		"退掉听书币", "是的", ":refund-notify", "我买过什么")
	for _, want := range []string{"平台 ship-notify → SUCCESS", "叮当：购买成功！听书币现在有3个。", "叮当：购买成功！现在为你播放万古神帝第35集",
		"已申请退款3元", "平台 refund-notify → SUCCESS", "叮当：你已购买：万古神帝第35集。"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dialog did not print %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "出错") {
		t.Errorf("an error:\n%s", out)
	}
	// The line names the order refunded, not the last one (DELIVERED).
	if !regexp.MustCompile(`平台 refund-notify → SUCCESS（技能的订单 T\w+ REFUNDED）`).MatchString(out) {
		t.Errorf("the refund-notify line does not name the refunded order:\n%s", out)
	}
}

// TestDialogPaymentResultEndsTheSession: after the payment result ends
// its session, the next thing said starts a new one, as on the platform:
// a question asked before it no longer stands (its "是的" bought 36集).
func TestDialogPaymentResultEndsTheSession(t *testing.T) {
	out := dialogScript(t, nil, []string{"--device", "screened"},
		"我要买万古神帝第35集", "是的", "我要买万古神帝第36集", ":pay", "是的")
	if !strings.Contains(out, "现在为你播放万古神帝第35集") {
		t.Fatalf("not paid:\n%s", out)
	}
	if strings.Contains(out, "好的，万古神帝第36集") {
		t.Errorf("a yes after the payment result answered the question before it:\n%s", out)
	}
}
