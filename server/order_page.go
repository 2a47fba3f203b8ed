package server

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// Bounds of the order page's lookup.
const (
	// orderPageScan is how many of the user's newest orders are searched for
	// the ones placed from the offer.
	orderPageScan = 200
	// orderPageRefresh is how often a page whose status may change reloads.
	orderPageRefresh = 10
)

// china is the time zone times are shown in: China Standard Time, +08:00
// (`skill orders list` prints in it too).
var china = time.FixedZone("CST", 8*60*60)

// orderPageData is what the order page shows.
type orderPageData struct {
	Name, Item, Total, Unlocks       string
	Status, Class, Note              string
	TradeNo, Created, Paid, Refunded string
	Refunding, Until                 string // a refund under way: amount and when asked; a membership's end
	Refund                           string // refundHelp
	Support                          string
	SupportLink                      template.URL // a tel: or mailto: URL for Support, if it is one
	Refresh                          int          // seconds; 0: the status is final
}

// orderPageTmpl is the phone page of an offer and its order: live status,
// what was bought, and how to get help or a refund. It never offers to take
// a payment: the platform shows its own pay page.
var orderPageTmpl = template.Must(template.Must(template.New("order").Parse(orderPageStyle)).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<title>{{.Name}} · {{.Status}}</title>
{{template "style"}}
</head><body>
<h1>{{.Name}}</h1>
<p><span class="status {{.Class}}">{{.Status}}</span></p>
<p>{{.Note}}</p>
<h2>购买内容</h2>
<dl>
<dt>商品</dt><dd>{{.Item}}</dd>
<dt>金额</dt><dd>{{.Total}}</dd>
{{if .Unlocks}}<dt>内容</dt><dd>{{.Unlocks}}</dd>{{end}}
{{if .Until}}<dt>有效期到</dt><dd>{{.Until}}</dd>{{end}}
{{if .TradeNo}}<dt>订单号</dt><dd>{{.TradeNo}}</dd>{{end}}
{{if .Created}}<dt>下单时间</dt><dd>{{.Created}}</dd>{{end}}
{{if .Paid}}<dt>支付时间</dt><dd>{{.Paid}}</dd>{{end}}
{{if .Refunded}}<dt>已退款</dt><dd>{{.Refunded}}</dd>{{end}}
{{if .Refunding}}<dt>退款中</dt><dd>{{.Refunding}}</dd>{{end}}
</dl>
<h2>帮助与退款</h2>
<p>{{.Refund}}</p>
{{template "support" .}}
{{if eq .Class "waiting"}}<p class="small">本页只显示订单，不能付款。付款请按音箱屏幕或叮当App上的提示完成。</p>{{end}}
</body></html>
`))

// orderPageStyle is the look of the order pages.
const orderPageStyle = `{{define "style"}}<style>
body{font-family:sans-serif;max-width:28em;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.05em;margin-top:1.6em;border-bottom:1px solid #ddd}
.status{display:inline-block;font-size:1.3em;font-weight:bold;padding:.15em .6em;border-radius:.4em;background:#eee}
.waiting{background:#fff4d6;color:#8a5a00}.paid{background:#e2f5e6;color:#196c2e}
.refund{background:#e6eefc;color:#1d4fa3}.refunded{background:#ede7f6;color:#4a2a8a}.closed{background:#eee;color:#555}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em}dt{color:#595959;white-space:nowrap}dd{margin:0;min-width:0;overflow-wrap:anywhere}
.small{color:#595959;font-size:.9em}a{color:#1d4fa3}
</style>{{end}}{{define "support"}}{{if .Support}}<p>其他问题请联系客服：{{if .SupportLink}}<a href="{{.SupportLink}}" style="white-space:nowrap">{{.Support}}</a>{{else}}{{.Support}}{{end}}</p>{{end}}{{end}}`

// orderMissingTmpl is what a phone shows for a link that leads to no
// order page: an unknown, altered or expired one, or a store that cannot
// answer now (Retry).
var orderMissingTmpl = template.Must(template.Must(template.New("missing").Parse(orderPageStyle)).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>{{if .Retry}}暂时打不开{{else}}链接无效或已过期{{end}}</title>
{{template "style"}}
</head><body>
{{if .Retry}}<h1>暂时打不开这个页面</h1>
<p><span class="status closed">请稍后再试</span></p>
<p>订单信息暂时读不到，请过一会儿刷新本页。你的订单和付款不受影响。</p>
{{else}}<h1>链接无效或已过期</h1>
<p><span class="status closed">找不到这个订单</span></p>
<p>这个链接无效或已过期，可能是二维码没有扫完整，或者链接被改动过。</p>
<p>想查看买过的内容，对音箱说“我买过什么”；想再买，对音箱再说一次。</p>
{{end}}{{template "support" .}}
<p class="small">本页只显示订单，不能付款。</p>
</body></html>
`))

// orderMissing answers a phone whose link leads to no order page: status
// 404 (unknown, altered, expired) or 503 (the store cannot answer), with a
// small page in Chinese, never a JSON body meant for programs.
func (s *srv) orderMissing(c *fiber.Ctx, status int) error {
	reason := "not found"
	if status == fiber.StatusServiceUnavailable {
		reason = "unavailable"
	}
	note(c, "reason", reason)
	var buf bytes.Buffer
	err := orderMissingTmpl.Execute(&buf, struct {
		Retry       bool
		Support     string
		SupportLink template.URL
	}{status == fiber.StatusServiceUnavailable, s.cfg.Support, supportLink(s.cfg.Support)})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(buf.Bytes())
}

// orderPage serves GET /orders/<ref>: the page of the offer the reference
// names (pay.Offers.Lookup, whose keyed tag stops forgery) and of the order
// placed from it, if any. Altered, forged and unknown references, and
// products gone from the catalog, are 404; a store that cannot answer is
// 503; both with a page a phone's user can read (orderMissing). The page
// is live: it is never cached and reloads itself while its status may
// change.
func (s *srv) orderPage(c *fiber.Ctx) error {
	if s.cfg.Offers == nil || s.cfg.Catalog == nil || s.cfg.Ledger == nil {
		return s.orderMissing(c, fiber.StatusNotFound)
	}
	offer, err := s.cfg.Offers.Lookup(c.UserContext(), c.Params("ref"))
	switch {
	case errors.Is(err, pay.ErrOfferInvalid) || errors.Is(err, pay.ErrOfferUnknown):
		return s.orderMissing(c, fiber.StatusNotFound)
	case err != nil:
		note(c, "err", err.Error())
		return s.orderMissing(c, fiber.StatusServiceUnavailable)
	case len(offer.Items) == 0:
		return s.orderMissing(c, fiber.StatusNotFound)
	}
	line := offer.Items[0]
	p, ok := s.cfg.Catalog.Product(line.ItemID)
	if !ok {
		return s.orderMissing(c, fiber.StatusNotFound)
	}
	orders, err := s.cfg.Ledger.Orders(c.UserContext(), shop.OrderFilter{UserID: offer.UserID, Limit: orderPageScan})
	if err != nil {
		note(c, "err", err.Error())
		return s.orderMissing(c, fiber.StatusServiceUnavailable)
	}
	o := offerOrder(orders, offer.ID)
	if o == nil && s.cfg.Moves != nil && !strings.HasPrefix(offer.UserID, shop.AccountPrefix) {
		// Made before the user linked an account: the order may have
		// moved there.
		if o, orders, err = s.movedOrder(c.UserContext(), offer, orders); err != nil {
			note(c, "err", err.Error())
			return s.orderMissing(c, fiber.StatusServiceUnavailable)
		}
	}
	now := s.cfg.Now()
	expired := offer.Expired(now)
	d := orderPageView(p, line.Quantity, offer.TotalAmt, offer.PayIn, o, expired)
	d.Refund, d.Support, d.SupportLink = refundHelp(p, o, expired, s.cfg.Catalog, now), s.cfg.Support, supportLink(s.cfg.Support)
	if d.Class == "waiting" && p.Kind.Once() && ownsNow(orders, s.cfg.Catalog, p.ID, now) {
		// Bought meanwhile through another order (a new pay page): this
		// one needs no payment (it said 等待支付 for what the user owns).
		d.Status, d.Class, d.Refresh = "无需支付", "closed", 0
		d.Note = "你已经通过另一笔订单买到了" + p.Name + "，这笔不用再付款。"
		d.Refund = "如果这笔也付了款，会自动退回。" // its ship notify may only be late
	}
	if o != nil && o.DuplicateOf != "" {
		if _, _, owed := o.DuplicateOwed(); owed || !o.Gives(p.ID) {
			duplicateView(&d, p, o) // (a duplicate whose refund failed gives the product again)
		}
	}
	if o != nil && p.Kind == shop.KindSubscription && d.Class == "paid" {
		for _, e := range shop.Entitlements(orders, s.cfg.Catalog) {
			if e.ProductID == p.ID && e.Active(now) {
				d.Until = when(e.ExpiresAt)
			}
		}
	}
	var buf bytes.Buffer
	if err := orderPageTmpl.Execute(&buf, d); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// movedOrder returns the order placed from the offer among the orders of
// the account its user's orders moved to, if they moved (nil if not), and
// the orders it was found among (those given, when they did not move).
func (s *srv) movedOrder(ctx context.Context, offer shop.Offer, given []shop.Order) (*shop.Order, []shop.Order, error) {
	owner, err := s.cfg.Moves.MovedTo(ctx, offer.UserID)
	if err != nil || owner == "" {
		return nil, given, err
	}
	orders, err := s.cfg.Ledger.Orders(ctx, shop.OrderFilter{UserID: owner, Limit: orderPageScan})
	if err != nil {
		return nil, given, err
	}
	return offerOrder(orders, offer.ID), orders, nil
}

// offerOrder returns the order placed from the offer: of the user's orders
// (newest first) with its id, the newest that was paid, else the newest;
// nil while there is none.
func offerOrder(orders []shop.Order, offerID string) *shop.Order {
	var newest *shop.Order
	for i := range orders {
		o := &orders[i]
		if o.OfferID != offerID {
			continue
		}
		if o.State != shop.StateCreated && o.State != shop.StateClosed {
			return o
		}
		if newest == nil {
			newest = o
		}
	}
	return newest
}

// orderPageView says what the page shows for an offer of count units of p
// for total, paid in place, and the order placed from it (nil: none yet;
// then an expired offer can no longer be ordered).
func orderPageView(p shop.Product, count int64, total shop.Fen, place shop.PayPlace, o *shop.Order, expired bool) orderPageData {
	d := orderPageData{Name: p.Name, Item: p.Name, Unlocks: unlocks(p)}
	if count > 1 {
		d.Item += " × " + strconv.FormatInt(count, 10)
	}
	d.Status, d.Class, d.Refresh = "等待支付", "waiting", orderPageRefresh
	where := "按音箱屏幕或叮当App上的提示"
	switch place.Or("") {
	case shop.PayOnScreen:
		where = "按音箱屏幕上的提示"
	case shop.PayInApp:
		where = "在叮当App里"
	}
	d.Note = "请" + where + "下单并完成支付。支付成功后，本页会自动更新。"
	if o == nil {
		d.Total = total.Yuan()
		if expired {
			d.Status, d.Class, d.Refresh = "已失效", "closed", 0
			d.Note = "这次购买没有在有效期内下单，已经失效，没有扣款。想买的话，请对音箱再说一次。"
			d.Unlocks = ""
		}
		return d
	}
	d.Total, d.TradeNo, d.Created = o.TotalAmt.Yuan(), o.TradeNo, when(o.CreatedAt)
	d.Paid = when(o.PaidAt)
	d.Note = "订单已创建，请" + where + "完成支付。支付成功后，本页会自动更新。"
	if o.RefundedAmt > 0 {
		d.Refunded = o.RefundedAmt.Yuan()
	}
	switch o.State {
	case shop.StateCreated:
		if !o.PageClosedAt.IsZero() { // the platform's pay page closed unpaid
			d.Status, d.Class, d.Refresh = "未支付", "closed", 0
			d.Note = "支付页已经关闭，没有扣款。想买的话，请对音箱再说一次“我要买" + p.Name + "”。"
		}
	case shop.StateClosed:
		d.Status, d.Class, d.Refresh = "已关闭", "closed", 0
		d.Note = "订单没有在时限内支付，已经关闭，没有扣款。想买的话，请对音箱再说一次“我要买" + p.Name + "”。"
		d.Unlocks = ""
	case shop.StatePaid, shop.StateDelivered:
		d.Status, d.Class, d.Refresh = "已支付", "paid", 0
		d.Note = "支付成功，" + delivered(p, o) + "。"
	case shop.StateRefunding:
		d.Status, d.Class = "退款中", "refund"
		d.Note = "退款已经受理，款项会原路退回。"
		for _, r := range o.Refunds {
			if r.Status == shop.RefundProcessing {
				d.Refunding = r.Amount.Yuan() + "，" + when(r.CreatedAt) + "申请"
			}
		}
	case shop.StatePartiallyRefunded:
		d.Status, d.Class, d.Refresh = "部分退款", "refund", 0
		d.Note = "已退款" + o.RefundedAmt.Yuan() + "，款项原路退回。"
	case shop.StateRefunded:
		d.Status, d.Class, d.Refresh = "已退款", "refunded", 0
		d.Note = "已全额退款" + o.RefundedAmt.Yuan() + "，款项原路退回。"
		d.Unlocks = ""
	}
	return d
}

// duplicateView says that o, an order of p that gives nothing, paid for
// what the user had through another order: its money goes back, or, when
// that refund failed, a person returns it (it said "支付成功，可以收听了",
// and the refund help offered to refund the order that gives p).
func duplicateView(d *orderPageData, p shop.Product, o *shop.Order) {
	d.Status, d.Class, d.Refresh, d.Unlocks = "重复付款", "refund", 0, ""
	lead := "你已经通过另一笔订单买到了" + p.Name + "，这笔是重复付款。"
	_, owed, failed := o.DuplicateOwed()
	switch {
	case failed:
		d.Note = lead + "这笔的" + owed.Yuan() + "没能自动退回，我们会人工退回。"
		d.Refund = "不用再申请退款。等不及的话，请联系客服。"
	case o.State == shop.StateRefunded || o.State == shop.StatePartiallyRefunded:
		d.Note = lead + "已退回" + o.RefundedAmt.Yuan() + "，款项原路退回。"
		d.Refund = "不需要再退款。"
	default:
		d.Note = lead + "这笔的钱会自动原路退回。"
		d.Refund = "不用申请退款。"
	}
}

// delivered says what a paid order of p gave: what to say to play an
// episode; coins arrived; a membership open.
func delivered(p shop.Product, o *shop.Order) string {
	switch p.Kind {
	case shop.KindConsumable:
		n := int64(0)
		for _, l := range o.Details {
			if l.ItemID == p.ID {
				n += l.Quantity
			}
		}
		return strconv.FormatInt(n, 10) + "个" + p.Name + "已经到账"
	case shop.KindSubscription:
		return p.Name + "已经开通"
	}
	return "可以收听了。对音箱说“播放" + p.Name + "”试试"
}

// supportLink is a link that calls or mails customer service, when
// support is a phone number or an email address; else "". Only digits,
// separators and an address without spaces or quotes make one: safe in
// an href.
func supportLink(support string) template.URL {
	s := strings.TrimSpace(support)
	switch {
	case s == "":
		return ""
	case strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " <>\"\t"):
		return template.URL("mailto:" + url.PathEscape(s))
	case strings.Trim(s, "0123456789-+ ()") == "" && strings.ContainsAny(s, "0123456789"):
		return template.URL("tel:" + strings.NewReplacer(" ", "", "(", "", ")", "").Replace(s))
	}
	return ""
}

// unlocks says what buying p gives: its description, and for a
// subscription how long it lasts.
func unlocks(p shop.Product) string {
	if p.Kind == shop.KindSubscription && p.Days > 0 {
		days := "每份" + strconv.Itoa(p.Days) + "天"
		if p.Description == "" {
			return days
		}
		return p.Description + "（" + days + "）"
	}
	return p.Description
}

// askRefund tells the page's reader how to ask for a refund.
const askRefund = "要退款，对音箱说“我要退款”。"

// refundHelp says what the page says about refunds of the order o of p
// (nil: none placed yet; expired: then none can be), as the skill would
// answer "我要退款" at now: before payment the product's refund policy;
// once paid, the policy and how to ask while the skill would refund
// something (shop.Refundable), else why not. It never tells how to ask for
// a refund the skill would refuse.
func refundHelp(p shop.Product, o *shop.Order, expired bool, cat *shop.Catalog, now time.Time) string {
	switch {
	case o == nil && expired, o != nil && o.State == shop.StateClosed,
		o != nil && o.State == shop.StateCreated && !o.PageClosedAt.IsZero():
		return "没有扣款，不需要退款。"
	case o == nil || o.State == shop.StateCreated || o.State == shop.StatePaid:
		return refundPolicy(p) // nothing to refund yet (PAID is delivered at once)
	}
	_, _, err := shop.Refundable(*o, cat, now)
	var e *shop.Error
	switch {
	case err == nil:
		return refundPolicy(p) + askRefund
	case errors.As(err, &e) && shop.ErrorClass(err) == shop.EINVALID:
		return e.Message + "。" // why not, in words the skill says too
	}
	return refundPolicy(p)
}

// refundPolicy says whether and when p can be refunded.
func refundPolicy(p shop.Product) string {
	r := p.Refund
	switch {
	case !r.Allowed:
		return "这个商品购买后不能退款。"
	case r.WithinDays > 0 && r.UnusedOnly:
		return "购买后" + strconv.Itoa(r.WithinDays) + "天内，没用完的部分可以退款。"
	case r.WithinDays > 0:
		return "购买后" + strconv.Itoa(r.WithinDays) + "天内可以退款。"
	case r.UnusedOnly:
		return "没用完的部分可以退款。"
	}
	return "可以退款。"
}

// when shows a time the way the page's readers read it, in China Standard
// Time and saying so, or "" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(china).Format("2006-01-02 15:04") + "（北京时间）"
}

// ownsNow reports whether the orders give the product now.
func ownsNow(orders []shop.Order, cat *shop.Catalog, productID string, now time.Time) bool {
	for _, e := range shop.Entitlements(orders, cat) {
		if e.ProductID == productID && e.Active(now) {
			return true
		}
	}
	return false
}
