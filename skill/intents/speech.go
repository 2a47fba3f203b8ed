package intents

import (
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Phrases said in more than one place.
const (
	apologySpeech  = "抱歉，出了点小问题，请稍后再试。"
	busySpeech     = "现在使用的人太多了，请过一会儿再来。"
	fallbackSpeech = device.FallbackSpeech
	cancelled      = "好的，已取消。"
	goodbye        = "好的，再见。"
	examples       = "你可以说“有什么可以买”、“购买万古神帝第35集”、“我买过什么”或者“我要退款”。"
)

// china is the time zone dates are said in (no tzdata needed).
var china = time.FixedZone("CST", 8*60*60)

// apology is the view every failure turns into.
func apology() ui.View {
	return ui.View{Speech: apologySpeech, End: true}
}

// apologyFor is the apology for a failed turn: a plain one, or, when the
// dialog memory is full (shop.EBusy), that too many people talk at once.
func apologyFor(err error) ui.View {
	if shop.ErrorCode(err) == shop.EBusy {
		return ui.View{Speech: busySpeech, End: true}
	}
	return apology()
}

// say is a statement that ends the session.
func say(s string) ui.View { return ui.View{Speech: s, End: true} }

// ask is a question that keeps the mic open.
func ask(s string) ui.View { return ui.View{Speech: s, Ask: true} }

// date says a day the way people do: "3月4日".
func date(t time.Time) string {
	return t.In(china).Format("1月2日")
}

// date says a day as date does, with its year when the day is half a year
// away or more, or in another year and months away ("2027年11月29日":
// "11月29日" said in December read as last month).
func (t *turn) date(day time.Time) string {
	far := day.Sub(t.now).Abs()
	if far > 180*24*time.Hour || day.In(china).Year() != t.now.In(china).Year() && far > 60*24*time.Hour {
		return day.In(china).Format("2006年1月2日")
	}
	return date(day)
}

// names lists up to max product names: "A、B和C", with "等" when cut.
func names(ps []shop.Product, max int, last string) string {
	var ns []string
	for i, p := range ps {
		if i == max {
			break
		}
		ns = append(ns, p.Name)
	}
	s := strings.Join(ns, "、")
	if len(ns) > 1 {
		s = strings.Join(ns[:len(ns)-1], "、") + last + ns[len(ns)-1]
	}
	if len(ps) > max {
		s += "等"
	}
	return s
}

// amount says a quantity of a product with its price: "万古神帝第35集，2元"
// or "3个听书点数，共3元".
func amount(p shop.Product, count int64, total shop.Fen) string {
	if count > 1 {
		return counted(p, count) + "，共" + total.Yuan()
	}
	return p.Name + "，" + total.Yuan()
}

// counted says count of p: "3个听书币", or for a monthly product its
// months, "3个月的会员月卡" (three cards are three months).
func counted(p shop.Product, count int64) string {
	if p.Monthly() {
		return itoa(count) + "个月的" + p.Name
	}
	return itoa(count) + "个" + p.Name
}

// saysAny reports whether text says any of the words.
func saysAny(text string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}
