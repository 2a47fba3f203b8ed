package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Console is the platform side a developer drives with curl: each call is
// what a speaker and its user would make the platform do.
type Console struct {
	SkillID  string
	Platform *fakeplatform.Platform // sends the skill requests and pay calls, keeps the pay state
	NLU      *NLU
	Logger   *slog.Logger
	// Clock is the sandbox's clock, moved by POST /sandbox/platform/advance
	// (nil: that call fails).
	Clock *Clock

	mu    sync.Mutex
	users map[string]*speaker // by device kind + user
}

// speaker is the platform's memory of one user on one kind of device.
type speaker struct {
	session  int
	open     bool // the session is open (the next request is not new)
	elicit   *tsk.ElicitSlot
	charge   *tsk.Charge
	tradeNo  string
	total    shop.Fen
	orders   []string // every tradeNo created for the user
	device   *device.Kind
	userID   string
	lastResp *tsk.Response
}

// SayRequest is the body of POST /sandbox/say. Intent (with Slots) bypasses
// the NLU; Request "launch" or "session-ended" sends that request instead.
type SayRequest struct {
	Device  string            `json:"device"` // a device.Kinds name: "screened" (default) or "screenless"
	User    string            `json:"user"`   // default "alice"
	Text    string            `json:"text"`
	Intent  string            `json:"intent,omitempty"`
	Slots   map[string]string `json:"slots,omitempty"`
	Request string            `json:"request,omitempty"`
}

// PayRequest is the body of POST /sandbox/pay: the user's pending order, or
// the one named by TradeNo.
type PayRequest struct {
	Device  string `json:"device"`
	User    string `json:"user"`
	TradeNo string `json:"tradeNo,omitempty"`
}

// Answer is the skill's response as the console shows it.
type Answer struct {
	Heard            *Understanding  `json:"heard,omitempty"`
	Speech           string          `json:"speech"`
	ShouldEndSession bool            `json:"shouldEndSession"`
	Directives       []string        `json:"directives,omitempty"` // "type (key fields)"
	Order            *PendingOrder   `json:"order,omitempty"`
	Refunds          []RefundSettled `json:"refunds,omitempty"`
	Next             string          `json:"next,omitempty"`
	Raw              json.RawMessage `json:"raw,omitempty"`
}

// PendingOrder is an order the platform created from a Charge (the user
// "ordered"), or just paid.
type PendingOrder struct {
	TradeNo       string   `json:"tradeNo"`
	TotalAmt      shop.Fen `json:"totalAmt"`
	Status        string   `json:"status"`
	TransactionID string   `json:"transactionId,omitempty"`
	ShipNotify    string   `json:"shipNotify,omitempty"` // the skill's reply
}

// RefundSettled is a refund the platform settled and notified.
type RefundSettled struct {
	TradeNo       string   `json:"tradeNo"`
	RefundTradeNo string   `json:"refundTradeNo"`
	RefundAmt     shop.Fen `json:"refundAmt"`
	Status        string   `json:"status"`
	Notify        string   `json:"refundNotify"` // the skill's reply
}

// Handler serves the console's /sandbox/... endpoints.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sandbox/say", serveJSON(c.Say))
	mux.HandleFunc("POST /sandbox/pay", serveJSON(c.Pay))
	mux.HandleFunc("POST /sandbox/platform/open", serveJSON(c.open))
	mux.HandleFunc("POST /sandbox/platform/pay", serveJSON(c.markPaid))
	mux.HandleFunc("POST /sandbox/platform/settle", serveJSON(c.settle))
	mux.HandleFunc("POST /sandbox/platform/advance", serveJSON(c.advance))
	return mux
}

// serveJSON decodes the body into In, calls fn and writes its answer as
// indented JSON (errors as {"error": ...} with status 400).
func serveJSON[In, Out any](fn func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		err := dec.Decode(&in)
		var out any
		status := http.StatusOK
		if err == nil {
			out, err = fn(r.Context(), in)
		}
		if err != nil {
			status, out = http.StatusBadRequest, map[string]string{"error": err.Error()}
		}
		body, _ := json.MarshalIndent(out, "", "  ")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		w.Write(append(body, '\n'))
	}
}

// speaker returns the state of a user on the kind of device named ("" is
// device.Screened).
func (c *Console) speaker(kind, user string) (*speaker, error) {
	k := device.Screened
	if kind != "" {
		var err error
		if k, err = device.Parse(kind); err != nil {
			return nil, err
		}
	}
	if user == "" {
		user = "alice"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users == nil {
		c.users = map[string]*speaker{}
	}
	key := k.Name + "/" + user
	if c.users[key] == nil {
		c.users[key] = &speaker{device: k, userID: user}
	}
	return c.users[key], nil
}

// options are the request options of the speaker's next request.
func (s *speaker) options(skillID string) []fakeplatform.Option {
	isNew := !s.open
	s.open = true
	return []fakeplatform.Option{fakeplatform.WithDeviceKind(s.device), fakeplatform.WithSkill(skillID), fakeplatform.WithUser(s.userID),
		fakeplatform.WithDevice("sandbox-" + s.device.Name + "-speaker"), fakeplatform.WithNewSession(isNew),
		fakeplatform.WithSession(fmt.Sprintf("sandbox-%s-%s-%d", s.device.Name, s.userID, s.session))}
}

// send posts a request and records what the answer means for the speaker.
func (c *Console) send(ctx context.Context, s *speaker, req *tsk.Request) (*Answer, error) {
	body, err := c.Platform.Skill(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := tsk.DecodeResponse(body)
	if err != nil {
		return nil, fmt.Errorf("skill response: %w", err)
	}
	s.lastResp, s.elicit = resp, nil
	a := &Answer{Speech: resp.Response.OutputSpeech.Text, ShouldEndSession: resp.Response.ShouldEndSession}
	for _, d := range resp.Response.Directives {
		a.Directives = append(a.Directives, summary(d))
		switch d := d.(type) {
		case tsk.Charge:
			s.charge = &d
		case tsk.ElicitSlot:
			if d.UpdatedIntent == nil { // the platform keeps the session's intent
				d.UpdatedIntent = req.Request.Intent
			}
			s.elicit = &d
		}
	}
	if resp.Response.ShouldEndSession {
		s.open, s.elicit = false, nil
		s.session++
	}
	return a, nil
}

// summary describes a directive in one line.
func summary(d tsk.Directive) string {
	switch d := d.(type) {
	case tsk.Charge:
		var items string
		for _, it := range d.Payload.ChargeInfo.Items {
			items += fmt.Sprintf(" %s×%d=%d分", it.ItemID, it.Count, it.TotalFee)
		}
		return "Connections.SendRequest Charge:" + items
	case tsk.AudioPlayerPlay:
		if len(d.Playlist) > 0 {
			return "AudioPlayer.Play " + d.Playlist[0].Stream.URL
		}
	case tsk.RenderTemplate:
		s := "Display.RenderTemplate " + d.Template.Type
		if tc := d.Template.TextContent; tc != nil {
			s += " “" + tc.Title + "：" + tc.Description + "”"
		}
		for _, li := range d.Template.ListItems {
			if li.TextContent != nil {
				s += " [" + li.TextContent.Title + " " + li.TextContent.Description + "]"
			}
		}
		if bg := d.Template.BackgroundImage; bg != nil {
			s += " QR " + bg.Source.URL
		}
		return s
	case tsk.ElicitSlot:
		return "Dialog.ElicitSlot " + d.SlotToElicit
	}
	return d.DirectiveType()
}

var errNoOrder = errors.New("no pending order: say “我要买…” and “是的” first")
