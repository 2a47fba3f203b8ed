package pay_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

var alnum32 = regexp.MustCompile(`^[0-9A-Za-z]{1,32}$`)

func TestTradeNo(t *testing.T) {
	req := fakeplatform.NewCreateOrder(strings.Repeat("长", 1000), line("credits", 2, 200))
	no := pay.TradeNo(req)
	if !alnum32.MatchString(no) || no[0] != 'T' || len(no) != 25 {
		t.Errorf("TradeNo = %q", no)
	}
	if pay.TradeNo(req) != no {
		t.Error("not deterministic")
	}
	seen := map[string]bool{no: true}
	for _, mod := range []func(*pay.CreateOrderRequest){
		func(r *pay.CreateOrderRequest) { r.NonceStr += "x" },
		func(r *pay.CreateOrderRequest) { r.UserToken += "x" },
		func(r *pay.CreateOrderRequest) { r.SkillID += "x" },
		func(r *pay.CreateOrderRequest) { r.TotalAmt++ },
		func(r *pay.CreateOrderRequest) { r.Details = append(r.Details, line("album", 1, 500)) },
		func(r *pay.CreateOrderRequest) { r.Details[0].Quantity++ },
	} {
		r := req
		r.Details = append(r.Details[:0:0], req.Details...)
		mod(&r)
		n := pay.TradeNo(r)
		if seen[n] {
			t.Errorf("collision %s", n)
		}
		seen[n] = true
	}
	for seq := 1; seq <= 99; seq++ {
		r := pay.RefundTradeNo(no, seq)
		if !alnum32.MatchString(r) || r[0] != 'R' {
			t.Errorf("RefundTradeNo(%d) = %q", seq, r)
		}
	}
	if r := pay.RefundTradeNo("T"+strings.Repeat("A", 31), 7); len(r) != 32 || !strings.HasSuffix(r, "07") {
		t.Errorf("long tradeNo: %q", r)
	}
}

func TestTruncateRetMsg(t *testing.T) {
	for _, s := range []string{"", "short", strings.Repeat("a", 40), strings.Repeat("退款", 20), "ab" + strings.Repeat("é", 30)} {
		got := pay.TruncateRetMsg(s)
		if len(got) > pay.MaxRetMsg || !utf8.ValidString(got) || !strings.HasPrefix(s, got) {
			t.Errorf("TruncateRetMsg(%q) = %q", s, got)
		}
		if len(s) <= pay.MaxRetMsg && got != s {
			t.Errorf("short message cut: %q", got)
		}
	}
	if r := pay.Fail(strings.Repeat("错", 20)); len(r.RetMsg) != 30 {
		t.Errorf("Fail kept %d bytes", len(r.RetMsg))
	}
}
