package main

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// shutdownTimeout bounds how long in-flight requests may take to finish
// after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

// runServe serves the skill on SKILL_ADDR until SIGINT or SIGTERM, with the
// reconciler running in the background; on a signal it stops accepting,
// lets in-flight requests finish (up to shutdownTimeout) and exits 0.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg, e.stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return badSetting("SKILL_ADDR", "%v", err)
	}
	defer ln.Close()
	addr := displayAddr(ln.Addr())
	cfg.Addr = addr // the real port, when SKILL_ADDR asked for port 0
	a, err := newApp(ctx, cfg, options{Logger: log})
	if err != nil {
		return err
	}
	defer a.Close()

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- a.web.Listener(ln) }()

	rctx, cancelReconciler := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.reconciler.Run(rctx)
	}()
	defer func() { cancelReconciler(); wg.Wait() }()

	log.Info("listening", "addr", "http://"+addr, "skill_id", cfg.SkillID, "public_url", a.publicURL, "store", storeName(cfg))
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := a.web.ShutdownWithContext(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil {
		return err
	}
	cancelReconciler()
	wg.Wait()
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
	if cfg.RedisURL != "" {
		return "redis"
	}
	return "bbolt"
}
