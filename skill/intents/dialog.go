package intents

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/resolve"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// DefaultSessionTTL is how long a dialog session's state is kept when
// Config.SessionTTL is 0.
const DefaultSessionTTL = 10 * time.Minute

// Config configures the dialog. Catalog, Sessions, Ledger, Payments and
// Offers are required; every other zero field has a working default.
type Config struct {
	// Catalog is what is for sale.
	Catalog *shop.Catalog
	// Sessions keeps the dialog state between turns.
	Sessions Sessions
	// Ledger says what users own and records uses.
	Ledger Ledger
	// Payments confirms payments and refunds with the platform.
	Payments Payments
	// Offers keeps the offer whose reference is the Charge's userId.
	Offers OfferIssuer
	// Accounts names the linked account of a request's access token; nil
	// means no account linking: every purchase is the platform user's.
	Accounts Accounts
	// Link says when the dialog asks for a linked account (LinkOff: never).
	Link LinkMode
	// Device overrides the rule that decides a request's kind of device
	// (nil → device.Of); the turn is rendered for the kind it returns.
	Device func(*tsk.Request) *device.Kind
	// QRURL gives the screen renderer the URL of the QR image on an offer's
	// card, a code leading a phone to the page of that offer and its order;
	// nil renders offer cards without a QR code.
	QRURL func(o *ui.Offer) string
	// Now is the clock (nil → time.Now).
	Now func() time.Time
	// SessionTTL is how long a session's state is kept (0 → DefaultSessionTTL).
	SessionTTL time.Duration
	// Logger receives one line per turn (nil → slog.Default()).
	Logger *slog.Logger
	// Support is how to reach customer service (SKILL_SUPPORT), said when a
	// refund is refused; empty: no contact is mentioned.
	Support string
	// Observer is told about each turn, for metrics (nil: nobody).
	Observer TurnObserver
}

