package resolve

import (
	"strings"
	"unicode"
)

// role is what a unit of what was heard is for.
type role uint8

const (
	content role = iota // part of a name, or of something unknown
	filler              // 我要, 买, 一下, 吧: counts only where it matches a name
	numeral             // a character of a number: counts only where it matches
	marker              // 第, 集, 个 around a number: counts only where it matches
)

// unit is one character (or one ASCII word) of a phrase.
type unit struct {
	r    rune    // the character; 0 for a word
	word string  // an ASCII word, lowercased
	rd   reading // what the character sounds like
	role role
}

// numKind says how a number was said.
type numKind uint8

const (
	bare    numKind = iota // 35, 三十五
	episode                // 第35集, 35集, 第三十五
	count                  // 两个, 3份
	ordinal                // 第二个
	money                  // 20元, 二十块钱: a sum, no count nor episode
)

// number is one number of a phrase.
type number struct {
	val  int64
	kind numKind
	// position: said as 第N with nothing after; an episode, or a position
	// when nothing else was said ("第二").
	position bool
}

// phrase is a phrase cut into units and numbers.
type phrase struct {
	units []unit
	nums  []number
	whole bool // it says the whole set (全集)
	last  bool // it says the last of a list (最后一个)
}

// wholeWords say "the whole set" of a series, in a name or what was heard.
var wholeWords = [][2]rune{{'全', '集'}, {'合', '集'}, {'全', '套'}, {'全', '本'}}

// Markers around a number: 第 before; after, an episode or a count word.
var (
	episodeWords = runeSet("集章回期话讲节部季篇")
	countWords   = runeSet("个份张次本件套盒枚条只位项瓶")
	ordinalWords = runeSet("个位项")
	moneyWords   = runeSet("元块毛角")
	// tailWords may follow a number that ends a phrase ("三十五吧").
	tailWords = runeSet("吧呢啊呀吗嘛了哦")
	// lastWords say which one after 最后 ("最后一个", "最后那种").
	lastWords = runeSet("个位项种款样本")
)

// fillers are the words of a request that name nothing: verbs of buying
// and listening, politeness, particles. The longest match wins.
var fillers, maxFiller = fillerSet(
	"我想要", "我要", "我想", "给我来", "给我", "帮我", "请你", "麻烦", "购买", "播放", "收听",
	"打开", "一下", "一点", "一些", "那个", "这个", "来个", "来点", "继续", "开通", "续费",
	"订阅", "充值", "退款", "退钱", "退掉", "退了", "不想要了", "不要了", "再来", "可以",
	"能不能", "还有", "就是", "然后", "我们", "有没有", "有声书", "小说", "多少钱", "几块钱",
	"价格", "怎么卖", "先买", "先要", "先来", "先听", // "先买36" answers "先买A还是B？"
	"我", "要", "想", "买", "听", "放", "吧", "呢", "啊", "呀", "吗", "嘛", "了", "的",
	"把", "给", "请", "来", "点", "再", "就", "还", "嗯", "哦", "哎", "呃", "和", "下",
)

// fold normalises one rune: full-width ASCII to ASCII, letters to lower
// case.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	if r == 0x3000 {
		r = ' '
	}
	return unicode.ToLower(r)
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// isLetter reports whether r is an ASCII letter.
func isLetter(r rune) bool { return r >= 'a' && r <= 'z' }

// isWord reports whether an ASCII word starts at rs[i]: letters and
// digits with at least one letter ("vip", "4k", "mp3").
func isWord(rs []rune, i int) bool {
	if i > 0 && (isLetter(rs[i-1]) || isDigit(rs[i-1])) {
		return false
	}
	for ; i < len(rs) && (isLetter(rs[i]) || isDigit(rs[i])); i++ {
		if isLetter(rs[i]) {
			return true
		}
	}
	return false
}

// isWhole reports whether a word for the whole set starts at rs[i].
func isWhole(rs []rune, i int) bool {
	if i+1 >= len(rs) {
		return false
	}
	for _, w := range wholeWords {
		if rs[i] == w[0] && rs[i+1] == w[1] {
			return true
		}
	}
	return false
}

