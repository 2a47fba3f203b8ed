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
	c := &admin.Client{BaseURL: sb.SkillURL, Secret: sb.AdminSecret}
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
