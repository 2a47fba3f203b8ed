package tsk

import (
	"encoding/json"
	"time"
)

// Request types (Body.Type).
const (
	TypeLaunch              = "LaunchRequest"
	TypeIntent              = "IntentRequest"
	TypeSessionEnded        = "SessionEndedRequest"
	TypeConnectionsResponse = "Connections.Response"
	TypeElementSelected     = "Display.ElementSelected"
)

// Dialog states of an IntentRequest (Body.DialogState).
const (
	DialogStarted    = "STARTED"
	DialogInProgress = "IN_PROGRESS"
	DialogCompleted  = "COMPLETED"
)

// Reasons of a SessionEndedRequest (Body.Reason) and types of its error.
const (
	ReasonUserInitiated         = "USER_INITIATED"
	ReasonError                 = "ERROR"
	SessionErrorInvalidResponse = "INVALID_RESPONSE"
	SessionErrorInternal        = "INTERNAL_ERROR"
)

// ChargeName is the name of the Connections.SendRequest directive that asks
// for a payment, and of the Connections.Response that reports it.
const ChargeName = "Charge"

// Version is the protocol version of requests and responses.
const Version = "1.0"

// Request is a skill request, platform → skill.
type Request struct {
	Version string  `json:"version"`
	Session Session `json:"session,omitzero"`
	Context Context `json:"context"`
	Request Body    `json:"request"`
}

// Session identifies the conversation a request belongs to.
type Session struct {
	New       bool   `json:"new"`
	SessionID string `json:"sessionId"`
}

// Context describes the skill, device and user a request comes from.
type Context struct {
	System      System          `json:"System"`
	AudioPlayer json.RawMessage `json:"AudioPlayer,omitempty"` // player state, kept raw
}

// System is context.System.
type System struct {
	Application Application `json:"application"`
	Device      Device      `json:"device"`
	User        User        `json:"user"`
}

// Application names the skill the request is for.
type Application struct {
	ApplicationID string `json:"applicationId"`
}

// Device is the speaker. SupportedInterfaces maps capability names
// ("AudioPlayer", "Display", ...) to their raw details.
type Device struct {
	DeviceID            string                     `json:"deviceId"`
	SupportedInterfaces map[string]json.RawMessage `json:"supportedInterfaces,omitempty"`
}

// User is the platform user; AccessToken is set only after account linking.
type User struct {
	UserID      string `json:"userId"`
	AccessToken string `json:"accessToken,omitempty"`
}

// Body is the "request" object. Which fields are set depends on Type:
// Intent and DialogState for IntentRequest, Reason and Error for
// SessionEndedRequest, Name and Payload for Connections.Response, Token for
// Display.ElementSelected.
type Body struct {
	Type        string        `json:"type"`
	RequestID   string        `json:"requestId"`
	Timestamp   string        `json:"timestamp"`
	QueryText   string        `json:"queryText,omitempty"`
	DialogState string        `json:"dialogState,omitempty"`
	Intent      *Intent       `json:"intent,omitempty"`
	Reason      string        `json:"reason,omitempty"`
	Error       *SessionError `json:"error,omitempty"`
	Name        string        `json:"name,omitempty"`
	Payload     *ChargeResult `json:"payload,omitempty"`
	Token       string        `json:"token,omitempty"`
}

// SessionError says why a session ended with reason ERROR.
type SessionError struct {
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
}

// ChargeResult is the payload of a Connections.Response named Charge.
// PartnerOrderID is the skill's own order id (the tradeNo it returned from
// create-order); DingdangOrderID is the platform's. The platform's example
// swaps the two sample values; the field names are what counts.
type ChargeResult struct {
	DingdangOrderID string `json:"dingdangOrderId"`
	PartnerOrderID  string `json:"partnerOrderId"`
}

// SkillID returns context.System.application.applicationId.
func (r *Request) SkillID() string { return r.Context.System.Application.ApplicationID }

// UserID returns context.System.user.userId.
func (r *Request) UserID() string { return r.Context.System.User.UserID }

// DeviceID returns context.System.device.deviceId.
func (r *Request) DeviceID() string { return r.Context.System.Device.DeviceID }

// AccessToken returns the account-linking token, or "" when not linked.
func (r *Request) AccessToken() string { return r.Context.System.User.AccessToken }

// Supports reports whether the device lists iface (e.g. "Display",
// "AudioPlayer") among its supportedInterfaces.
func (r *Request) Supports(iface string) bool {
	_, ok := r.Context.System.Device.SupportedInterfaces[iface]
	return ok
}

// Time returns the request's timestamp in UTC, or the zero time when it
// does not parse (see ParseTimestamp).
func (r *Request) Time() time.Time {
	t, err := ParseTimestamp(r.Request.Timestamp)
	if err != nil {
		return time.Time{}
	}
	return t
}
