package resolve

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Defaults of Config's zero fields.
const (
	DefaultMaxRunes      = 64
	DefaultAccept        = 0.8
	DefaultFloor         = 0.6
	DefaultMargin        = 0.1
	DefaultMaxCandidates = 3
)

// suggestFloor is the least score of a product suggested after a miss.
const suggestFloor = 0.3

// Config tunes an Index; its zero value works.
type Config struct {
	// MaxRunes caps what is matched of a phrase (0 → DefaultMaxRunes):
	// the rest is cut before any work is done.
	MaxRunes int
	// Accept is the least score of a product taken without asking
	// (0 → DefaultAccept).
	Accept float64
	// Floor is the least score of a product offered at all; below it the
	// phrase names nothing (0 → DefaultFloor).
	Floor float64
	// Margin is how far below the best another product may score and
	// still make the phrase ambiguous (0 → DefaultMargin).
	Margin float64
	// MaxCandidates is how many products a result lists (0 →
	// DefaultMaxCandidates).
	MaxCandidates int
}

// withDefaults fills in the zero fields, in one place.
func (c Config) withDefaults() Config {
	c.MaxRunes = cmp.Or(c.MaxRunes, DefaultMaxRunes)
	c.Accept = cmp.Or(c.Accept, DefaultAccept)
	c.Floor = cmp.Or(c.Floor, DefaultFloor)
	c.Margin = cmp.Or(c.Margin, DefaultMargin)
	c.MaxCandidates = cmp.Or(c.MaxCandidates, DefaultMaxCandidates)
	return c
}

// noEpisode marks a product a name calls without an episode number.
const noEpisode = -1

// title is a name of the catalog without its numbers ("万古神帝" of
// "万古神帝第35集"), with the products it names, by episode.
type title struct {
	units []unit
	prods []epProduct // in catalog order
}

// epProduct is a product of a title and its episode (noEpisode if none).
type epProduct struct {
	ep   int64
	prod int32
}

// posting says that unit pos of title t sounds like a key.
type posting struct {
	t, pos int32
}

// Keys of the postings: the confusion key of a syllable (its id), an ASCII
// word (wordKey|id) or a character without a reading (runeKey|rune).
const (
	wordKey = 1 << 22
	runeKey = 1 << 23
)

// Index resolves phrases against one catalog. Build it once per catalog
// with New; it is safe for concurrent use.
type Index struct {
	cfg      Config
	products []shop.Product
	exact    map[string][]int32 // a folded id, name or alias → its products
	titles   []title
	offset   []int32 // where each title's units start in scratch.best
	nUnits   int
	post     map[uint32][]posting
	words    map[string]uint32
	byEp     map[int64][]int32 // an episode number → the products that have it
	pool     sync.Pool
	// lengths: no timed product's name says a length of time (年, 季度,
	// 个月), so one said ("买半年会员") names nothing (see markLengths).
	lengths bool
	// pairs: no name has 俩 or 仨, read as counts then (markPairs).
	pairs bool
}

// New indexes the catalog's products by their ids, names and aliases. A
// nil catalog resolves nothing.
func New(c *shop.Catalog, cfg Config) *Index {
	loadSounds()
	x := &Index{
		cfg:   cfg.withDefaults(),
		exact: map[string][]int32{},
		post:  map[uint32][]posting{},
		words: map[string]uint32{},
		byEp:  map[int64][]int32{},
	}
	if c != nil {
		x.products = slices.Clone(c.Products)
	}
	names := func(p shop.Product, has func(string) bool) bool {
		return slices.ContainsFunc(append([]string{p.Name}, p.Aliases...), has)
	}
	x.lengths = !slices.ContainsFunc(x.products, func(p shop.Product) bool { // a title with 年 (少年…) is no length
		return p.Kind.Timed() && names(p, func(n string) bool {
			return slices.ContainsFunc(lengthWords, func(w string) bool { return strings.Contains(n, w) })
		})
	})
	x.pairs = !slices.ContainsFunc(x.products, func(p shop.Product) bool {
		return names(p, func(n string) bool { return strings.ContainsAny(n, "俩仨") })
	})
	byTitle := map[string]int32{}
	var ph phrase
	for i, p := range x.products {
		prod := int32(i)
		for _, name := range append([]string{p.ID, p.Name}, p.Aliases...) {
			rs := foldRunes(nil, name, 0)
			if k := foldKey(nil, rs); len(k) > 0 {
				addOnce(x.exact, string(k), prod)
			}
			if name == p.ID {
				continue
			}
			lex(rs, false, &ph)
			ep := episodeOf(ph.nums)
			if ph.whole {
				ep = noEpisode
			}
			units, key := titleUnits(ph.units)
			if len(units) == 0 {
				continue // "第35集": the episode alone (see byEp)
			}
			t, ok := byTitle[key]
			if !ok {
				t = int32(len(x.titles))
				byTitle[key] = t
				x.titles = append(x.titles, title{units: units})
				x.offset = append(x.offset, int32(x.nUnits))
				x.nUnits += len(units)
				for pos, u := range units {
					k, _ := x.key(u, true)
					x.post[k] = append(x.post[k], posting{t, int32(pos)})
				}
			}
			e := epProduct{ep, prod}
			if !slices.Contains(x.titles[t].prods, e) {
				x.titles[t].prods = append(x.titles[t].prods, e)
			}
			if ep != noEpisode {
				addOnce(x.byEp, ep, prod)
			}
		}
	}
	x.pool.New = func() any { return x.newScratch() }
	return x
}

// titleUnits returns the content units of a name (without its numbers and
// their markers) and a key that is the same for names that sound the same
// only when they are written the same.
func titleUnits(us []unit) ([]unit, string) {
	var units []unit
	var key []byte
	for _, u := range us {
		if u.role != content {
			continue
		}
		units = append(units, u)
		if u.word != "" {
			key = append(key, ' ')
			key = append(key, u.word...)
			key = append(key, ' ')
		} else {
			key = utf8.AppendRune(key, u.r)
		}
	}
	return units, string(key)
}

// key returns the posting key of a unit: the confusion key of its reading,
// or the word or character itself. Building the index (add) interns new
// words; resolving only looks them up (ok is false for an unknown word).
func (x *Index) key(u unit, add bool) (k uint32, ok bool) {
	switch {
	case u.word != "":
		id, ok := x.words[u.word]
		if !ok {
			if !add {
				return 0, false
			}
			id = uint32(len(x.words) + 1)
			x.words[u.word] = id
		}
		return wordKey | id, true
	case u.rd.fz != 0:
		return uint32(u.rd.fz), true
	}
	return runeKey | uint32(u.r), true
}

// addOnce appends v to m[k] unless it is there.
func addOnce[K comparable](m map[K][]int32, k K, v int32) {
	if !slices.Contains(m[k], v) {
		m[k] = append(m[k], v)
	}
}

// foldRunes appends the runes of s to dst, folded (full-width to ASCII,
// lower case), at most max of them (0: all).
func foldRunes(dst []rune, s string, max int) []rune {
	n := 0
	for _, r := range s {
		if max > 0 && n == max {
			break
		}
		dst = append(dst, fold(r))
		n++
	}
	return dst
}

// foldKey appends to dst the UTF-8 of rs without spaces and punctuation:
// the key of an exact match.
func foldKey(dst []byte, rs []rune) []byte {
	for _, r := range rs {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		dst = utf8.AppendRune(dst, fold(r))
	}
	return dst
}

// Lengths reports whether a length of time said ("一年", "半年") is no part
// of any timed product's name, so that it can be read as how long to buy
// for.
func (x *Index) Lengths() bool { return x.lengths }
