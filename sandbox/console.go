package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// maxTurns is how many turns the console keeps per user.
const maxTurns = 200

// Console is the platform side a developer drives with curl or the
// simulator page: each call is what a speaker and its user would make the
// platform do. It remembers, per user, the speakers (one per device kind),
// the orders placed and every turn with its raw signed exchanges.
type Console struct {
	SkillID  string
	Platform *fakeplatform.Platform // sends the skill requests and pay calls, keeps the pay state
	NLU      *NLU
	Logger   *slog.Logger
	// Clock is the sandbox's clock, moved by POST /sandbox/platform/advance
	// and back by /sandbox/platform/rewind (nil: those calls fail).
	Clock *Clock
	// Admin reads a user's orders and entitlements from the skill for the
	// simulator's side panel (nil: not shown).
	Admin *admin.Client
	// Catalog names the products in the simulator's side panel (nil: by
	// their ids).
	Catalog *shop.Catalog
	// Utterances are the simulator's utterance buttons.
	Utterances []string
	// Misheard are the utterances that are a mishearing, by what was
	// meant (Config.Misheard).
	Misheard map[string]string
	// SkillURL is shown on the simulator page.
	SkillURL string
	// OAuth links accounts at the skill, as the platform does (POST
	// /sandbox/link; nil: that call fails).
	OAuth *fakeplatform.OAuthClient

	mu    sync.Mutex
	users map[string]*account
	seq   int // the number of the last change
	rec   recorder
	hub   hub
}

// account is the platform's memory of one user.
type account struct {
	id       string
	speakers map[string]*speaker      // by device kind name
	orders   []*placed                // every order placed for the user, oldest first
	unplaced *offer                   // the last Charge not ordered yet
	refunded *pay.RefundNotifyRequest // the last refund notify sent
	turns    []Turn
	token    string    // the access token of the account linked (link.go), or ""
	linked   string    // the name of that account, or ""
	refresh  string    // its refresh token
	expiry   time.Time // when the access token expires, by the sandbox's clock
	issued   time.Time // when it was issued, by that clock (a rewind goes before it)
}

// speaker is the platform's memory of one user on one kind of device.
type speaker struct {
	session int
	open    bool // the session is open (the next request is not new)
	elicit  *tsk.ElicitSlot
	device  *device.Kind
	userID  string
	said    string          // what the user last said to it
	heard   *Understanding  // what the NLU made of it
	last    json.RawMessage // its last response, as received
	token   string          // its account's access token, if linked
}

// offer is a Charge the skill answered with: what the user may order.
type offer struct {
	charge  tsk.ChargeInfo
	speaker *speaker
}

// placed is an order the platform created for a Charge.
type placed struct {
	PendingOrder
	charge  tsk.ChargeInfo
	speaker *speaker
}

// Turn is one thing the console did for a user, with the raw signed
// exchanges it caused.
type Turn struct {
	N         int        `json:"n"`
	At        time.Time  `json:"at"`
	Device    string     `json:"device"`
	Action    string     `json:"action"`         // what was done, e.g. 说“是的”
	Said      string     `json:"said,omitempty"` // what the user said, for an utterance
	Answer    *Answer    `json:"answer,omitempty"`
	Exchanges []Exchange `json:"exchanges"`
	Error     string     `json:"error,omitempty"`
}

// SayRequest is the body of POST /sandbox/say. Intent (with Slots) bypasses
// the NLU; Request "launch", "session-ended" or "element-selected" (with
// Token, a list item's token) sends that request instead. Manual leaves the
// platform's parts to the buttons (POST /sandbox/order,
// /sandbox/refund-notify): no order is placed for a Charge and no refund
// settled.
type SayRequest struct {
	Device  string            `json:"device"` // a device.Kinds name: "screened" (default) or "screenless"
	User    string            `json:"user"`   // default "alice"
	Text    string            `json:"text"`
	Intent  string            `json:"intent,omitempty"`
	Slots   map[string]string `json:"slots,omitempty"`
	Request string            `json:"request,omitempty"`
	Token   string            `json:"token,omitempty"`
	Manual  bool              `json:"manual,omitempty"`
}

