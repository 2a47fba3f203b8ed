package intents

import (
	"regexp"
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

// monthsOf returns the units of the timed product p a length said stands
// for ("买一年会员": 12 monthly units, "买30天会员": one), when it is a whole
// number of units and no product's name says a length
// (resolve.Index.Lengths).
func (d *Dialog) monthsOf(t *turn, p shop.Product) (int64, bool) {
	n, said, whole := d.lengthOf(t, p)
	return n, said && whole
}

// lengthOf reads a length of time said for the timed product p: said is
// true when the user gave one, whole when it is a whole number of p's
// units (n of them): days ("30天": one 30-day unit; "七天" is said and not
// whole), and for a monthly product "一年" (12), "两年", "一年半" (18),
// "半年" (6), "一个季度", "季度" (3), "三个月". Dates and the like are no
// length ("今年", "2026年", "这个月", "天天").
func (d *Dialog) lengthOf(t *turn, p shop.Product) (n int64, said, whole bool) {
	if !p.Kind.Timed() || p.Days <= 0 || !d.products.Lengths() {
		return 0, false, false
	}
	text := t.req.Request.QueryText
	if m := daysRE.FindStringSubmatch(text); m != nil {
		days, ok := resolve.Number(m[1])
		if !ok || days <= 0 {
			return 0, false, false
		}
		return days / int64(p.Days), true, days%int64(p.Days) == 0
	}
	if !p.Monthly() {
		return 0, false, false
	}
	months, ok := monthsSaid(text)
	return months, ok, ok
}

// daysRE finds a number of days said: "七天", "30天", "三十日".
var daysRE = regexp.MustCompile(`([0-9零一二两三四五六七八九十百]+)个?(?:天|日)`)

// monthsSaid reads a length in months: "一年" (12), "两年", "一年半" (18),
// "半年" (6), "一个季度", "季度" (3), "三个月"; ok is false when none was
// said, or one that is no length ("今年", "2026年", "这个月").
// ("买一年会员" was heard as one month.)
func monthsSaid(text string) (int64, bool) {
	for _, w := range []struct {
		unit   string
		months int64
		bare   bool // a length without a number
	}{{"半年", 6, true}, {"季度", 3, true}, {"年", 12, false}, {"个月", 1, false}} {
		i := strings.Index(text, w.unit)
		if i < 0 {
			continue
		}
		if w.unit == "半年" {
			return 6, true
		}
		half := int64(0)
		if w.unit == "年" && strings.HasPrefix(text[i+len(w.unit):], "半") {
			half = 6 // "一年半"
		}
		before := strings.TrimSuffix(text[:i], "个") // "一个季度"
		rs := []rune(before)
		j := len(rs)
		for j > 0 && strings.ContainsRune("一二两三四五六七八九十0123456789", rs[j-1]) {
			j--
		}
		if j == len(rs) {
			if !w.bare {
				return 0, false // "今年", "这个月": no length
			}
			return w.months, true
		}
		if resolve.IsRange(string(rs[j:])) {
			return 0, false // "两三个月": a range, asked as counts are
		}
		n, ok := resolve.Number(string(rs[j:]))
		if !ok || n < 1 || n > 99 {
			return 0, false // "2026年"
		}
		return n*w.months + half, true
	}
	return 0, false
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
	m := sumRE.FindStringSubmatch(t.req.Request.QueryText)
	if m == nil {
		if v, has := t.intent().Slot(SlotCount); has {
			m = sumRE.FindStringSubmatch(v.Text())
		}
	}
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

// pairWords are counts said in one word: 俩 is 两个, 仨 三个.
var pairWords = strings.NewReplacer("俩", "两个", "仨", "三个")

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
