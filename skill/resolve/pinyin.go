package resolve

import (
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// Similarity of two units: the same character, the same syllable (tones
// ignored: a homophone), or syllables a recogniser confuses (n/l, an/ang,
// en/eng, in/ing, z/zh, c/ch, s/sh, f/h).
const (
	simSame      = 1.0
	simHomophone = 0.85
	simConfused  = 0.7
)

// reading is what a character sounds like: its syllable (tones dropped)
// and the syllable's confusion key, as small interned ids (0: none). Only
// the first, common reading of a heteronym is kept: the dictionary's rare
// ones (币 yìn, 听 yí) would make unrelated names sound alike.
type reading struct {
	py, fz uint16
}

// sounds is the table of readings of the CJK Unified Ideographs block,
// built once per process from go-pinyin's dictionary.
var sounds struct {
	once    sync.Once
	lo, hi  rune
	table   []reading
	byFuzzy map[string]uint16
}

// loadSounds builds the table on first use.
func loadSounds() {
	sounds.once.Do(func() {
		sounds.lo, sounds.hi = 0x3400, 0x9FFF
		sounds.table = make([]reading, sounds.hi-sounds.lo+1)
		syll := map[string]uint16{}
		sounds.byFuzzy = map[string]uint16{}
		intern := func(m map[string]uint16, s string) uint16 {
			id, ok := m[s]
			if !ok {
				id = uint16(len(m) + 1)
				m[s] = id
			}
			return id
		}
		args := pinyin.Args{Style: pinyin.Normal}
		for code := range pinyin.PinyinDict {
			r := rune(code)
			if r < sounds.lo || r > sounds.hi {
				continue
			}
			if s := pinyin.SinglePinyin(r, args); len(s) > 0 {
				sounds.table[r-sounds.lo] = reading{intern(syll, s[0]), intern(sounds.byFuzzy, fuzzy(s[0]))}
			}
		}
	})
}

// readingOf returns the readings of r; the zero reading when it has none.
func readingOf(r rune) reading {
	if r < sounds.lo || r > sounds.hi {
		return reading{}
	}
	return sounds.table[r-sounds.lo]
}

// fuzzy folds a toneless syllable onto its confusion key: zh/ch/sh → z/c/s,
// n → l, f → h, and -ang/-eng/-ing → -an/-en/-in (-ong stays).
func fuzzy(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case strings.HasPrefix(s, "n") && s != "n" && s != "ng":
		s = "l" + s[1:]
	case strings.HasPrefix(s, "f"):
		s = "h" + s[1:]
	}
	if strings.HasSuffix(s, "ng") && !strings.HasSuffix(s, "ong") && len(s) > 2 {
		s = s[:len(s)-1]
	}
	return s
}

// similar scores how alike two readings sound: simHomophone for the same
// syllable, simConfused for the same confusion key, else 0.
func similar(a, b reading) float64 {
	switch {
	case a.py == 0 || b.py == 0:
		return 0
	case a.py == b.py:
		return simHomophone
	case a.fz == b.fz:
		return simConfused
	}
	return 0
}
