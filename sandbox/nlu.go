package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// NLU is the sandbox's tiny rule-based stand-in for the platform's language
// understanding: it turns an utterance into an intent and text slots. It is
// driven by the sample utterances of an interaction model when one is given
// (each sample "买{count}个{product}" becomes a pattern), then by built-in
// keyword rules. It is a convenience for trying the dialog by hand; real
// NLU lives on the platform.
type NLU struct {
	rules []rule
	// names are the model's entity values and synonyms: a name said alone
	// ("听书币") is no request but the answer to a question (Follow).
	names map[string]bool
}

// rule is one pattern: a regexp over the whole utterance whose named groups
// are slots.
type rule struct {
	intent  string
	re      *regexp.Regexp
	literal int // characters of fixed text: more is more specific
}

// Understanding is what the NLU made of an utterance: an intent with its
// slots, or (Request "launch") the user opening the skill, as "打开叮当书店"
// does on the platform. Both are "" when nothing matched.
type Understanding struct {
	Intent  string            `json:"intent"`
	Slots   map[string]string `json:"slots,omitempty"`
	Request string            `json:"request,omitempty"` // "launch": send a LaunchRequest
}

// RequestLaunch is Understanding.Request for an utterance that opens the
// skill.
const RequestLaunch = "launch"

// launch is how a user opens a skill by name: "打开叮当书店", "启动…".
var launch = regexp.MustCompile(`^(?:请|帮我)?(?:打开|启动|进入|开启)(?P<skill>.+)$`)

// Understood reports whether the NLU made something of the utterance.
func (u Understanding) Understood() bool { return u.Intent != "" || u.Request != "" }

// builtin are the keyword rules used after the model's samples.
var builtin = []struct{ intent, pattern string }{
	{"my_purchases", `^(?:我)?(?:买过|买了|已购|购买了)什么.*$`},
	{"my_purchases", `^.*(?:我的购买|我的订单|已购|还剩|到期).*$`},
	{"refund", `^.*(?:退款|退钱|退了|退货|退回[去来]|把钱退回).*$`},
	{"yes", `^(?:你)?放心(?:吧|啦)?[。！!]?$`},                             // before play: 放心 is no 放
	{"no", `^(?:我|那|还是)*(?:不(?:[^知确清]|$)|取消|算了|别(?:[^的]|$)|放弃).*$`}, // before play: 放弃 is no 放; 不知道, 不确定 are no no
	{"play", `^(?:播放|我要听|我想听|继续听|放一下|听一下|(?:给我|帮我)?放|听)第?(?P<index>` + numeral + `+)集$`},
	{"play", `^(?:播放|我要听|我想听|继续听|放一下|听一下|(?:给我|帮我)?放|听)(?P<product>.+)$`},
	{"buy", `^(?:我要|我想要|我想|给我|帮我|请|再)*(?:购买|买|续费|开通|来)(?P<count>` + numeral + `+)(?:个|份|张)(?P<product>.+)$`},
	{"buy", `^(?:我要|我想要|我想|给我|帮我|请|再)*(?:购买|买|续费|开通)(?P<product>.+)$`},
	{"buy", `^(?:我想|我要)?换(?:一个|个|成|别的).*$`},                         // while a purchase waits for its yes: another product
	{"yes", `^(?:是|好|确定|确认|对|可以|嗯|行|买吧|没问题)[的了吧啊呀啦哦嘞呗滴！!。]{0,2}$`},  // not 好贵啊, 是不是, 可以吗, 嗯…
	{"yes", `^(?:是的?|好的?|对|嗯|行)[，,]?(?P<count>` + numeral + `+)个$`}, // 对，两个: a yes that says how many
	{"yes", `^(?:那|那就|好的?|行)买吧$`},
	{"yes", `^(?:(?:是的?|好的?|对的?|行|嗯|要|ok|OK|Ok)[，,。！!]?){2,4}$`}, // said twice: 是的是的, 好的好的
	{"yes", `^(?:要|要的|OK|ok|Ok)[。！!]?$`},
	{"cancel", `^(?:我要|我想)?(?:退出|再见).*$`},
	{"refund", `^(?:我要|我想|帮我)*退(?:掉|订)?(?P<product>.+)$`}, // after cancel: 退出 is no refund of 出
	{"browse_more", `^(?:那)?还有(?:呢|吗|别的|其他|其它|什么|哪些|没有).*$`},
	{"browse_more", `^(?:下一页|更多|换一批|再说几个).*$`},
	{"browse_more", `^(?:那)?(?:别的|其他|其它)的?(?:呢|吗)?$`},
	{"browse", `^.*(?:有什么|有哪些|有啥|卖什么|卖啥|看看).*$`},
	{"help", `^.*(?:帮助|怎么用|怎么买|你能做什么).*$`},
}

