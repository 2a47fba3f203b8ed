// Command loadbench is the loopback half of `make bench`: it builds the real
// skill binary, starts it on 127.0.0.1 against the embedded store and against
// a redis-server it starts itself, drives it with pre-signed traffic, and
// prints each result next to a baseline measured in the same run on the same
// machine:
//
//   - create-order throughput (RSA verify + durable write + RSA-signed reply)
//     against the raw RSA-2048 sign rate (goal: ratio ≥ 0.8 on the embedded store);
//   - create-order offered at 3× that throughput (an open loop): the p99
//     latency of the requests admitted (goal: ≤ 100 ms), the rest refused
//     with 503 and Retry-After by the signing admission control;
//   - a /skill purchase turn against a bare fiber JSON echo (goal: ≥ 0.5),
//     with p50 and p99 latencies.
//
// Requests are signed before the clock starts, so the load generator spends
// its CPU on HTTP only. Every run is bounded in time and count and targets
// only 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

func main() {
	dur := flag.Duration("duration", 3*time.Second, "how long each measured phase runs")
	conc := flag.Int("c", 8*runtime.GOMAXPROCS(0), "concurrent connections")
	flag.Parse()
	if err := run(*dur, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

func run(dur time.Duration, conc int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
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
	fmt.Printf("loadbench: %d CPUs, %d connections, %s per phase\n\n", runtime.GOMAXPROCS(0), conc, dur)

	signRate := measureSignRate(dur)
	fmt.Printf("%-44s %10.0f /s\n", "baseline: raw RSA-2048 sign (all cores)", signRate)

	stores := []struct {
		name string
		env  func() ([]string, func(), error)
	}{
		{"bbolt", func() ([]string, func(), error) { return nil, func() {}, nil }},
		{"redis", func() ([]string, func(), error) { return startRedis(ctx, dir) }},
	}
	for _, st := range stores {
		extra, stop, err := st.env()
		if err != nil {
			fmt.Printf("%-44s skipped: %v\n", "create-order ("+st.name+")", err)
			continue
		}
		srv, err := startSkill(ctx, bin, filepath.Join(dir, st.name), extra)
		if err != nil {
			stop()
			return err
		}
		cpu0 := srv.cpu()
		res, err := loadCreateOrder(srv.url, dur, conc)
		if err == nil {
			fmt.Printf("%-44s %10.0f /s  p50 %s  p99 %s  ratio %.2f (goal ≥ 0.80)\n",
				"create-order ("+st.name+")", res.rate, res.p50, res.p99, res.rate/signRate)
			if spent := srv.cpu() - cpu0; spent > 0 {
				perSign := time.Duration(float64(runtime.GOMAXPROCS(0)) / signRate * float64(time.Second))
				per := spent / time.Duration(res.n)
				fmt.Printf("%-44s %10s     (%.2f RSA signs' worth; one is the floor)\n",
					"  server CPU per create-order", per.Round(10*time.Microsecond), float64(per)/float64(perSign))
			}
		}
		if err == nil {
			var over overloadResult
			over, err = loadOverload(srv.url, res.rate, dur)
			if err == nil {
				fmt.Printf("%-44s %10.0f /s  p50 %s  p99 %s  (goal p99 ≤ 100ms)\n",
					fmt.Sprintf("create-order at %d× overload (%s), admitted", overloadFactor, st.name), over.admitted, over.p50, over.p99)
				fmt.Printf("%-44s %10.0f /s  refused 503: %d  failed: %d\n", "  offered", over.offered, over.rejected, over.failed)
			}
		}
		var turn result
		if err == nil {
			turn, err = loadSkillTurn(srv.url, dur, conc)
		}
		srv.stop()
		stop()
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		echo, err := loadEcho(dur, conc)
		if err != nil {
			return err
		}
		fmt.Printf("%-44s %10.0f /s  p50 %s  p99 %s\n", "baseline: bare fiber JSON echo", echo.rate, echo.p50, echo.p99)
		fmt.Printf("%-44s %10.0f /s  p50 %s  p99 %s  ratio %.2f (goal ≥ 0.50)\n\n",
			"/skill purchase turn ("+st.name+")", turn.rate, turn.p50, turn.p99, turn.rate/echo.rate)
	}
	return nil
}
