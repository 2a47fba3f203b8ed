package tsk

import (
	"encoding/json"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Directive types, as written in a directive's "type".
const (
	DirectiveAudioPlay      = "AudioPlayer.Play"
	DirectiveVideoPlay      = "VideoPlayer.Play"
	DirectiveRenderTemplate = "Display.RenderTemplate"
	DirectiveElicitSlot     = "Dialog.ElicitSlot"
	DirectiveSendRequest    = "Connections.SendRequest"
	DirectiveURIOpen        = "URI.Open"
)

// Play behaviours of VideoPlayer.Play.
const (
	PlayReplaceAll = "REPLACE_ALL"
	PlayEnqueue    = "ENQUEUE"
)

// Directive is one entry of a response's directives. Each concrete type
// writes its own "type" (and Charge its "name") when marshalled.
type Directive interface {
	DirectiveType() string
}

// AudioPlayerPlay starts audio. An item with Pay true is content the user has
// not bought: by the platform's convention (documented in its prose, not in
// its schema, whose stream.url must be an http(s) URL) its Stream.URL is
// empty and the device offers to buy it instead of playing.
type AudioPlayerPlay struct {
	Playlist []AudioItem `json:"playlist"`
}

// AudioItem is one entry of an AudioPlayer.Play playlist.
type AudioItem struct {
	Stream Stream     `json:"stream"`
	Info   *AudioInfo `json:"info,omitempty"`
	Pay    bool       `json:"pay,omitempty"`
}

// Stream is a playable URL and a token that names it.
type Stream struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

// AudioInfo is what the device shows while playing.
type AudioInfo struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
	Art      *Image `json:"art,omitempty"`
}

// VideoPlayerPlay starts video. The platform's schema defines it but does not
// list it among the allowed directives; the prose does.
type VideoPlayerPlay struct {
	PlayBehavior string      `json:"playBehavior,omitempty"` // PlayReplaceAll (default) or PlayEnqueue
	Playlist     []VideoItem `json:"playlist"`
}

// VideoItem is one entry of a VideoPlayer.Play playlist.
type VideoItem struct {
	Stream Stream `json:"stream"`
}

// ElicitSlot asks the user for a slot. UpdatedIntent, when set, replaces
// the session's intent wholesale: start from the request's intent. It is
// decoded from what others send; a reply that sets it does not validate
// against the platform's schema (which shapes slot values differently from
// the docs), so the skill leaves it nil and keeps its dialog state itself.
type ElicitSlot struct {
	SlotToElicit  string  `json:"slotToElicit"`
	UpdatedIntent *Intent `json:"updatedIntent,omitempty"`
}

// URIOpen opens a URL on the device.
type URIOpen struct {
	URL string `json:"url"`
}

// Charge asks the platform to sell the items (Connections.SendRequest named
// Charge). Prices are in fen. The platform's schema predates it.
type Charge struct {
	Payload ChargePayload `json:"payload"`
}

// ChargePayload is the payload of a Charge directive.
type ChargePayload struct {
	ChargeInfo ChargeInfo `json:"chargeInfo"`
}

// ChargeInfo describes the sale. UserID is the partner's (our) user id; the
// platform hands it back as userToken in create-order.
type ChargeInfo struct {
	Name        string       `json:"name"`
	Description string       `json:"description"`
	UserID      string       `json:"userId"`
	Items       []ChargeItem `json:"items"`
}

// ChargeItem is one line of a Charge: TotalFee must be Price × Count.
type ChargeItem struct {
	ItemID   string   `json:"itemId"`
	ItemName string   `json:"itemName"`
	Price    shop.Fen `json:"price"`
	TotalFee shop.Fen `json:"totalFee"`
	Count    int64    `json:"count"`
}

// RawDirective is a directive of a type this package does not model, kept
// verbatim so a decoded response re-encodes unchanged.
type RawDirective struct {
	Type string          // its "type"
	JSON json.RawMessage // the whole directive object
}

// DirectiveType returns "AudioPlayer.Play".
func (AudioPlayerPlay) DirectiveType() string { return DirectiveAudioPlay }

