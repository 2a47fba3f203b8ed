package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// TestOrdersListColumns: the columns after an amount ("2元", "12.50元")
// start at the same terminal column on every line, though 元 takes two.
func TestOrdersListColumns(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out bytes.Buffer
	err := printOrders(&out, []server.OrderView{
		{TradeNo: "T1", State: shop.StateDelivered, UserID: "alice", TotalAmt: 200, CreatedAt: at},
		{TradeNo: "T2", State: shop.StateRefunded, UserID: "bob", TotalAmt: 1250, RefundedAmt: 1250, Deliveries: 1, CreatedAt: at},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("orders list:\n%s", &out)
	}
	want := cellColumns(lines[0])
	for _, line := range lines[1:] {
		if got := cellColumns(line); !slices.Equal(got, want) {
			t.Errorf("cells start at columns %v, want %v (as in the header):\n%s", got, want, &out)
		}
	}
}

// cellColumns is the terminal column each cell of a table line starts at;
// cells are apart by two spaces or more.
func cellColumns(line string) []int {
	var cols []int
	col, spaces := 0, 2
	for _, r := range line {
		if r != ' ' && spaces >= 2 {
			cols = append(cols, col)
		}
		if r == ' ' {
			spaces++
		} else {
			spaces = 0
		}
		col += displayWidth(string(r))
	}
	return cols
}

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "2元": 3, "听书币": 6, "Ａ": 2} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestOrdersListNone: with no orders, orders list says so instead of
// printing a lone header, as orders attention does; a filtered list says
// that none matched.
func TestOrdersListNone(t *testing.T) {
	for _, tt := range []struct {
		filtered bool
		want     string
	}{{false, "no orders yet\n"}, {true, "no orders match\n"}} {
		var out bytes.Buffer
		if err := printOrders(&out, nil, tt.filtered); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != tt.want {
			t.Errorf("orders list (filtered %v) with none: %q, want %q", tt.filtered, got, tt.want)
		}
	}
}

// TestAttentionNone: with nothing to show, orders attention says so
// instead of printing a lone header.
func TestAttentionNone(t *testing.T) {
	var out bytes.Buffer
	if err := printAttention(&out, nil); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "nothing needs attention") || strings.Contains(got, "TRADENO") {
		t.Errorf("orders attention with nothing: %q", got)
	}
	out.Reset()
	if err := printAttention(&out, []pay.Attention{{TradeNo: "T1", Reason: pay.AttentionMismatch, Amount: 200}}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "SINCE") || !strings.Contains(got, "T1") {
		t.Errorf("orders attention with one item:\n%s", got)
	}
}
