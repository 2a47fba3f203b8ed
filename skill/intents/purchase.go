package intents

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// SlotProduct is the slot naming a product (an id, name or alias).
const SlotProduct = "product"

// maxChoices is how many products a question names.
const maxChoices = 3

// What a turn matches of a product said is bounded, whatever the platform
// sends: maxSaid runes are matched against the catalog (no product name is
// that long), maxEcho are said back when nothing matched.
const (
	maxSaid = 64
	maxEcho = 20
)

// ordinals let the user pick among the products just named.
var ordinals = map[string]int{"第一个": 0, "第1个": 0, "第二个": 1, "第2个": 1, "第三个": 2, "第3个": 2}

// verb says what the purpose does with a product.
func verb(purpose string) string {
	if purpose == Play {
		return "听"
	}
	return "买"
}

// pick resolves the product the turn is about. When it cannot, ok is false
// and v is the question to ask (which product, or which of several).
func (d *Dialog) pick(ctx context.Context, t *turn, purpose string) (p shop.Product, v ui.View, ok bool, err error) {
	said := t.slot(SlotProduct)
	if said == "" && t.state.Step == stepProduct {
		said = t.req.Request.QueryText // the answer to "which one?"
	}
	said = clip(strings.TrimSpace(said), maxSaid)
	if said == "" {
		if p, ok := d.cfg.Catalog.Product(t.state.ProductID); ok && t.state.Step == stepCount {
			return p, v, true, nil
		}
		return p, d.askProduct(t, purpose, nil,
			"你想"+verb(purpose)+"什么？比如"+names(d.cfg.Catalog.Products, maxChoices, "或")+"。"), false, nil
	}
	matches, err := d.match(ctx, t, said)
	if err != nil {
		return p, v, false, err
	}
	switch len(matches) {
	case 1:
		return matches[0], v, true, nil
	case 0:
		close, err := d.close(ctx, said)
		if err != nil {
			return p, v, false, err
		}
		speech := "没有找到“" + ui.Clip(said, maxEcho) + "”。"
		if len(close) > 0 {
			speech += "你是不是想要" + names(close, maxChoices, "或") + "？"
		} else {
			speech += "现在有" + names(d.cfg.Catalog.Products, maxChoices, "和") + "。你想" + verb(purpose) + "哪个？"
		}
		return p, d.askProduct(t, purpose, nil, speech), false, nil
	default:
		if len(matches) > maxChoices {
			matches = matches[:maxChoices]
		}
		return p, d.askProduct(t, purpose, matches, "你说的是"+names(matches, maxChoices, "还是")+"？"), false, nil
	}
}

// clip cuts s to at most n runes, without allocating when it is shorter.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// match finds the products said, preferring the candidates just offered.
func (d *Dialog) match(ctx context.Context, t *turn, said string) ([]shop.Product, error) {
	var cands []shop.Product
	for _, id := range t.state.Candidates {
		if p, ok := d.cfg.Catalog.Product(id); ok {
			cands = append(cands, p)
		}
	}
	if i, ok := ordinals[said]; ok && i < len(cands) {
		return cands[i : i+1], nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("intents: match: %w", err)
	}
	all := d.cfg.Catalog.Match(said)
	if len(cands) > 0 {
		var in []shop.Product
		for _, p := range all {
			if slices.Contains(t.state.Candidates, p.ID) {
				in = append(in, p)
			}
		}
		if len(in) > 0 {
			return in, nil
		}
	}
	return all, nil
}

// close returns the products sharing at least two distinct characters
// with what was said, closest first: the "did you mean" of a miss. It is
// linear in what was said and in the catalog's names.
func (d *Dialog) close(ctx context.Context, said string) ([]shop.Product, error) {
	type scored struct {
		p shop.Product
		n int
	}
	want := make(map[rune]bool, len(said))
	for _, r := range said {
		if r != ' ' {
			want[r] = true
		}
	}
	var hits []scored
	for _, p := range d.cfg.Catalog.Products {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("intents: close matches: %w", err)
		}
		best := 0
		for _, name := range append([]string{p.Name}, p.Aliases...) {
			best = max(best, shared(name, want))
		}
		if best >= 2 {
			hits = append(hits, scored{p, best})
		}
	}
	slices.SortStableFunc(hits, func(a, b scored) int { return b.n - a.n })
	out := make([]shop.Product, 0, len(hits))
	for _, h := range hits {
		out = append(out, h.p)
	}
	return out, nil
}

// shared counts the distinct runes of name that are in want.
func shared(name string, want map[rune]bool) int {
	seen := make(map[rune]bool, len(name))
	for _, r := range name {
		if want[r] {
			seen[r] = true
		}
	}
	return len(seen)
}

// askProduct asks which product, eliciting the product slot.
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

