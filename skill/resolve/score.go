package resolve

import (
	"slices"
)

// heardInFull is the least recall of a title heard in full (or nearly):
// two such titles in one phrase name two products.
const heardInFull = 0.75

// maxHeard bounds the titles heard in full that are compared with each
// other (the best first), keeping that comparison constant work.
const maxHeard = 8

// maxAsked bounds the episodes a phrase can ask for at once.
const maxAsked = 4

// scratch is the working memory of one resolution, reused across calls.
// Every per-title and per-product slot is zero between calls (reset).
type scratch struct {
	rs, ers []rune
	key     []byte
	ph, ep  phrase
	best    []float64 // per title unit: the best credit it got
	pnum    []float64 // per title: the similarity summed over heard units
	opt     []int32   // per title: heard fillers and numerals that matched
	hit     []bool    // per title: a content unit matched
	mask    []uint64  // per title: which heard units matched it
	ubest   []float64 // per title: the best similarity of the current unit
	score   []float64 // per product
	tt      []int32   // titles touched
	ut      []int32   // titles touched by the current unit
	pt      []int32   // products scored
	ps      []int32   // products considered, best first
	full    []heard   // titles heard in full, best first
	named   []int32   // products of several titles heard in full
	naming  bool      // offer adds to named
}

// heard is a title heard in full and its score.
type heard struct {
	t int32
	f float64
}

func (x *Index) newScratch() *scratch {
	return &scratch{
		best:  make([]float64, x.nUnits),
		pnum:  make([]float64, len(x.titles)),
		opt:   make([]int32, len(x.titles)),
		hit:   make([]bool, len(x.titles)),
		mask:  make([]uint64, len(x.titles)),
		ubest: make([]float64, len(x.titles)),
		score: make([]float64, len(x.products)),
	}
}

// reset zeroes what a resolution touched.
func (x *Index) reset(s *scratch) {
	for _, t := range s.tt {
		o := x.offset[t]
		clear(s.best[o : o+int32(len(x.titles[t].units))])
		s.pnum[t], s.opt[t], s.hit[t], s.mask[t] = 0, 0, false, 0
	}
	for _, p := range s.pt {
		s.score[p] = 0
	}
	s.tt, s.pt, s.full, s.named = s.tt[:0], s.pt[:0], s.full[:0], s.named[:0]
}

// asked is the episodes a phrase asks for.
type asked struct {
	vals   [maxAsked]int64
	n      int
	marked bool // said as episodes (第35集), not bare numbers
}

// has reports whether episode v is asked for.
func (a asked) has(v int64) bool { return slices.Contains(a.vals[:a.n], v) }

// askedOf picks the episodes of what was heard: those said as episodes,
// else the last bare number.
func askedOf(nums []number) asked {
	var a asked
	for _, n := range nums {
		switch {
		case n.kind == episode:
			if !a.marked {
				a = asked{marked: true}
			}
			if a.n < maxAsked && !a.has(n.val) {
				a.vals[a.n] = n.val
				a.n++
			}
		case n.kind == bare && !a.marked:
			a.vals[0], a.n = n.val, 1
		}
	}
	return a
}

// joinedOf picks the numbers of a phrase that joins numbers with "和"
// ("35和36", "三十五和三十六集"): each asked for.
func joinedOf(nums []number) asked {
	var a asked
	for _, n := range nums {
		if (n.kind == bare || n.kind == episode) && a.n < maxAsked && !a.has(n.val) {
			a.vals[a.n] = n.val
			a.n++
		}
	}
	return a
}

// episodeOf picks the episode of a name: the last number said as an
// episode, else the last bare one; noEpisode when it has none.
func episodeOf(nums []number) int64 {
	a := askedOf(nums)
	if a.n == 0 {
		return noEpisode
	}
	return a.vals[a.n-1]
}

// matchTitles compares every heard unit with the title units that sound
// like it (through the postings) and returns how many heard units are
// content (not fillers, numerals or markers).
func (x *Index) matchTitles(s *scratch) int {
	heard := 0
	for i, u := range s.ph.units {
		credit := 1.0
		switch u.role {
		case content:
			heard++
		case filler, marker:
			credit = 0.5 // "听" of "我要听" is weak evidence for 听书币
		}
		if k, ok := x.key(u, false); ok {
			for _, p := range x.post[k] {
				sim := likeness(u, x.titles[p.t].units[p.pos])
				if sim == 0 {
					continue
				}
				if s.ubest[p.t] == 0 {
					s.ut = append(s.ut, p.t)
				}
				s.ubest[p.t] = max(s.ubest[p.t], sim)
				j := x.offset[p.t] + p.pos
				s.best[j] = max(s.best[j], sim*credit)
			}
		}
		for _, t := range s.ut {
			if s.mask[t] == 0 {
				s.tt = append(s.tt, t)
			}
			s.mask[t] |= 1 << (i % 64) // at most 64 units: MaxRunes caps them
			s.pnum[t] += s.ubest[t]
			if u.role == content {
				s.hit[t] = true
			} else {
				s.opt[t]++
			}
			s.ubest[t] = 0
		}
		s.ut = s.ut[:0]
	}
	return heard
}

