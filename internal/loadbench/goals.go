package main

import (
	"fmt"
	"time"
)

// goal is one of the goals, as measured.
type goal struct {
	what     string
	measured string
	ratio    float64 // measured over the bound, or the bound's measure
	holds    bool
}

// goals prints each goal of the issue with its ratio and whether it holds,
// then the table for the README.
func (b *bench) goals() {
	m := b.phasesOf
	var gs []goal
	add := func(what, measured string, ratio float64, holds bool) {
		gs = append(gs, goal{what, measured, ratio, holds})
	}
	for _, name := range []string{"redis", "redis + session redis", "cluster 3+3", "cluster 3+3 + session redis"} {
		r := m[name].ofCeiling()
		add(fmt.Sprintf("/skill on %s ≥ 0.5 of the ceiling", name), fmt.Sprintf("%.0f /s", m[name].turn.rate), r, r >= 0.5)
	}
	r := m["bbolt"].ofCeiling()
	add("/skill on bbolt ≥ 0.7 of the ceiling", fmt.Sprintf("%.0f /s", m["bbolt"].turn.rate), r, r >= 0.7)
	p99 := m["bbolt"].turnOpen.p99
	add("/skill on bbolt: p99 ≤ 20ms at half its maximum rate", ms(p99), float64(p99)/float64(20*time.Millisecond), p99 <= 20*time.Millisecond)
	for _, name := range []string{"bbolt", "redis"} {
		signs := m[name].signs()
		add(fmt.Sprintf("create-order on %s ≤ 1.1 RSA signs of CPU", name), fmt.Sprintf("%.2f signs", signs), signs/1.1, signs <= 1.1)
	}
	for _, name := range []string{"bbolt", "redis"} {
		p99 := m[name].over.p99
		add(fmt.Sprintf("create-order on %s at %d× capacity: admitted p99 ≤ 100ms", name, overloadFactor), ms(p99),
			float64(p99)/float64(100*time.Millisecond), p99 > 0 && p99 <= 100*time.Millisecond)
	}
	rss := float64(b.soak.rss) / (1 << 20)
	add(fmt.Sprintf("RSS ≤ 100 MB after %v at the maximum /skill rate on bbolt", b.o.soak), fmt.Sprintf("%.0f MB", rss), rss/100, rss <= 100)
	// With and without the ledger are phases minutes apart: each rate is
	// taken over the baseline measured beside it, as the machine drifts.
	for _, st := range []string{"bbolt", "redis"} {
		base, big := m[st], m[st+", 1M orders"]
		for _, ep := range []struct {
			name, of  string
			base, got float64
		}{
			{"create-order", "sign rate", base.ofSignRate(), big.ofSignRate()},
			{"/skill", "ceiling", base.ofCeiling(), big.ofCeiling()},
		} {
			r := ep.got / ep.base
			add(fmt.Sprintf("%s on %s with 1M orders ≥ 0.8 of without", ep.name, st), fmt.Sprintf("%.2f vs %.2f of the %s", ep.got, ep.base, ep.of), r, r >= 0.8)
		}
	}

	fmt.Println("goals")
	held := 0
	for _, g := range gs {
		mark := "MISSED"
		if g.holds {
			mark, held = "holds", held+1
		}
		fmt.Printf("  %-62s %-28s ratio %5.3f  %s\n", g.what, g.measured, g.ratio, mark)
	}
	fmt.Printf("  %d of %d goals hold\n\n", held, len(gs))

	fmt.Println("for the README:")
	fmt.Println()
	fmt.Println("| phase | create-order /s | server CPU per order (1 sign just before) | /skill turn /s | of the ceiling beside it (median of 3 rounds) | server CPU per turn (+ Redis's) | p99 at half rate | RSS at end (anonymous) |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	fmt.Printf("| RSA-2048 signs, every core (first) | %.0f | 1 sign = %s | | | | | |\n", b.signRate, cpuPer(b.signCPU))
	fmt.Printf("| ceiling: fiber + JSON + HMAC (first) | | | %.0f | 1.00 | %s | %s | |\n", b.ceiling.rate, cpuPer(b.ceiling.cpu), ms(b.ceilingHalf.p99))
	for _, ph := range b.phases() {
		x := m[ph.name]
		fmt.Printf("| %s | %.0f | %.2f signs (%s) | %.0f | %.2f (%.0f /s) | %s | %s | %.0f MB (%.0f MB) |\n", ph.name, x.create.rate,
			x.signs(), cpuPer(x.sign), x.turn.rate, x.ofCeiling(), x.ceiling.rate, cpuPer(x.turn.cpu)+storeCPU(" + ", x.turn), ms(x.turnOpen.p99),
			float64(x.rss)/(1<<20), float64(x.anon)/(1<<20))
	}
	fmt.Printf("| bbolt, %v soak | | | %.0f | %.2f of the first | %s | | %.0f MB (%.0f MB) |\n", b.o.soak, b.soak.turn.rate, b.soak.turn.rate/b.ceiling.rate,
		cpuPer(b.soak.turn.cpu), rss, float64(b.soak.anon)/(1<<20))
}