// withDefaults fills in the zero fields, in one place.
func (c Config) withDefaults() Config {
	if c.Device == nil {
		c.Device = device.Of
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.SessionTTL = cmp.Or(c.SessionTTL, DefaultSessionTTL)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Dialog answers skill requests. It is safe for concurrent use.
type Dialog struct {
	cfg      Config
	devices  *device.Renderers
	products *resolve.Index // the catalog indexed once, for what people say
	routes   map[string]handler
}

// handler handles one turn and says what to answer.
type handler func(ctx context.Context, t *turn) (ui.View, error)

// route is one registered intent.
type route struct {
	name   string
	handle handler
}

// intents is THE list of intents the dialog understands. Adding an intent is
// one file and one line here.
func (d *Dialog) intents() []route {
	return []route{
		{Browse, d.browse},
		{BrowseMore, d.browseMore},
		{Buy, d.buy},
		{Yes, d.yes},
		{No, d.no},
		{Play, d.play},
		{MyPurchases, d.myPurchases},
		{MyAccount, d.myAccount},
		{Refund, d.refund},
		{Help, d.help},
		{Cancel, d.cancel},
	}
}

// IntentNames returns the names of the registered intents, in list order:
// the names the interaction model must declare.
func IntentNames() []string {
	var names []string
	for _, r := range (&Dialog{}).intents() {
		names = append(names, r.name)
	}
	return names
}

// New returns a dialog with the configuration's defaults filled in.
func New(c Config) *Dialog {
	d := &Dialog{cfg: c.withDefaults()}
	if d.cfg.Ledger != nil {
		d.cfg.Ledger = memoLedger{Ledger: d.cfg.Ledger, catalog: d.cfg.Catalog}
	}
	if d.cfg.Payments != nil {
		d.cfg.Payments = memoPayments{d.cfg.Payments}
	}
	d.products = resolve.New(d.cfg.Catalog, resolve.Config{})
	d.devices = device.NewRenderers(device.Config{QRURL: d.cfg.QRURL})
	d.routes = make(map[string]handler)
	for _, r := range d.intents() {
		d.routes[r.name] = r.handle
	}
	return d
}

// Handle answers one skill request. It never returns nil and never fails:
// any error or panic becomes a spoken apology, logged once here.
func (d *Dialog) Handle(ctx context.Context, req *tsk.Request) (resp *tsk.Response) {
	if req == nil {
		req = &tsk.Request{}
	}
	start := d.cfg.Now()
	ctx = withMemo(ctx)
	t := &turn{req: req, now: start, device: d.cfg.Device(req)}
	if t.device == nil {
		t.device = device.Of(req)
	}
	d.identify(ctx, t)
	var err error
	var view ui.View
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("intents: panic: %v", p)
			d.cfg.Logger.ErrorContext(ctx, "intents: panic", "request_id", req.Request.RequestID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			d.forget(ctx, t)
			resp = d.respond(ctx, req, apology(), t.device)
		}
		d.logTurn(ctx, t, err, start)
		d.observe(t, err)
	}()
	view, err = d.turn(ctx, t)
	if err != nil {
		d.forget(ctx, t)
		view = apologyFor(err)
	}
	if view.ElicitSlot != "" && !elicits(req, view.ElicitSlot) {
		view.ElicitSlot = ""
	}
	return d.respond(ctx, req, view, t.device)
}

// respond renders v for the kind of device under the protocol rules; a
// renderer that panics yields a plain spoken apology.
func (d *Dialog) respond(ctx context.Context, req *tsk.Request, v ui.View, k *device.Kind) (resp *tsk.Response) {
	defer func() {
		if p := recover(); p != nil {
			d.cfg.Logger.ErrorContext(ctx, "intents: renderer panic", "request_id", req.Request.RequestID, "panic", fmt.Sprint(p))
			resp = device.Enforce(req, k, apology(), tsk.NewResponse(apologySpeech, true))
		}
	}()
	return d.devices.Render(req, k, v)
}

// turn loads the session, routes the request and saves the session. The
// context carries the turn's deadline (the platform waits about a second):
// a turn whose context is done stops where it stands and apologises.
func (d *Dialog) turn(ctx context.Context, t *turn) (ui.View, error) {
	if err := ctx.Err(); err != nil {
		return ui.View{}, fmt.Errorf("intents: turn: %w", err)
	}
	if err := d.load(ctx, t); err != nil {
		return ui.View{}, err
	}
	if err := ctx.Err(); err != nil {
		return ui.View{}, fmt.Errorf("intents: turn: %w", err)
	}
	h := d.route(t)
	if d.staleLink(t) {
		h = relink
	}
	v, err := h(ctx, t)
	if err != nil {
		return v, err
	}
	if t.unclear {
		v = t.giveUp(v)
	}
	return v, d.save(ctx, t)
}

// route picks the handler for the request.
func (d *Dialog) route(t *turn) handler {
	body := t.req.Request
	switch body.Type {
	case tsk.TypeLaunch:
		return d.launch
	case tsk.TypeSessionEnded:
		return d.sessionEnded
	case tsk.TypeConnectionsResponse:
		return d.chargeResponse
	case tsk.TypeElementSelected:
		return d.elementSelected
	case tsk.TypeIntent:
		if body.Intent == nil {
			return d.fallback
		}
		if t.state.confirming() {
			switch body.Intent.ConfirmationStatus {
			case tsk.Confirmed:
				return d.yes
			case tsk.Denied:
				return d.no
			}
		}
		if h, ok := d.routes[body.Intent.Name]; ok {
			// The platform keeps the intent of the turn that asked a
			// question (Dialog.ElicitSlot) for its answer: a product or a
			// count said after "帮助" or "还有呢" comes under their intent.
			if (body.Intent.Name == Help || body.Intent.Name == Browse || body.Intent.Name == BrowseMore) && t.answers() {
				return d.buyOrPlay
			}
			if (body.Intent.Name == MyPurchases || body.Intent.Name == MyAccount) && t.begun() {
				return d.aside(h)
			}
			if body.Intent.Name == Refund && t.begun() && t.state.Intent != Refund && t.state.Step != stepRefund {
				return d.asideUnlessAsked(h) // "我要退款" before the yes of a purchase
			}
			return h
		}
		return d.fallback
	}
	return d.event
}

// aside answers with h a question the user asks while one of the dialog's
// waits ("我买过什么" before the yes), then asks that one again, as help
// does, its state kept: the purchase is not dropped for a side question.
func (d *Dialog) aside(h handler) handler {
	return func(ctx context.Context, t *turn) (ui.View, error) {
		st := t.state
		v, err := h(ctx, t)
		if err != nil {
			return v, err
		}
		t.state = st
		q, err := d.help(ctx, t)
		if err != nil {
			return v, err
		}
		q.Speech = v.Speech + q.Speech
		q.LinkAccount = q.LinkAccount || v.LinkAccount
		if q.Result == nil {
			q.Result = v.Result
		}
		return q, nil
	}
}

// asideUnlessAsked is aside for a request that may start a dialog of its
// own: when h asks a question (which refund?), that dialog goes on; when
// it only answers ("你还没有可以退款的购买"), the question that waited is
// asked again (the purchase was dropped).
func (d *Dialog) asideUnlessAsked(h handler) handler {
	return func(ctx context.Context, t *turn) (ui.View, error) {
		st := t.state
		v, err := h(ctx, t)
		if err != nil || v.Ask {
			return v, err
		}
		t.state = st
		return d.aside(func(context.Context, *turn) (ui.View, error) { return v, nil })(ctx, t)
	}
}

// logTurn adds the turn to its request's log line (logctx.Note), or logs
// a line of its own when it has none or failed.
func (d *Dialog) logTurn(ctx context.Context, t *turn, err error, start time.Time) {
	attrs := []slog.Attr{
		slog.String("session_id", t.req.Session.SessionID),
		slog.String("state", string(t.state.Step)),
		slog.String("device", t.device.Name),
	}
	if err == nil && logctx.Note(ctx, attrs...) {
		return
	}
	attrs = append(attrs,
		slog.String("request_id", t.req.Request.RequestID),
		slog.String("type", t.req.Request.Type),
		slog.Int64("duration_ms", d.cfg.Now().Sub(start).Milliseconds()))
	if in := t.req.Request.Intent; in != nil {
		attrs = append(attrs, slog.String("intent", in.Name))
	}
	if err != nil {
		d.cfg.Logger.LogAttrs(ctx, slog.LevelError, "intents: turn failed", append(attrs, slog.Any("err", err))...)
		return
	}
	d.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "intents: turn", attrs...)
}
