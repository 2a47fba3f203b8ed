package sandbox

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// english is a word a person reading the panel would have to translate
// (the ids in the test causes are neither lowercase nor status words).
var english = regexp.MustCompile(`\b[a-z]{2,}\b|\b(SUCCESS|FAIL|NOTPAY|PROCESSING)\b`)

// TestCauseWords: every history cause the skill records reads in Chinese
// in the simulator's side panel; ids stay as they are.
func TestCauseWords(t *testing.T) {
	for cause, want := range map[string]string{
		"create order":                   "平台下单",
		"ship notify":                    "收到发货通知",
		"orderquery SUCCESS":             "查询订单：已付款",
		"orderquery SUCCESS (reconcile)": "对账查询订单：已付款",
		"delivered":                      "开通已购内容",
		"expired unpaid":                 "超过支付时限未付款",
		"orderquery NOTPAY past the payment window":       "超过支付时限，查询订单：未付款",
		"orderquery FAIL past the payment window":         "超过支付时限，查询订单：支付失败",
		"orderquery FAIL 3 times past the payment window": "超过支付时限，查询订单失败3次",
		"refund RT1A01 requested":                         "申请退款 RT1A01",
		"refund RT1A01 SUCCESS":                           "退款 RT1A01 成功",
		"refund RT1A01 FAIL":                              "退款 RT1A01 失败",
		shop.CauseResumed:                                 "付款后继续了原来的请求",
		shop.CauseLinked + ": U1 → account:张三":            "转到关联账号 张三",
		shop.DuplicateCause + "T1; refund RT2A01":         "重复付款（已由订单 T1 购买），自动退款 RT2A01",
		"something new":                                   "something new", // shown as recorded
	} {
		if got := causeWords(cause); got != want {
			t.Errorf("causeWords(%q) = %q, want %q", cause, got, want)
		}
		if got := causeWords(cause); cause != "something new" && english.MatchString(got) {
			t.Errorf("causeWords(%q) = %q: English left", cause, got)
		}
	}
}

// TestOrderViews: products by name, states in words, and an entry that
// changes no state is an event, not "X → X".
func TestOrderViews(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	raw, _ := json.Marshal([]shop.Order{{TradeNo: "T1", State: shop.StateDelivered, TotalAmt: 200,
		Details: []shop.Line{{ItemID: "ep36", Quantity: 1, Amount: 200}},
		History: []shop.Transition{
			{To: shop.StateCreated, At: at, Cause: "create order"},
			{From: shop.StateCreated, To: shop.StatePaid, At: at, Cause: "ship notify"},
			{From: shop.StatePaid, To: shop.StateDelivered, At: at, Cause: "delivered"},
			{From: shop.StateDelivered, To: shop.StateDelivered, At: at, Cause: shop.CauseResumed},
		}}})
	names := func(id string) string { return map[string]string{"ep36": "万古神帝第36集"}[id] }
	want := []OrderView{{TradeNo: "T1", State: "DELIVERED", Label: "已发货", TotalAmt: 200, Items: "万古神帝第36集 ×1",
		History: []EventView{
			{At: at, Text: "平台下单", To: "待支付"},
			{At: at, Text: "收到发货通知", From: "待支付", To: "已付款"},
			{At: at, Text: "开通已购内容", From: "已付款", To: "已发货"},
			{At: at, Text: "付款后继续了原来的请求"},
		}, Refunds: []RefundShown{}}}
	if got := orderViews(raw, names); !reflect.DeepEqual(got, want) {
		t.Errorf("orderViews:\n got %+v\nwant %+v", got, want)
	}
	raw, _ = json.Marshal([]shop.Entitlement{{ProductID: "ep36", Kind: shop.KindEntitlement}})
	if got := entitlementViews(raw, names); len(got) != 1 || got[0].Name != "万古神帝第36集" {
		t.Errorf("entitlementViews: %+v", got)
	}
}
