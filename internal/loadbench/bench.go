package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// bench is one run: its options, what it has measured so far.
type bench struct {
	o        options
	dir, bin string
	ctx      context.Context

	signRate    float64       // RSA-2048 signs a second, every core
	signCPU     time.Duration // CPU time of one sign
	ceiling     result        // the /skill ceiling, closed loop
	ceilingHalf result        // and open loop at half its rate
	ceilingProc *process      // the ceiling server, measured again beside each phase
	noProfile   bool          // -profile skips the loads measured now
	phasesOf    map[string]measured
	soak        measured
	profiles    int // CPU profiles saved so far (-profile)
}

// measured is what one phase measured.
type measured struct {
	// sign and ceiling are the baselines measured again just before the
	// phase's create-order and /skill loads: this machine's speed drifts
	// by a third within minutes, so a ratio is taken between neighbours.
	sign                   time.Duration
	signRate               float64
	ceiling                result
	create, turn, turnOpen result
	over                   overloadResult // create-order past its capacity
	rss, anon              int64          // resident bytes at the end, all and anonymous
}

// note prints a remark under the current phase.
func (b *bench) note(format string, args ...any) {
	fmt.Printf("  ("+format+")\n", args...)
}

// row prints one result line.
func (b *bench) row(name, value, rest string) {
	fmt.Printf("%-46s %s  %s\n", name, value, rest)
}

// describe formats a result.
func describe(r result) string {
	s := fmt.Sprintf("%8.0f /s  p50 %7s  p99 %7s", r.rate, ms(r.p50), ms(r.p99))
	if r.busy > 0 {
		s += fmt.Sprintf("  (%d answered busy)", r.busy)
	}
	return s
}

// mb formats bytes in megabytes.
func mb(n int64) string { return fmt.Sprintf("%6.0f MB", float64(n)/(1<<20)) }

// ms formats a latency in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// signs is how many RSA-2048 signs' worth of CPU cpu is, by the sign
// measured beside it.
func (m measured) signs() float64 { return float64(m.create.cpu) / float64(m.sign) }

// ofCeiling is the /skill rate over the ceiling's measured beside it.
func (m measured) ofCeiling() float64 { return m.turn.rate / m.ceiling.rate }

// ofSignRate is the create-order rate over the sign rate measured beside
// it.
func (m measured) ofSignRate() float64 { return m.create.rate / m.signRate }

// measure warms the server with some of reqs and then runs the load on
// the rest (closed loop when rate is 0), with the CPU per request of the
// server and of the store servers it uses.
func (b *bench) measure(p *process, check func(int, []byte) verdict, reqs []prepared, rate float64, stores ...*process) (result, error) {
	l := load{addr: p.addr, conc: b.o.conc, check: check}
	hc := l.client()
	warm := min(4*b.o.conc, len(reqs)/10)
	if err := l.warm(hc, reqs[:warm]); err != nil {
		return result{}, err
	}
	profiled := b.profile(p, rate)
	cpu0, storeCPU0 := p.cpu(), cpuOf(stores)
	idle0, total0 := machineIdle()
	res, err := l.run(hc, slice(reqs[warm:]), b.o.dur, rate)
	if err != nil {
		return result{}, err
	}
	if idle, total := machineIdle(); total > total0 {
		res.idle = float64(idle-idle0) / float64(total-total0)
	}
	profiled()
	if spent := p.cpu() - cpu0; spent > 0 {
		res.cpu = spent / time.Duration(res.n)
	}
	res.storeCPU = (cpuOf(stores) - storeCPU0) / time.Duration(max(res.n, 1))
	return res, nil
}

