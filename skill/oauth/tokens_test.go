package oauth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

var (
	key    = []byte("the service's key of thirty-two.")
	t0     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tokens = &oauth.Tokens{Keys: [][]byte{key}, Audience: "skill-a", Now: func() time.Time { return t0 }}
)

// sign makes a token with any claims, method and key.
func sign(t *testing.T, m jwt.SigningMethod, k any, c jwt.RegisteredClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	good, err := tokens.Issue("acct-alice", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(mod func(*jwt.RegisteredClaims)) jwt.RegisteredClaims {
		c := jwt.RegisteredClaims{Issuer: oauth.DefaultIssuer, Subject: "acct-alice", Audience: jwt.ClaimStrings{"skill-a"},
			IssuedAt: jwt.NewNumericDate(t0), ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour))}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	later := &oauth.Tokens{Keys: [][]byte{key}, Audience: "skill-a", Now: func() time.Time { return t0.Add(time.Hour + time.Minute) }}
	rotated := &oauth.Tokens{Keys: [][]byte{[]byte("a new key"), key}, Audience: "skill-a", Now: tokens.Now}
	tests := []struct {
		name   string
		tokens *oauth.Tokens
		token  string
		want   error
	}{
		{"issued", tokens, good, nil},
		{"after a key rotation", rotated, good, nil},
		{"expired", later, good, oauth.ErrTokenExpired},
		{"forged", tokens, sign(t, jwt.SigningMethodHS256, []byte("someone else's key"), claims(nil)), oauth.ErrTokenSignature},
		{"altered", tokens, good[:len(good)-2] + "xx", oauth.ErrTokenSignature},
		{"alg none", tokens, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)), oauth.ErrTokenSignature},
		{"other audience", tokens, sign(t, jwt.SigningMethodHS256, key, claims(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"skill-b"} })), oauth.ErrTokenAudience},
		{"other issuer", tokens, sign(t, jwt.SigningMethodHS256, key, claims(func(c *jwt.RegisteredClaims) { c.Issuer = "elsewhere" })), oauth.ErrTokenAudience},
		{"no expiry", tokens, sign(t, jwt.SigningMethodHS256, key, claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })), oauth.ErrTokenMalformed},
		{"issued in the future", tokens, sign(t, jwt.SigningMethodHS256, key, claims(func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(t0.Add(time.Hour)) })), oauth.ErrTokenExpired},
		{"no subject", tokens, sign(t, jwt.SigningMethodHS256, key, claims(func(c *jwt.RegisteredClaims) { c.Subject = "" })), oauth.ErrTokenMalformed},
		{"not a JWT", tokens, "not-a-token", oauth.ErrTokenMalformed},
		{"empty", tokens, "", oauth.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct, err := tt.tokens.Verify(tt.token)
			if !errors.Is(err, tt.want) || (tt.want == nil && acct != "acct-alice") || (tt.want != nil && acct != "") {
				t.Errorf("Verify = %q, %v; want %v", acct, err, tt.want)
			}
		})
	}
}

func TestIssueRefusesBadAccounts(t *testing.T) {
	for _, acct := range []string{"", "a\nb", strings.Repeat("x", shop.MaxAccountID+1)} {
		if _, err := tokens.Issue(acct, time.Hour); err == nil {
			t.Errorf("Issue(%q) succeeded", acct)
		}
	}
	if _, err := (&oauth.Tokens{Audience: "a"}).Issue("a", time.Hour); err == nil {
		t.Error("Issue without a key succeeded")
	}
}

// settler records the owners it is asked to settle.
type settler struct{ owners []string }

func (s *settler) SettleMoved(_ context.Context, owner string) error {
	s.owners = append(s.owners, owner)
	return nil
}

func TestLinker(t *testing.T) {
	ctx := context.Background()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "skill.db"), bolt.Config{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tradeNo := range []string{"T1", "T2"} {
		if _, _, err := st.CreateOrder(ctx, storetest.NewOrder(tradeNo, "u1", t0)); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	settled := &settler{}
	l := &oauth.Linker{Tokens: tokens, Orders: st, Duplicates: settled, Now: tokens.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	good, _ := tokens.Issue("acct-alice", time.Hour)
	owner := shop.AccountOwner("acct-alice")

	if got := l.Account(ctx, "u1", "forged.token.here"); got != "" || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("forged token: %q, logs %q; want no account and a warning", got, logs.String())
	}
	if orders, _ := st.Orders(ctx, shop.OrderFilter{UserID: "u1"}); len(orders) != 2 {
		t.Errorf("a forged token moved orders: u1 has %d", len(orders))
	}
	for range 2 { // the second linking finds nothing to move
		if got := l.Account(ctx, "u1", good); got != "acct-alice" {
			t.Fatalf("Account = %q", got)
		}
	}
	orders, _ := st.Orders(ctx, shop.OrderFilter{UserID: owner})
	if len(orders) != 2 || len(orders[0].History) != 1 {
		t.Errorf("account owns %d orders (%+v); want both, each moved once", len(orders), orders)
	}
	if want := []string{owner}; !slices.Equal(settled.owners, want) {
		t.Errorf("duplicates settled for %q, want %q: once, after the move", settled.owners, want)
	}
	if got, err := l.MovedTo(ctx, "u1"); got != owner || err != nil {
		t.Errorf("MovedTo(u1) = %q, %v; want %q", got, err, owner)
	}
	if got := l.Account(ctx, "u2", good); got != "acct-alice" { // a new userId, the same person
		t.Errorf("Account for a second userId = %q", got)
	}
	if got, err := l.MovedTo(ctx, "u2"); got != "" || err != nil { // nothing of u2's moved
		t.Errorf("MovedTo(u2) = %q, %v; want none", got, err)
	}
	if got := l.Account(ctx, "u1", ""); got != "" {
		t.Errorf("no token: %q", got)
	}
}