// isDigit reports whether r is an ASCII digit.
func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// lex cuts s into units and numbers. A name (asHeard false) keeps every
// character as content except the numbers and their markers, and reads a
// Chinese numeral only next to a marker (三国演义 stays a name). What was
// heard (asHeard true) also marks fillers, and reads a Chinese numeral of
// two characters or more, or one at the end, as a number too.
func lex(rs []rune, asHeard bool, p *phrase) {
	p.units, p.nums, p.whole, p.last = p.units[:0], p.nums[:0], false, false
	n := len(rs)
	for i := 0; i < n; {
		r := rs[i]
		switch {
		case asHeard && lastLen(rs, i) > 0:
			j := i + lastLen(rs, i)
			for ; i < j; i++ {
				p.units = append(p.units, unit{r: rs[i], rd: readingOf(rs[i]), role: marker})
			}
			p.last = true
		case isWord(rs, i):
			j := i
			for j < n && (isLetter(rs[j]) || isDigit(rs[j])) {
				j++
			}
			p.units = append(p.units, unit{word: string(rs[i:j])})
			i = j
		case isWhole(rs, i):
			p.units = append(p.units, unit{r: rs[i], rd: readingOf(rs[i]), role: marker},
				unit{r: rs[i+1], rd: readingOf(rs[i+1]), role: marker})
			p.whole = true
			i += 2
		case isDigit(r):
			j := i
			for j < n && isDigit(rs[j]) {
				j++
			}
			v, ok := parseDigits(rs[i:j])
			if j+1 < n && (rs[j] == '.' || rs[j] == '点') && isDigit(rs[j+1]) {
				// A decimal ("1.5个"): no count, no episode; its
				// fraction is no number of its own either.
				for j++; j < n && isDigit(rs[j]); j++ {
				}
				ok = false
			}
			if !ok {
				i = j // a number no one means: ignored
				continue
			}
			i = markNumber(rs, i, j, v, nil, p)
		case isNumeral(r):
			j := i
			for j < n && isNumeral(rs[j]) {
				j++
			}
			v, ok := parseHan(rs[i:j])
			if ok && j+1 < n && rs[j] == '点' && (isNumeral(rs[j+1]) || isDigit(rs[j+1])) {
				// A decimal said ("一点五个"): no number, as "1.5个".
				for j++; j < n && (isNumeral(rs[j]) || isDigit(rs[j])); j++ {
				}
				i = j
				continue
			}
			if ok && isNumber(rs, i, j, asHeard) {
				i = markNumber(rs, i, j, v, rs[i:j], p)
				continue
			}
			for ; i < j; i++ {
				p.units = append(p.units, unit{r: rs[i], rd: readingOf(rs[i])})
			}
		case isHan(r):
			p.units = append(p.units, unit{r: r, rd: readingOf(r)})
			i++
		default: // spaces, punctuation, symbols: separators
			i++
		}
	}
	if asHeard {
		markFillers(p.units)
	}
}

// lastLen returns the length of the words for the last of a list at
// rs[i] ("最后一个", "最后那个", "最后一种"), or 0: 最后 then 一, 那, 那一 or
// 这 and a classifier. 最后 alone may be part of a name (最后的武士).
func lastLen(rs []rune, i int) int {
	if i+2 >= len(rs) || rs[i] != '最' || rs[i+1] != '后' {
		return 0
	}
	j := i + 2
	switch {
	case rs[j] == '那' && j+1 < len(rs) && rs[j+1] == '一':
		j += 2
	case rs[j] == '一' || rs[j] == '那' || rs[j] == '这':
		j++
	}
	if j < len(rs) && lastWords[rs[j]] {
		return j + 1 - i
	}
	return 0
}

// isNumber decides whether the Chinese numeral rs[i:j] is a number: always
// next to a marker; in what was heard, also when it is two characters or
// more, or ends the phrase.
func isNumber(rs []rune, i, j int, asHeard bool) bool {
	if i > 0 && rs[i-1] == '第' || j < len(rs) && (episodeWords[rs[j]] || countWords[rs[j]]) {
		return true
	}
	if !asHeard {
		return false
	}
	if j < len(rs) && moneyWords[rs[j]] { // "五块钱"
		return true
	}
	if j-i >= 2 {
		return true
	}
	for ; j < len(rs); j++ {
		if !tailWords[rs[j]] && !unicode.IsSpace(rs[j]) && !unicode.IsPunct(rs[j]) {
			return false
		}
	}
	return true
}

