package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// The utterance fixtures and the sandbox run here, in package main, because
// they need the whole skill wired exactly as `skill serve` wires it, and
// that wiring (wire.go) is the only one.

var update = flag.Bool("update", false, "rewrite the want blocks of testdata/utterances from the skill's answers")

const fixtures = "../../testdata/utterances"

// testConfig is the default configuration (no environment: the built-in
// catalog) with the test skill id.
func testConfig(t *testing.T) config {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := loadConfig(fs, nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SkillID = tsktest.SkillID
	return cfg
}

// testKeys are the TESTING keys, so tests skip generating RSA keys.
func testKeys() *sandbox.Keys {
	return &sandbox.Keys{Skill: tsktest.SkillKey, Platform: tsktest.PlatformKey, Secret: tsktest.Secret}
}

// startSandbox runs the skill in-process (fresh bbolt store in a temp dir,
// the demo catalog, the TESTING keys) next to the sandbox's fake platform,
// as `skill replay` does.
func startSandbox(t *testing.T, hmac bool) *sandbox.Sandbox {
	t.Helper()
	sb, closeSandbox, err := inProcess(context.Background(), testConfig(t), testKeys(), hmac)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeSandbox)
	return sb
}

// runAll replays every fixture against the target, one subtest each, with
// every skill response checked against the platform's schema.
func runAll(t *testing.T, target replay.Target, upd bool) {
	files, err := replay.Files(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", fixtures)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			f, err := replay.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			r := replay.Runner{Target: target, Update: upd, Out: &out, Check: tsktest.CheckResponse}
			res, err := r.Run(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !upd && !res.OK() {
				t.Errorf("answers differ from %s (run `go test ./cmd/skill -run Fixtures -update` to accept them):\n%s", path, out.String())
			}
		})
	}
}

// TestFixtures replays every conversation of testdata/utterances in-process:
// `make test` fails on any drift of the dialog or the pay flow.
func TestFixtures(t *testing.T) {
	runAll(t, replay.NewSandboxTarget(startSandbox(t, false), false), *update)
}

// TestFixturesOverHTTPMatchInProcess replays them again against another
// sandbox with HMAC-signed skill requests, as `skill replay --url` does
// against a running one: the answers must be the same. With -update it runs
// after TestFixtures has rewritten the files, and checks the new answers.
func TestFixturesOverHTTPMatchInProcess(t *testing.T) {
	runAll(t, replay.NewSandboxTarget(startSandbox(t, true), true), false)
}

// TestReplayMissingWantAndUpdate runs the fixture runner's whole cycle on a
// new fixture: refused without a want, written by -update, then passing,
// then a diff naming file, turn and field once its answer is broken.
func TestReplayMissingWantAndUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.txtar")
	src := "title: t\ndevice: screened\nuser: alice\n-- 1 user --\nsay: 帮助\nintent: help\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	target := replay.NewSandboxTarget(startSandbox(t, false), false)
	var out bytes.Buffer
	r := replay.Runner{Target: target, Out: &out}
	_, err := r.RunFiles(context.Background(), []string{path})
	if !errors.Is(err, replay.ErrNoWant) || !strings.Contains(err.Error(), "new.txtar: turn 1") {
		t.Fatalf("err = %v, want ErrNoWant naming the file and turn", err)
	}
	r.Update = true
	if _, err := r.RunFiles(context.Background(), []string{path}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(got), src) || !strings.Contains(string(got), "-- 1 want --\nspeech: ") {
		t.Fatalf("updated fixture:\n%s", got)
	}
	// Now it passes; break its speech and the diff names file, turn, field.
	r.Update = false
	if _, err := r.RunFiles(context.Background(), []string{path}); err != nil {
		t.Fatalf("replay after update: %v\n%s", err, out.String())
	}
	broken := strings.Replace(string(got), "speech: ", "speech: 不对", 1)
	os.WriteFile(path, []byte(broken), 0o644)
	out.Reset()
	if _, err := r.RunFiles(context.Background(), []string{path}); !errors.Is(err, replay.ErrMismatch) {
		t.Fatalf("err = %v, want ErrMismatch", err)
	}
	if !strings.Contains(out.String(), "new.txtar: turn 1 (user \"帮助\"): speech:\n\twant 不对") {
		t.Fatalf("diff:\n%s", out.String())
	}
}

// fixtureHeader starts a fixture of the tests.
const fixtureHeader = "title: t\ndevice: screened\nuser: alice\n"

// plainTarget hides a target's clock.
type plainTarget struct{ replay.Target }

// TestReplayStepErrors: an advance against a target whose clock cannot
// move, and a jump naming an order not made, fail the fixture clearly.
func TestReplayStepErrors(t *testing.T) {
	target := replay.NewSandboxTarget(startSandbox(t, false), false)
	tests := []struct {
		name   string
		target replay.Target
		data   string
		want   string
	}{
		{"advance without a clock", plainTarget{target}, fixtureHeader + "-- 1 platform --\nstep: advance\nby: 2h\n", "cannot be moved"},
		{"jump to an order not made", target, fixtureHeader + "-- 1 user --\nintent: buy\nslots: {product: 听书币, count: 1}\n" +
			"-- 2 user --\nintent: yes\n-- 3 platform --\nstep: create-order\n-- 4 platform --\nstep: connections-response\norder: 2\n", "order 2 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := replay.Parse(filepath.Join(t.TempDir(), "steps.txtar"), []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			_, err = (&replay.Runner{Target: tt.target, Update: true, Out: io.Discard}).Run(context.Background(), f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
