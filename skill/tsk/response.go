package tsk

import (
	"encoding/json"
	"fmt"
)

// SpeechPlainText is the only output speech type.
const SpeechPlainText = "PlainText"

// CardLinkAccount is the card type that asks the user to link their account.
const CardLinkAccount = "LinkAccount"

// Response is a skill response, skill → platform. Build it with NewResponse.
type Response struct {
	Version            string         `json:"version"`
	Response           ResponseBody   `json:"response"`
	FeedbackAttributes map[string]any `json:"feedbackAttributes,omitempty"` // device-maker skills only, < 1 KB
}

// ResponseBody is the "response" object. ShouldEndSession is always written
// (false keeps the microphone open); Directives and Card only when set.
type ResponseBody struct {
	OutputSpeech     OutputSpeech `json:"outputSpeech"`
	ShouldEndSession bool         `json:"shouldEndSession"`
	Directives       []Directive  `json:"directives,omitempty"`
	Card             *Card        `json:"card,omitempty"`
}

// OutputSpeech is what the speaker says.
type OutputSpeech struct {
	Type string `json:"type"` // SpeechPlainText
	Text string `json:"text"`
}

// Card is a card shown in the Dingdang app; only LinkAccount exists.
type Card struct {
	Type string `json:"type"` // CardLinkAccount
}

// NewResponse returns a version 1.0 response that says text and ends the
// session when end is true.
func NewResponse(text string, end bool) *Response {
	return &Response{
		Version: Version,
		Response: ResponseBody{
			OutputSpeech:     OutputSpeech{Type: SpeechPlainText, Text: text},
			ShouldEndSession: end,
		},
	}
}

// WithDirectives appends directives to r and returns r.
func (r *Response) WithDirectives(ds ...Directive) *Response {
	r.Response.Directives = append(r.Response.Directives, ds...)
	return r
}

// WithLinkAccount adds the LinkAccount card to r and returns r.
func (r *Response) WithLinkAccount() *Response {
	r.Response.Card = &Card{Type: CardLinkAccount}
	return r
}

// UnmarshalJSON reads a response body, decoding each directive into its
// concrete type (see DecodeDirective).
func (b *ResponseBody) UnmarshalJSON(data []byte) error {
	var w struct {
		OutputSpeech     OutputSpeech      `json:"outputSpeech"`
		ShouldEndSession *bool             `json:"shouldEndSession"`
		Directives       []json.RawMessage `json:"directives"`
		Card             *Card             `json:"card"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = ResponseBody{OutputSpeech: w.OutputSpeech, ShouldEndSession: true, Card: w.Card}
	if w.ShouldEndSession != nil {
		b.ShouldEndSession = *w.ShouldEndSession // the platform's default is true
	}
	for i, raw := range w.Directives {
		d, err := DecodeDirective(raw)
		if err != nil {
			return fmt.Errorf("directive %d: %w", i, err)
		}
		b.Directives = append(b.Directives, d)
	}
	return nil
}
