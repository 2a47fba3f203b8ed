package intents

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// sell takes a chosen product to the confirmation question: never charging
// for a product owned once that the user owns (an entitlement), never
// offering what waits for payment (see waiting), offering renewal of a
// running timed one (a subscription), asking how many when the kind asks
// (a consumable).
func (d *Dialog) sell(ctx context.Context, t *turn, p shop.Product, purpose string) (ui.View, error) {
	count := int64(1)
	if p.Kind.Once() {
		owns, err := d.owns(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		if owns {
			return d.start(ctx, t, p, "你已经购买过了。")
		}
	}
	if v, ok := d.mustLink(t, ""); ok {
		return v, nil
	}
	asked := int64(0) // the count said, if any
	if n, said, ok := t.count(); said && ok {
		asked = n
	}
	if v, ok, err := d.waiting(ctx, t, p, asked); err != nil || ok {
		return v, err
	}
	switch {
	case p.Kind.Timed():
		n, question := d.timedCount(t, p)
		if question != "" {
			return d.askCount(t, p, purpose, question), nil
		}
		count = n
		e, err := d.entitlement(ctx, t, p.ID)
		if err != nil {
			return ui.View{}, err
		}
		if e != nil && e.Active(t.now) {
			total, err := shop.MulFen(p.Price, count)
			if err != nil {
				return ui.View{}, err
			}
			final := ""
			if !p.Refund.Allowed {
				final = "，续费后不能退款"
			}
			return d.confirm(t, p, count, purpose, "你的"+p.Name+"有效期到"+t.date(e.ExpiresAt)+"。续费"+
				amount(p, count, total)+final+"，要续费吗？")
		}
		if e != nil { // ended: said, then sold anew
			total, err := shop.MulFen(p.Price, count)
			if err != nil {
				return ui.View{}, err
			}
			return d.confirm(t, p, count, purpose, "你的"+p.Name+"已于"+t.date(e.ExpiresAt)+"到期。"+amount(p, count, total)+sure(p))
		}
	case p.Kind.AsksCount():
		n, said, ok := t.count()
		if sum, has := t.sumSaid(); has && (!said || !ok) && p.Price > 0 {
			// "买十块钱的听书币": as many as the sum buys, when it buys whole ones.
			if sum%p.Price != 0 {
				return d.askCount(t, p, purpose, p.Name+"按个买，每个"+p.Price.Yuan()+"，要买几个？"), nil
			}
			n, said, ok = int64(sum/p.Price), true, int64(sum/p.Price) <= shop.MaxQuantity
		}
		switch {
		case !said:
			return d.askCount(t, p, purpose, p.Name+"每个"+p.Price.Yuan()+"，要买几个？"), nil
		case !ok && n > shop.MaxQuantity:
			return d.askCount(t, p, purpose, fmt.Sprintf("一次可以买1到%d个，要买几个？", shop.MaxQuantity)), nil
		case !ok && t.saysZero():
			return d.askCount(t, p, purpose, "一次至少买1个，要买几个？"), nil
		case !ok && t.saysRange() != "":
			return d.askCount(t, p, purpose, "要买"+t.saysRange()+"？"), nil // "两三个": which
		case !ok && vagueCount.MatchString(t.req.Request.QueryText):
			return d.askCount(t, p, purpose, p.Name+"每个"+p.Price.Yuan()+"，要买几个？说个数就行，比如“20个”。"), nil // "二十多个"
		case !ok:
			t.unclear = true
			return d.askCount(t, p, purpose, "没听清，要买几个"+p.Name+"？比如“3个”。"), nil
		}
		count = n
		other, err := d.unpaidOther(ctx, t, p, count)
		if err != nil {
			return ui.View{}, err
		}
		if other != "" {
			// "我要买五个" while three wait: its own purchase, said with
			// them, so that no one pays for both unawares.
			total, err := shop.MulFen(p.Price, count)
			if err != nil {
				return ui.View{}, err
			}
			return d.confirm(t, p, count, purpose, "你还有"+other+"的订单没付款。"+amount(p, count, total)+sure(p))
		}
	case p.Kind.Once():
		if n, said, ok := t.count(); said && ok && n > 1 { // "买三个万古神帝第35集"
			return d.confirm(t, p, 1, purpose, "买一次就够了。"+amount(p, 1, p.Price)+sure(p))
		}
	}
	return d.confirm(t, p, count, purpose, "")
}

// timedCount returns how many units of the timed product p the user asked
// for: a length said ("一年会员": twelve monthly units, "30天": one), else a
// count, else one; or, when that cannot be sold, the question to ask
// instead (never a silent one: "买七天的会员" quoted seven months, "买一千个
// 月卡" one).
func (d *Dialog) timedCount(t *turn, p shop.Product) (int64, string) {
	unit := "个"
	if p.Monthly() {
		unit = "个月"
	}
	n := int64(1)
	if t.state.Count > 0 && t.state.Step != stepCount {
		// Chosen already: a correction's ("不是三个月，是五个月", whose
		// first length is not the one meant).
		n = t.state.Count
	} else if m, said, whole := d.lengthOf(t, p); said {
		if !whole {
			if p.Monthly() {
				return 0, fmt.Sprintf("%s按月买，一个月%d天，要买几个月？", p.Name, p.Days)
			}
			return 0, fmt.Sprintf("%s每个%d天，要买几个？", p.Name, p.Days)
		}
		n = m
	} else if _, counted := t.slotCount(); !counted && p.Monthly() && vagueLength.MatchString(t.req.Request.QueryText) {
		return 0, p.Name + "每个月" + p.Price.Yuan() + "，要买几个月？" // "买几个月会员"
	} else if c, said, ok := t.count(); said {
		switch {
		case ok || c > shop.MaxQuantity:
			n = c
		case t.saysZero():
			return 0, "一次至少买1" + unit + "，要买几" + unit + "？"
		case t.saysRange() != "":
			return 0, "要买" + strings.ReplaceAll(t.saysRange(), "个", unit) + "？" // "两三个月": which
		default:
			t.unclear = true
			return 0, "没听清，要买几" + unit + p.Name + "？"
		}
	}
	if n > p.MaxUnits() {
		return 0, fmt.Sprintf("%s一次最多买%d%s，要买几%s？", p.Name, p.MaxUnits(), unit, unit)
	}
	return max(n, 1), ""
}

// vagueLength finds a length asked about, not said: "几个月", "几年",
// "多少个月", "多久".
var vagueLength = regexp.MustCompile(`几个?月|几年|多少个?月|多少年|多久|多长时间`)

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
	t.state = state{Step: stepConfirm, Intent: purpose, ProductID: p.ID, Count: count, Total: total, Slots: t.otherSlots(purpose)}
	if speech == "" {
		speech = amount(p, count, total) + sure(p)
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
	if v, ok := d.mustLink(t, ""); ok {
		return v, nil
	}
	if v, ok, err := d.waiting(ctx, t, p, max(st.Count, 1)); err != nil || ok {
		return v, err
	}
	if err := ctx.Err(); err != nil { // the platform has given up: offer nothing
		return ui.View{}, fmt.Errorf("intents: issue: %w", err)
	}
	count := max(st.Count, 1)
	total, err := shop.MulFen(p.Price, count)
	if err != nil {
		return ui.View{}, err
	}
	if st.Total != 0 && st.Total != total {
		// The price changed since it was said: the yes was not to this one.
		st.Total = total
		t.state = st
		return ask("价格有变化，现在" + amount(p, count, total) + sure(p)), nil
	}
	slotCount := count
	if p.Kind.Once() {
		slotCount = 0 // always one: no count slot
	}
	original, err := json.Marshal(resumeIntent(st.Intent, st.Slots, &p, slotCount))
	if err != nil {
		return ui.View{}, err
	}
	ref, err := d.cfg.Offers.Issue(ctx, shop.Offer{
		UserID:   t.user(),
		Items:    []shop.Line{{ItemID: p.ID, Quantity: count, Amount: total}},
		TotalAmt: total,
		Intent:   original,
		PayIn:    payIn(t, ""),
	})
	if err != nil {
		return ui.View{}, err
	}
	v := ui.View{
		Speech: "好的，" + amount(p, count, total) + "。",
		Offer:  &ui.Offer{Token: ref, Product: p, Count: count, Total: total},
	}
	d.remember(t, v.Offer)
	if err := d.suggestLink(ctx, t, &v); err != nil {
		return ui.View{}, err
	}
	return v, nil
}

// start plays a product the user owns, recording the use. If the user no
// longer has it (a consumable ran out meanwhile), it offers it instead.
func (d *Dialog) start(ctx context.Context, t *turn, p shop.Product, speech string) (ui.View, error) {
	if err := d.cfg.Ledger.Use(ctx, t.user(), p.ID); err != nil {
		if shop.ErrorClass(err) == shop.ECONFLICT {
			return d.offerToPlay(ctx, t, p)
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

// sure asks to confirm the purchase of p, saying first when it cannot be
// refunded (before the yes, not after the payment).
func sure(p shop.Product) string {
	if !p.Refund.Allowed {
		return "，购买后不能退款，确定购买吗？"
	}
	return "，确定购买吗？"
}
