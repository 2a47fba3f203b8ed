package intents

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// No declines the pending question. An intent with confirmationStatus
// DENIED counts as no too. Sample utterances:
//
//	不用了
//	不要
//	算了
//	不买了
const No = "no"

// no cancels whatever is pending, politely, and ends the session; but
// "不是" to "你是说X吗？" (one product suggested for a name not found) says
// that X is not what was meant, not that nothing is: which one is asked;
// and a no to "确定购买吗？" that says what instead is that (corrected).
func (d *Dialog) no(ctx context.Context, t *turn) (ui.View, error) {
	if t.state.Step == stepProduct && t.state.Examples && t.answers() {
		// The answer to the question "不是" asked, under the session's
		// intent (no); a no that names a product elsewhere ("不要X" to
		// "你是说X吗？") declines, as any no.
		return d.buyOrPlay(ctx, t)
	}
	st := t.state
	if st.Step == stepProduct && len(st.Candidates) == 1 && !st.Examples && t.browsed == 0 &&
		strings.HasPrefix(strings.TrimSpace(t.req.Request.QueryText), "不是") {
		others := slices.DeleteFunc(slices.Clone(d.examples(ctx, t, st.Intent)), func(p shop.Product) bool { return p.ID == st.Candidates[0] })
		return d.askExamples(t, cmp.Or(st.Intent, Buy), others, "那你想"+verb(cmp.Or(st.Intent, Buy))+"什么？比如"+names(others, maxChoices, "或")+"。"), nil
	}
	if v, ok, err := d.corrected(ctx, t); err != nil || ok {
		return v, err
	}
	if v, ok := d.unpaidLeft(ctx, t); ok {
		return v, nil
	}
	return t.drop(), nil
}

// correcting are how a no that goes on to say what instead starts: "不对，
// 三个", "不是两个是三个", "不是，我要第36集", "算了，买会员吧"; not "不要三个",
// which declines.
var correcting = []string{"不对", "不是", "错了", "说错了", "不，", "不,", "算了，", "算了,"}

// correction returns what a no says instead, and whether it is worded as
// a correction: after one of correcting ("不对，三个"), or after the comma of
// a no that goes on ("不要三个，要五个", "不不，五个", "不用三个，五个就行",
// "不退五个，退三个"), or, said without a comma, after its second 要 or 是
// ("不要三个要五个"). What follows may name nothing ("不要了，谢谢"): the no
// then declines; a reason ("不用了，我还有三个") or a second no ("不对，一个
// 都不要") declines too.
func correction(text string) (string, bool) {
	declines := func(rest string) bool {
		return saysAny(rest, "不要", "不用", "不买", "都不", "也不", "我有", "我还有", "已经有")
	}
	for _, w := range correcting {
		if rest, ok := strings.CutPrefix(text, w); ok {
			if declines(rest) {
				return "", false
			}
			return rest, true
		}
	}
	if !strings.HasPrefix(text, "不") {
		return "", false
	}
	var rest string
	if i := strings.IndexAny(text, "，,"); i >= 0 {
		rest = strings.TrimLeft(text[i:], "，,")
	} else if len(text) > len("不要") {
		if i := strings.IndexAny(text[len("不要"):], "要是退"); i >= 0 {
			rest = text[len("不要")+i:] // "不要三个要五个"; "不退五个退三个"
		}
	}
	if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !strings.ContainsRune("要买换改来就退是0123456789零一二两三四五六七八九十半", r) {
		return "", false // "不用了，我有会员": a reason, no what instead
	}
	rest = strings.TrimLeft(rest, "就要买换成改来退是")
	if declines(rest) {
		return "", false
	}
	return rest, rest != ""
}

