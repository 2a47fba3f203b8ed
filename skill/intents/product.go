package intents

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// The slots that name a product. The platform's audio-book model names a
// series and an episode (album + index, "播放万古神帝第35集"); the product
// slot carries a whole name as heard. skill/resolve reads them all.
const (
	// SlotProduct is a product as heard: an id, a name, an alias, or a
	// series and episode in one phrase ("万古神帝三十五").
	SlotProduct = "product"
	// SlotAlbum is a series ("万古神帝").
	SlotAlbum = "album"
	// SlotIndex is an episode of the album ("35", "三十五").
	SlotIndex = "index"
	// SlotEpisode is the same as SlotIndex, for models that call it so.
	SlotEpisode = "episode"
)

// maxChoices is how many products a question names.
const maxChoices = 3

// maxEcho bounds what is said back of a phrase that named nothing.
const maxEcho = 20

// verb says what the purpose does with a product.
func verb(purpose string) string {
	switch purpose {
	case Play:
		return "听"
	case Refund:
		return "退"
	}
	return "买"
}

// query is what the turn heard about a product, from its slots.
func (t *turn) query() resolve.Query {
	return resolve.Query{
		Text:    t.slot(SlotProduct),
		Album:   t.slot(SlotAlbum),
		Episode: cmp.Or(t.slot(SlotIndex), t.slot(SlotEpisode)),
	}
}

// named reports whether a slot named a product.
func named(q resolve.Query) bool { return q.Text != "" || q.Album != "" || q.Episode != "" }

// heard is a query as it is said back: "万古神帝第35集".
func heard(q resolve.Query) string {
	s := q.Album + q.Text
	if q.Episode != "" {
		s += "第" + strings.TrimSuffix(strings.TrimPrefix(q.Episode, "第"), "集") + "集"
	}
	return ui.Clip(strings.TrimSpace(s), maxEcho)
}

