package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// defaultFixtures is where `skill replay` looks without arguments.
const defaultFixtures = "testdata/utterances"

// runReplay is `skill replay [--url URL] [--run PATTERN] [--update] [FILES
// or DIRS]`: it
// plays utterance fixtures and prints a per-turn diff of what differs; the
// exit status is 1 on any mismatch. Without --url the skill is built
// in-process (a fresh bbolt store and fresh development keys in a temporary
// directory, SKILL_CATALOG) next to a fake platform. With --url it runs against a
// running server (normally `skill sandbox`): skill requests are signed with
// the platform key (RSA2, or HMAC with SKILL_SECRET when --hmac), orders are
// read through the admin API at --ops (SKILL_ADMIN_SECRET), and the platform steps
// drive the fake platform at --platform, the one the server's
// SKILL_PLATFORM_URL points at. Each fixture's user is a fresh
// "replay.<run>.<nonce>.<user>", which no real user is, and the run
// names them in its last line: it removes nothing from the server.
func runReplay(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "replay")
	url := fs.String("url", "", "base `URL` of a running skill (default: build it in-process)")
	platform := fs.String("platform", "", "with --url: the `URL` of the sandbox's fake platform (default: the sandbox's on SKILL_DATA, else http://"+sandbox.DefaultPlatformAddr+")")
	ops := fs.String("ops", "", "with --url: the skill's operations `URL`, for the admin API (default: the sandbox's on SKILL_DATA, else http://SKILL_OPS_ADDR)")
	platformKey := fs.String("platform-key", "", "with --url: the platform's private key `FILE` (default <data>/"+sandbox.PlatformKeyFile+")")
	hmac := fs.Bool("hmac", false, "sign skill requests with TSK-HMAC-SHA256-BASIC instead of TSK-RSA2")
	update := fs.Bool("update", false, "rewrite the want blocks from the skill's answers")
	runPattern := fs.String("run", "", "play only the fixtures whose name (file name without .txtar) matches this `PATTERN` (a regexp)")
	cfg, pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{defaultFixtures}
	}
	files, err := replay.Files(pos...)
	if err != nil {
		return usageError(err.Error())
	}
	if *runPattern != "" {
		re, err := regexp.Compile(*runPattern)
		if err != nil {
			return usageError("--run: " + err.Error())
		}
		files = slices.DeleteFunc(files, func(p string) bool {
			return !re.MatchString(strings.TrimSuffix(filepath.Base(p), ".txtar"))
		})
		if len(files) == 0 {
			return usageError(fmt.Sprintf("--run %q matches no fixture in %s", *runPattern, strings.Join(pos, " ")))
		}
	}
	var target replay.Target
	if *url == "" {
		sb, closeSandbox, err := inProcess(ctx, cfg, nil, *hmac)
		if err != nil {
			return err
		}
		defer closeSandbox()
		target = replay.NewSandboxTarget(sb, *hmac)
	} else if target, err = remoteTarget(cfg, *url, cfg.opsURL(*ops), cfg.platformURL(*platform), *platformKey, *hmac); err != nil {
		return err
	}
	r := replay.Runner{Target: target, Update: *update, Out: e.stdout}
	results, err := r.RunFiles(ctx, files)
	differ, broken := 0, 0
	for _, res := range results {
		switch {
		case res.Err != nil:
			broken++
		case !res.OK() && !*update:
			differ++
		}
	}
	fixtures := "fixtures"
	if len(results) == 1 {
		fixtures = "fixture"
	}
	summary := fmt.Sprintf("replayed %d %s: %d ok, %d differ", len(results), fixtures, len(results)-differ-broken, differ)
	if broken > 0 {
		summary += fmt.Sprintf(", %d failed", broken)
	}
	fmt.Fprintln(e.stdout, summary)
	if *url != "" {
		fmt.Fprintf(e.stdout, "users: this run used %s on %s (one per fixture); it removed nothing\n", r.Users(), *url)
	}
	return err
}

// inProcess starts the skill, wired as `skill serve` wires it, on free
// ports with a fresh store and development keys made for this run (keys
// nil) or the given ones, all in a temporary directory.
func inProcess(ctx context.Context, cfg config, keys *sandbox.Keys, hmac bool) (*sandbox.Sandbox, func(), error) {
	dir, err := os.MkdirTemp("", "skill-replay-")
	if err != nil {
		return nil, nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sb, err := sandbox.Start(ctx, sandbox.Config{
		Addr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0", PlatformAddr: "127.0.0.1:0", DataDir: dir, Catalog: cfg.Catalog,
		SkillID: cfg.SkillID, Keys: keys, HMAC: hmac, Build: sandboxBuild(cfg, quiet, false), Logger: quiet,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return sb, func() { sb.Close(); os.RemoveAll(dir) }, nil
}

// remoteTarget is a running server, with the keys from the configuration
// and the sandbox's data directory.
func remoteTarget(cfg config, url, ops, platform, platformKey string, hmac bool) (*replay.HTTPTarget, error) {
	platformKey = cmpOr(platformKey, filepath.Join(cfg.Data, sandbox.PlatformKeyFile))
	pk, err := tsk.LoadPrivateKey(platformKey)
	if err != nil {
		return nil, badSetting("--platform-key", "%v (start `skill sandbox` once, or give the platform's key)", err)
	}
	skillKey, err := cfg.loadPrivateKey()
	if err != nil {
		return nil, err
	}
	secret := cfg.Secret
	if secret == "" {
		raw, err := os.ReadFile(filepath.Join(cfg.Data, sandbox.SecretFile))
		if err != nil && (hmac || cfg.AdminSecret == "") {
			return nil, badSetting("SKILL_SECRET", "not set and %v", err)
		}
		secret = strings.TrimSpace(string(raw))
	}
	return &replay.HTTPTarget{
		ID: cfg.SkillID, PlatformURL: platform,
		Platform: &fakeplatform.Platform{SkillID: cfg.SkillID, SkillURL: url, Key: pk, SkillKey: &skillKey.PublicKey,
			Secret: []byte(secret), HMAC: hmac},
		Admin: &admin.Client{BaseURL: ops, Secret: []byte(cmpOr(cfg.AdminSecret, secret))},
	}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
