package intents

import (
	"strconv"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// SlotCount is the slot with how many units to buy.
const SlotCount = "count"

// count returns the quantity the user gave: from the count slot (a text or
// unit value), else from the state, else, when the session just asked for
// it, from what was said. said is false when no quantity was given; ok is
// false when one was given but is not 1..shop.MaxQuantity.
func (t *turn) count() (n int64, said, ok bool) {
	if v, has := t.intent().Slot(SlotCount); has {
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

// parseCount reads a quantity as people say it: "3", "三", "3个", "十二份",
// "两百", "就一个", "两个就行"; it is ok only within 1..shop.MaxQuantity (n
// is what was heard, 0 when no number was).
func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "我就只先再给买要来购")
	s = strings.TrimRight(s, "。.！!吧")
	for _, filler := range []string{"就行", "就好", "就够了", "好了"} {
		s = strings.TrimSuffix(s, filler)
	}
	s = strings.TrimRight(s, "个份次张本集点件套盒月年天吧")
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		var ok bool
		if n, ok = chinese(s); !ok {
			return 0, false
		}
	}
	return n, n >= 1 && n <= shop.MaxQuantity
}

var digits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chinese parses a Chinese numeral below ten thousand: "三", "十二", "二十",
// "一百零五", "两千".
func chinese(s string) (int64, bool) {
	var total, cur int64
	seen := false
	for _, r := range s {
		if d, ok := digits[r]; ok {
			cur, seen = d, true
			continue
		}
		var unit int64
		switch r {
		case '十':
			unit = 10
		case '百':
			unit = 100
		case '千':
			unit = 1000
		default:
			return 0, false
		}
		if cur == 0 && unit == 10 {
			cur = 1 // "十二"
		}
		total += cur * unit
		cur, seen = 0, true
	}
	return total + cur, seen
}

// itoa formats a count.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
