package intents

import (
	"context"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

// Refund asks for a refund; slot product, or album and index (optional:
// the most recent purchase otherwise). Sample utterances:
//
//	我要退款
//	退款
//	我要退款{product}
//	退掉{product}
//	把{product}退了
//	把{album}第{index}集退了
//	{product}不想要了，退钱
//	退掉{count}个{product} (part of a consumable's units)
const Refund = "refund"

// refund finds the purchase to refund (of the product said; asked for when
// several could be meant; "我要退款" again, naming nothing, asks it again),
// explains why not when the policy forbids it, and otherwise says the
// amount in yuan and asks to confirm.
func (d *Dialog) refund(ctx context.Context, t *turn) (ui.View, error) {
	var want []string         // the products the user may mean: the refund question names the one found
	units, _ := t.slotCount() // how many units the user said, 0 for all
	q := t.query()
	if t.state.Step == stepRefund {
		if v, ok, err := d.refundAnswered(ctx, t, q); ok {
			return v, err
		}
	}
	var asked []shop.Product // the choices of a pending "要退哪个？"
	if t.state.Step == stepProduct && t.state.Intent == Refund {
		asked = d.candidates(t)
		fromQuery := !named(q)
		if fromQuery {
			q.Text = t.req.Request.QueryText // the answer to "要退哪个？"
		}
		if p, ok := d.answer(t, q); ok {
			want = []string{p.ID}
		} else if fromQuery && d.products.Resolve(q).Decision == resolve.None {
			// "我要退款" again, naming nothing: the question stands;
			// "都退了吧": one at a time.
			if cands := d.candidates(t); len(cands) > 0 {
				speech := whichRefund(cands)
				if all(t.req.Request.QueryText) {
					speech = "一次退一个吧。" + speech
				}
				return d.askProduct(t, Refund, cands, speech), nil
			}
			q = t.query()
		}
	}
	if want == nil && named(q) {
		r := d.products.Resolve(q)
		if r.Decision != resolve.None {
			for _, c := range r.Candidates {
				want = append(want, c.Product.ID)
			}
		}
		if units == 0 {
			units = r.Count // "退掉两个听书币" heard as one product slot
		}
		if len(want) == 0 && len(asked) > 0 {
			// An answer to "要退哪个？" that is none of the choices: the
			// question stands (and, asked too often, ends: giveUp).
			t.unclear = true
			speech := "没有找到“" + heard(q) + "”的购买记录。"
			switch {
			case r.Ordinal > 0: // "第三个" of two
				speech = "抱歉，没听清。"
			case all(t.req.Request.QueryText): // "都退了吧", "全部退掉"
				speech = "一次退一个吧。"
				t.unclear = false
			}
			return d.askProduct(t, Refund, asked, speech+whichRefund(asked)), nil
		}
		if len(want) == 0 {
			t.state = state{}
			return say("没有找到“" + heard(q) + "”的购买记录。"), nil
		}
	}
	t.state = state{}
	return d.refundOf(ctx, t, want, units)
}

// refundAnswered takes a refund request said to the refund's own
// question as its answer: "不退了" is a no ("算了不退了" asked again, and
// a "对" then refunded); a sum or a count is that many of it ("退三块");
// "退吧", "确定退款", "把钱退了", naming nothing else, are a yes (they asked
// again, or ended the dialog: "没有找到“吧，买多了”的购买记录"). ok is false
// for a refund of something named.
func (d *Dialog) refundAnswered(ctx context.Context, t *turn, q resolve.Query) (ui.View, bool, error) {
	said := t.req.Request.QueryText
	if saysAny(said, "不退", "不要退", "不用退", "别退") {
		return t.drop(), true, nil
	}
	named := d.products.Resolve(q).Decision != resolve.None
	if _, sum := t.sumSaid(); sum && !named {
		v, err := d.refundCount(ctx, t) // "退三块" to "退掉5个…，确定吗？": that sum of it
		return v, true, err
	}
	if _, counted := t.slotCount(); counted || named || !saysNothing(q) {
		return ui.View{}, false, nil
	}
	v, err := d.refundConfirmed(ctx, t)
	return v, true, err
}

// saysNothing reports whether what a refund request names is no product,
// only words around one: "吧，买多了", "钱", "它", "吧谢谢".
func saysNothing(q resolve.Query) bool {
	text, _, _ := strings.Cut(q.Album+q.Episode+q.Text, "，")
	text, _, _ = strings.Cut(text, ",")
	return strings.Trim(text, "吧了啊呀嘛。！!谢掉款钱它这个把给我就退") == ""
}

// owedBack returns, when duplicate payments' automatic refunds failed (the
// user paid twice; a person refunds them: shop.Order.DuplicateOwed), what
// to say first (the money is coming back and needs no asking), and the
// orders those duplicates duplicate, which a refund does not offer while
// the duplicates are owed: a "是的" refunded the purchase the user keeps,
// and a person then refunded the duplicate too (the user paid twice, got
// both back, owned nothing).
func owedBack(orders []shop.Order) (lead string, kept []string) {
	var owed shop.Fen
	for _, o := range orders {
		if _, amt, ok := o.DuplicateOwed(); ok {
			owed += amt
			kept = append(kept, o.DuplicateOf)
		}
	}
	if owed <= 0 {
		return "", nil
	}
	return "你重复付款的" + owed.Yuan() + "没能自动退回，我们会人工退回，不用申请。", kept
}

// refundOf asks to confirm the refund of the newest purchase of the wanted
// products (nil: any), of units of it when said (see askRefund). With
// purchases of several of them refundable (none wanted, or a name that
// fits several: "退掉万古神帝"), it asks which, rather than guessing the
// newest.
func (d *Dialog) refundOf(ctx context.Context, t *turn, want []string, units int64) (v ui.View, err error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return ui.View{}, err
	}
	lead, kept := owedBack(orders)
	defer func() { v.Speech = lead + v.Speech }()
	slices.SortStableFunc(orders, func(a, b shop.Order) int { return b.CreatedAt.Compare(a.CreatedAt) })
	var first *shop.Order
	var why error
	var refundable []shop.Order
	var choices []shop.Product // one product of each refundable purchase, newest first
	for _, o := range orders {
		if slices.Contains(kept, o.TradeNo) {
			continue
		}
		if !purchased(o) || (want != nil && !slices.ContainsFunc(o.Details, func(l shop.Line) bool { return slices.Contains(want, l.ItemID) })) {
			continue
		}
		lines, _, err := shop.Refundable(o, d.cfg.Catalog, t.now)
		if err == nil {
			refundable = append(refundable, o)
			if p, ok := d.cfg.Catalog.Product(lines[0].ItemID); ok && !slices.ContainsFunc(choices, func(c shop.Product) bool { return c.ID == p.ID }) {
				choices = append(choices, p)
			}
			continue
		}
		if shop.ErrorClass(err) != shop.EINVALID {
			return ui.View{}, err
		}
		if first == nil {
			first, why = &o, err
		}
	}
	switch {
	case len(choices) > 1 && (want == nil || len(want) > 1):
		return d.askProduct(t, Refund, choices, whichRefund(choices)), nil
	case len(refundable) > 0:
		return d.askRefund(t, refundable[0], units, len(refundable) > 1), nil
	case first == nil && lead != "":
		return say(d.support()), nil // what is owed back is all there is to say
	}
	if first == nil && want != nil {
		// None of what was named was bought: say so, and offer what can
		// be refunded instead, if anything.
		var named []shop.Product
		for _, id := range want {
			if p, ok := d.cfg.Catalog.Product(id); ok {
				named = append(named, p)
			}
		}
		v, err := d.refundOf(ctx, t, nil, 0)
		if err != nil || len(named) == 0 {
			return v, err
		}
		notBought := "你没有买过" + names(named, maxChoices, "或") + "。"
		for _, o := range orders { // newest first
			if o.State == shop.StateCreated && t.now.Before(payableUntil(t, o)) &&
				slices.ContainsFunc(o.Details, func(l shop.Line) bool { return slices.Contains(want, l.ItemID) }) {
				// "退掉三个听书币" right after ordering them: nothing was taken.
				notBought = d.orderName(o) + "的订单还没付款，没有扣钱，不付款过后会自动关闭。"
				break
			}
		}
		if !v.Ask { // nothing else to refund either: not why another purchase cannot be
			t.state = state{}
			return say(notBought), nil
		}
		if t.state.Step == stepRefund {
			// One purchase is refundable: named, not asked about with a
			// yes/no (a reflexive "是的" would refund what the user did
			// not ask about). Naming it asks to confirm its refund.
			for _, o := range orders {
				if o.TradeNo == t.state.TradeNo {
					lines, _, _ := shop.Refundable(o, d.cfg.Catalog, t.now)
					return d.askProduct(t, Refund, nil, notBought+"可以退款的是"+d.productsName(lines)+"，要退哪个？"), nil
				}
			}
		}
		v.Speech = notBought + v.Speech
		return v, nil
	}
	if first == nil {
		for _, o := range orders { // newest first
			if o.State == shop.StateCreated && t.now.Before(payableUntil(t, o)) {
				// "我要退款" right after ordering: nothing was taken.
				return say("你还没有可以退款的购买。" + d.orderName(o) + "的订单还没付款，没有扣钱，不付款过后会自动关闭。"), nil
			}
		}
		return say("你还没有可以退款的购买。"), nil
	}
	name := d.orderName(*first)
	if len(first.Refunds) > 0 { // part was refunded already: say what is left, not what was bought
		name = d.productsName(first.Details)
	}
	if d.delisted(*first) { // its product left the catalog: no policy to apply, no name to say
		name = "你花" + first.TotalAmt.Yuan() + "买的内容"
		if shop.ErrorCode(why) == shop.ENotRefundable {
			return say("抱歉，" + name + "已经下架，不能用语音退款，" + d.askSupport()), nil
		}
	}
	if shop.ErrorCode(why) == shop.ERefundPending { // news, not a fault: no apology
		if first.RefundedAmt+first.PendingRefundAmt() < first.TotalAmt {
			// Part of it is being refunded: the rest can be, once that is done.
			return say(refusal(name, why) + "，处理完之后可以再试一次。"), nil
		}
		return say(refusal(name, why) + "，款项会原路退回。"), nil
	}
	return say("抱歉，" + refusal(name, why) + "。" + d.support()), nil
}

