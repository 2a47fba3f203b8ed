package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// awkwardIDs are ids that break a key encoding which is not injective: the
// separators stores use (NUL, ':', '/', '{', '}'), escapes, unicode, and
// 1 KB lengths; many are a prefix of another or differ only after a
// separator. Ids are valid UTF-8 (orders are stored as JSON, and the edge
// refuses anything else).
var awkwardIDs = []string{
	"victim",
	"victim\x00",
	"victim\x00zz",
	"victim\x00T1",
	"victim:",
	"victim:orders",
	"victim}:orders",
	"victim/",
	"victim/..",
	"victim%00",
	"victim%",
	"{victim}",
	"vic",
	"",
	"用户\u2028名",
	"\x00",
	strings.Repeat("v", 1024),
	strings.Repeat("v", 1024) + "\x00",
	strings.Repeat("用", 341),
}

func testKeysInjective(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	// One order per awkward user; each user must list exactly their own.
	byUser := map[string]string{}
	for i, u := range awkwardIDs {
		tradeNo := fmt.Sprintf("T%02d", i)
		byUser[u] = tradeNo
		mustCreate(t, s, NewOrder(tradeNo, u, base.Add(time.Duration(i)*time.Minute)))
	}
	for u, tradeNo := range byUser {
		if u == "" {
			continue // the zero filter lists every user
		}
		got, err := s.Orders(ctx, shop.OrderFilter{UserID: u})
		if err != nil {
			t.Errorf("Orders(user %q): %v", u, err)
			continue
		}
		if g := fmt.Sprint(tradeNos(got)); g != "["+tradeNo+"]" {
			t.Errorf("Orders(user %q) = %s, want [%s]", u, g, tradeNo)
		}
	}
	all, err := s.Orders(ctx, shop.OrderFilter{})
	if err != nil || len(all) != len(awkwardIDs) {
		t.Errorf("Orders() = %d orders, %v; want %d", len(all), err, len(awkwardIDs))
	}
}

func testTradeNosInjective(t *testing.T, s shop.OrderStore) {
	ctx := context.Background()
	for i, no := range awkwardIDs {
		if no == "" {
			continue // an order needs a tradeNo
		}
		o := NewOrder(no, fmt.Sprintf("u%d", i), base.Add(time.Duration(i)*time.Second))
		mustCreate(t, s, o)
	}
	for i, no := range awkwardIDs {
		if no == "" {
			continue
		}
		got, err := s.Order(ctx, no)
		if err != nil || got.TradeNo != no || got.UserID != fmt.Sprintf("u%d", i) {
			t.Errorf("Order(%q) = %q of %q, %v", no, got.TradeNo, got.UserID, err)
		}
		if _, err := s.UpdateOrder(ctx, no, func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) }); err != nil {
			t.Errorf("UpdateOrder(%q): %v", no, err)
		}
		list, err := s.Orders(ctx, shop.OrderFilter{UserID: fmt.Sprintf("u%d", i)})
		if err != nil || len(list) != 1 || list[0].TradeNo != no || list[0].State != shop.StateDelivered {
			t.Errorf("Orders(u%d) = %v, %v", i, tradeNos(list), err)
		}
	}
}