// likeness scores how alike a heard unit and a title unit are.
func likeness(a, b unit) float64 {
	switch {
	case a.word != "" || b.word != "":
		if a.word == b.word {
			return simSame
		}
		return 0
	case a.r == b.r:
		return simSame
	}
	return similar(a.rd, b.rd)
}

// scoreTitles scores each touched title (the harmonic mean of how much of
// it was heard and how much of what was heard it explains) and offers its
// products for the episodes asked. It reports whether the phrase names
// several titles of different products in full ("星辰变第35集还是万古神帝
// 第35集"), none of them a part of another: then their products (s.named)
// are offered at least at the floor, and none is taken without asking.
func (x *Index) scoreTitles(s *scratch, content int, ask asked, whole bool) (several bool) {
	for _, t := range s.tt {
		if !s.hit[t] {
			continue // matched by fillers or numbers alone
		}
		tl := &x.titles[t]
		o := x.offset[t]
		recall := 0.0
		for _, b := range s.best[o : o+int32(len(tl.units))] {
			recall += b
		}
		recall /= float64(len(tl.units))
		precision := s.pnum[t] / float64(content+int(s.opt[t]))
		f := 2 * recall * precision / (recall + precision)
		x.offerTitle(s, tl, f, ask, whole)
		if recall >= heardInFull {
			s.full = keepBest(s.full, heard{t, f})
		}
	}
	var apart []int32
	for _, a := range s.full {
		if !x.dominated(s, a) {
			apart = append(apart, a.t)
		}
	}
	for _, t := range apart[min(1, len(apart)):] {
		if !sameProducts(x.titles[t].prods, x.titles[apart[0]].prods) {
			several = true
		}
	}
	if !several {
		return false
	}
	s.naming = true
	for _, t := range apart {
		x.offerTitle(s, &x.titles[t], x.cfg.Floor, ask, whole)
	}
	s.naming = false
	return true
}

// sameProducts reports whether two titles name the same products ("vip"
// and "会员" of 会员月卡).
func sameProducts(a, b []epProduct) bool {
	if len(a) != len(b) {
		return false
	}
	for _, e := range a {
		if !slices.ContainsFunc(b, func(f epProduct) bool { return f.prod == e.prod }) {
			return false
		}
	}
	return true
}

// keepBest inserts h into the best-first list, keeping at most maxHeard.
func keepBest(hs []heard, h heard) []heard {
	i, _ := slices.BinarySearchFunc(hs, h, func(a, b heard) int {
		switch {
		case a.f > b.f:
			return -1
		case a.f < b.f:
			return 1
		}
		return 0
	})
	if i == maxHeard {
		return hs
	}
	hs = slices.Insert(hs, i, h)
	if len(hs) > maxHeard {
		hs = hs[:maxHeard]
	}
	return hs
}

// dominated reports whether another title heard in full explains all that
// a explains and more, or the same better: 会员 within 会员年卡.
func (x *Index) dominated(s *scratch, a heard) bool {
	for _, b := range s.full {
		if b.t == a.t || s.mask[a.t]&^s.mask[b.t] != 0 {
			continue
		}
		if s.mask[a.t] != s.mask[b.t] || b.f > a.f {
			return true
		}
	}
	return false
}

// offerTitle offers a title's products for the episodes asked: those with
// an episode asked; for the whole set (全集), the one without an episode;
// with nothing asked (or a bare number it lacks), all of them. Episodes
// said as such that the title lacks only suggest the title's products.
func (x *Index) offerTitle(s *scratch, tl *title, f float64, ask asked, whole bool) {
	if s.naming && !slices.ContainsFunc(tl.prods, func(e epProduct) bool { return e.ep != noEpisode }) {
		ask = asked{} // one of several titles, without episodes: the episode said is another's
	}
	if ask.n > 0 {
		found := false
		for _, e := range tl.prods {
			if ask.has(e.ep) {
				x.offer(s, e.prod, f)
				found = true
			}
		}
		if found {
			return
		}
		if ask.marked {
			for _, e := range tl.prods {
				x.offer(s, e.prod, min(f/2, x.cfg.Floor/2))
			}
			return
		}
	}
	if whole {
		found := false
		for _, e := range tl.prods {
			if e.ep == noEpisode {
				x.offer(s, e.prod, f)
				found = true
			}
		}
		if found {
			return
		}
	}
	for _, e := range tl.prods {
		x.offer(s, e.prod, f)
	}
}

// offer records a product's score, keeping its best.
func (x *Index) offer(s *scratch, p int32, score float64) {
	if score <= 0 {
		return
	}
	if s.naming && score < x.cfg.Floor {
		return // an episode the title lacks
	}
	if s.score[p] == 0 {
		s.pt = append(s.pt, p)
	}
	if s.naming && !slices.Contains(s.named, p) {
		s.named = append(s.named, p)
	}
	s.score[p] = max(s.score[p], score)
}