// pick resolves the product the turn is about (skill/resolve: numbers in
// any form, homophones, album + index). When it cannot, ok is false and v
// is the question to ask: which product, or which of several. It never
// picks between products that are alike. A count said with the product
// ("我要买三个听书") is kept for an answer that picks one of the products
// the question named.
func (d *Dialog) pick(ctx context.Context, t *turn, purpose string) (p shop.Product, v ui.View, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return p, v, false, fmt.Errorf("intents: pick: %w", err)
	}
	carry := t.state.Count // the count said so far, for the answer
	if n, ok := t.slotCount(); ok {
		carry = n
	}
	defer func() {
		if !ok && err == nil && t.state.Step == stepProduct && carry > 0 {
			t.state.Count = carry
		}
	}()
	if t.state.Step == stepCount {
		if p, ok := d.cfg.Catalog.Product(t.state.ProductID); ok {
			if _, said, _ := d.lengthOf(t, p); said {
				return p, v, true, nil // "一个月" said to "要买几个月？": no 月卡 asked about
			}
		}
	}
	q := t.query()
	fromQuery := false                   // the utterance, when no slot named a product
	asked := t.state.Step == stepProduct // the turn answers a pending "which one?"
	if !named(q) {
		switch {
		case t.state.Step == stepCount:
			if p, ok := d.cfg.Catalog.Product(t.state.ProductID); ok {
				return p, v, true, nil
			}
		case t.state.Step == stepProduct && t.intent() != nil && t.intent().Name == purpose && len(t.intent().Slots) == 0:
			// "我要买东西" said to "which one?": asked afresh, the choice kept.
			q.Text, fromQuery = t.req.Request.QueryText, true
		case t.state.Step == stepProduct:
			q.Text = t.req.Request.QueryText // the answer to "which one?"
		default:
			q.Text, fromQuery = t.req.Request.QueryText, true
		}
	}
	if p, ok := d.answer(t, q); ok {
		return p, v, true, nil
	}
	r := d.products.Resolve(q)
	if r.Decision != resolve.One && vagueCount.MatchString(q.Text) {
		// "买几个听书币", "买二十多个…", "买两个半…": the product, its count
		// asked for (it asked "你是说听书币吗？").
		q2 := q
		q2.Text = vagueCount.ReplaceAllString(q.Text, "")
		if r2 := d.products.Resolve(q2); r2.Decision == resolve.One {
			r = r2
		}
	}
	if cands := d.candidates(t); asked && r.Decision == resolve.None && r.Ordinal > len(cands) && len(cands) > 0 &&
		(t.device.Display || len(cands) == len(d.cfg.Catalog.Products)) && t.browsed <= len(cands) {
		// "第六个" of the five a screen lists (or of all there are): the
		// same question, saying how many (it asked afresh with three
		// examples, and the fifth was gone).
		t.unclear = true
		v := d.askProduct(t, purpose, cands, "只有"+itoa(int64(len(cands)))+"个。"+whichOf(purpose, cands))
		return p, v, false, nil
	}
	if carry == 0 {
		carry = r.Count // "三个听书" heard as one product slot
	}
	switch {
	case r.Decision == resolve.One:
		p := r.Candidates[0].Product
		if _, said := t.intent().Slot(SlotCount); !said {
			if !t.offered(p.ID) {
				t.state.Count = 0 // a count kept for the question's products is not for another
			}
			if r.Count > 0 && t.state.Count == 0 {
				t.state.Count = r.Count // "两个听书币" heard as one product slot
			}
		}
		return p, v, true, nil
	case r.Decision == resolve.Ambiguous && r.Several:
		// "万古神帝第35集和三个听书币": one purchase at a time; whose the
		// count was is not known.
		carry = 0
		ps := products(r)
		if purpose == Buy {
			// What the user owns for good is no purchase to ask about:
			// "万古神帝第35集和第36集" with 35 owned buys 36.
			var owned []shop.Product
			ps = slices.DeleteFunc(ps, func(p shop.Product) bool {
				has, err := d.owns(ctx, t, p.ID)
				if p.Kind.Once() && has && err == nil {
					owned = append(owned, p)
					return true
				}
				return false
			})
			if len(ps) == 1 {
				return ps[0], v, true, nil
			}
			if len(ps) == 0 {
				t.state = state{}
				return p, say("你已经买过" + names(owned, maxChoices, "和") + "了。"), false, nil
			}
		}
		one := "一样"
		if purpose == Play {
			one = "一个"
		}
		return p, d.askProduct(t, purpose, ps, "一次"+verb(purpose)+one+"吧：先"+verb(purpose)+names(ps, maxChoices, "还是")+"？"), false, nil
	case r.Decision == resolve.Ambiguous:
		ps := products(r)
		v := d.askProduct(t, purpose, ps, which(ps))
		if t.device.Display { // the list marks what is owned, as a browse does (it showed a price)
			if owned, err := d.ownedOnce(ctx, t, ps); err == nil {
				v.Owned = owned
			}
		}
		return p, v, false, nil
	case r.Empty || fromQuery:
		t.unclear = asked // an answer to "which one?" that names nothing
		ex := d.examples(ctx, t, purpose)
		v := d.askExamples(t, purpose, ex, "你想"+verb(purpose)+"什么？比如"+names(ex, maxChoices, "或")+"。")
		d.namedFirst(t, ex)
		return p, v, false, nil
	}
	if cands := d.candidates(t); asked && t.browsed == 0 && len(cands) > 0 && !t.state.Examples {
		// Something that names nothing, said to "which of these?" (not to
		// a list): ask the same again rather than echo it as a product
		// not found.
		t.unclear = true
		return p, d.askProduct(t, purpose, cands, "抱歉，没听清。"+which(cands)), false, nil
	}
	speech := "没有找到“" + heard(q) + "”。"
	if offTopic(heard(q)) { // "今天天气怎么样": a question for another skill, not a product
		speech = "这个我回答不了。"
	}
	close := products(r)
	if len(close) > 0 {
		close = close[:min(len(close), maxChoices)] // the ones named: a yes, 第二个 or a tap picks among them
		speech += "你是不是想要" + names(close, maxChoices, "或") + "？"
		v = d.askProduct(t, purpose, close, speech)
	} else {
		ex := d.examples(ctx, t, purpose)
		v = d.askExamples(t, purpose, ex, speech+"现在有"+names(ex, maxChoices, "和")+"。你想"+verb(purpose)+"哪个？")
		d.namedFirst(t, ex)
	}
	return p, v, false, nil
}

