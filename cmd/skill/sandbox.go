package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"log/slog"
	"net"
	"os/signal"
	"syscall"

	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

// runSandbox is `skill sandbox` (what `make run` starts): the skill, wired
// exactly as `skill serve` wires it, with bbolt and development keys under
// SKILL_DATA (generated on first start), next to a fake Dingdang platform on
// 127.0.0.1 whose pay interfaces the skill's SKILL_PLATFORM_URL points at.
// It prints a banner with the URLs and a first curl command, and runs until
// SIGINT or SIGTERM.
func runSandbox(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sandbox")
	platformAddr := fs.String("platform-addr", cmpOr(e.getenv("SKILL_PLATFORM_ADDR"), sandbox.DefaultPlatformAddr),
		"listen `ADDR` of the fake platform (default SKILL_PLATFORM_ADDR, else "+sandbox.DefaultPlatformAddr+")")
	model := fs.String("model", "", "interaction model `FILE` whose sample utterances drive the sandbox NLU (default: the skill's own, skill/intents/interaction-model.json)")
	hmac := fs.Bool("hmac", false, "sign skill requests with TSK-HMAC-SHA256-BASIC instead of TSK-RSA2")
	fixtures := fs.String("fixtures", defaultFixtures, "`DIR` of utterance fixtures whose answers and misheard phrases the simulator offers as chips")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, e.stderr)
	if err != nil {
		return err
	}
	utterances, misheard := fixtureUtterances(*fixtures)
	if len(utterances) == 0 {
		log.Warn("sandbox: no utterance fixtures: the simulator shows no answer chips (run from the repository's root, or pass --fixtures DIR)", "dir", *fixtures)
	}
	sb, err := sandbox.Start(ctx, sandbox.Config{
		Addr: cfg.Addr, OpsAddr: cfg.OpsAddr, PlatformAddr: *platformAddr, DataDir: cfg.Data, Catalog: cfg.Catalog, Model: *model,
		SkillID: cfg.SkillID, AdminSecret: []byte(cfg.AdminSecret), HMAC: *hmac, Build: sandboxBuild(cfg, log, true), Logger: log,
		Utterances: utterances, Misheard: misheard,
	})
	if err != nil {
		return err
	}
	defer sb.Close()
	fmt.Fprint(e.stdout, sb.Banner())
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	select {
	case err := <-sb.Done():
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return sb.Close()
}

// sandboxBuild builds the skill for the sandbox with newApp (wire.go): the
// configuration with the sandbox's data directory, catalog, skill id, keys,
// secrets and fake platform URL. With reconcile, the reconciler runs in the
// background as it does in `skill serve` (so a refund made in the sandbox
// settles); fixture runs leave it off, so that nothing but the fixture moves
// an order.
func sandboxBuild(cfg config, log *slog.Logger, reconcile bool) sandbox.Build {
	return func(ctx context.Context, w sandbox.Wiring) (sandbox.App, func() error, error) {
		c := cfg
		c.Data, c.Catalog, c.SkillID = w.DataDir, w.CatalogPath, w.SkillID
		c.PlatformURL, c.PublicURL = w.PlatformURL, w.PublicURL
		c.Secret, c.AdminSecret = string(w.Keys.Secret), string(w.AdminSecret)
		// Account linking with the sandbox platform's client and, unless
		// set otherwise, the development login and linking suggested.
		c.OAuthClientID, c.OAuthClientSecret, c.OAuthRedirectURIs = w.OAuth.ClientID, w.OAuth.ClientSecret, w.OAuth.RedirectURI
		c.Link, c.Login, c.Dev = cmpOr(c.Link, string(intents.LinkOptional)), cmpOr(c.Login, loginDev), "1" // loopback, over http; the development login
		a, err := newApp(ctx, c, options{
			PlatformKeys: []*rsa.PublicKey{&w.Keys.Platform.PublicKey}, PrivateKey: w.Keys.Skill, Logger: log, Now: w.Now,
		})
		if err != nil {
			return nil, nil, err
		}
		stop := func() {}
		if reconcile {
			stop = a.start(ctx)
		}
		return sandboxApp{a}, func() error { stop(); return a.Close() }, nil
	}
}

// sandboxApp is the skill as the sandbox runs it.
type sandboxApp struct{ a *app }

// Listener serves the public application on ln.
func (s sandboxApp) Listener(ln net.Listener) error { return s.a.web.Listener(ln) }

// ServeOps serves the operations application on ln.
func (s sandboxApp) ServeOps(ln net.Listener) error { return s.a.ops.Listener(ln) }

// Shutdown stops both applications, letting in-flight requests finish.
func (s sandboxApp) Shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return s.a.shutdown(ctx)
}
