package intents

import (
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
	}
	s := strings.TrimRight(strings.TrimSpace(text), "个份次张本件套盒。.！!吧")
	s = strings.TrimLeft(s, "我就只先再给买要来购")
	n, ok := resolve.Number(s)
	return ok && n == 0
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

// parseCount reads a quantity as people say it: "3", "三", "3个", "十二份",
// "两百", "一千个", "就一个", "两个就行", the number read by resolve.Number;
// it is ok only within 1..shop.MaxQuantity (n is what was heard, 0 when no
// number was).
func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "我就只先再给买要来购")
	s = strings.TrimRight(s, "。.！!吧")
	for _, filler := range []string{"就行", "就好", "就够了", "好了"} {
		s = strings.TrimSuffix(s, filler)
	}
	s = strings.TrimRight(s, "个份次张本集点件套盒月年天吧")
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