// NewNLU returns an NLU learning from model, an interaction model's JSON
// (intents.InteractionModel; nil: the built-in rules only).
func NewNLU(model []byte) (*NLU, error) {
	n := &NLU{}
	if model != nil {
		if err := n.addModel(model); err != nil {
			return nil, fmt.Errorf("sandbox: nlu: %w", err)
		}
	}
	slices.SortStableFunc(n.rules, func(a, b rule) int { return b.literal - a.literal })
	for _, b := range builtin {
		n.rules = append(n.rules, rule{intent: b.intent, re: regexp.MustCompile(b.pattern)})
	}
	return n, nil
}

// addModel adds one rule per sample utterance of the model, and its names.
func (n *NLU) addModel(data []byte) error {
	var m struct {
		EntityTypes []struct {
			Values []struct {
				Value    string   `json:"value"`
				Synonyms []string `json:"synonyms"`
			} `json:"values"`
		} `json:"entityTypes"`
		Intents []struct {
			Name    string   `json:"name"`
			Samples []string `json:"samples"`
		} `json:"intents"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	n.names = map[string]bool{}
	for _, et := range m.EntityTypes {
		for _, v := range et.Values {
			for _, name := range append([]string{v.Value}, v.Synonyms...) {
				n.names[clean(name)] = true
			}
		}
	}
	slot := regexp.MustCompile(`\{(\w+)\}`)
	for _, in := range m.Intents {
		for _, s := range in.Samples {
			s = clean(s)
			var pat strings.Builder
			pat.WriteString("^")
			literal, last := 0, 0
			for _, loc := range slot.FindAllStringSubmatchIndex(s, -1) {
				lit := s[last:loc[0]]
				literal += len([]rune(lit))
				pat.WriteString(regexp.QuoteMeta(lit))
				name := s[loc[2]:loc[3]]
				switch name {
				case "count", "index": // a number: "第35集" is no album "第" and index 35
					pat.WriteString(`(?P<` + name + `>` + numeral + `+)`)
				case "album":
					pat.WriteString(`(?P<album>[^第]+?)`)
				default:
					pat.WriteString(`(?P<` + name + `>.+?)`)
				}
				last = loc[1]
			}
			literal += len([]rune(s[last:]))
			pat.WriteString(regexp.QuoteMeta(s[last:]) + "$")
			re, err := regexp.Compile(pat.String())
			if err != nil {
				return fmt.Errorf("intent %s sample %q: %w", in.Name, s, err)
			}
			n.rules = append(n.rules, rule{intent: in.Name, re: re, literal: literal})
		}
	}
	return nil
}

// Understand returns the intent and slots of an utterance, or that it
// opens the skill.
func (n *NLU) Understand(text string) Understanding {
	asked := strings.HasSuffix(strings.TrimSpace(text), "？") || strings.HasSuffix(strings.TrimSpace(text), "?")
	text = clean(text)
	if launch.MatchString(text) {
		return Understanding{Request: RequestLaunch}
	}
	if n.names[text] { // "听书币" alone: no "play 书币"
		return Understanding{}
	}
	for _, r := range n.rules {
		m := r.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		u := Understanding{Intent: r.intent}
		for i, name := range r.re.SubexpNames() {
			if name != "" && m[i] != "" {
				if u.Slots == nil {
					u.Slots = map[string]string{}
				}
				u.Slots[name] = m[i]
			}
		}
		if !numbersRead(u.Slots) || asked && r.intent == "yes" {
			continue // "嗯？", "好？": a question is no yes
		}
		splitCount(u.Slots)
		episodeProduct(u.Slots)
		return u
	}
	return Understanding{}
}

// Follow understands text said in answer to the skill's question for a
// slot (Dialog.ElicitSlot): an utterance the NLU does not know, or a buy
// whose count was asked for, fills the slot asked for and keeps the other
// slots of the intent asked about, as the platform's dialog management
// does. Without a question (slot "") it is Understand.
func (n *NLU) Follow(text, slot, intent string, slots map[string]string) Understanding {
	u := n.Understand(text)
	if slot == "" || intent == "" || u.Request != "" || (u.Intent != "" && !(u.Intent == "buy" && slot == "count")) {
		return u
	}
	out := maps.Clone(slots)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, u.Slots)
	if _, ok := u.Slots[slot]; !ok {
		out[slot] = clean(text)
	}
	return Understanding{Intent: intent, Slots: out}
}

// numeral is one character of a number as said: digits (full-width too) or
// Chinese numerals. A run of them is a number only if resolve.Number reads
// it ("万古" is not).
const numeral = `[0-9０-９零〇一幺二两三四五六七八九十廿卅卌百千万]`

// countPrefix is a quantity said before a product: "三个听书币", "2份…".
var countPrefix = regexp.MustCompile(`^(` + numeral + `+)(?:个|份|张|本)(.*)$`)

// splitCount moves a quantity said inside the product slot into the count
// slot, as the platform's NLU fills both from "买三个听书币", and drops the
// measure word of "买个会员" (one, said without a number: no count).
func splitCount(slots map[string]string) {
	if slots == nil {
		return
	}
	defer func() {
		if p, ok := slots["product"]; ok && strings.Trim(p, "吧呢啊呀了哦嘛就行好") == "" {
			delete(slots, "product") // "五个吧": a count and a particle, no product 吧
		}
	}()
	if slots["count"] != "" {
		p := slots["product"]
		for _, unit := range []string{"个", "份", "张", "本"} {
			p = strings.TrimPrefix(p, unit)
		}
		if p == "" { // "买三个": a count, no product
			delete(slots, "product")
		} else {
			slots["product"] = p
		}
		return
	}
	if m := countPrefix.FindStringSubmatch(slots["product"]); m != nil && !fraction(m[2]) {
		if _, ok := resolve.Number(m[1]); ok {
			slots["count"], slots["product"] = m[1], m[2]
			if m[2] == "" { // "我要买十个"
				delete(slots, "product")
			}
		}
		return
	}
	if p, ok := strings.CutPrefix(slots["product"], "个"); ok && p != "" {
		slots["product"] = p // "买个会员": a 会员, no count said
	}
}

// numbersRead reports whether the slots that hold a number (count, index)
// read as one, and the album is no number: "买万古神帝" has no count 万,
// "播放35集" no album 3 with index 5. A count whose product goes on with a
// fraction ("买1.5个…" as count 1, "买两个半…" as count 两), or with money
// ("买二十块钱的…"), is none either.
func numbersRead(slots map[string]string) bool {
	for _, name := range []string{"count", "index"} {
		if v, ok := slots[name]; ok {
			if _, ok := resolve.Number(v); !ok {
				return false
			}
		}
	}
	if slots["count"] != "" && fraction(strings.TrimLeft(slots["product"], "个份张本")) {
		return false
	}
	if slots["count"] != "" && strings.ContainsAny(firstRune(slots["product"]), "元块毛角") {
		return false // "买二十块钱的会员": a sum, no count 二十
	}
	_, isNumber := resolve.Number(slots["album"])
	return !isNumber
}

// bareEpisode is an episode said without 第 or a series: "35集", "三十五集".
var bareEpisode = regexp.MustCompile(`^` + numeral + `+集$`)

// episodeProduct gives an episode said without 第 as the product slot
// "第35集", as "买第35集" and "播放第35集" give it: "买35集" is no count 35
// of a product "集". The skill resolves it against the series that has it,
// or asks which.
func episodeProduct(slots map[string]string) {
	if slots == nil {
		return
	}
	p, count := slots["product"], slots["count"]
	if p == "集" && count != "" {
		p, count = count+p, ""
	}
	if !bareEpisode.MatchString(p) {
		return
	}
	slots["product"] = "第" + p
	if count == "" {
		delete(slots, "count")
	}
}

// clean drops spaces and trailing punctuation.
func clean(s string) string {
	s = strings.Join(strings.Fields(s), "")
	return strings.TrimRight(s, "。.！!？?，,")
}

// Answers splits utterances into those the NLU understands on their own
// and those it understands only as the answer to a question of the skill
// ("第二个", "3个": Follow fills the slot asked for with them).
func (n *NLU) Answers(utterances []string) (alone, answers []string) {
	alone, answers = []string{}, []string{}
	for _, u := range utterances {
		if n.Understand(u).Understood() {
			alone = append(alone, u)
		} else {
			answers = append(answers, u)
		}
	}
	return alone, answers
}

// sampleUtterances returns the sample utterances of an interaction model
// that name no slot, in order, each once: buttons anyone can press.
func sampleUtterances(model []byte) []string {
	var m struct {
		Intents []struct {
			Samples []string `json:"samples"`
		} `json:"intents"`
	}
	out := []string{}
	if json.Unmarshal(model, &m) != nil {
		return out
	}
	for _, in := range m.Intents {
		for _, s := range in.Samples {
			if !strings.Contains(s, "{") && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// fraction reports whether s, said right after a number, goes on with its
// fraction: ".5个", "点五个", "半".
// firstRune returns the first character of s, or "".
func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

func fraction(s string) bool {
	for _, r := range s {
		return strings.ContainsRune(".．点半", r)
	}
	return false
}
