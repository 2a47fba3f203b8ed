package resolve

// hanDigits are the Chinese digits, including the spoken 两 and 幺.
var hanDigits = map[rune]int64{
	'零': 0, '〇': 0, '一': 1, '幺': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

// hanTens are the single characters for 20, 30 and 40 (廿五 = 25, 卅五 = 35).
var hanTens = map[rune]int64{'廿': 20, '卅': 30, '卌': 40}

// hanUnits are the multipliers within a section of ten thousand.
var hanUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000}

// maxNumber bounds every number read; larger ones are not numbers anyone
// means in a shop (and cannot overflow).
const maxNumber = 99_999_999

// Number reads a number as people say or type it: digits ("35", full-width
// "３５") or a Chinese numeral ("三十五", "卅五", "一千二百", "两千", "一万",
// digit by digit "三五"). It is the one reader of numbers of the skill:
// episodes, counts and the sandbox's NLU use it. ok is false for anything
// else (units such as "个" included) and for values above 99,999,999.
func Number(s string) (n int64, ok bool) {
	rs := foldRunes(nil, s, 0)
	if len(rs) > 0 && isDigit(rs[0]) {
		return parseDigits(rs)
	}
	return parseHan(rs)
}

// parseDigits reads ASCII digits; it fails on anything else and on values
// above maxNumber.
func parseDigits(rs []rune) (int64, bool) {
	var n int64
	for _, r := range rs {
		if !isDigit(r) {
			return 0, false
		}
		if n = n*10 + int64(r-'0'); n > maxNumber {
			return 0, false
		}
	}
	return n, len(rs) > 0
}

// isNumeral reports whether r can be part of a Chinese numeral.
func isNumeral(r rune) bool {
	_, d := hanDigits[r]
	_, t := hanTens[r]
	_, u := hanUnits[r]
	return d || t || u || r == '万'
}

// parseHan reads a Chinese numeral: "三十五", "卅五", "一百零五", "两千",
// "十万", "一百二" (120, as people shorten it), or digit by digit ("三五" = 35). It fails on runs without a digit
// ("万", "千百") and on values above maxNumber.
func parseHan(rs []rune) (int64, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	positional := false
	hasDigit := false
	for _, r := range rs {
		if !isNumeral(r) {
			return 0, false
		}
		if _, ok := hanDigits[r]; ok {
			hasDigit = true
			continue
		}
		if _, ok := hanTens[r]; ok {
			hasDigit = true
		}
		positional = true
	}
	if !hasDigit && rs[0] != '十' { // 万古, 千百: words, not numbers
		return 0, false
	}
	if !positional { // digit by digit: 三五, 一二三
		if len(rs) > 8 {
			return 0, false
		}
		var n int64
		for _, r := range rs {
			n = n*10 + hanDigits[r]
		}
		return n, true
	}
	var total, section int64
	cur := int64(-1)
	// unit is the unit just read (0 after anything else); short is the
	// unit right before the last digit, which a numeral ending there
	// leaves unsaid one place lower: 一百二 = 120, 一万五 = 15000 (but
	// 一百零二 = 102).
	var unit, short int64
	last := int64(10_000) // the last unit of the section: each is smaller (二百三千 is none)
	for _, r := range rs {
		switch {
		case r == '万':
			if section == 0 && cur < 0 || total > 0 { // one 万 (一万二万 is none)
				return 0, false
			}
			last = 10_000
			total += (section + max(cur, 0)) * 10_000
			section, cur, unit = 0, -1, 10_000
		default:
			if d, ok := hanDigits[r]; ok {
				if cur > 0 { // 三五十: two digits in a row within a positional numeral
					return 0, false
				}
				cur, short, unit = d, unit, 0
				continue
			}
			if t, ok := hanTens[r]; ok {
				if cur >= 0 {
					return 0, false
				}
				section, unit = section+t, 0
				continue
			}
			unit = hanUnits[r]
			if unit >= last {
				return 0, false
			}
			last = unit
			if cur < 0 {
				if unit != 10 || section != 0 {
					return 0, false // 百 or 千 needs a digit before it
				}
				cur = 1 // 十五 = 15
			}
			section += cur * unit
			cur = -1
		}
		if total+section > maxNumber {
			return 0, false
		}
	}
	if cur > 0 && short >= 100 {
		cur *= short / 10
	}
	n := total + section + max(cur, 0)
	return n, n <= maxNumber
}

// IsRange reports whether s is two Chinese digits said as a range rather
// than a number: "三四" (three or four), "两三", "一两". As a count it is
// none: "三四个" is no 34.
func IsRange(s string) bool { return isRange([]rune(s)) }

func isRange(rs []rune) bool {
	if len(rs) != 2 {
		return false
	}
	a, okA := hanDigits[rs[0]]
	b, okB := hanDigits[rs[1]]
	return okA && okB && a > 0 && a < b
}
