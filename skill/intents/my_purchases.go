package intents

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// MyPurchases lists what the user owns. Sample utterances:
//
//	我买过什么
//	我的购买
//	查看已购
//	我还剩几个点数
//	会员什么时候到期
//	我付过了 (an order waiting for payment is asked about: paid, it is bought)
//	我要付款 (where to pay what waits)
const MyPurchases = "my_purchases"

// myPurchases says what the user has bought and not had refunded: products,
// consumable units left (or where they went: used, refunded),
// subscriptions with their end date (or when they ended), then refunds
// under way and orders waiting for payment; screens also get a card.
func (d *Dialog) myPurchases(ctx context.Context, t *turn) (ui.View, error) {
	aside := t.begun() // a pending question is asked again after the answer
	t.state = state{}
	if strings.Contains(t.req.Request.QueryText, "付") { // "我付过了", "付好了", "我要付款"
		if err := d.confirmAwaiting(ctx, t); err != nil {
			return ui.View{}, err
		}
		if v, ok, err := d.payWaiting(ctx, t); err != nil || ok {
			return v, err
		}
	}
	ents, err := d.cfg.Ledger.Entitlements(ctx, t.user())
	if err != nil {
		return ui.View{}, err
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user()) // the turn's read (memoLedger), newest first
	if err != nil {
		return ui.View{}, err
	}
	var owned, status, lines []string // owned: plain products; status: sentences on what is left
	have := map[string]bool{}         // the products bought once and owned
	about := map[string]string{}      // what is said of each product, asked about alone
	for _, e := range ents {
		p, ok := d.cfg.Catalog.Product(e.ProductID)
		if !ok {
			continue
		}
		have[p.ID] = p.Kind.Once()
		// Units under refund stay owned until it succeeds, and are said as
		// being refunded (refunding), not as left too.
		back := refundingUnits(orders, p.ID)
		if e.Kind.UsedUp() && back > 0 && e.Quantity <= back {
			continue
		}
		var line string
		switch {
		case e.Kind.UsedUp() && e.Quantity > 0:
			line = p.Name + "还剩" + itoa(e.Quantity-back) + "个"
		case e.Kind.UsedUp():
			line = noneLeft(p, orders)
		case e.Kind.Timed() && e.Active(t.now):
			line = p.Name + "有效期到" + t.date(e.ExpiresAt)
			about[p.ID] = line + "，还有" + itoa(int64((e.ExpiresAt.Sub(t.now)+24*time.Hour-1)/(24*time.Hour))) + "天"
		case e.Kind.Timed():
			line = p.Name + "已于" + t.date(e.ExpiresAt) + "到期"
		default:
			owned = append(owned, p.Name)
			lines = append(lines, p.Name)
			about[p.ID] = "你已经买过" + p.Name
			if p.Content.Audio != "" {
				about[p.ID] += "，说“播放" + p.Name + "”就可以收听"
			}
			continue
		}
		if about[p.ID] == "" {
			about[p.ID] = line
		}
		status = append(status, line)
		lines = append(lines, line)
	}
	if p, ok := d.askedAbout(t); ok && !aside {
		// "会员什么时候到期", "我还剩几个听书币": that product, not the list
		// (it answered with the episodes bought).
		if line, ok := about[p.ID]; ok {
			speech := line + "。"
			refunding, err := d.refunding(ctx, t)
			if err != nil {
				return ui.View{}, err
			}
			for _, r := range refunding {
				if strings.Contains(r, p.Name) { // "3个听书币正在退款"
					speech += r + "。"
				}
			}
			v := say(speech)
			v.Result = &ui.Result{Title: "我的购买", Text: line}
			return v, nil
		}
		if len(lines) > 0 && !slices.ContainsFunc(orders, func(o shop.Order) bool { _, has := o.Line(p.ID); return has }) {
			if p.Kind.Timed() {
				return say("你还没有开通" + p.Name + "。"), nil
			}
			return say("你还没有买过" + p.Name + "。"), nil
		}
	}
	if len(lines) == 0 {
		return d.nothingOwned(ctx, t, aside)
	}
	refunding, err := d.refunding(ctx, t)
	if err != nil {
		return ui.View{}, err
	}
	status = append(status, refunding...)
	if w := d.awaitingPayment(t, orders, have); len(w) > 0 {
		status = append(status, strings.Join(w, "、")+"的订单还在等待付款"+payWhere(t, orders))
	}
	// "你已购买：万古神帝第35集。听书币还剩3个。": what is left of a product is
	// a sentence of its own, never "你已购买：听书币已经用完了".
	var speech strings.Builder
	if len(owned) > 0 {
		speech.WriteString("你已购买：" + strings.Join(owned, "、") + "。")
	}
	for _, s := range status {
		speech.WriteString(s + "。")
	}
	v := say(speech.String())
	v.Result = &ui.Result{Title: "我的购买", Text: strings.Join(lines, "；")}
	return v, nil
}

