package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// TestOrdersListTimes: the table prints times in China Standard Time with
// the offset, as the order page shows them, whatever the machine's zone.
func TestOrdersListTimes(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out bytes.Buffer
	if err := printOrders(&out, []server.OrderView{{TradeNo: "T1", State: "DELIVERED", UserID: "alice", CreatedAt: created}}, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2026-01-02 11:04:05 +08:00") {
		t.Errorf("orders list:\n%s", &out)
	}
}

// TestOrdersShow: orders show prints the order for a person, its times in
// China Standard Time as orders list prints them.
func TestOrdersShow(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	o := server.OrderView{TradeNo: "T1", State: shop.StateRefunding, UserID: "alice", TotalAmt: 300, Deliveries: 1,
		TransactionID: "DD1", Details: []shop.Line{{ItemID: "coins", Quantity: 3, Amount: 300}},
		Refunds: []shop.Refund{{RefundTradeNo: "R1", Amount: 100, Status: shop.RefundProcessing, CreatedAt: at, UpdatedAt: at,
			QueryFails: shop.QueryFails{Count: 5, Since: at, At: at, Why: "resend_refused", RetMsg: "订单不存在或未支付"}}},
		CreatedAt: at, UpdatedAt: at, QueryFails: shop.QueryFails{Count: 2, Since: at, At: at, Why: "ret_fail"},
		History: []shop.Transition{{To: shop.StateCreated, At: at, Cause: "create order"},
			{From: shop.StateDelivered, To: shop.StateRefunding, At: at, Cause: "refund R1 requested", By: "cli"}}}
	var out bytes.Buffer
	if err := printOrder(&out, o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tradeNo      T1\n", "state        REFUNDING\n", "total        3元\n",
		"created      2026-01-02 11:04:05 +08:00\n", "query fails  2 in a row since 2026-01-02 11:04:05 +08:00, the last ret_fail\n",
		"coins  3         3元\n",
		"R1             1元     PROCESSING  not acknowledged yet (the reconciler asks the platform)  2026-01-02 11:04:05 +08:00",
		"query fails of R1  5 in a row since 2026-01-02 11:04:05 +08:00, the last resend_refused 订单不存在或未支付\n",
		"2026-01-02 11:04:05 +08:00  DELIVERED  REFUNDING  cli  refund R1 requested\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("orders show lacks %q:\n%s", want, &out)
		}
	}
	if strings.Contains(out.String(), "Z") || strings.Contains(out.String(), "{") {
		t.Errorf("orders show prints UTC or JSON:\n%s", &out)
	}
}
