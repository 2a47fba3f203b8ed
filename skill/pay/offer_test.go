package pay_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

func TestOffers(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: now}
	f := &pay.Offers{Secret: []byte("s3cret"), Now: clk.Now}
	offer := pay.Offer{UserID: "u1", Items: []shop.Line{line("credits", 2, 200), line("album", 1, 500)}, TotalAmt: 700}
	tok, err := f.Issue(offer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Verify(tok)
	if err != nil || got.UserID != "u1" || got.TotalAmt != 700 || len(got.Items) != 2 {
		t.Fatalf("Verify = %+v, %v", got, err)
	}

	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"uid": "u1", "exp": now.Add(time.Hour).Unix()})
	noneTok, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	other, _ := (&pay.Offers{Secret: []byte("other"), Now: clk.Now}).Issue(offer)
	parts := strings.Split(tok, ".")
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"forged", other, pay.ErrOfferInvalid},
		{"alg none", noneTok, pay.ErrOfferInvalid},
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), pay.ErrOfferInvalid},
		{"garbage", "x.y.z", pay.ErrOfferInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Verify(tc.token); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	clk.Advance(16 * time.Minute)
	if _, err := f.Verify(tok); !errors.Is(err, pay.ErrOfferExpired) {
		t.Errorf("after TTL: %v, want ErrOfferExpired", err)
	}
	// A forged token that is also expired is invalid, not expired.
	if _, err := f.Verify(other); !errors.Is(err, pay.ErrOfferInvalid) {
		t.Errorf("forged and expired: %v", err)
	}
}

func TestOfferMatch(t *testing.T) {
	offer := pay.Offer{UserID: "u1", Items: []shop.Line{line("credits", 2, 200), line("album", 1, 500)}, TotalAmt: 700}
	req := func(total shop.Fen, lines ...shop.Line) pay.CreateOrderRequest {
		return pay.CreateOrderRequest{Details: lines, TotalAmt: total}
	}
	tests := []struct {
		name string
		req  pay.CreateOrderRequest
		ok   bool
	}{
		{"same", req(700, line("credits", 2, 200), line("album", 1, 500)), true},
		{"reordered", req(700, line("album", 1, 500), line("credits", 2, 200)), true},
		{"other total", req(701, line("credits", 2, 200), line("album", 1, 500)), false},
		{"other quantity", req(700, line("credits", 3, 200), line("album", 1, 500)), false},
		{"missing line", req(200, line("credits", 2, 200)), false},
		{"extra line", req(800, line("credits", 2, 200), line("album", 1, 500), line("ep1", 1, 100)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := offer.Match(tc.req)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, pay.ErrOfferMismatch)) {
				t.Errorf("Match = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