// delisted reports whether a product the order bought has left the
// catalog: the dialog knows neither its name nor its refund policy
// (shop.Refundable refuses it), and customer service settles it.
func (d *Dialog) delisted(o shop.Order) bool {
	return slices.ContainsFunc(o.Details, func(l shop.Line) bool {
		_, ok := d.cfg.Catalog.Product(l.ItemID)
		return !ok
	})
}

// askSupport asks the user to contact customer service, naming the
// contact when one is configured (Config.Support): "请联系客服：400…。".
func (d *Dialog) askSupport() string {
	if d.cfg.Support == "" {
		return "请联系客服。"
	}
	return "请联系客服：" + d.cfg.Support + "。"
}

// whichRefund asks which of the purchases of the products to refund:
// "要退哪个？听书币还是星辰变第35集？", or past maxChoices "要退哪个？有听书币、
// 星辰变第35集、万古神帝第36集等4种。" (any of them is an answer, and on a
// screen the list shows them all).
func whichRefund(choices []shop.Product) string {
	switch {
	case len(choices) == 1:
		return "要退" + choices[0].Name + "吗？"
	case len(choices) > maxChoices:
		return "要退哪个？有" + names(choices, maxChoices, "、") + itoa(int64(len(choices))) + "种。"
	}
	return "要退哪个？" + names(choices, maxChoices, "还是") + "？"
}