// sell takes a chosen product to the confirmation question: never charging
// for a product owned once that the user owns (an entitlement), offering
// renewal of a running timed one (a subscription), asking how many when the
// kind asks (a consumable).
func (d *Dialog) sell(ctx context.Context, t *turn, p shop.Product, purpose string) (ui.View, error) {
	count := int64(1)
	switch {
	case p.Kind.Once():
		owns, err := d.owns(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		if owns {
			return d.start(ctx, t, p, "你已经购买过了。")
		}
	case p.Kind.Timed():
		if n, said, ok := t.count(); said && ok {
			count = n
		}
		e, err := d.entitlement(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		if e != nil && e.Active(t.now) {
			total, err := shop.MulFen(p.Price, count)
			if err != nil {
				return ui.View{}, err
			}
			return d.confirm(t, p, count, purpose, "你的"+p.Name+"有效期到"+date(e.ExpiresAt)+"。续费"+
				amount(p, count, total)+"，要续费吗？")
		}
	case p.Kind.AsksCount():
		n, said, ok := t.count()
		switch {
		case !said:
			return d.askCount(t, p, purpose, p.Name+"每个"+p.Price.Yuan()+"，要买几个？"), nil
		case !ok:
			return d.askCount(t, p, purpose, fmt.Sprintf("一次可以买1到%d个，要买几个？", shop.MaxQuantity)), nil
		}
		count = n
	}
	return d.confirm(t, p, count, purpose, "")
}

// askCount asks how many, eliciting the count slot.
func (d *Dialog) askCount(t *turn, p shop.Product, purpose, speech string) ui.View {
	t.state = state{Step: stepCount, Intent: purpose, ProductID: p.ID}
	v := ask(speech)
	v.ElicitSlot = SlotCount
	return v
}

// confirm says the price in yuan and asks to confirm; speech replaces the
// default question.
func (d *Dialog) confirm(t *turn, p shop.Product, count int64, purpose, speech string) (ui.View, error) {
	total, err := shop.MulFen(p.Price, count)
	if err != nil {
		return ui.View{}, err
	}
	slotCount := count
	if p.Kind.Once() {
		slotCount = 0 // always one: no count slot
	}
	original, err := json.Marshal(t.originalIntent(purpose, &p, slotCount))
	if err != nil {
		return ui.View{}, err
	}
	t.state = state{Step: stepConfirm, Intent: purpose, ProductID: p.ID, Count: count, Original: original}
	if speech == "" {
		speech = amount(p, count, total) + "，确定购买吗？"
	}
	return ask(speech), nil
}

// issue turns a confirmed purchase into an offer and the Charge directive.
func (d *Dialog) issue(ctx context.Context, t *turn) (ui.View, error) {
	st := t.state
	t.state = state{}
	p, ok := d.cfg.Catalog.Product(st.ProductID)
	if !ok {
		return ui.View{}, fmt.Errorf("intents: product %q left the catalog", st.ProductID)
	}
	if p.Kind.Once() {
		owns, err := d.owns(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		if owns {
			return d.start(ctx, t, p, "你已经购买过了。")
		}
	}
	if t.user() == "" {
		return say("需要登录叮当账号才能购买。"), nil
	}
	if err := ctx.Err(); err != nil { // the platform has given up: offer nothing
		return ui.View{}, fmt.Errorf("intents: issue: %w", err)
	}
	count := max(st.Count, 1)
	total, err := shop.MulFen(p.Price, count)
	if err != nil {
		return ui.View{}, err
	}
	token, err := d.cfg.Offers.Issue(pay.Offer{
		UserID:   t.user(),
		Items:    []shop.Line{{ItemID: p.ID, Quantity: count, Amount: total}},
		TotalAmt: total,
		Intent:   st.Original,
	})
	if err != nil {
		return ui.View{}, err
	}
	return ui.View{
		Speech: "好的，" + amount(p, count, total) + "。",
		Offer:  &ui.Offer{Token: token, UserID: t.user(), Product: p, Count: count, Total: total},
	}, nil
}

// start plays a product the user owns, recording the use. If the user no
// longer has it (a consumable ran out meanwhile), it offers it instead.
func (d *Dialog) start(ctx context.Context, t *turn, p shop.Product, speech string) (ui.View, error) {
	if err := d.cfg.Ledger.Use(ctx, t.user(), p.ID); err != nil {
		if shop.ErrorClass(err) == shop.ECONFLICT {
			return d.confirm(t, p, 1, Play, "这是付费内容，"+p.Price.Yuan()+"，要购买吗？")
		}
		return ui.View{}, err
	}
	t.state = state{}
	return ui.View{Speech: speech, Play: &ui.Play{Product: p}}, nil
}

// entitlement returns what the user owns of a product, or nil.
func (d *Dialog) entitlement(ctx context.Context, t *turn, productID string) (*shop.Entitlement, error) {
	ents, err := d.cfg.Ledger.Entitlements(ctx, t.user())
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.ProductID == productID {
			return &e, nil
		}
	}
	return nil, nil
}
