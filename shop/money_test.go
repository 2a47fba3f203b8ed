package shop_test

import (
	"errors"
	"math"
	"testing"

	"github.com/dingdang-voicepay/voicepay/shop"
)

func TestYuan(t *testing.T) {
	tests := []struct {
		fen  shop.Fen
		want string
	}{
		{0, "0元"}, {1, "0.01元"}, {5, "0.05元"}, {10, "0.1元"}, {200, "2元"},
		{1990, "19.9元"}, {1999, "19.99元"}, {100000, "1000元"}, {-150, "-1.5元"},
		{math.MinInt64, "-92233720368547758.08元"},
	}
	for _, tt := range tests {
		if got := tt.fen.Yuan(); got != tt.want {
			t.Errorf("Fen(%d).Yuan() = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestCheckedArithmetic(t *testing.T) {
	if _, err := shop.AddFen(math.MaxInt64, 1); !errors.Is(err, shop.ErrOverflow) {
		t.Errorf("MaxInt64+1: err = %v", err)
	}
	if _, err := shop.AddFen(math.MinInt64, -1); !errors.Is(err, shop.ErrOverflow) {
		t.Errorf("MinInt64-1: err = %v", err)
	}
	if s, err := shop.AddFen(math.MaxInt64-1, 1); err != nil || s != math.MaxInt64 {
		t.Errorf("MaxInt64-1+1 = %d, %v", s, err)
	}
	mulTests := []struct {
		p   shop.Fen
		q   int64
		ok  bool
		out shop.Fen
	}{
		{200, 3, true, 600},
		{math.MaxInt64, 1, true, math.MaxInt64},
		{math.MaxInt64 / 2, 3, false, 0},
		{1 << 32, 1 << 32, false, 0},
		{-1, math.MinInt64, false, 0},
		{math.MinInt64, -1, false, 0},
		{0, math.MaxInt64, true, 0},
	}
	for _, tt := range mulTests {
		got, err := shop.MulFen(tt.p, tt.q)
		if (err == nil) != tt.ok || got != tt.out {
			t.Errorf("MulFen(%d, %d) = %d, %v", tt.p, tt.q, got, err)
		}
	}
}

func FuzzMulFen(f *testing.F) {
	f.Add(int64(200), int64(3))
	f.Add(int64(math.MaxInt64), int64(2))
	f.Fuzz(func(t *testing.T, p, q int64) {
		got, err := shop.MulFen(shop.Fen(p), q)
		if err != nil {
			return
		}
		if q != 0 && (int64(got)/q != p || int64(got)%q != 0) {
			t.Fatalf("MulFen(%d, %d) = %d without error", p, q, got)
		}
	})
}
