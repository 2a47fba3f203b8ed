package resolve

import (
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Query is what a turn heard about a product.
type Query struct {
	// Text is the phrase naming the product: the product slot, or what was
	// said ("我要买万古神帝第三十五集").
	Text string
	// Album is the series, from the album slot ("万古神帝").
	Album string
	// Episode is the episode, from the index or episode slot ("35",
	// "三十五", "第35集"); it wins over a number in Text.
	Episode string
	// Among, when not empty, are the only product ids to consider: the
	// products of a pending "which one?" question.
	Among []string
}

// Decision is what a phrase names.
type Decision uint8

// The decisions of a resolution.
const (
	None      Decision = iota // no product: Candidates are suggestions, if any
	One                       // one product, Candidates[0]
	Ambiguous                 // ask which of Candidates (or whether the only one)
)

// String names the decision as the labelled set does.
func (d Decision) String() string {
	switch d {
	case One:
		return "one"
	case Ambiguous:
		return "ambiguous"
	}
	return "none"
}

// Candidate is a product and how well the phrase names it, 0 to 1.
type Candidate struct {
	Product shop.Product
	Score   float64
}

// Result is the resolution of a phrase.
type Result struct {
	Decision Decision
	// Candidates are, best first: the product (One), the products to ask
	// about (Ambiguous), or products to suggest (None).
	Candidates []Candidate
	// Empty reports that nothing heard could name a product: only fillers
	// ("我要买") or nothing at all.
	Empty bool
	// Several reports that the phrase names several products in full
	// ("万古神帝第35集和三个听书币"): an Ambiguous decision then asks which
	// one first, not which was meant.
	Several bool
	// Count is a quantity said ("两个", "3份"), 0 when none.
	Count int64
	// Ordinal is a position said ("第二个", or "第二" alone), from 1; 0
	// when none.
	Ordinal int
	// Last reports that the last of a list was said ("最后一个",
	// "最后那个"), with nothing else naming a product.
	Last bool
}

// Product returns the product of a One decision.
func (r Result) Product() (shop.Product, bool) {
	if r.Decision != One {
		return shop.Product{}, false
	}
	return r.Candidates[0].Product, true
}

// Resolve maps a phrase to the catalog's products. Its work is linear in
// the phrase (capped at Config.MaxRunes) and in the catalog.
func (x *Index) Resolve(q Query) Result {
	s := x.pool.Get().(*scratch)
	defer x.pool.Put(s)
	defer x.reset(s)

	s.rs = foldRunes(s.rs[:0], q.Album, x.cfg.MaxRunes)
	if q.Album != "" && q.Text != "" {
		s.rs = append(s.rs, ' ')
	}
	s.rs = foldRunes(s.rs, q.Text, x.cfg.MaxRunes-min(len(s.rs), x.cfg.MaxRunes))
	lex(s.rs, true, &s.ph)
	if x.lengths {
		markLengths(s.ph.units)
	}
	if x.pairs {
		markPairs(&s.ph)
	}
	ask := askedOf(s.ph.nums)
	joined := joinsNumbers(s.rs)
	if joined != 0 {
		j := ask
		if !ask.marked || ask.n == 1 {
			j = joinedOf(s.ph.nums) // "三十五和三十六集": the 集 marks both
		}
		if joined == spans && j.n == 2 && j.vals[0] < j.vals[1] {
			j = x.spanOf(j.vals[0], j.vals[1], j.marked) // "35到37集": 36 too
		}
		if x.sells(j) {
			ask = j // "万古神帝35和36": both, not the last alone
		}
	}
	if q.Episode != "" {
		s.ers = foldRunes(s.ers[:0], q.Episode, x.cfg.MaxRunes)
		lex(s.ers, true, &s.ep)
		if len(s.ep.nums) > 0 {
			ask = asked{vals: [maxAsked]int64{s.ep.nums[0].val}, n: 1, marked: true}
		}
	}
	var res Result
	for _, n := range s.ph.nums {
		switch {
		case n.kind == count && n.val >= 1 && n.val <= shop.MaxQuantity:
			res.Count = n.val
		case n.kind == ordinal && n.val >= 1 && n.val <= 99:
			res.Ordinal = int(n.val)
		}
	}

	s.key = foldKey(s.key[:0], s.rs)
	if q.Episode == "" {
		for _, p := range x.exact[string(s.key)] {
			x.offer(s, p, 1)
		}
	}
	content := x.matchTitles(s)
	for _, n := range s.ph.nums {
		if n.position && content == 0 && res.Ordinal == 0 && n.val >= 1 && n.val <= 99 {
			res.Ordinal = int(n.val) // "第二": the second of a list, or episode 2
		}
	}
	several := x.scoreTitles(s, content, ask, s.ph.whole)
	if content == 0 && len(s.pt) == 0 {
		for _, v := range ask.vals[:ask.n] {
			for _, p := range x.byEp[v] {
				x.offer(s, p, x.cfg.Accept)
			}
		}
	}
	res.Empty = content == 0 && ask.n == 0 && len(s.pt) == 0
	res.Last = s.ph.last && res.Empty
	x.decide(s, q.Among, several, &res)
	// Several titles in full, or several episodes said with "和"
	// ("万古神帝第35集和第36集", "万古神帝35和36"): both wanted, not one
	// misheard.
	res.Several = res.Decision == Ambiguous && (several || ask.n >= 2 && (saysAnd(s.rs) || joined == spans && x.sells(ask)))
	return res
}

// decide turns the scored products into the result: one product when the
// best is sure and alone, a question when it is unsure or has company
// within the margin, none below the floor (with suggestions). It keeps
// only the best few: linear in the products scored.
func (x *Index) decide(s *scratch, among []string, several bool, res *Result) {
	ps := s.pt
	if several {
		ps = s.named
	}
	top := s.ps[:0]
	for _, p := range ps {
		if s.score[p] < suggestFloor || len(among) > 0 && !slices.Contains(among, x.products[p].ID) {
			continue
		}
		top = keepTop(top, p, s.score, x.cfg.MaxCandidates+1)
	}
	s.ps = top
	var best float64
	if len(top) > 0 {
		best = s.score[top[0]]
	}
	// Products within the margin of the best are alike; when the phrase
	// names several products (several), every one above the floor is.
	alike := func(score float64) bool { return score > best-x.cfg.Margin || several }
	res.Decision = Ambiguous
	lo := x.cfg.Floor
	if best < x.cfg.Floor {
		res.Decision, lo = None, suggestFloor
	}
	for _, p := range top {
		if len(res.Candidates) == x.cfg.MaxCandidates || s.score[p] < lo || res.Decision != None && !alike(s.score[p]) {
			break
		}
		res.Candidates = append(res.Candidates, Candidate{x.products[p], s.score[p]})
	}
	if res.Decision == Ambiguous && best >= x.cfg.Accept && (len(top) == 1 || !alike(s.score[top[1]])) {
		res.Decision = One
		res.Candidates = res.Candidates[:1]
	}
}

// keepTop inserts product p into top, best first (then in catalog order),
// keeping at most n.
func keepTop(top []int32, p int32, score []float64, n int) []int32 {
	i := len(top)
	for i > 0 && (score[top[i-1]] < score[p] || score[top[i-1]] == score[p] && top[i-1] > p) {
		i--
	}
	if i == n {
		return top
	}
	top = slices.Insert(top, i, p)
	return top[:min(len(top), n)]
}

// How a phrase joins two numbers directly (joinsNumbers).
const (
	ands  = 1 // "35和36", "35跟36", "35、36"
	spans = 2 // "35到37", "35至37", "35~37": the numbers between too
)

// joinsNumbers reports how a phrase joins two numbers directly, if it does
// (0 if not): "35和36", "35到37" ("星辰变35和万古神帝36" joins none: its
// numbers go with their titles).
func joinsNumbers(rs []rune) int {
	isNum := func(r rune) bool {
		return strings.ContainsRune("0123456789零〇一二两三四五六七八九十百", r)
	}
	for i := 1; i+1 < len(rs); i++ {
		switch {
		case strings.ContainsRune("和跟、", rs[i]) && isNum(rs[i-1]) && isNum(rs[i+1]):
			return ands
		case strings.ContainsRune("到至~～-—", rs[i]) && (isNum(rs[i-1]) || rs[i-1] == '集') && (isNum(rs[i+1]) || rs[i+1] == '第'):
			return spans // "第35集到第37集" too
		}
	}
	return 0
}

// spanOf asks for the episodes from through to that some product is, at
// most maxAsked of them from the first; for none, for the two said
// ("万古神帝35到37集" asks for 35 and 36 when there is no 37).
func (x *Index) spanOf(from, to int64, marked bool) asked {
	a := asked{marked: marked}
	for v := from; v <= to && a.n < maxAsked; v++ {
		if len(x.byEp[v]) > 0 {
			a.vals[a.n] = v
			a.n++
		}
	}
	if a.n == 0 {
		a.vals[0], a.vals[1], a.n = from, to, 2
	}
	return a
}

// sells reports whether every episode a asks for is one some product is
// ("万古神帝1和2" asks for none: no two products wanted).
func (x *Index) sells(a asked) bool {
	for _, v := range a.vals[:a.n] {
		if len(x.byEp[v]) == 0 {
			return false
		}
	}
	return a.n > 0
}

// saysAnd reports whether a phrase joins things with "和" (跟, 、, 以及,
// 还有): several wanted at once. (Not 与: "权力与荣耀" is a title.)
func saysAnd(rs []rune) bool {
	for i, r := range rs {
		switch {
		case r == '和' || r == '跟' || r == '、':
			return true
		case i+1 < len(rs) && (r == '还' && rs[i+1] == '有' || r == '以' && rs[i+1] == '及'):
			return true
		}
	}
	return false
}
