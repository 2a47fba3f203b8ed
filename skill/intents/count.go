package intents

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// SlotCount is the slot with how many units to buy.
const SlotCount = "count"

// count returns the quantity the user gave: from the count slot (a text or
// unit value), else from the state, else, when the session just asked for
// it, from what was said. said is false when no quantity was given; ok is
// false when one was given but is not 1..shop.MaxQuantity.
func (t *turn) count() (n int64, said, ok bool) {
	if v, has := t.intent().Slot(SlotCount); has && !t.money(v.Text()) {
		text := v.Text()
		if v.Type == tsk.ValueUnit && v.Amount != "" {
			text = v.Amount
		}
		n, ok = parseCount(text)
		if !ok {
			n, ok = parseCount(v.Origin)
		}
		if ok && vagueCount.MatchString(t.req.Request.QueryText) {
			ok = false // "买二十多个" heard as count 二十: no number of units
		}
		return n, true, ok
	}
	if t.state.Count > 0 {
		return t.state.Count, true, true
	}
	if t.state.Step == stepCount && t.req.Request.QueryText != "" {
		n, ok = parseCount(t.req.Request.QueryText)
		return n, true, ok
	}
	return 0, false, false
}

// slotCount reads the count slot of the turn's intent alone (no count
// chosen before): ok is false when none was said or it reads as none.
func (t *turn) slotCount() (n int64, ok bool) {
	v, has := t.intent().Slot(SlotCount)
	if !has || t.money(v.Text()) {
		return 0, false
	}
	return parseCount(v.Text())
}

// countSaid reads the count a turn says: its count slot, else a count in
// its words ("对，换成五个", "是的，三个" with no slot filled).
func (t *turn) countSaid() (int64, bool) {
	if n, ok := t.slotCount(); ok {
		return n, true
	}
	text := pairWords.Replace(t.req.Request.QueryText)
	m := countRE.FindStringSubmatchIndex(text)
	if m == nil {
		return 0, false
	}
	if r, _ := utf8.DecodeLastRuneInString(text[:m[0]]); strings.ContainsRune("换另再", r) {
		return 0, false // "换一个", "另一个": another, no count
	}
	return parseCount(text[m[2]:m[3]])
}

// countRE finds a count in words: "五个", "3个".
var countRE = regexp.MustCompile(`([0-9零一二两三四五六七八九十百千]+)个`)

// saysZero reports whether the count given is zero: "零个", "0".
func (t *turn) saysZero() bool {
	text := t.req.Request.QueryText
	if v, has := t.intent().Slot(SlotCount); has {
		text = v.Text()
	} else if zeroRE.MatchString(text) {
		return true // "退零个听书币" (not "退10个")
	}
	s := strings.TrimRight(strings.TrimSpace(text), "个份次张本件套盒。.！!吧")
	s = strings.TrimLeft(s, "我就只先再给买要来购")
	n, ok := resolve.Number(s)
	return ok && n == 0
}

// lengthOf reads the length of time the turn says for the timed product p
// (lengthIn).
func (d *Dialog) lengthOf(t *turn, p shop.Product) (n int64, said, whole bool) {
	return d.lengthIn(t.req.Request.QueryText, p)
}

// lengthIn reads the first length of time text says for the timed product
// p: said is true when it says one, whole when it is a whole number of p's
// units (n of them); a part of it that says no ("不要一年的") is passed
// over, and 俩/仨 are counts ("俩月"). Days and weeks for any timed product ("30天": one
// 30-day unit; "七天", "一周", "半个月" are said and not whole), and for a
// monthly product "一年" (12), "两年", "一年半" (18), "半年" (6), "一个季
// 度", "季度" (3), "三个月". The first said counts ("买一个月会员，一年以后
// 再说": one month). Dates and the like are no length ("今年", "2026年",
// "这个月", "一年级", "天天").
func (d *Dialog) lengthIn(text string, p shop.Product) (n int64, said, whole bool) {
	if !p.Kind.Timed() || p.Days <= 0 || !d.products.Lengths() {
		return 0, false, false
	}
	for _, part := range strings.FieldsFunc(pairWords.Replace(text), func(r rune) bool { return r == '，' || r == ',' || r == '。' }) {
		if strings.HasPrefix(part, "不") || strings.HasPrefix(part, "没") {
			continue // "买会员，不要一年的，要半年的": not the one refused
		}
		if n, said, whole := lengthInPart(part, p); said {
			return n, said, whole
		}
	}
	return 0, false, false
}

