package fakeplatform

import (
	"crypto/rand"
	"sort"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Option changes a request under construction.
type Option func(*tsk.Request)

// Defaults of the request builders.
const (
	DefaultUserID    = "test-user"
	DefaultDeviceID  = "test-device"
	DefaultSessionID = "test-session"
)

// base returns a request of the given type with the defaults: skill
// DefaultSkillID, user DefaultUserID, device DefaultDeviceID (screenless: only
// AudioPlayer, like the platform's examples), a new session DefaultSessionID,
// a fresh request id (NewRequestID) and the current time.
func base(typ string, opts []Option) *tsk.Request {
	r := &tsk.Request{
		Version: tsk.Version,
		Session: tsk.Session{New: true, SessionID: DefaultSessionID},
		Context: tsk.Context{System: tsk.System{
			Application: tsk.Application{ApplicationID: DefaultSkillID},
			Device:      tsk.Device{DeviceID: DefaultDeviceID},
			User:        tsk.User{UserID: DefaultUserID},
		}},
		Request: tsk.Body{
			Type:      typ,
			RequestID: NewRequestID(),
			Timestamp: tsk.FormatTime(time.Now()),
		},
	}
	WithDeviceKind(device.Screenless)(r)
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewRequestID returns a request id that no other request has, sent by
// this process or any other: "req-" and 26 random base32 characters from
// crypto/rand. The skill refuses a request id it has seen (401 "replayed"),
// so ids numbered from 1 in every process would clash between two runs of a
// command against the same server, or a server and a restarted sandbox.
// Tests that need a fixed id pass WithRequestID.
func NewRequestID() string { return "req-" + rand.Text() }

// NewLaunch returns a LaunchRequest.
func NewLaunch(opts ...Option) *tsk.Request {
	return base(tsk.TypeLaunch, opts)
}

// NewIntent returns an IntentRequest for the intent name with one text slot
// per entry of slots (value and origin both the string), dialog state
// STARTED and confirmation status NONE.
func NewIntent(name string, slots map[string]string, opts ...Option) *tsk.Request {
	in := &tsk.Intent{Name: name, ConfirmationStatus: tsk.NoConfirmation, Slots: map[string]tsk.Slot{}}
	for k, v := range slots {
		in.Slots[k] = textSlot(k, v)
	}
	r := base(tsk.TypeIntent, nil)
	r.Request.Intent = in
	r.Request.DialogState = tsk.DialogStarted
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewConnectionsResponse returns the Connections.Response named Charge that
// the platform sends after a payment: partnerOrderID is the skill's tradeNo,
// dingdangOrderID the platform's order id.
func NewConnectionsResponse(partnerOrderID, dingdangOrderID string, opts ...Option) *tsk.Request {
	r := base(tsk.TypeConnectionsResponse, nil)
	r.Request.Name = tsk.ChargeName
	r.Request.Payload = &tsk.ChargeResult{DingdangOrderID: dingdangOrderID, PartnerOrderID: partnerOrderID}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewSessionEnded returns a SessionEndedRequest with the reason
// (tsk.ReasonUserInitiated or tsk.ReasonError); use WithSessionError to add
// an error.
func NewSessionEnded(reason string, opts ...Option) *tsk.Request {
	r := base(tsk.TypeSessionEnded, nil)
	r.Request.Reason = reason
	r.Session.New = false
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewElementSelected returns a Display.ElementSelected request for the list
// item token, from a screened device.
func NewElementSelected(token string, opts ...Option) *tsk.Request {
	r := base(tsk.TypeElementSelected, nil)
	r.Request.Token = token
	r.Session.New = false
	WithDeviceKind(device.Screened)(r)
	for _, o := range opts {
		o(r)
	}
	return r
}

// NewEvent returns a request of any other type: a player event such as
// "AudioPlayer.PlaybackStarted", or a type the platform adds later. It has
// no session and no user unless options give them.
func NewEvent(typ string, opts ...Option) *tsk.Request {
	r := base(typ, nil)
	r.Session = tsk.Session{}
	r.Context.System.User = tsk.User{}
	for _, o := range opts {
		o(r)
	}
	return r
}

// WithDeviceKind makes the device one of kind k: its supportedInterfaces
// are the kind's typical ones (device.Kind.Interfaces).
func WithDeviceKind(k *device.Kind) Option {
	return func(r *tsk.Request) {
		r.Context.System.Device.SupportedInterfaces = k.SupportedInterfaces()
	}
}

// WithUser sets the platform user id.
func WithUser(id string) Option {
	return func(r *tsk.Request) { r.Context.System.User.UserID = id }
}

// WithAccessToken sets the account-linking access token.
func WithAccessToken(tok string) Option {
	return func(r *tsk.Request) { r.Context.System.User.AccessToken = tok }
}

// WithDevice sets the device id.
func WithDevice(id string) Option {
	return func(r *tsk.Request) { r.Context.System.Device.DeviceID = id }
}

// WithSkill sets the applicationId (to test requests meant for another skill).
func WithSkill(id string) Option {
	return func(r *tsk.Request) { r.Context.System.Application.ApplicationID = id }
}

// WithSession sets the session id.
func WithSession(id string) Option {
	return func(r *tsk.Request) { r.Session.SessionID = id }
}

// WithNewSession sets session.new.
func WithNewSession(isNew bool) Option {
	return func(r *tsk.Request) { r.Session.New = isNew }
}

// WithTime sets the request timestamp; signing helpers that sign a request
// at its timestamp (tsktest's) sign at this time, while Platform.Skill sets
// it to now.
func WithTime(t time.Time) Option {
	return func(r *tsk.Request) { r.Request.Timestamp = tsk.FormatTime(t) }
}

// WithRequestID sets the request id.
func WithRequestID(id string) Option {
	return func(r *tsk.Request) { r.Request.RequestID = id }
}

// WithQuery sets the query text (what the user said).
func WithQuery(text string) Option {
	return func(r *tsk.Request) { r.Request.QueryText = text }
}

// WithDialogState sets the dialog state of an IntentRequest.
func WithDialogState(state string) Option {
	return func(r *tsk.Request) { r.Request.DialogState = state }
}

// WithConfirmation sets the intent's confirmationStatus (tsk.Confirmed,
// tsk.Denied, tsk.NoConfirmation).
func WithConfirmation(status string) Option {
	return func(r *tsk.Request) {
		if r.Request.Intent != nil {
			r.Request.Intent.ConfirmationStatus = status
		}
	}
}

// WithSlots adds text slots to the intent, one per entry.
func WithSlots(slots map[string]string) Option {
	return func(r *tsk.Request) {
		keys := make([]string, 0, len(slots))
		for k := range slots {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			WithSlot(k, tsk.TextValue(slots[k]))(r)
		}
	}
}

// WithSlot sets the named slot of the intent to one value of any type.
func WithSlot(name string, v tsk.Value) Option {
	return func(r *tsk.Request) {
		if r.Request.Intent == nil {
			return
		}
		if r.Request.Intent.Slots == nil {
			r.Request.Intent.Slots = map[string]tsk.Slot{}
		}
		r.Request.Intent.Slots[name] = tsk.Slot{Name: name, ConfirmationStatus: tsk.NoConfirmation,
			Values: []tsk.SlotValue{{Value: v}}}
	}
}

// WithSessionError sets the error of a SessionEndedRequest.
func WithSessionError(typ, message string) Option {
	return func(r *tsk.Request) { r.Request.Error = &tsk.SessionError{Type: typ, Message: message} }
}

func textSlot(name, value string) tsk.Slot {
	return tsk.Slot{Name: name, ConfirmationStatus: tsk.NoConfirmation,
		Values: []tsk.SlotValue{{Value: tsk.TextValue(value)}}}
}
