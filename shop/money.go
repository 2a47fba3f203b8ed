package shop

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (1/100 yuan). All money in the project is
// a Fen; arithmetic on it goes through the checked helpers below.
type Fen int64

// ErrOverflow reports money or quantity arithmetic that does not fit in int64.
var ErrOverflow = errors.New("skill: amount overflows int64")

// AddFen returns a+b, or ErrOverflow.
func AddFen(a, b Fen) (Fen, error) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, ErrOverflow
	}
	return a + b, nil
}

// MulFen returns price×quantity, or ErrOverflow. Negative operands are allowed
// by the arithmetic; callers check signs where the domain forbids them.
func MulFen(price Fen, quantity int64) (Fen, error) {
	if price == 0 || quantity == 0 {
		return 0, nil
	}
	p := int64(price)
	r := p * quantity
	if r/quantity != p || (p == -1 && quantity == math.MinInt64) || (quantity == -1 && p == math.MinInt64) {
		return 0, ErrOverflow
	}
	return Fen(r), nil
}

// Yuan formats f the way a person says and reads a price: "19.9元", "2元",
// "0.05元". Trailing zeros of the fraction are dropped.
func (f Fen) Yuan() string {
	return f.Decimal() + "元"
}

// Decimal formats f in yuan without a unit: 1990 → "19.9".
func (f Fen) Decimal() string {
	neg := f < 0
	u := uint64(f)
	if neg {
		u = uint64(-(f + 1)) + 1 // safe for MinInt64
	}
	s := strconv.FormatUint(u/100, 10)
	if frac := u % 100; frac != 0 {
		fs := strings.TrimRight(strconv.FormatUint(frac+100, 10)[1:], "0")
		s += "." + fs
	}
	if neg {
		s = "-" + s
	}
	return s
}
