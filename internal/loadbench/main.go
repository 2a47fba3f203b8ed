// Command loadbench is the loopback half of `make bench`: it builds the real
// skill binary and drives it with pre-signed requests through fasthttp's
// client (which allocates almost nothing per request, so the two cores go
// to the server), measuring the server's own CPU per request from /proc,
// and prints each result beside baselines measured in the same run on the
// same machine, first and again just before each load they are compared
// with (this machine's speed drifts by a third within minutes, so each
// ratio is taken between neighbours):
//
//   - the raw RSA-2048 sign rate on every core (create-order signs one
//     reply per order, so it cannot beat that);
//   - the ceiling of /skill: a fiber process of its own that checks the
//     same HMAC and decodes the same JSON, and does nothing else.
//
// Phases: bbolt; Redis (AOF, fsync always); Redis with the dialog state on
// a Redis of its own (no fsync); a Redis Cluster of three masters with a
// replica each (every order write confirmed by a replica); bbolt and Redis
// again with a ledger of a million orders seeded; and a soak of /skill on
// bbolt at its maximum rate for three minutes. Each phase measures
// create-order and the first turn of a purchase at their maximum rate
// (closed loop), then the turn at half that rate (open loop, latency from
// when each request was due), and the server's RSS at its end. Last, each
// goal of the issue is printed with its ratio and whether it holds.
//
// Everything is bounded in time (about ten minutes in all) and targets only
// 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// verbose shows the children's output.
var verbose bool

// interrupted is closed on SIGINT.
func interrupted() <-chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	return c
}

// options are the bench's flags.
type options struct {
	dur    time.Duration // each measured load
	soak   time.Duration // the bbolt soak
	conc   int           // connections
	orders int           // the seeded ledger
	only   string        // run only the phases whose names contain this
	prof   string        // save the server's profiles of each load here
}

func main() {
	var o options
	flag.DurationVar(&o.dur, "duration", 6*time.Second, "how long each measured load runs")
	flag.DurationVar(&o.soak, "soak", 3*time.Minute, "how long /skill runs on bbolt at its maximum rate before RSS is read")
	flag.IntVar(&o.conc, "c", 64, "concurrent connections")
	flag.IntVar(&o.orders, "orders", 1_000_000, "orders in the seeded ledger")
	flag.BoolVar(&verbose, "v", false, "show the servers' output")
	flag.StringVar(&o.prof, "profile", "", "save in this directory the server's CPU profile of each maximum-rate load (NN.pprof), and an execution trace and the heap of each fixed-rate one (NN.trace, NN.heap)")
	flag.StringVar(&o.only, "only", "", "run only the phases whose names contain this (for a quick look; no goals then)")
	ceiling := flag.String("ceiling", "", "serve the ceiling handler on this address (used by the bench itself)")
	flag.Parse()
	if *ceiling != "" {
		if err := serveCeiling(*ceiling); err != nil {
			fmt.Fprintln(os.Stderr, "loadbench: ceiling:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if benchKeys, err = newKeys(); err != nil {
		return err
	}
	bin := filepath.Join(dir, "skill")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/skill")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	started := time.Now()
	fmt.Printf("loadbench: %d CPUs, %d connections, %v a load, %s\n\n", runtime.GOMAXPROCS(0), o.conc, o.dur, runtime.Version())

	b := &bench{o: o, dir: dir, bin: bin, ctx: ctx}
	b.signRate, b.signCPU = measureSignRate(o.dur / 2)
	b.row("baseline: RSA-2048 signs, every core", fmt.Sprintf("%8.0f /s", b.signRate), fmt.Sprintf("cpu %.0fµs a sign", float64(b.signCPU)/float64(time.Microsecond)))
	defer b.stopCeiling()
	if err := b.ceilingPhase(); err != nil {
		return err
	}
	for _, ph := range b.phases() {
		if !strings.Contains(ph.name, o.only) {
			continue
		}
		if err := b.phase(ph); err != nil {
			return fmt.Errorf("%s: %w", ph.name, err)
		}
	}
	if strings.Contains("soak", o.only) {
		if err := b.soakPhase(); err != nil {
			return fmt.Errorf("soak: %w", err)
		}
	}
	if o.only == "" {
		b.goals()
	}
	fmt.Printf("\nloadbench: done in %v\n", time.Since(started).Round(time.Second))
	return nil
}
