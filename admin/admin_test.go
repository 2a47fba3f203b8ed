package admin_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dingdang-voicepay/voicepay/admin"
)

const secret = "admin-test-secret"

// server checks the bearer token as the skill's admin API does and echoes
// the method, path and body.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		claims := &jwt.RegisteredClaims{}
		_, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(), jwt.WithAudience(admin.Audience))
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid token"})
			return
		}
		var in map[string]any
		json.NewDecoder(r.Body).Decode(&in)
		json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "path": r.URL.RequestURI(), "in": in, "sub": claims.Subject})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient(t *testing.T) {
	srv := server(t)
	ctx := context.Background()
	c := &admin.Client{BaseURL: srv.URL + "/", Secret: []byte(secret)}
	var got map[string]any
	if err := c.Get(ctx, "/admin/orders?user=u1", &got); err != nil {
		t.Fatal(err)
	}
	if got["method"] != "GET" || got["path"] != "/admin/orders?user=u1" || got["sub"] != "admin" {
		t.Fatalf("GET: server saw %v", got)
	}
	if err := c.Post(ctx, "/admin/orders/T1/refund", map[string]int{"amount": 100}, &got); err != nil {
		t.Fatal(err)
	}
	if got["method"] != "POST" || got["in"].(map[string]any)["amount"] != 100.0 {
		t.Fatalf("POST: server saw %v", got)
	}
	wrong := &admin.Client{BaseURL: srv.URL, Secret: []byte("not-the-secret")}
	var ae *admin.Error
	err := wrong.Get(ctx, "/admin/orders", &got)
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Reason != "invalid token" {
		t.Fatalf("wrong secret: err = %v, want *admin.Error 401 invalid token", err)
	}
	if want := "admin: GET " + srv.URL + "/admin/orders: HTTP 401: invalid token"; err.Error() != want {
		t.Errorf("the refusal says %q, want %q (naming the server asked)", err, want)
	}
	expired := &admin.Client{BaseURL: srv.URL, Secret: []byte(secret), Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	if err := expired.Get(ctx, "/admin/orders", &got); !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("expired token: err = %v, want 401", err)
	}
}

func TestNewTokenRefuses(t *testing.T) {
	if _, err := admin.NewToken(nil, time.Minute, time.Now()); err == nil {
		t.Error("token without a secret")
	}
	if _, err := admin.NewToken([]byte(secret), 0, time.Now()); err == nil {
		t.Error("token without a lifetime")
	}
	if err := (&admin.Client{BaseURL: "http://127.0.0.1:1"}).Get(context.Background(), "/x", nil); err == nil {
		t.Error("client without a secret sent a request")
	}
}

// A listener without the admin API (the public one) answers 404 "Cannot
// GET ...": the error says where the admin API is.
func TestClientWrongListener(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "Cannot GET " + r.URL.Path})
	}))
	defer srv.Close()
	c := &admin.Client{BaseURL: srv.URL, Secret: []byte(secret), Operator: "t"}
	err := c.Get(context.Background(), "/admin/orders", nil)
	var ae *admin.Error
	if !errors.As(err, &ae) || ae.Status != 404 || !strings.Contains(ae.Reason, "SKILL_OPS_ADDR") {
		t.Errorf("wrong listener: %v", err)
	}
}
