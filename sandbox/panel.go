package sandbox

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// The simulator's side panel shows the skill's orders and entitlements to
// a person: in Chinese, products by name, an order's history as events.
// The skill's admin view (State.Orders, State.Entitlements) stays as the
// machines read it; these views are built from it.

// OrderView is an order as the side panel shows it.
type OrderView struct {
	TradeNo     string        `json:"tradeNo"`
	State       string        `json:"state"` // the state's code, e.g. DELIVERED
	Label       string        `json:"label"` // the state in words, e.g. 已发货
	TotalAmt    shop.Fen      `json:"totalAmt"`
	RefundedAmt shop.Fen      `json:"refundedAmt"`
	Items       string        `json:"items"`   // e.g. 万古神帝第35集 ×1
	History     []EventView   `json:"history"` // oldest first
	Refunds     []RefundShown `json:"refunds"`
}

// EventView is one entry of an order's history: a change of state (From
// and To, in words; From is "" for the first) or, when the state stays,
// an event (To is "").
type EventView struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"` // what happened, e.g. 收到发货通知
	From string    `json:"from,omitempty"`
	To   string    `json:"to,omitempty"`
}

// RefundShown is one refund of an order as the side panel shows it.
type RefundShown struct {
	RefundTradeNo string   `json:"refundTradeNo"`
	Amount        shop.Fen `json:"refundAmt"`
	Status        string   `json:"status"` // in words, e.g. 成功
}

// EntitlementView is something the user owns, as the side panel shows it.
type EntitlementView struct {
	ProductID string    `json:"productId"`
	Name      string    `json:"name"`
	Kind      shop.Kind `json:"kind"`
	Quantity  int64     `json:"quantity,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// stateLabels are the order states in words.
var stateLabels = map[shop.OrderState]string{
	shop.StateCreated:           "待支付",
	shop.StatePaid:              "已付款",
	shop.StateDelivered:         "已发货",
	shop.StateClosed:            "已关闭",
	shop.StateRefunding:         "退款中",
	shop.StateRefunded:          "已退款",
	shop.StatePartiallyRefunded: "部分退款",
}

// refundLabels are the refund statuses in words.
var refundLabels = map[string]string{
	string(shop.RefundProcessing): "处理中",
	string(shop.RefundSuccess):    "成功",
	string(shop.RefundFail):       "失败",
}

// queryLabels are the platform's orderquery statuses in words.
var queryLabels = map[string]string{pay.TradeSuccess: "已付款", pay.TradeNotPay: "未付款", pay.TradeFail: "支付失败",
	pay.TradeProcessing: "支付中"}

// label returns the words of a code in labels, or the code itself.
func label[K ~string](labels map[K]string, code K) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return string(code)
}

// causes are the history causes the skill records (shop, skill/pay), each
// with its words (m: the match and its groups). A cause none of them
// matches is shown as recorded.
var causes = []struct {
	re    *regexp.Regexp
	words func(m []string) string
}{
	{regexp.MustCompile(`^create order$`), said("平台下单")},
	{regexp.MustCompile(`^ship notify$`), said("收到发货通知")},
	{regexp.MustCompile(`^orderquery SUCCESS$`), said("查询订单：已付款")},
	{regexp.MustCompile(`^orderquery SUCCESS \(reconcile\)$`), said("对账查询订单：已付款")},
	{regexp.MustCompile(`^delivered$`), said("开通已购内容")},
	{regexp.MustCompile(`^expired unpaid$`), said("超过支付时限未付款")},
	{regexp.MustCompile(`^orderquery FAIL (\d+) times past the payment window$`), func(m []string) string {
		return "超过支付时限，查询订单失败" + m[1] + "次"
	}},
	{regexp.MustCompile(`^orderquery (\w+) past the payment window$`), func(m []string) string {
		return "超过支付时限，查询订单：" + label(queryLabels, m[1])
	}},
	{regexp.MustCompile(`^refund (\S+) requested$`), func(m []string) string { return "申请退款 " + m[1] }},
	{regexp.MustCompile(`^refund (\S+) (\w+)$`), func(m []string) string { return "退款 " + m[1] + " " + label(refundLabels, m[2]) }},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(shop.CauseResumed) + `$`), said("付款后继续了原来的请求")},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(shop.CausePageClosed) + `$`), said("付款页面关闭，没有付款")},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(shop.CauseLinked) + `: .* → ` + regexp.QuoteMeta(shop.AccountPrefix) + `(.*)$`), func(m []string) string {
		return "转到关联账号 " + m[1]
	}},
	{regexp.MustCompile(`^` + regexp.QuoteMeta(shop.DuplicateCause) + `(\S+); refund (\S+)$`), func(m []string) string {
		return "重复付款（已由订单 " + m[1] + " 购买），自动退款 " + m[2]
	}},
}

// said is words that take nothing from the cause.
func said(words string) func([]string) string { return func([]string) string { return words } }

// causeWords says a history cause in words.
func causeWords(cause string) string {
	for _, c := range causes {
		if m := c.re.FindStringSubmatch(cause); m != nil {
			return c.words(m)
		}
	}
	return cause
}

// orderViews builds the side panel's orders from the admin view's JSON;
// names gives a product's name by id.
func orderViews(raw json.RawMessage, names func(id string) string) []OrderView {
	var orders []shop.Order
	if json.Unmarshal(raw, &orders) != nil {
		return []OrderView{}
	}
	views := make([]OrderView, 0, len(orders))
	for _, o := range orders {
		v := OrderView{TradeNo: o.TradeNo, State: string(o.State), Label: label(stateLabels, o.State),
			TotalAmt: o.TotalAmt, RefundedAmt: o.RefundedAmt, History: []EventView{}, Refunds: []RefundShown{}}
		items := make([]string, 0, len(o.Details))
		for _, l := range o.Details {
			items = append(items, names(l.ItemID)+" ×"+strconv.FormatInt(l.Quantity, 10))
		}
		v.Items = strings.Join(items, "，")
		for _, h := range o.History {
			e := EventView{At: h.At, Text: causeWords(h.Cause)}
			if h.From != h.To {
				e.To = label(stateLabels, h.To)
				if h.From != "" {
					e.From = label(stateLabels, h.From)
				}
			}
			if h.By != "" {
				e.Text += "（操作人 " + h.By + "）"
			}
			v.History = append(v.History, e)
		}
		for _, r := range o.Refunds {
			v.Refunds = append(v.Refunds, RefundShown{RefundTradeNo: r.RefundTradeNo, Amount: r.Amount,
				Status: label(refundLabels, string(r.Status))})
		}
		views = append(views, v)
	}
	return views
}

// entitlementViews builds the side panel's entitlements from the admin
// view's JSON; names gives a product's name by id.
func entitlementViews(raw json.RawMessage, names func(id string) string) []EntitlementView {
	var ents []shop.Entitlement
	if json.Unmarshal(raw, &ents) != nil {
		return []EntitlementView{}
	}
	views := make([]EntitlementView, 0, len(ents))
	for _, e := range ents {
		views = append(views, EntitlementView{ProductID: e.ProductID, Name: names(e.ProductID), Kind: e.Kind,
			Quantity: e.Quantity, ExpiresAt: e.ExpiresAt})
	}
	return views
}
