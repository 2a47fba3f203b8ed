package resolve_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/dingdang-voicepay/voicepay/skill/resolve"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"35", 35, true},
		{"３５", 35, true},
		{"0", 0, true},
		{"三十五", 35, true},
		{"卅五", 35, true},
		{"三五", 35, true},
		{"十二", 12, true},
		{"两百", 200, true},
		{"一千", 1000, true},
		{"一千二百", 1200, true},
		{"一千零五", 1005, true},
		{"两千", 2000, true},
		{"一万", 10_000, true},
		{"两万五千", 25_000, true},
		{"五", 5, true},
		{"十", 10, true},
		{"二十", 20, true},
		{"廿", 20, true},
		{"卌二", 42, true},
		{"一零零", 100, true},
		{"幺零八", 108, true},
		{"一百", 100, true},
		{"一百零一", 101, true},
		{"一百一十", 110, true},
		{"两", 2, true},
		{"一千零五十", 1050, true},
		{"十万", 100_000, true},
		{"一万二千三百四十五", 12_345, true},
		{"九千九百九十九万", 99_990_000, true},
		{"千百", 0, false},
		{"百", 0, false},
		{"十十", 0, false},
		{"三五十", 0, false},
		{"五卅", 0, false},
		{"一二三四五六七八九", 0, false},
		{"一亿", 0, false},
		{"二百三千", 0, false},
		{"一万二万", 0, false},
		{"三十五十", 0, false},
		{"一千一百", 1100, true},
		// Shortened, as people say them: the last unit left unsaid.
		{"一百二", 120, true},
		{"两百五", 250, true},
		{"九百九", 990, true},
		{"一千二", 1200, true},
		{"一万五", 15_000, true},
		{"一万二千五", 12_500, true},
		{"一百零二", 102, true},
		{"一千零二", 1002, true},
		{"十五", 15, true},
		{"一百二十", 120, true},
		{"1.5", 0, false},
		{"两个半", 0, false},
		{"99999999", 99_999_999, true},
		{"100000000", 0, false},
		{"999999999999999999999", 0, false},
		{"3个", 0, false},
		{"三个", 0, false},
		{"3千", 0, false},
		{"万", 0, false},
		{"千", 0, false},
		{"万古", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := resolve.Number(tt.in)
			if ok != tt.ok || ok && got != tt.want {
				t.Errorf("Number(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func ExampleNumber() {
	for _, s := range []string{"35", "三十五", "一千二百", "两万", "个"} {
		n, ok := resolve.Number(s)
		fmt.Println(s, n, ok)
	}
	// Output:
	// 35 35 true
	// 三十五 35 true
	// 一千二百 1200 true
	// 两万 20000 true
	// 个 0 false
}

// FuzzNumber: any text reads as a number in range or as none, and digits
// read as strconv reads them.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"35", "三十五", "一百二", "一万二千五", "一百零二", "1.5", "两个半", "万古", "卅五", "３５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := resolve.Number(s)
		if ok && (n < 0 || n > 99_999_999) {
			t.Fatalf("Number(%q) = %d, out of range", s, n)
		}
		if want, err := strconv.ParseInt(s, 10, 64); err == nil && s != "" && s[0] != '+' && s[0] != '-' && want <= 99_999_999 && (!ok || n != want) {
			t.Fatalf("Number(%q) = %d, %v; want %d", s, n, ok, want)
		}
	})
}