// PayRequest is the body of POST /sandbox/pay and the other order steps:
// the user's order waiting for payment (whatever the device it was placed
// on), or the one named by TradeNo. Late pays without sending the ship
// notify (POST /sandbox/ship-notify sends it later).
type PayRequest struct {
	Device  string `json:"device,omitempty"` // ignored by the order steps: the order knows its speaker
	User    string `json:"user"`
	TradeNo string `json:"tradeNo,omitempty"`
	Late    bool   `json:"late,omitempty"`
}

// RefundNotifyRequest is the body of POST /sandbox/refund-notify: settle
// the user's next pending refund with Status (SUCCESS by default) and send
// the refund notify; with none pending, send the last one again.
type RefundNotifyRequest struct {
	User    string            `json:"user"`
	TradeNo string            `json:"tradeNo,omitempty"`
	Status  shop.RefundStatus `json:"status,omitempty"`
}

// Answer is the skill's response as the console shows it.
type Answer struct {
	Heard            *Understanding  `json:"heard,omitempty"`
	Speech           string          `json:"speech"`
	ShouldEndSession bool            `json:"shouldEndSession"`
	Card             string          `json:"card,omitempty"`       // "LinkAccount": the app asks to link an account
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
	Status        string   `json:"status"` // NOTPAY, SUCCESS, or REFUSED (the user did not pay)
	TransactionID string   `json:"transactionId,omitempty"`
	ShipNotify    string   `json:"shipNotify,omitempty"` // the skill's reply
	Device        string   `json:"device,omitempty"`     // where it was ordered
	Page          string   `json:"page,omitempty"`       // the order's page, the one the card's QR code opens
}

// RefundSettled is a refund the platform settled and notified.
type RefundSettled struct {
	TradeNo       string   `json:"tradeNo"`
	RefundTradeNo string   `json:"refundTradeNo"`
	RefundAmt     shop.Fen `json:"refundAmt"`
	Status        string   `json:"status"`
	Notify        string   `json:"refundNotify"` // the skill's reply
}

// Handler serves the console: the simulator page at /, its state and
// events, and the /sandbox/... endpoints.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sandbox/say", serveJSON(c.Say))
	mux.HandleFunc("POST /sandbox/pay", serveJSON(c.Pay))
	mux.HandleFunc("POST /sandbox/order", serveJSON(c.Order))
	mux.HandleFunc("POST /sandbox/refuse", serveJSON(c.Refuse))
	mux.HandleFunc("POST /sandbox/ship-notify", serveJSON(c.ShipNotify))
	mux.HandleFunc("POST /sandbox/refund-notify", serveJSON(c.RefundNotify))
	mux.HandleFunc("POST /sandbox/platform/open", serveJSON(c.open))
	mux.HandleFunc("POST /sandbox/platform/pay", serveJSON(c.markPaid))
	mux.HandleFunc("POST /sandbox/platform/settle", serveJSON(c.settle))
	mux.HandleFunc("POST /sandbox/platform/advance", serveJSON(c.advance))
	mux.HandleFunc("POST /sandbox/platform/rewind", serveJSON(c.rewind))
	mux.HandleFunc("POST /sandbox/link", serveJSON(c.Link))
	mux.HandleFunc("GET "+LinkCallbackPath, linkCallback)
	mux.HandleFunc("GET /sandbox/state", c.serveState)
	mux.HandleFunc("GET /sandbox/meta", c.serveMeta)
	mux.HandleFunc("GET /sandbox/events", c.serveEvents)
	c.servePage(mux)
	return mux
}

// Transport returns the round tripper the platform's calls to the skill go
// through (next, or http.DefaultTransport when nil), so that each turn
// keeps its raw exchanges.
func (c *Console) Transport(next http.RoundTripper) http.RoundTripper {
	c.rec.next = next
	return &c.rec
}

