package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// replayCLI runs `skill replay args...` with the environment vars.
func replayCLI(vars map[string]string, args ...string) (string, int) {
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), append([]string{"replay"}, args...), e)
	return out.String(), code
}

func TestReplayRunPattern(t *testing.T) {
	out, code := replayCLI(nil, "--run", "^buy-episode-", fixtures)
	if code != 0 || !strings.Contains(out, "replayed 2 fixtures: 2 ok, 0 differ") {
		t.Fatalf("--run ^buy-episode-: exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "users:") {
		t.Errorf("an in-process run named its users:\n%s", out)
	}
	if out, code := replayCLI(nil, "--run", "^buy-episode-screened$", fixtures); code != 0 || !strings.Contains(out, "replayed 1 fixture: 1 ok, 0 differ") {
		t.Errorf("one fixture: exit %d:\n%s", code, out)
	}
	for _, pattern := range []string{"no-such-fixture", "("} {
		if out, code := replayCLI(nil, "--run", pattern, fixtures); code != 2 || !strings.Contains(out, "--run") {
			t.Errorf("--run %q: exit %d, want 2 naming --run:\n%s", pattern, code, out)
		}
	}
}

// TestReplayAgainstARunningServerLeavesItsUsers: a run with --url uses
// users no real one can be, removes nothing and says which they were.
func TestReplayAgainstARunningServerLeavesItsUsers(t *testing.T) {
	dir := t.TempDir()
	sb := startConsole(t, dir, nil, false)
	vars := map[string]string{"SKILL_DATA": dir, "SKILL_ID": sb.SkillID}
	out, code := replayCLI(vars, "--url", sb.SkillURL, "--platform", sb.PlatformURL, "--run", "^buy-coins-screen", fixtures)
	if code != 0 || !strings.Contains(out, "replayed 2 fixtures: 2 ok") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	m := regexp.MustCompile(`users: this run used (replay\.\S+)\.\* on ` + regexp.QuoteMeta(sb.SkillURL) + ` \(one per fixture\); it removed nothing`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no line naming the users:\n%s", out)
	}
	var list struct {
		Orders []struct {
			UserID string `json:"userId"`
			State  string `json:"state"`
		} `json:"orders"`
	}
	c := &admin.Client{BaseURL: sb.OpsURL, Secret: sb.AdminSecret}
	if err := c.Get(context.Background(), "/admin/orders", &list); err != nil {
		t.Fatal(err)
	}
	users := map[string]bool{}
	for _, o := range list.Orders {
		if !strings.HasPrefix(o.UserID, m[1]+".") {
			t.Errorf("order of %q: not a user of this run (%s.*)", o.UserID, m[1])
		}
		users[o.UserID] = true
	}
	if len(users) != 2 {
		t.Errorf("orders of %d users, want one per fixture (2): %v", len(users), users)
	}
}

// TestReplayNamesTheLineOfABrokenField: an unknown field names the file
// and its line in the file.
func TestReplayNamesTheLineOfABrokenField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.txtar")
	src := "title: t\ndevice: screened\nuser: alice\n-- 1 user --\nsay: 帮助\nintent: help\n-- 1 want --\nspeech: x\nends: true\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := replayCLI(nil, path)
	if code != 1 || !strings.Contains(out, path+`:9: turn 1: 1 want: unknown field "ends"`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestReplayPutsTheSandboxClockBack: fixtures whose advance steps move a
// running sandbox's clock hours ahead leave it at real time when they end,
// passing or not, so that what signs with real time afterwards (skill
// trigger, skill dialog, the admin commands) is not refused as stale.
func TestReplayPutsTheSandboxClockBack(t *testing.T) {
	dir := t.TempDir()
	sb := startConsole(t, dir, nil, false)
	vars := map[string]string{"SKILL_DATA": dir, "SKILL_ID": sb.SkillID}
	out, code := replayCLI(vars, "--url", sb.SkillURL, "--platform", sb.PlatformURL, "--run", "^order-placed-later-", fixtures)
	if code != 0 || !strings.Contains(out, "replayed 2 fixtures: 2 ok") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if ahead := sb.Clock.Ahead(); ahead != 0 {
		t.Fatalf("after the replay the sandbox's clock is %v ahead, want 0", ahead)
	}

	// A fixture that fails after its advance step puts the clock back too.
	path := filepath.Join(t.TempDir(), "fails-later.txtar")
	src := "title: t\ndevice: screened\nuser: alice\n-- 1 platform --\nstep: advance\nby: 3h\n-- 1 want --\nreply: ADVANCED 3h\n" +
		"-- 2 user --\nsay: 帮助\nintent: help\n-- 2 want --\nspeech: 不是这句\nend: false\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := replayCLI(vars, "--url", sb.SkillURL, "--platform", sb.PlatformURL, path); code != 1 || !strings.Contains(out, "不是这句") {
		t.Fatalf("failing fixture: exit %d, want 1:\n%s", code, out)
	}
	if ahead := sb.Clock.Ahead(); ahead != 0 {
		t.Fatalf("after a failing fixture the sandbox's clock is %v ahead, want 0", ahead)
	}

	// What signs with real time is accepted: a skill request and a pay call.
	p := &fakeplatform.Platform{SkillID: sb.SkillID, SkillURL: sb.SkillURL, Key: sb.Keys.Platform, SkillKey: &sb.Keys.Skill.PublicKey}
	ctx := context.Background()
	if _, err := p.Skill(ctx, fakeplatform.NewIntent("help", nil, fakeplatform.WithSkill(sb.SkillID))); err != nil {
		t.Errorf("a skill request signed now: %v", err)
	}
	req := fakeplatform.NewCreateOrder("alice", shop.Line{ItemID: "ep35", Quantity: 1, Amount: 200})
	req.SkillID = sb.SkillID
	if reply, err := p.CreateOrder(ctx, req); err != nil || !reply.OK() {
		t.Errorf("a create-order signed now: %+v, %v", reply, err)
	}
}

// TestReplayBrokenFixtureCounts: a fixture that cannot be played (a field
// the format does not have) prints its FAIL line and counts as failed in the
// summary; the others still run.
func TestReplayBrokenFixtureCounts(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(fixtures, "buy-episode-screened.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	bad := "title: t\ndevice: screened\nuser: alice\n-- 1 user --\nsay: 帮助\nintent: help\ncolour: red\n-- 1 want --\nspeech: x\nends: true\n"
	for name, data := range map[string][]byte{"a-good.txtar": good, "b-bad.txtar": []byte(bad)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code := replayCLI(nil, dir)
	if code != 1 || !strings.Contains(out, "FAIL "+filepath.Join(dir, "b-bad.txtar")) ||
		!strings.Contains(out, "replayed 2 fixtures: 1 ok, 0 differ, 1 failed\n") {
		t.Errorf("exit %d, want 1, a FAIL line and the broken fixture counted:\n%s", code, out)
	}
}