// profile starts saving what the server does during a load when -profile
// is set, numbered in order: a CPU profile of a maximum-rate load (NN.pprof,
// for go tool pprof), and of a load at a fixed rate, where latency is the
// question, an execution trace (NN.trace, for go tool trace: where requests
// waited) and the heap at its end (NN.heap). The returned func waits.
func (b *bench) profile(p *process, rate float64) (wait func()) {
	if b.o.prof == "" || p.ops == "" || b.noProfile {
		return func() {}
	}
	b.profiles++
	base := filepath.Join(b.o.prof, fmt.Sprintf("%02d", b.profiles))
	seconds := max(1, int(b.o.dur.Seconds())-1)
	saves := []struct{ what, file string }{{fmt.Sprintf("profile?seconds=%d", seconds), base + ".pprof"}}
	if rate != 0 {
		saves = []struct{ what, file string }{{fmt.Sprintf("trace?seconds=%d", seconds), base + ".trace"}, {"heap", base + ".heap"}}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, s := range saves {
			if err := b.save("http://"+p.ops+"/debug/pprof/"+s.what, s.file); err != nil {
				fmt.Fprintln(os.Stderr, "loadbench: profile:", err)
			}
		}
	}()
	b.note("profiled: %s.*", base)
	return func() { <-done }
}

// save writes what url answers to file.
func (b *bench) save(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

// turnCount is how many /skill requests to sign for a closed load: more
// than the ceiling's rate allows.
func (b *bench) turnCount() int {
	rate := b.ceiling.rate
	if rate == 0 {
		rate = 20_000
	}
	return int(rate*1.3*b.o.dur.Seconds()) + 8*b.o.conc
}

// ceilingPhase measures the ceiling process.
func (b *bench) ceilingPhase() error {
	p, err := startCeiling(b.ctx)
	if err != nil {
		return fmt.Errorf("ceiling: %w", err)
	}
	b.ceilingProc = p // stopped by run, with stopCeiling
	res, err := b.measure(p, turnOK, skillTurns(b.turnCount(), "ceiling"), 0)
	if err != nil {
		return fmt.Errorf("ceiling: %w", err)
	}
	b.ceiling = res
	b.row("baseline: fiber + JSON + HMAC (the ceiling)", describe(res), "cpu "+cpuPer(res.cpu))
	half, err := b.measure(p, turnOK, skillTurns(int(res.rate/2*b.o.dur.Seconds())+8*b.o.conc, "ceiling-open"), res.rate/2)
	if err != nil {
		return fmt.Errorf("ceiling at half rate: %w", err)
	}
	b.ceilingHalf = half
	b.row("  at half that rate (open loop)", describe(half), "")
	fmt.Println()
	return nil
}

// stopCeiling stops the ceiling server, if it was started.
func (b *bench) stopCeiling() {
	if b.ceilingProc != nil {
		b.ceilingProc.stop()
	}
}

// storeCPU formats the store servers' CPU per request of r after prefix,
// or "" when there are none.
func storeCPU(prefix string, r result) string {
	if r.storeCPU == 0 {
		return ""
	}
	return prefix + cpuPer(r.storeCPU)
}

// cpuOf is the CPU time ps have used together.
func cpuOf(ps []*process) time.Duration {
	var sum time.Duration
	for _, p := range ps {
		sum += p.cpu()
	}
	return sum
}

// cpuPer formats CPU per request.
func cpuPer(d time.Duration) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0fµs/req", float64(d)/float64(time.Microsecond))
}

// phase measures one store set-up.
func (b *bench) phase(ph phase) error {
	fmt.Printf("%s\n", ph.name)
	if strings.HasPrefix(ph.name, "bbolt") {
		b.note("%s: every dialog remembered", strings.Join(roomy, " "))
	}
	data := filepath.Join(b.dir, strings.NewReplacer(" ", "", ",", "-", "+", "-").Replace(ph.name))
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	env, stores, err := ph.setup(b, data)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range stores {
			r.stop()
		}
	}()
	p, err := startSkill(b.ctx, b.bin, data, env)
	if err != nil {
		return err
	}
	defer p.stop()
	var m measured
	if err := b.createRounds(ph.name, p, stores, &m); err != nil {
		return err
	}
	if ph.name == "bbolt" || ph.name == "redis" { // the admission control, once per store
		if m.over, err = loadOverload("http://"+p.addr, m.create.rate, b.o.dur); err != nil {
			return fmt.Errorf("create-order overload: %w", err)
		}
		b.row(fmt.Sprintf("    at %d× that rate offered, admitted", overloadFactor), fmt.Sprintf("%8.0f /s  p50 %7s  p99 %7s", m.over.admitted, ms(m.over.p50), ms(m.over.p99)),
			fmt.Sprintf("refused 503: %d, failed: %d (of %.0f /s offered)", m.over.rejected, m.over.failed, m.over.offered))
	}
	if err := b.turnRounds(ph.name, p, stores, &m); err != nil {
		return err
	}
	half := m.turn.rate / 2
	if m.turnOpen, err = b.measure(p, turnOK, skillTurns(int(half*b.o.dur.Seconds())+8*b.o.conc, ph.name+"-open"), half); err != nil {
		return fmt.Errorf("/skill at half rate: %w", err)
	}
	b.row("    at half that rate (open loop)", describe(m.turnOpen), "")
	m.rss, m.anon = p.rss()
	b.row("  RSS at the end", mb(m.rss), "("+mb(m.anon)+" of it anonymous: heap, stacks)")
	fmt.Println()
	if b.phasesOf == nil {
		b.phasesOf = map[string]measured{}
	}
	b.phasesOf[ph.name] = m
	return nil
}

