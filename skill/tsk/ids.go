package tsk

import (
	"github.com/dingdang-voicepay/voicepay/shop"
)

// CheckIDs refuses a request whose ids (session, user, device, request,
// application, access token) hold a control character: the edge's half of
// keeping store keys sound (shop.CheckID). The error names the field.
func (r *Request) CheckIDs() error {
	for _, f := range []struct{ name, id string }{
		{"session.sessionId", r.Session.SessionID},
		{"user.userId", r.UserID()},
		{"user.accessToken", r.AccessToken()},
		{"device.deviceId", r.DeviceID()},
		{"application.applicationId", r.SkillID()},
		{"request.requestId", r.Request.RequestID},
	} {
		if err := shop.CheckID(f.name, f.id); err != nil {
			return err
		}
	}
	return nil
}