// nothingOwned answers a user who owns nothing now, from their orders: one
// that waits for payment, a refund under way, a purchase whose product left
// the catalog, or purchases all refunded are said as such, not as "never
// bought anything" (nor a purchase delisted as refunded). Aside a pending
// question (which is asked again) it invites to browse no more.
func (d *Dialog) nothingOwned(ctx context.Context, t *turn, aside bool) (ui.View, error) {
	browse := "可以说“有什么可以买”看看。"
	if aside {
		browse = ""
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return ui.View{}, err
	}
	refunded, delisted := false, false
	for _, o := range orders { // newest first
		switch {
		case awaiting(t, o) && pageClosed(t, o):
			return say(d.orderName(o) + "的付款页面已经关了，没有扣款。想买的话，请再说一次“我要买" + d.orderName(o) + "”。"), nil
		case awaiting(t, o):
			return say(d.orderName(o) + "的订单还在等待付款" + payWhere(t, orders) + "，付款后就能使用。"), nil
		case purchased(o) && o.State != shop.StateRefunded && d.delisted(o):
			delisted = true // paid for, not refunded, and not owned: its product left the catalog
		case purchased(o):
			refunded = true
		}
	}
	if refunding, err := d.refunding(ctx, t); err != nil || len(refunding) > 0 {
		return say(strings.Join(refunding, "。") + "，会原路退回。"), err
	}
	if delisted {
		return say("你买过的内容已经下架了，如需退款" + d.askSupport()), nil
	}
	// An invitation to go on keeps the mic open.
	if refunded {
		return ask("你买过的内容都已经退款了。" + browse), nil
	}
	return ask("你还没有购买过内容。" + browse), nil
}