// rounds is how many times a phase measures a baseline and then its own
// load, back to back (RSA signs and create-order, the ceiling and /skill):
// this machine's speed drifts by a fifth from one load to the next, and
// the median of ratios measured side by side stands still where one pair
// does not.
const rounds = 3

// createRounds measures the RSA sign and then create-order, rounds times,
// and keeps in m the round whose CPU per order in signs is the median (only
// the first round is profiled).
func (b *bench) createRounds(name string, p *process, stores []*process, m *measured) error {
	var all []measured
	n := min(int(b.signRate*1.2*b.o.dur.Seconds())+8*b.o.conc, 40_000)
	for r := range rounds {
		reqs := createOrders(n, fmt.Sprintf("%s-%d", name, r)) // signed now: fresh for the load
		var x measured
		var err error
		x.signRate, x.sign = measureSignRate(signBeside)
		if x.create, err = b.measure(p, createOK, reqs, 0, stores...); err != nil {
			return fmt.Errorf("create-order: %w", err)
		}
		b.row(fmt.Sprintf("  round %d: RSA signs, then create-order", r+1), fmt.Sprintf("%8.0f /s", x.signRate),
			fmt.Sprintf("%8.0f /s  %.2f signs an order  (machine idle %2.0f%%)", x.create.rate, x.signs(), 100*x.create.idle))
		b.noProfile = true
		all = append(all, x)
	}
	b.noProfile = false
	mid := median(all, measured.signs)
	m.signRate, m.sign, m.create = mid.signRate, mid.sign, mid.create
	b.row("  RSA-2048 signs (the median round)", fmt.Sprintf("%8.0f /s", m.signRate), fmt.Sprintf("cpu %.0fµs a sign", float64(m.sign)/float64(time.Microsecond)))
	b.row("  create-order", describe(m.create), fmt.Sprintf("cpu %s = %.2f RSA signs (%.2f of the sign rate)%s",
		cpuPer(m.create.cpu), m.signs(), m.ofSignRate(), storeCPU("; redis cpu ", m.create)))
	return nil
}

// median returns the element of xs (one or more) whose key is the median.
func median[T any](xs []T, key func(T) float64) T {
	xs = slices.Clone(xs)
	slices.SortFunc(xs, func(x, y T) int { return cmp.Compare(key(x), key(y)) })
	return xs[len(xs)/2]
}

