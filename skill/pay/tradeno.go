package pay

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
)

var tradeNoEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TradeNo derives the tradeNo of a create-order request: "T" followed by the
// unpadded base32 of the first 120 bits of SHA-256 over the skill id, the
// user token, the nonce, the details (sorted by item id) and the total, each
// length-prefixed. The same request always yields the same tradeNo (25
// characters, digits and upper-case letters), so a repeated create order finds
// the order it already made.
func TradeNo(req CreateOrderRequest) string {
	h := sha256.New()
	var buf [binary.MaxVarintLen64]byte
	field := func(s string) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	num := func(v int64) {
		h.Write(buf[:binary.PutVarint(buf[:], v)])
	}
	field("dingdang-voicepay/tradeNo/v1")
	field(req.SkillID)
	field(req.UserToken)
	field(req.NonceStr)
	lines := canonicalLines(req.Details)
	num(int64(len(lines)))
	for _, l := range lines {
		field(l.ItemID)
		num(l.Quantity)
		num(int64(l.Amount))
	}
	num(int64(req.TotalAmt))
	sum := h.Sum(nil)
	return "T" + tradeNoEncoding.EncodeToString(sum[:15])
}

// canonicalLines returns a copy of lines sorted by item id (then quantity
// and amount, for determinism even with duplicates).
func canonicalLines(lines []shop.Line) []shop.Line {
	out := slices.Clone(lines)
	slices.SortFunc(out, func(a, b shop.Line) int {
		if c := strings.Compare(a.ItemID, b.ItemID); c != 0 {
			return c
		}
		if a.Quantity != b.Quantity {
			if a.Quantity < b.Quantity {
				return -1
			}
			return 1
		}
		switch {
		case a.Amount < b.Amount:
			return -1
		case a.Amount > b.Amount:
			return 1
		}
		return 0
	})
	return out
}

// RefundTradeNo returns the refundTradeNo of the seq-th refund (1..99) of an
// order: "R", the tradeNo without its first character (cut so the whole fits
// 32 characters), and seq as two digits. It is deterministic, so a retried
// refund carries the same number and the platform applies it once.
func RefundTradeNo(tradeNo string, seq int) string {
	rest := tradeNo
	if rest != "" {
		rest = rest[1:]
	}
	if len(rest) > 29 {
		rest = rest[:29]
	}
	return fmt.Sprintf("R%s%02d", rest, seq)
}

// isAlnum reports whether s is 1..max ASCII letters and digits.
func isAlnum(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// isToken reports whether s is 1..max printable ASCII characters without
// spaces: the shape of ids and nonces the platform sends.
func isToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