// lengthInPart is lengthIn within one part of what was said.
func lengthInPart(text string, p shop.Product) (n int64, said, whole bool) {
	at, days := -1, int64(0)
	if m := daysRE.FindStringSubmatchIndex(text); m != nil {
		if v, ok := resolve.Number(text[m[2]:m[3]]); ok && v > 0 {
			at, days = m[0], v*dayUnits[text[m[4]:m[5]]]
		}
	}
	if i := strings.Index(text, "半个月"); i >= 0 && (at < 0 || i < at) {
		at, days = i, 15
	}
	if p.Monthly() {
		if months, i, ok := monthsSaid(text); ok && (at < 0 || i < at) {
			return months, true, true
		}
	}
	if at < 0 {
		return 0, false, false
	}
	return days / int64(p.Days), true, days%int64(p.Days) == 0
}

// daysRE finds a number of days or weeks said: "七天", "30天", "三十日",
// "一周", "两个星期".
var daysRE = regexp.MustCompile(`([0-9零一二两三四五六七八九十百]+)个?(天|日|周|星期|礼拜)`)

// dayUnits are the days of each unit daysRE finds.
var dayUnits = map[string]int64{"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7}

// monthLengths are the words of a length in months, with their months;
// bare ones are a length without a number ("半年", "季度").
var monthLengths = []struct {
	unit   string
	months int64
	bare   bool
}{{"半年", 6, true}, {"季度", 3, true}, {"年", 12, false}, {"个月", 1, false}}

// monthsSaid reads the first length in months text says, and where: "一
// 年" (12), "两年", "一年半" (18), "半年" (6), "一个季度", "季度" (3), "三个
// 月"; ok is false when it says none ("今年", "2026年", "这个月", "一年级"
// are none).
func monthsSaid(text string) (months int64, at int, ok bool) {
	type found struct {
		at     int
		months int64
	}
	var all []found
	for _, w := range monthLengths {
		for from := 0; ; {
			i := strings.Index(text[from:], w.unit)
			if i < 0 {
				break
			}
			i += from
			from = i + len(w.unit)
			if m, ok := monthsAt(text, i, w.unit, w.months, w.bare); ok {
				all = append(all, found{i, m})
			}
		}
	}
	if len(all) == 0 {
		return 0, 0, false
	}
	first := slices.MinFunc(all, func(a, b found) int { return a.at - b.at })
	return first.months, first.at, true
}

// monthsAt reads the length whose unit starts at text[i:]: its number
// before it, or none for a bare unit.
func monthsAt(text string, i int, unit string, months int64, bare bool) (int64, bool) {
	after := text[i+len(unit):]
	switch {
	case unit == "半年":
		return 6, true
	case unit == "年" && (strings.HasPrefix(after, "级") || strings.HasSuffix(text[:i], "半")):
		return 0, false // "一年级"; the 年 of "半年"
	}
	half := int64(0)
	if unit == "年" && strings.HasPrefix(after, "半") {
		half = 6 // "一年半"
	}
	before := strings.TrimSuffix(strings.TrimSuffix(text[:i], "整"), "个") // "一个季度", "一整年"
	rs := []rune(before)
	j := len(rs)
	for j > 0 && strings.ContainsRune("一二两三四五六七八九十0123456789", rs[j-1]) {
		j--
	}
	if j == len(rs) {
		return months, bare // "今年", "这个月": no length; "季度": one
	}
	if resolve.IsRange(string(rs[j:])) {
		return 0, false // "两三个月": a range, asked as counts are
	}
	n, ok := resolve.Number(string(rs[j:]))
	if !ok || n < 1 || n > 99 {
		return 0, false // "2026年"
	}
	return n*months + half, true
}

// saysRange returns the choice a range said as the count offers ("两三个":
// "两个还是三个"), or "".
func (t *turn) saysRange() string {
	text := t.req.Request.QueryText
	if v, has := t.intent().Slot(SlotCount); has {
		text = v.Text()
	}
	rs := []rune(text)
	for i := 0; i+1 < len(rs); i++ {
		if pair := string(rs[i : i+2]); resolve.IsRange(pair) {
			a, _ := resolve.Number(string(rs[i]))
			b, _ := resolve.Number(string(rs[i+1]))
			return itoa(a) + "个还是" + itoa(b) + "个"
		}
	}
	return ""
}

// zeroRE finds a count of zero said: "零个", "0个", not "10个".
var zeroRE = regexp.MustCompile(`(?:^|[^0-9零〇一二两三四五六七八九十百千])(?:0|零|〇)个`)

// sumRE finds a sum of yuan said: "三块钱", "5元", "两块五" (its jiao).
var sumRE = regexp.MustCompile(`([0-9零一二两三四五六七八九十百千万]+)(元|块钱|块)([0-9一二两三四五六七八九]?)(.?)`)

// sumSaid reads a sum of money said ("退掉三块钱的听书币"), in fen.
func (t *turn) sumSaid() (shop.Fen, bool) {
	if sum, ok := sumIn(t.req.Request.QueryText); ok {
		return sum, true
	}
	if v, has := t.intent().Slot(SlotCount); has {
		return sumIn(v.Text())
	}
	return 0, false
}

// sumIn reads the first sum of money text says, in fen.
func sumIn(text string) (shop.Fen, bool) {
	m := sumRE.FindStringSubmatch(text)
	if m == nil || m[2] == "块" && m[3] == "" && m[4] != "" && !strings.Contains("的钱吧呢啊呀。！!，,", m[4]) {
		return 0, false // "一块买的": together, no sum ("退三块吧" is one)
	}
	n, ok := resolve.Number(m[1])
	if !ok || n <= 0 || n > 1_000_000 {
		return 0, false
	}
	sum := shop.Fen(n * 100)
	if jiao, ok := resolve.Number(m[3]); ok && m[3] != "" {
		sum += shop.Fen(jiao * 10)
	}
	return sum, true
}

// moneyWords follow a number said as money.
const moneyWords = "元块毛角"

// money reports whether a count slot's text was said as money ("20元",
// "二十块钱", or "20" where "买20元的会员" was heard): a sum, no count
// ("买20元的会员" bought twenty months).
func (t *turn) money(text string) bool {
	if text == "" {
		return false
	}
	if strings.ContainsAny(text, moneyWords) {
		return true
	}
	q := t.req.Request.QueryText
	i := strings.Index(q, text)
	if i < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(q[i+len(text):])
	return strings.ContainsRune(moneyWords, r)
}

// pairWords are counts said in one word: 俩 is 两个, 仨 三个; and "两月"
// is two months (二月 is February, 三月 March: those stay dates).
var pairWords = strings.NewReplacer("俩", "两个", "仨", "三个", "两月", "两个月")

// parseCount reads a quantity as people say it: "3", "三", "3个", "十二份",
// "两百", "一千个", "就一个", "两个就行", the number read by resolve.Number;
// it is ok only within 1..shop.MaxQuantity (n is what was heard, 0 when no
// number was).
func parseCount(s string) (int64, bool) {
	s = pairWords.Replace(strings.TrimSpace(s))
	s = strings.TrimLeft(s, "我就只先再给买要来购")
	s = strings.TrimRight(s, "。.！!吧")
	for _, filler := range []string{"就行", "就好", "就够了", "好了"} {
		s = strings.TrimSuffix(s, filler)
	}
	// No 年 or 天 among the units: those are lengths (lengthOf).
	s = strings.TrimRight(s, "个份次张本集点件套盒月吧")
	if s == "" || resolve.IsRange(s) { // "三四个": three or four, no 34
		return 0, false
	}
	n, ok := resolve.Number(s)
	if !ok {
		return 0, false
	}
	return n, n >= 1 && n <= shop.MaxQuantity
}

// itoa formats a count.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
