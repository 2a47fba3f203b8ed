package tsk

import (
	"encoding/json"
	"fmt"
)

// Decode parses a skill request body. Unknown fields are ignored (the
// platform may add some). A body that is not a JSON object, or that lacks a
// required field, is an error wrapping ErrInvalidRequest and naming the
// field by its JSON path.
//
// Required for every request: version, request.type, request.requestId,
// request.timestamp (any ISO 8601 form, see ParseTimestamp) and
// context.System.application.applicationId. Required by type:
// context.System.user.userId for the requests that act for a user
// (IntentRequest, Connections.Response, Display.ElementSelected);
// session.sessionId for LaunchRequest, IntentRequest and
// SessionEndedRequest; request.intent and request.intent.name for
// IntentRequest; request.name for Connections.Response, and request.payload
// when that name is Charge; request.token for Display.ElementSelected.
// Unknown request types (player events, types added later) decode without
// error; the caller decides what to do with them.
func Decode(body []byte) (*Request, error) {
	var r Request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	if field := r.missing(); field != "" {
		return nil, fmt.Errorf("%w: missing %s", ErrInvalidRequest, field)
	}
	if _, err := ParseTimestamp(r.Request.Timestamp); err != nil {
		return nil, fmt.Errorf("%w: request.timestamp: %w", ErrInvalidRequest, err)
	}
	return &r, nil
}

// missing returns the JSON path of the first required field that is empty.
func (r *Request) missing() string {
	b := &r.Request
	checks := []struct {
		empty bool
		path  string
	}{
		{r.Version == "", "version"},
		{b.Type == "", "request.type"},
		{b.RequestID == "", "request.requestId"},
		{b.Timestamp == "", "request.timestamp"},
		{r.SkillID() == "", "context.System.application.applicationId"},
		{r.UserID() == "" && actsForUser(b.Type), "context.System.user.userId"},
	}
	for _, c := range checks {
		if c.empty {
			return c.path
		}
	}
	switch b.Type {
	case TypeLaunch, TypeSessionEnded:
		if r.Session.SessionID == "" {
			return "session.sessionId"
		}
	case TypeIntent:
		switch {
		case r.Session.SessionID == "":
			return "session.sessionId"
		case b.Intent == nil:
			return "request.intent"
		case b.Intent.Name == "":
			return "request.intent.name"
		}
	case TypeConnectionsResponse:
		switch {
		case b.Name == "":
			return "request.name"
		case b.Name == ChargeName && b.Payload == nil:
			return "request.payload"
		}
	case TypeElementSelected:
		if b.Token == "" {
			return "request.token"
		}
	}
	return ""
}

// actsForUser reports whether a request type acts for a user (buys, plays,
// resumes after payment) and so must name one.
func actsForUser(typ string) bool {
	switch typ {
	case TypeIntent, TypeConnectionsResponse, TypeElementSelected:
		return true
	}
	return false
}

// DecodeResponse parses a skill response body, directives included (see
// ResponseBody.UnmarshalJSON). It is for tests and replays: the skill itself
// only writes responses.
func DecodeResponse(body []byte) (*Response, error) {
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("tsk: decode response: %w", err)
	}
	return &r, nil
}
