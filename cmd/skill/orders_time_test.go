package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
)

// TestOrdersListTimes: the table prints times in China Standard Time with
// the offset, as the order page shows them, whatever the machine's zone.
func TestOrdersListTimes(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out bytes.Buffer
	if err := printOrders(&out, []server.OrderView{{TradeNo: "T1", State: "DELIVERED", UserID: "alice", CreatedAt: created}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2026-01-02 11:04:05 +08:00") {
		t.Errorf("orders list:\n%s", &out)
	}
}