// namedFirst records that the question just asked named the catalog's
// first products, when the examples it named are those: "还有呢" goes on
// with the others (examples of what plays, or of what the user does not
// own yet, may be others).
func (d *Dialog) namedFirst(t *turn, examples []shop.Product) {
	n := min(maxChoices, len(examples))
	for i, p := range examples[:n] {
		if i >= len(d.cfg.Catalog.Products) || d.cfg.Catalog.Products[i].ID != p.ID {
			return
		}
	}
	t.state.Browsed = n
}

// examples are the products a question names as examples for purpose:
// for playing, what plays (episodes, not coins or memberships); else, in
// catalog order, what the user does not own (notOwned).
func (d *Dialog) examples(ctx context.Context, t *turn, purpose string) []shop.Product {
	if purpose != Play {
		return d.notOwned(ctx, t)
	}
	var out []shop.Product
	for _, p := range d.cfg.Catalog.Products {
		if !p.Kind.UsedUp() && !p.Kind.Timed() {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return d.cfg.Catalog.Products
	}
	return out
}

// notOwned returns the catalog's products but those bought once that the
// user owns (the whole catalog when the books cannot be read, or when the
// user owns them all): examples of what to buy.
func (d *Dialog) notOwned(ctx context.Context, t *turn) []shop.Product {
	owned, err := d.ownedOnce(ctx, t, d.cfg.Catalog.Products)
	if err != nil || len(owned) == 0 {
		return d.cfg.Catalog.Products
	}
	out := slices.DeleteFunc(slices.Clone(d.cfg.Catalog.Products), func(p shop.Product) bool { return slices.Contains(owned, p.ID) })
	if len(out) == 0 {
		return d.cfg.Catalog.Products
	}
	return out
}

// nextEpisode answers "上一集", "下一集" (前一集, 后一集) said about the
// episode from: the episode before or after it (ok), or, when the catalog
// sells none, what to say ("万古神帝没有第37集。"); said is false when the
// turn asks for neither, or from is no episode.
func (d *Dialog) nextEpisode(t *turn, from shop.Product) (next shop.Product, none string, said bool) {
	text := t.req.Request.QueryText
	step := 0
	switch {
	case saysAny(text, "上一集", "前一集"):
		step = -1
	case saysAny(text, "下一集", "后一集"):
		step = 1
	}
	m := episodeName.FindStringSubmatch(from.Name)
	if step == 0 || m == nil {
		return shop.Product{}, "", false
	}
	ep, _ := strconv.Atoi(m[2])
	want := m[1] + "第" + strconv.Itoa(ep+step) + "集"
	for _, p := range d.cfg.Catalog.Products {
		if p.Name == want {
			return p, "", true
		}
	}
	return shop.Product{}, m[1] + "没有第" + strconv.Itoa(ep+step) + "集。", true
}

// episodeName reads a product name that is an album's episode: "万古神帝第35集".
var episodeName = regexp.MustCompile(`^(.+)第([0-9]{1,4})集$`)

// vagueCount finds a count said that is no number of units: "几个",
// "二十多个", "两个半".
var vagueCount = regexp.MustCompile(`[0-9零一二两三四五六七八九十百千万]*[几多]个|[0-9零一二两三四五六七八九十百千万]+个半`)

// answer takes what was said as the answer to a pending "which one?": a
// position ("第二个", "最后一个") or one of the products named ("星辰变的"). A position
// counts in the products named last, or past them in all those named so
// far, in catalog order: after "还有会员月卡、星辰变第35集" (the fourth and
// fifth), "第二个" is 星辰变第35集, and so is "第五个"; "第三个" is the third
// of the catalog, named on the page before.
func (d *Dialog) answer(t *turn, q resolve.Query) (shop.Product, bool) {
	if t.state.Step != stepProduct || len(t.state.Candidates) == 0 {
		return shop.Product{}, false
	}
	q.Among = t.state.Candidates
	r := d.products.Resolve(q)
	cands := t.state.Candidates
	named := cands // what the question said, in order
	if !t.device.Display && len(cands) > maxChoices {
		// A refund's "要退哪个？有A、B、C等4种" says the first few; its
		// "还有呢" the rest (browsed past them): positions count in those.
		named = cands[:maxChoices]
		if t.browsed >= len(cands) {
			named = cands[maxChoices:]
		}
	}
	switch n := r.Ordinal; {
	case r.Last: // the last said: on a screen, the list's last
		return d.cfg.Catalog.Product(named[len(named)-1])
	case n >= 1 && n <= len(named) && len(named) < len(cands):
		return d.cfg.Catalog.Product(named[n-1])
	case n >= 1 && n <= len(t.state.Candidates):
		return d.cfg.Catalog.Product(t.state.Candidates[n-1])
	case n > len(t.state.Candidates) && n <= t.browsed && n <= len(d.cfg.Catalog.Products):
		return d.cfg.Catalog.Products[n-1], true
	}
	p, ok := r.Product()
	if _, said := t.intent().Slot(SlotCount); ok && !said && r.Count > 0 && t.state.Count == 0 {
		t.state.Count = r.Count // "两个听书币" as the answer
	}
	return p, ok
}

// products returns the products of a result's candidates.
func products(r resolve.Result) []shop.Product {
	ps := make([]shop.Product, 0, len(r.Candidates))
	for _, c := range r.Candidates {
		ps = append(ps, c.Product)
	}
	return ps
}

// which asks which of the products was meant: "你是说万古神帝第35集，还是
// 星辰变第35集？", or whether the only one was ("你是说听书币吗？").
func which(ps []shop.Product) string {
	ps = ps[:min(len(ps), maxChoices)]
	if len(ps) == 1 {
		return "你是说" + ps[0].Name + "吗？"
	}
	var first []string
	for _, p := range ps[:len(ps)-1] {
		first = append(first, p.Name)
	}
	return "你是说" + strings.Join(first, "、") + "，还是" + ps[len(ps)-1].Name + "？"
}

// askProduct asks which product, eliciting the product slot; on a screen
// the candidates are a list to tap (Display.ElementSelected picks one).
func (d *Dialog) askProduct(t *turn, purpose string, candidates []shop.Product, speech string) ui.View {
	t.state = state{Step: stepProduct, Intent: purpose}
	for _, p := range candidates {
		t.state.Candidates = append(t.state.Candidates, p.ID)
	}
	v := ask(speech)
	v.ElicitSlot = SlotProduct
	if t.device.Display && len(candidates) > 0 {
		v.Products = candidates
	}
	return v
}

// askExamples asks which product for purpose, after speech naming the
// first of examples (maxChoices of them): "第二个" then picks the second
// named, and any other product is an answer as well.
func (d *Dialog) askExamples(t *turn, purpose string, examples []shop.Product, speech string) ui.View {
	v := d.askProduct(t, purpose, examples[:min(len(examples), maxChoices)], speech)
	t.state.Examples = true
	return v
}

// candidates returns the products of the pending question.
func (d *Dialog) candidates(t *turn) []shop.Product {
	var ps []shop.Product
	for _, id := range t.state.Candidates {
		if p, ok := d.cfg.Catalog.Product(id); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// chosen goes on with a product picked from the pending question (by a
// tap, or by a yes to "你是说…吗？") for the question's purpose.
func (d *Dialog) chosen(ctx context.Context, t *turn, p shop.Product) (ui.View, error) {
	purpose := cmp.Or(t.state.Intent, Buy)
	count := t.state.Count // said with the product before the question, or with the answer
	if n, ok := t.slotCount(); ok {
		count = n
	}
	t.state = state{Intent: purpose, Count: count}
	switch purpose {
	case Play:
		t.state.Count = 0
		return d.playProduct(ctx, t, p)
	case Refund:
		t.state = state{}
		return d.refundOf(ctx, t, []string{p.ID}, count)
	}
	return d.sell(ctx, t, p, Buy)
}

// offered reports whether the pending question named the product.
func (t *turn) offered(id string) bool {
	return t.state.Step == stepProduct && slices.Contains(t.state.Candidates, id)
}

// offTopic reports whether what was heard is a question for another skill
// ("今天天气怎么样", "现在几点了"), not a product's name to say back as not
// found.
func offTopic(heard string) bool {
	return saysAny(heard, "天气", "几点", "怎么样", "为什么", "是谁", "什么意思", "新闻", "闹钟", "讲个笑话")
}