// markNumber records the number v said by rs[i:j] (han holds its Chinese
// characters, nil for digits), turns a 第 before it and a marker after it
// into marker units, and returns where the phrase goes on.
func markNumber(rs []rune, i, j int, v int64, han []rune, p *phrase) int {
	kind := bare
	first := len(p.units) > 0 && i > 0 && rs[i-1] == '第' && p.units[len(p.units)-1].r == '第'
	if first {
		p.units[len(p.units)-1].role = marker
		kind = episode
	}
	for _, r := range han {
		p.units = append(p.units, unit{r: r, rd: readingOf(r), role: numeral})
	}
	position := first // 第N with nothing after it
	if j < len(rs) {
		after := rs[j]
		switch {
		case !first && moneyWords[after]:
			kind = money
			if j+1 < len(rs) && rs[j+1] == '钱' { // 块钱
				p.units = append(p.units, unit{r: after, rd: readingOf(after), role: marker})
				j++
				after = '钱'
			}
		case first && ordinalWords[after]:
			kind = ordinal
		case episodeWords[after]:
			kind = episode
		case countWords[after] && !first && (j+1 == len(rs) || rs[j+1] != '半') && !isRange(han):
			kind = count // (not "两个半": no whole count; not "三四个": a range)
		default:
			after = 0
		}
		if after != 0 {
			p.units = append(p.units, unit{r: after, rd: readingOf(after), role: marker})
			j++
			position = false
		}
	}
	p.nums = append(p.nums, number{val: v, kind: kind, position: position})
	return j
}

// markFillers marks the content units that spell a filler, longest first.
func markFillers(us []unit) {
	for i := 0; i < len(us); {
		n := 0
		for l := min(maxFiller, len(us)-i); l > 0; l-- {
			var w fillerKey
			k := 0
			for ; k < l && us[i+k].r != 0 && us[i+k].role == content; k++ {
				w[k] = us[i+k].r
			}
			if k == l && fillers[w] {
				n = l
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		for k := i; k < i+n; k++ {
			us[k].role = filler
		}
		i += n
	}
}

// runeSet returns the set of the runes of s.
func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range s {
		m[r] = true
	}
	return m
}

// fillerKey is a filler word as a map key (no allocation to look one up).
type fillerKey [4]rune

// fillerSet returns the set of words and the length of the longest.
func fillerSet(words ...string) (map[fillerKey]bool, int) {
	m := make(map[fillerKey]bool, len(words))
	longest := 0
	for _, w := range words {
		var k fillerKey
		copy(k[:], []rune(w)) // words are at most len(fillerKey) runes
		m[k] = true
		longest = max(longest, len([]rune(w)))
	}
	return m, longest
}

// markPairs reads 俩 and 仨 as counts (两个, 三个 in one word: "买仨听书币"),
// for a catalog whose names have neither (a title 我们仨 keeps its 仨).
func markPairs(p *phrase) {
	for i := range p.units {
		if u := &p.units[i]; u.role == content && (u.r == '俩' || u.r == '仨') {
			u.role = marker
			p.nums = append(p.nums, number{val: map[rune]int64{'俩': 2, '仨': 3}[u.r], kind: count})
		}
	}
}

// lengthWords are lengths of time a membership is bought for;
// lengthRunes the same, spelled as runes once.
var (
	lengthWords = []string{"半年", "季度", "个月", "年"}
	lengthRunes = func() (out [][]rune) {
		for _, w := range lengthWords {
			out = append(out, []rune(w))
		}
		return out
	}()
)

// markLengths marks as fillers the lengths of time said ("一年", "半年",
// "三个月", "季度") with the numerals before them: "买半年会员" names the
// membership. Only for a catalog whose names say no length (Index.lengths).
func markLengths(us []unit) {
	for i := 0; i < len(us); i++ {
		for _, rs := range lengthRunes {
			if i+len(rs) > len(us) || !spells(us[i:i+len(rs)], rs) {
				continue
			}
			for k := i; k < i+len(rs); k++ {
				us[k].role = filler
			}
			for k := i - 1; k >= 0 && us[k].r != 0 && strings.ContainsRune("一二两三四五六七八九十半", us[k].r); k-- {
				us[k].role = filler // "一年": its numeral too
			}
			i += len(rs) - 1
			break
		}
	}
}

// spells reports whether the content units us spell rs.
func spells(us []unit, rs []rune) bool {
	for i, r := range rs {
		if us[i].r != r || us[i].role != content && us[i].role != filler {
			return false
		}
	}
	return true
}