// WrapPay records the skill's calls to the pay interfaces served by h.
func (c *Console) WrapPay(h http.Handler) http.Handler { return c.rec.Wrap(h) }

// Close ends the simulator pages' event streams.
func (c *Console) Close() { c.hub.close() }

// serveJSON decodes the body into In, calls fn and writes its answer as
// indented JSON (errors as {"error": ...} with status 400, and "detail"
// for a Refusal).
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
			status, out = http.StatusBadRequest, errorBody(err)
		}
		writeJSON(w, status, out)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// lookup returns the account of user and its speaker of the kind named ("":
// device.Screened; user "": "alice"); callers hold c.mu.
func (c *Console) lookup(kind, user string) (*account, *speaker, error) {
	k := device.Screened
	if kind != "" {
		var err error
		if k, err = device.Parse(kind); err != nil {
			return nil, nil, err
		}
	}
	if user == "" {
		user = "alice"
	}
	if c.users == nil {
		c.users = map[string]*account{}
	}
	a := c.users[user]
	if a == nil {
		a = &account{id: user, speakers: map[string]*speaker{}}
		c.users[user] = a
	}
	s := a.speakers[k.Name]
	if s == nil {
		s = &speaker{device: k, userID: user, token: a.token}
		a.speakers[k.Name] = s
	}
	return a, s, nil
}

// act runs one console action for a user under the console's lock and
// keeps it as a turn, with the exchanges it caused; open pages hear of it.
func (c *Console) act(kind, user, action string, fn func(*account, *speaker, *Turn) (*Answer, error)) (*Answer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	acc, s, err := c.lookup(kind, user)
	if err != nil {
		return nil, err
	}
	t := Turn{At: time.Now(), Device: s.device.Name, Action: action}
	c.rec.begin()
	c.refreshToken(acc)
	a, err := fn(acc, s, &t)
	t.Answer, t.Exchanges = a, c.rec.end()
	if t.Exchanges == nil {
		t.Exchanges = []Exchange{}
	}
	if err != nil {
		t.Error = err.Error()
	}
	c.seq++
	t.N = c.seq
	acc.turns = append(acc.turns, t)
	if n := len(acc.turns); n > maxTurns {
		acc.turns = slices.Delete(acc.turns, 0, n-maxTurns)
	}
	c.hub.publish(c.seq)
	return a, err
}

// options are the request options of the speaker's next request.
func (s *speaker) options(skillID string) []fakeplatform.Option {
	isNew := !s.open
	s.open = true
	return append([]fakeplatform.Option{fakeplatform.WithDeviceKind(s.device), fakeplatform.WithSkill(skillID), fakeplatform.WithUser(s.userID),
		fakeplatform.WithDevice("sandbox-" + s.device.Name + "-speaker"), fakeplatform.WithNewSession(isNew),
		fakeplatform.WithSession(fmt.Sprintf("sandbox-%s-%s-%d", s.device.Name, s.userID, s.session))}, s.withToken()...)
}

// send posts a request and records what the answer means for the speaker:
// a Charge becomes the account's offer to order.
func (c *Console) send(ctx context.Context, acc *account, s *speaker, req *tsk.Request) (*Answer, error) {
	body, err := c.Platform.Skill(ctx, req)
	if err != nil {
		return nil, err
	}
	resp, err := tsk.DecodeResponse(body)
	if err != nil {
		return nil, fmt.Errorf("skill response: %w", err)
	}
	s.last, s.elicit = json.RawMessage(body), nil
	a := &Answer{Speech: resp.Response.OutputSpeech.Text, ShouldEndSession: resp.Response.ShouldEndSession}
	if c := resp.Response.Card; c != nil {
		a.Card = c.Type
	}
	for _, d := range resp.Response.Directives {
		a.Directives = append(a.Directives, summary(d))
		switch d := d.(type) {
		case tsk.Charge:
			acc.unplaced = &offer{charge: d.Payload.ChargeInfo, speaker: s}
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
