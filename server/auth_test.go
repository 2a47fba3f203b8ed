package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestNewAuth uses the middleware on its own, with its default config.
func TestNewAuth(t *testing.T) {
	app := fiber.New()
	app.Post("/hook", server.NewAuth(server.AuthConfig{
		Verifier: tsktest.PlatformVerifier(nil),
	}), func(c *fiber.Ctx) error {
		v := server.Verified(c, "")
		return c.SendString(v.Auth.Algorithm + " " + string(v.Body))
	})
	body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch())
	tests := []struct {
		name, auth string
		want       int
		wantBody   string
	}{
		{"rsa2", auth, 200, "TSK-RSA2 " + string(body)},
		{"unsigned", "", 401, `{"error":"not signed"}`},
		{"hmac refused", tsktest.SignBodyHMAC(body, tsktest.MustDecode(t, body).Time()), 401, `{"error":"algorithm not allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := app.Test(tsktest.NewHTTPRequest("http://x/hook", body, tt.auth))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want || strings.TrimSpace(string(got)) != tt.wantBody {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, got, tt.want, tt.wantBody)
			}
		})
	}
	if resp, _ := app.Test(httpGet("http://x/hook")); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func httpGet(url string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, url, nil)
	return r
}