// corrected takes a no to "确定购买吗？" (or to a refund's "确定吗？") that
// says what instead as that: the count it names for the same product ("不
// 对，三个"), or the other product it names ("不是，我要第36集"), asked about
// again; the slots of a no ("no count=3") count as said. It cancelled.
func (d *Dialog) corrected(ctx context.Context, t *turn) (ui.View, bool, error) {
	st := t.state
	text := strings.TrimSpace(t.req.Request.QueryText)
	q := t.query()
	n, hasCount := t.slotCount()
	instead, correcting := correction(text)
	if st.Step != stepConfirm && st.Step != stepRefund || !named(q) && !hasCount && !correcting {
		return ui.View{}, false, nil
	}
	if !named(q) {
		q.Text = instead
	}
	r := d.products.Resolve(q)
	if !hasCount && r.Count > 0 {
		n, hasCount = r.Count, true // the last count said: "不是两个是三个"
	}
	if p, ok := d.cfg.Catalog.Product(st.ProductID); ok && !hasCount && correcting && p.Kind.AsksCount() && p.Price > 0 {
		if sum, ok := sumIn(instead); ok && sum%p.Price == 0 {
			n, hasCount = int64(sum/p.Price), true // "不对，十块钱的": as many as it buys
		}
	}
	if st.Step == stepRefund {
		return d.refundCorrected(ctx, t, r, n, hasCount)
	}
	pending, ok := d.cfg.Catalog.Product(st.ProductID)
	if !ok {
		return ui.View{}, false, nil
	}
	if m, ok := d.lengthAfter(cmp.Or(instead, text), pending); ok {
		n, hasCount = m, true // "不对，一年", "不要半年，要一年", "不是三个月，是五个月"
	}
	if r.Decision == resolve.Ambiguous && !slices.ContainsFunc(r.Candidates, func(c resolve.Candidate) bool { return c.Product.ID == pending.ID }) {
		ps := products(r) // "不是，我要星辰变": which of those
		return d.askProduct(t, cmp.Or(st.Intent, Buy), ps, which(ps)), true, nil
	}
	p := pending
	if next, none, said := d.nextEpisode(t, pending); said && none != "" {
		return ask(none + amount(pending, max(st.Count, 1), st.Total) + sure(pending)), true, nil // the question stands
	} else if said {
		p = next // "不对，上一集"
	} else if other, ok := r.Product(); ok && other.ID != pending.ID {
		p = other
	} else if !hasCount || n == max(st.Count, 1) || pending.Kind.Once() {
		return ui.View{}, false, nil // nothing else said: a no
	}
	purpose, slots := cmp.Or(st.Intent, Buy), st.Slots
	t.state = state{Intent: purpose}
	if hasCount {
		t.state.Count = n
	}
	v, err := d.sell(ctx, t, p, purpose)
	if p.ID == pending.ID && t.state.Step == stepConfirm && t.state.Slots == nil {
		t.state.Slots = slots // the intent to resume after payment is the first one
	}
	return v, true, err
}

// lengthAfter reads the length a correction says instead: of its parts
// (split at commas and 是), the last that says one and is no no ("三个月，
// 是五个月": five; "要一个月，不是一年": one); ok when it is a whole number
// of p's units.
func (d *Dialog) lengthAfter(instead string, p shop.Product) (int64, bool) {
	var parts []string
	for _, part := range strings.FieldsFunc(instead, func(r rune) bool { return r == '，' || r == ',' }) {
		before, after, ok := strings.Cut(part, "是")
		if ok && before != "" && !strings.HasSuffix(before, "不") {
			parts = append(parts, before, after) // "三个月是五个月"
			continue
		}
		parts = append(parts, part) // "不是一年" stays a no
	}
	for i := len(parts) - 1; i >= 0; i-- {
		if strings.HasPrefix(parts[i], "不") {
			continue
		}
		if n, said, whole := d.lengthIn(parts[i], p); said {
			return n, whole
		}
	}
	return 0, false
}

// refundCorrected is corrected for a refund waiting for its yes: another
// product's purchase ("不是，我要退万古神帝第35集"), or another count of the
// same one ("不对，一个"), asked about again.
func (d *Dialog) refundCorrected(ctx context.Context, t *turn, r resolve.Result, n int64, hasCount bool) (ui.View, bool, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return ui.View{}, false, err
	}
	i := slices.IndexFunc(orders, func(o shop.Order) bool { return o.TradeNo == t.state.TradeNo })
	if i < 0 {
		return ui.View{}, false, nil
	}
	o := orders[i]
	if other, ok := r.Product(); ok {
		if _, same := o.Line(other.ID); !same {
			t.state = state{}
			v, err := d.refundOf(ctx, t, []string{other.ID}, n)
			return v, true, err
		}
	}
	if !hasCount {
		return ui.View{}, false, nil // nothing else said: a no
	}
	return d.askRefund(t, o, n, d.refundableBesides(t, orders, o)), true, nil
}
