package replay_test

import (
	"bytes"
	"context"
	"flag"
	"github.com/dingdang-voicepay/voicepay/internal/apptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

var update = flag.Bool("update", false, "rewrite the want blocks of testdata/utterances from the skill's answers")

const fixtures = "../testdata/utterances"

// startSandbox runs the skill in-process (fresh bbolt store in a temp dir,
// the demo catalog, the TESTING keys) next to the sandbox's fake platform.
func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	keys := sandbox.Keys{Skill: tsktest.SkillKey, Platform: tsktest.PlatformKey, Secret: tsktest.Secret}
	s, err := sandbox.Start(context.Background(), sandbox.Config{
		Addr: "127.0.0.1:0", PlatformAddr: "127.0.0.1:0", DataDir: t.TempDir(), Keys: &keys,
		SkillID: tsktest.SkillID, Build: apptest.Build,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runAll replays every fixture against the target, one subtest each.
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
			r := replay.Runner{Target: target, Update: upd, Out: &out}
			res, err := r.Run(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if !upd && !res.OK() {
				t.Errorf("answers differ from %s (run `go test ./replay -update` to accept them):\n%s", path, out.String())
			}
		})
	}
}

// TestFixtures replays every conversation of testdata/utterances in-process:
// `make test` fails on any drift of the dialog or the pay flow.
func TestFixtures(t *testing.T) {
	runAll(t, replay.NewSandboxTarget(startSandbox(t), false), *update)
}

// TestFixturesOverHTTPMatchInProcess replays them again against another
// sandbox with HMAC-signed skill requests, as `skill replay --url` does
// against a running one: the answers must be the same. With -update it runs
// after TestFixtures has rewritten the files, and checks the new answers.
func TestFixturesOverHTTPMatchInProcess(t *testing.T) {
	runAll(t, replay.NewSandboxTarget(startSandbox(t), true), false)
}