// whichOf asks again which of the candidates the question of intent
// means (help, a bare yes): the refund's own wording for a refund, else
// plainly, with no "你是说" (which says that something was misheard, and
// the question may be a list the user asked for).
func whichOf(intent string, cands []shop.Product) string {
	switch {
	case intent == Refund:
		return whichRefund(cands)
	case len(cands) == 1:
		return "要" + verb(intent) + cands[0].Name + "吗？"
	case len(cands) > maxChoices: // a list: some of it, for example
		return "想" + verb(intent) + "哪个？比如" + names(cands, maxChoices, "或") + "。"
	}
	return "想" + verb(intent) + "哪个？" + names(cands, maxChoices, "还是") + "？"
}

// support is the sentence naming customer service (Config.Support) after
// a refund is refused, or "" when none is configured.
func (d *Dialog) support() string {
	if d.cfg.Support == "" {
		return ""
	}
	return "如有疑问可以联系客服：" + d.cfg.Support + "。"
}

// refusal says why what is named cannot be refunded, in one clause with it
// as the subject ("会员月卡不支持退款"), from the policy's coded reason
// (shop.Refundable); its message alone would repeat "不能退款".
func refusal(name string, why error) string {
	msg := shop.ErrorMessage(why)
	switch shop.ErrorCode(why) {
	case shop.ENotRefundable:
		return name + "不支持退款"
	case shop.ERefundWindow:
		return name + msg // "已超过7天退款期限"
	case shop.EAlreadyUsed:
		if strings.HasPrefix(msg, "没用过的") { // "没用过的2个已经退款，其余1个已经用掉了"
			return name + msg
		}
		return name + "已经用过了，不能退款"
	case shop.ERefundPending:
		return name + "的退款正在处理中"
	case shop.EFullyRefunded:
		return name + "已经全部退款了"
	case shop.ENotPaid:
		return name + "还没有付款成功，不能退款"
	}
	return name + "不能退款：" + msg
}

// purchased reports whether the order was paid for (whatever happened since).
func purchased(o shop.Order) bool {
	switch o.State {
	case shop.StateDelivered, shop.StatePartiallyRefunded, shop.StateRefunding, shop.StateRefunded:
		return true
	}
	return false
}