// refunding says what the user's refunds under way take back, one clause
// each: "3个听书币正在退款". Those units stay owned until the refund
// succeeds (shop.Entitlements), so "我还剩几个" says where they are going.
// An order's last refund that failed within failedRefundNews is said too
// ("3个听书币的退款没有成功", and "可以再申请一次" while the policy allows
// it): the user heard it started, and nothing else tells them (a duplicate
// payment's is the operator's, listed for attention).
func (d *Dialog) refunding(ctx context.Context, t *turn) ([]string, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range orders {
		for i, r := range o.Refunds {
			switch {
			case r.Status == shop.RefundProcessing && o.DuplicateOf != "":
				// Paid twice (on two speakers, or before linking): why it goes back.
				out = append(out, d.linesName(r.Details)+"重复购买的"+r.Amount.Yuan()+"正在自动退款")
			case r.Status == shop.RefundProcessing:
				out = append(out, d.linesName(r.Details)+"正在退款")
			case r.Status == shop.RefundFail && i == len(o.Refunds)-1 && o.DuplicateOf == "" && t.now.Sub(r.UpdatedAt) < failedRefundNews:
				s := d.linesName(r.Details) + "的退款没有成功"
				if _, _, err := shop.Refundable(o, d.cfg.Catalog, t.now); err == nil {
					s += "，可以再申请一次" // (not when the policy now forbids it)
				}
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// failedRefundNews is how long "我买过什么" says that a refund failed.
const failedRefundNews = 7 * 24 * time.Hour

// usableUnits is what the user has of a consumable to use: its
// entitlement less the units being refunded ("现在有5个" counted three on
// their way back).
func (d *Dialog) usableUnits(ctx context.Context, t *turn, p shop.Product, e shop.Entitlement) (int64, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return 0, err
	}
	return max(0, e.Quantity-refundingUnits(orders, p.ID)), nil
}

// refundingUnits is how many units of a product refunds under way take
// back (a duplicate payment's refund takes back none).
func refundingUnits(orders []shop.Order, productID string) int64 {
	var n int64
	for _, o := range orders {
		if o.DuplicateOf != "" { // a duplicate payment's refund gives nothing back
			continue
		}
		for _, r := range o.Refunds {
			if r.Status != shop.RefundProcessing {
				continue
			}
			for _, l := range r.Details {
				if l.ItemID == productID {
					n += l.Quantity
				}
			}
		}
	}
	return n
}

// noneLeft says where the units of a consumable went when none is left:
// "听书币已经用完了" only when all were used; refunds said as such
// ("听书币用掉了1个，其余2个已经退款", "听书币已经全部退款了").
func noneLeft(p shop.Product, orders []shop.Order) string {
	var used, refunded int64
	for _, o := range orders {
		if purchased(o) {
			used += o.Uses[p.ID]
			refunded += o.RefundedQuantity(p.ID)
		}
	}
	switch {
	case refunded == 0:
		return p.Name + "已经用完了"
	case used == 0:
		return p.Name + "已经全部退款了"
	}
	return p.Name + "用掉了" + itoa(used) + "个，其余" + itoa(refunded) + "个已经退款"
}

// awaiting reports whether the order waits for the user's payment: created,
// and its payment window still open.
func awaiting(t *turn, o shop.Order) bool {
	return o.State == shop.StateCreated && t.now.Before(o.ExpiresAt)
}

// awaitingPayment names what the user's orders waiting for payment buy,
// newest first, each once: "会员月卡". An order only for what the user
// already owns for good (have: an episode bought since, on another speaker
// or after this order's pay page closed) is not named: no one should hear
// that something they own waits for payment (paid after all, it is a
// duplicate payment, refunded by itself).
func (d *Dialog) awaitingPayment(t *turn, orders []shop.Order, have map[string]bool) []string {
	var out []string
	for _, o := range orders {
		if name := d.orderName(o); awaiting(t, o) && !ownsAll(o, have) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// confirmAwaiting asks the platform about the user's newest orders still
// waiting for payment (at most maxConfirmed, within confirmTimeout and the
// turn's time less confirmReserve): one paid with its ship notify late is
// delivered now, and "我付过了" says it bought, not waiting (callbacks get
// lost: the platform is asked). An unanswered question leaves the ledger's
// word. Only a question about paying asks: "我买过什么" goes by the ledger.
func (d *Dialog) confirmAwaiting(ctx context.Context, t *turn) error {
	if t.user() == "" {
		return nil
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return err
	}
	budget := confirmTimeout
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)-confirmReserve) // time left to record a delivery and answer
	}
	if budget <= 0 {
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	asked := 0
	for _, o := range orders { // newest first
		if !awaiting(t, o) || asked == maxConfirmed {
			continue
		}
		asked++
		if _, _, err := d.cfg.Payments.Confirmed(cctx, o.TradeNo); err != nil {
			d.cfg.Logger.WarnContext(ctx, "intents: waiting order not confirmed, going by the ledger", "trade_no", o.TradeNo, "err", err)
		}
	}
	return nil
}

// payWaiting answers "我要付款" with the newest order still payable where
// it was ordered (its pay page on this screen, or the phone app), as a
// purchase asked again does: what it costs, where to pay, and on a screen
// its card again (it said to follow a prompt no screen showed).
func (d *Dialog) payWaiting(ctx context.Context, t *turn) (ui.View, bool, error) {
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil {
		return ui.View{}, false, err
	}
	for _, o := range orders { // newest first
		if !awaiting(t, o) || pageClosed(t, o) || len(o.Details) != 1 {
			continue
		}
		if payIn(t, o.PayIn) == shop.PayOnScreen && !t.device.Display {
			return ui.View{}, false, nil // on another speaker's screen: the list says so
		}
		l := o.Details[0]
		p, ok := d.cfg.Catalog.Product(l.ItemID)
		if !ok {
			return ui.View{}, false, nil
		}
		ref := ""
		if o.OfferID != "" {
			ref = d.cfg.Offers.Ref(o.OfferID)
		}
		return waitingView(t, p, l.Quantity, l.Amount, ref, payIn(t, o.PayIn)), true, nil
	}
	return ui.View{}, false, nil
}

// maxConfirmed bounds the orders one turn asks the platform about;
// confirmReserve is the part of the turn's time left after asking, to
// record a delivery and answer.
const (
	maxConfirmed   = 2
	confirmReserve = 250 * time.Millisecond
)

// payWhere says where the newest order waiting for payment is paid, as a
// clause ("，可以在手机上的叮当App里付款"), or that its pay page on a screen
// has closed and it can be bought again.
func payWhere(t *turn, orders []shop.Order) string {
	for _, o := range orders {
		switch {
		case !awaiting(t, o):
			continue
		case payIn(t, o.PayIn) == shop.PayInApp:
			return "，可以在手机上的叮当App里付款"
		case !pageClosed(t, o) && !t.device.Display:
			return "，付款页面在带屏幕的音箱上" // not this one's
		case !pageClosed(t, o):
			return "，请按音箱屏幕上的提示付款"
		}
		return "，付款页面已经关了，想买的话可以重新购买" // not payable where it was ordered: no dead end
	}
	return ""
}

// pageClosed reports whether o, paid on a screen, can no longer be: its pay
// page closed (or is past its minutes).
func pageClosed(t *turn, o shop.Order) bool {
	return payIn(t, o.PayIn) != shop.PayInApp && !t.now.Before(payableUntil(t, o))
}

// ownsAll reports whether every line of o is a product in have.
func ownsAll(o shop.Order, have map[string]bool) bool {
	for _, l := range o.Details {
		if !have[l.ItemID] {
			return false
		}
	}
	return len(o.Details) > 0
}

// askedAbout returns the one product what was said names, if it names
// one ("会员什么时候到期", "我还剩几个听书币"): the intent has no product slot,
// and the rest of the question is no part of a name, so the products are
// found by name or alias within it, the longest first.
func (d *Dialog) askedAbout(t *turn) (shop.Product, bool) {
	text := strings.ToLower(t.req.Request.QueryText)
	if q := t.query(); named(q) {
		text = strings.ToLower(q.Album + q.Text)
	}
	var found shop.Product
	longest := 0
	for _, p := range d.cfg.Catalog.Products {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			if l := len(n); l > longest && n != "" && strings.Contains(text, strings.ToLower(n)) {
				found, longest = p, l
			}
		}
	}
	return found, longest > 0
}
