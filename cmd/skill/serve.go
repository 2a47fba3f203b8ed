package main

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

// runServe serves the skill on SKILL_ADDR and the operations endpoints on
// SKILL_OPS_ADDR until SIGINT or SIGTERM, with the reconciler running in
// the background. On a signal it drains: /readyz answers 503 for
// SKILL_DRAIN while requests are still served, so load balancers stop
// sending any; then it stops accepting, lets in-flight requests finish (up
// to shutdownTimeout) and exits 0.
// The server's log is buffered (logctx.Writer): a request's line is not a
// write system call of its own. Warnings and errors are written at once.
const (
	logBuffer     = 64 << 10
	logFlushEvery = 100 * time.Millisecond
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	if err := cfg.checkServe(); err != nil {
		return err
	}
	out := logctx.NewWriter(e.stderr, logBuffer, logFlushEvery)
	defer out.Close()
	log, err := newLogger(cfg, out)
	if err != nil {
		return err
	}
	drain, err := cfg.drain()
	if err != nil {
		return err
	}
	if cfg.RedisURL != "" && cfg.TokenSecret == "" {
		// Each node would generate its own, and refuse the offers, QR
		// links and tokens of the others.
		return badSetting("SKILL_TOKEN_SECRET", "not set: with SKILL_REDIS_URL every node must sign offers, QR links and account tokens with the same secret (e.g. openssl rand -hex 32)")
	}
	certs, err := cfg.loadCerts()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return badSetting("SKILL_ADDR", "%v", err)
	}
	defer ln.Close()
	opsLn, err := net.Listen("tcp", cfg.OpsAddr)
	if err != nil {
		return badSetting("SKILL_OPS_ADDR", "%v", err)
	}
	defer opsLn.Close()
	addr := displayAddr(ln.Addr())
	cfg.Addr = addr // the real port, when SKILL_ADDR asked for port 0
	scheme := "http"
	if certs != nil {
		scheme = "https"
		cfg.scheme = scheme
	}
	a, err := newApp(ctx, cfg, options{Logger: log, Serving: true})
	if err != nil {
		return err
	}
	defer a.Close()

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 2)
	public := ln
	hup := notifyHUP()
	if certs != nil {
		public = certs.listener(ln)
		go certs.reloadOnHUP(ctx, log, hup)
	} else {
		go ignoreHUP(ctx, log, hup)
	}
	go func() { served <- a.web.Listener(public) }()
	go func() { served <- a.ops.Listener(opsLn) }()
	stopBackground := a.start(ctx)
	defer stopBackground()

	log.Info("listening", "addr", scheme+"://"+addr, "ops_addr", "http://"+displayAddr(opsLn.Addr()),
		"skill_id", cfg.SkillID, "public_url", a.publicURL, "platform_url", cfg.PlatformURL, "store", storeName(cfg))
	_ = out.Flush()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	log.Info("draining", "for", drain)
	time.Sleep(drain)
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := a.shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	for range 2 {
		if err := <-served; err != nil {
			return err
		}
	}
	stopBackground()
	if err := a.Close(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// displayAddr is the listener's address as a client dials it: an
// unspecified host (":8080", "[::]:8080") becomes 127.0.0.1.
func displayAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// storeName says which store is used, for the start-up line.
func storeName(cfg config) string {
	switch {
	case cfg.SessionRedis != "":
		return "redis " + redact(cfg.RedisURL) + ", dialogs on redis " + redact(cfg.SessionRedis)
	case cfg.RedisURL != "":
		return "redis " + redact(cfg.RedisURL)
	}
	return "bbolt " + filepath.Join(cfg.Data, "skill.db")
}