// turnRounds measures the ceiling and then the /skill turn, rounds
// times, and keeps in m the pair whose ratio is the median (only the first
// round is profiled).
func (b *bench) turnRounds(name string, p *process, stores []*process, m *measured) error {
	type pair struct{ ceiling, turn result }
	var pairs []pair
	for r := range rounds {
		var x pair
		var err error
		tag := fmt.Sprintf("%s-%d", name, r)
		if x.ceiling, err = b.measure(b.ceilingProc, turnOK, skillTurns(b.turnCount(), "ceiling-"+tag), 0); err != nil {
			return fmt.Errorf("ceiling: %w", err)
		}
		if x.turn, err = b.measure(p, turnOK, skillTurns(b.turnCount(), tag), 0, stores...); err != nil {
			return fmt.Errorf("/skill: %w", err)
		}
		b.row(fmt.Sprintf("  round %d: the ceiling, then /skill", r+1), fmt.Sprintf("%8.0f /s", x.ceiling.rate),
			fmt.Sprintf("%8.0f /s  %.2f of it  (machine idle %2.0f%%, %2.0f%%)", x.turn.rate, x.turn.rate/x.ceiling.rate, 100*x.ceiling.idle, 100*x.turn.idle))
		b.noProfile = true
		pairs = append(pairs, x)
	}
	b.noProfile = false
	mid := median(pairs, func(x pair) float64 { return x.turn.rate / x.ceiling.rate })
	m.ceiling, m.turn = mid.ceiling, mid.turn
	b.row("  the ceiling (the median round)", describe(m.ceiling), "cpu "+cpuPer(m.ceiling.cpu))
	b.row("  /skill purchase turn", describe(m.turn), fmt.Sprintf("cpu %s, %.2f of the ceiling%s", cpuPer(m.turn.cpu), m.ofCeiling(), storeCPU("; redis cpu ", m.turn)))
	return nil
}

// soakPhase runs /skill on bbolt at its maximum rate for the soak time,
// signing as it goes (requests signed ahead would be stale by the end),
// and reads the server's RSS.
func (b *bench) soakPhase() error {
	fmt.Printf("soak: /skill on bbolt at its maximum rate for %v (default session memory, %s)\n", b.o.soak, strings.Join(soakEnv, " "))
	p, err := startSkill(b.ctx, b.bin, filepath.Join(b.dir, "soak"), soakEnv)
	if err != nil {
		return err
	}
	defer p.stop()
	l := load{addr: p.addr, conc: b.o.conc, check: turnOK}
	hc := l.client()
	var mu sync.Mutex
	var cur *turns
	var made atomic.Int64
	src := func(i int) (prepared, bool) {
		mu.Lock()
		if cur == nil || time.Since(cur.at) > time.Minute { // keep the body's timestamp fresh
			cur = newTurns(fmt.Sprintf("soak%d", made.Add(1)))
		}
		t := cur
		mu.Unlock()
		return t.make(i), true
	}
	cpu0 := p.cpu()
	res, err := l.run(hc, src, b.o.soak, 0)
	if err != nil {
		return err
	}
	res.cpu = (p.cpu() - cpu0) / time.Duration(res.n)
	b.soak = measured{turn: res}
	b.soak.rss, b.soak.anon = p.rss()
	b.row("  /skill purchase turn", describe(res), "cpu "+cpuPer(res.cpu)+" (signed while driving)")
	b.row("  RSS at the end", mb(b.soak.rss), "("+mb(b.soak.anon)+" of it anonymous: heap, stacks)")
	fmt.Println()
	return nil
}

// measureSignRate signs a reply-sized body on every core for dur, and
// returns the signs a second and the CPU one sign took (this process's CPU
// time over the signs: unlike the rate, it does not depend on what else
// the machine runs meanwhile).
func measureSignRate(dur time.Duration) (rate float64, cpu time.Duration) {
	key := benchKeys.skill
	body := []byte(`{"retCode":"SUCCESS","retMsg":"OK","tradeNo":"T0123456789ABCDEFGHIJKLMN"}`)
	var n atomic.Int64
	cpu0 := selfCPU()
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := tsk.SignRSA2(body, time.Now(), key); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), (selfCPU() - cpu0) / time.Duration(n.Load())
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// signBeside is how long the sign rate is measured again before each
// create-order load.
const signBeside = 2 * time.Second

// roomy is the bbolt phases' extra environment: room for every dialog they
// start, so that they measure purchase turns, not "busy" answers. (The
// soak keeps the default bound.)
var roomy = []string{"SKILL_SESSION_MEMORY=1GB"}

// soakEnv is the soak server's extra environment: the memory budget a
// deployment would give it (Go's soft memory limit), so that the garbage
// collector works within it instead of letting the heap grow to twice what
// is live.
var soakEnv = []string{"GOMEMLIMIT=80MiB"}