// DirectiveType returns "VideoPlayer.Play".
func (VideoPlayerPlay) DirectiveType() string { return DirectiveVideoPlay }

// DirectiveType returns "Display.RenderTemplate".
func (RenderTemplate) DirectiveType() string { return DirectiveRenderTemplate }

// DirectiveType returns "Dialog.ElicitSlot".
func (ElicitSlot) DirectiveType() string { return DirectiveElicitSlot }

// DirectiveType returns "URI.Open".
func (URIOpen) DirectiveType() string { return DirectiveURIOpen }

// DirectiveType returns "Connections.SendRequest".
func (Charge) DirectiveType() string { return DirectiveSendRequest }

// DirectiveType returns the directive's "type".
func (d RawDirective) DirectiveType() string { return d.Type }

// MarshalJSON writes the playlist with "type".
func (d AudioPlayerPlay) MarshalJSON() ([]byte, error) {
	type plain AudioPlayerPlay
	return withType(d.DirectiveType(), plain(d))
}

// MarshalJSON writes the directive with "type".
func (d VideoPlayerPlay) MarshalJSON() ([]byte, error) {
	type plain VideoPlayerPlay
	return withType(d.DirectiveType(), plain(d))
}

// MarshalJSON writes the directive with "type".
func (d RenderTemplate) MarshalJSON() ([]byte, error) {
	type plain RenderTemplate
	return withType(d.DirectiveType(), plain(d))
}

// MarshalJSON writes the directive with "type".
func (d ElicitSlot) MarshalJSON() ([]byte, error) {
	type plain ElicitSlot
	return withType(d.DirectiveType(), plain(d))
}

// MarshalJSON writes the directive with "type".
func (d URIOpen) MarshalJSON() ([]byte, error) {
	type plain URIOpen
	return withType(d.DirectiveType(), plain(d))
}

// MarshalJSON writes the directive with "type" Connections.SendRequest and
// "name" Charge.
func (d Charge) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type    string        `json:"type"`
		Name    string        `json:"name"`
		Payload ChargePayload `json:"payload"`
	}{d.DirectiveType(), ChargeName, d.Payload})
}

// MarshalJSON writes the directive exactly as it was decoded.
func (d RawDirective) MarshalJSON() ([]byte, error) {
	if len(d.JSON) == 0 {
		return json.Marshal(struct {
			Type string `json:"type"`
		}{d.Type})
	}
	return d.JSON, nil
}

// withType marshals v (a struct type without MarshalJSON, so no recursion)
// and puts "type" first in the object.
func withType(typ string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	t, _ := json.Marshal(typ)
	out := make([]byte, 0, len(body)+len(t)+9)
	out = append(out, `{"type":`...)
	out = append(out, t...)
	if len(body) > 2 { // not "{}"
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}

// DecodeDirective decodes one directive object into its concrete type, as a
// value (AudioPlayerPlay, VideoPlayerPlay, RenderTemplate, ElicitSlot,
// URIOpen, Charge). Other types, and Connections.SendRequest with a name
// other than Charge, become a RawDirective.
func DecodeDirective(raw []byte) (Directive, error) {
	var head struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	var err error
	var d Directive
	switch head.Type {
	case DirectiveAudioPlay:
		d, err = decodeAs[AudioPlayerPlay](raw)
	case DirectiveVideoPlay:
		d, err = decodeAs[VideoPlayerPlay](raw)
	case DirectiveRenderTemplate:
		d, err = decodeAs[RenderTemplate](raw)
	case DirectiveElicitSlot:
		d, err = decodeAs[ElicitSlot](raw)
	case DirectiveURIOpen:
		d, err = decodeAs[URIOpen](raw)
	case DirectiveSendRequest:
		if head.Name != ChargeName {
			return RawDirective{Type: head.Type, JSON: append(json.RawMessage(nil), raw...)}, nil
		}
		d, err = decodeAs[Charge](raw)
	default:
		return RawDirective{Type: head.Type, JSON: append(json.RawMessage(nil), raw...)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", head.Type, err)
	}
	return d, nil
}

// decodeAs unmarshals raw into a T, bypassing T's own MarshalJSON shape.
func decodeAs[T any](raw []byte) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}