// askRefund says what would be refunded (what the policy allows: the unused
// credits of a consumable, say) and asks to confirm. units, when not 0, is
// how many the user asked to refund ("退掉两个听书币"): fewer than the
// order's one line of a consumable refunds those at the price paid for
// each; more says how many can be, this time when more is set (other
// purchases of it are refundable too: a refund is of one purchase).
func (d *Dialog) askRefund(t *turn, o shop.Order, units int64, more bool) ui.View {
	lines, left, err := shop.Refundable(o, d.cfg.Catalog, t.now)
	if err != nil { // the caller checked the policy on the same order
		return say("抱歉，" + refusal(d.orderName(o), err) + "。")
	}
	amount, note, what := left, "", d.linesName(lines)
	if p, ok := d.cfg.Catalog.Product(lines[0].ItemID); ok && len(lines) == 1 && lines[0].Quantity == 1 && p.Kind.AsksCount() {
		what = "1个" + p.Name // the last one of several bought
	}
	if l := lines[0]; len(lines) == 1 && units == 0 && l.Quantity > 1 {
		switch sum, said := t.sumSaid(); {
		case t.saysZero(): // "退零个": one, said so (it quoted them all)
			units, note = 1, "至少要退1个。"
		case said && l.Amount%shop.Fen(l.Quantity) == 0 && sum%(l.Amount/shop.Fen(l.Quantity)) == 0:
			units = int64(sum / (l.Amount / shop.Fen(l.Quantity))) // "退掉三块钱的听书币": three of them
		case said: // "两块五": the whole units it covers, at least one, said so
			unit := l.Amount / shop.Fen(l.Quantity)
			units = max(1, int64(sum/max(unit, 1)))
			note = "退款按个数算，每个" + unit.Yuan() + "。"
		}
	}
	if len(lines) == 1 && units > 0 {
		switch l := lines[0]; {
		case l.Quantity < 2 || l.Amount != left || l.Amount%shop.Fen(l.Quantity) != 0:
			// One unit, or units not all at one price: all of it.
		case units < l.Quantity:
			amount = l.Amount / shop.Fen(l.Quantity) * shop.Fen(units)
			what = itoa(units) + "个" + d.productsName(lines) // "1个听书币": part of them, even one
		case units > l.Quantity && more:
			note = "一次只能退一笔购买，先退最近买的" + itoa(l.Quantity) + "个。"
		case units > l.Quantity:
			note = "最多可以退" + itoa(l.Quantity) + "个。"
		}
	}
	t.state = state{Step: stepRefund, TradeNo: o.TradeNo, RefundAmt: amount}
	return ask(note + "退掉" + what + "，退还" + amount.Yuan() + "，确定吗？")
}

// refundCount asks again about the pending refund, of the units the turn
// says ("两个" to "退掉5个听书币…，确定吗？"); without a count read, or with
// the order gone, the question stands as it was.
func (d *Dialog) refundCount(ctx context.Context, t *turn) (ui.View, error) {
	units, ok := t.countSaid()
	if _, sum := t.sumSaid(); ok || sum { // a sum: askRefund reads it ("退三块": three)
		orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
		if err != nil {
			return ui.View{}, err
		}
		for _, o := range orders {
			if o.TradeNo == t.state.TradeNo {
				return d.askRefund(t, o, units, d.refundableBesides(t, orders, o)), nil
			}
		}
	}
	t.unclear = true
	return d.help(ctx, t)
}

// refundableBesides reports whether another of orders than o, of the same
// products, is refundable too.
func (d *Dialog) refundableBesides(t *turn, orders []shop.Order, o shop.Order) bool {
	for _, other := range orders {
		if other.TradeNo == o.TradeNo || !purchased(other) || !slices.ContainsFunc(other.Details, func(l shop.Line) bool {
			return slices.ContainsFunc(o.Details, func(m shop.Line) bool { return m.ItemID == l.ItemID })
		}) {
			continue
		}
		if _, _, err := shop.Refundable(other, d.cfg.Catalog, t.now); err == nil {
			return true
		}
	}
	return false
}

// orderName names what an order bought.
func (d *Dialog) orderName(o shop.Order) string { return d.linesName(o.Details) }

// productsName names the products of order lines, without quantities:
// "听书币、万古神帝第35集".
func (d *Dialog) productsName(lines []shop.Line) string {
	one := make([]shop.Line, len(lines))
	for i, l := range lines {
		one[i] = shop.Line{ItemID: l.ItemID, Quantity: 1}
	}
	return d.linesName(one)
}

// linesName names order lines: "3个听书币、万古神帝第35集".
func (d *Dialog) linesName(lines []shop.Line) string {
	var ns []string
	for _, l := range lines {
		p, ok := d.cfg.Catalog.Product(l.ItemID)
		if !ok {
			p = shop.Product{Name: l.ItemID}
		}
		name := p.Name
		if l.Quantity > 1 {
			name = counted(p, l.Quantity)
		}
		ns = append(ns, name)
	}
	return strings.Join(ns, "、")
}

// all reports whether what was said asks for everything: "都退了吧", "全部".
func all(text string) bool { return saysAny(text, "都", "全部", "所有", "一起") }
