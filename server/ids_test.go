package server_test

import (
	"net/http"
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestSkillIDsWithControlCharacters: a signed skill request whose ids hold
// a control character is refused with 400 before the dialog or any store
// sees it; unicode ids are fine.
func TestSkillIDsWithControlCharacters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		req  *tsk.Request
		want int
	}{
		{"userId with NUL", fakeplatform.NewLaunch(fakeplatform.WithUser("victim\x00zz")), http.StatusBadRequest},
		{"sessionId with a newline", fakeplatform.NewLaunch(fakeplatform.WithSession("s\n1")), http.StatusBadRequest},
		{"deviceId with ESC", fakeplatform.NewLaunch(fakeplatform.WithDevice("d\x1b[31m")), http.StatusBadRequest},
		{"userId with a C1 control", fakeplatform.NewLaunch(fakeplatform.WithUser("u\u0085")), http.StatusBadRequest},
		{"unicode ids", fakeplatform.NewLaunch(fakeplatform.WithUser("用户/一:{x}"), fakeplatform.WithSession("会话")), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, auth := tsktest.SignRSA2(tt.req)
			r := f.post(t, "/skill", body, auth)
			if r.status != tt.want {
				t.Fatalf("status %d (%s); want %d", r.status, r.body, tt.want)
			}
			if tt.want == http.StatusBadRequest && r.errorText() != "bad id" {
				t.Errorf("reason %q; want bad id", r.errorText())
			}
		})
	}
	// Nothing was stored for the refused user.
	if orders, err := f.store.Orders(t.Context(), shop.OrderFilter{UserID: "victim\x00zz"}); err != nil || len(orders) != 0 {
		t.Errorf("orders of the refused user: %v, %v", orders, err)
	}
}
