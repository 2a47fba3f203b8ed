package intents_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
	"github.com/dingdang-voicepay/voicepay/store/bolt"
	"github.com/dingdang-voicepay/voicepay/store/mem"
)

// demoCatalog is the catalog of the conversation tests: two episodes (so
// "万古神帝" is ambiguous), credits, a monthly membership, and another
// series with a 35th episode (so "第35集" is ambiguous).
// fenSpoken matches an amount said in fen ("200分", "两百分"), not
// minutes ("几分钟").
var fenSpoken = regexp.MustCompile(`[0-9零一二两三四五六七八九十百千万]分(?:[^钟]|$)`)

func demoCatalog() *shop.Catalog {
	episode := func(id, n string) shop.Product {
		return shop.Product{ID: id, Name: "万古神帝第" + n + "集", Description: "万古神帝", Price: 200,
			Kind: shop.KindEntitlement, Aliases: []string{"万古神帝" + n + "集"}, Image: "https://img.example.com/" + id + ".jpg",
			Content: shop.Content{Audio: "https://audio.example.com/" + id + ".mp3"},
			Refund:  shop.RefundPolicy{Allowed: true, WithinDays: 7, UnusedOnly: true}}
	}
	return &shop.Catalog{Products: []shop.Product{
		episode("wgsd-35", "35"),
		episode("wgsd-36", "36"),
		{ID: "credits", Name: "听书点数", Price: 100, Kind: shop.KindConsumable, Aliases: []string{"点数"},
			Content: shop.Content{Speech: "点数可以用来兑换有声书。"},
			Refund:  shop.RefundPolicy{Allowed: true, WithinDays: 7}},
		{ID: "vip", Name: "会员月卡", Price: 1990, Kind: shop.KindSubscription, Days: 30, Aliases: []string{"会员"},
			Content: shop.Content{Speech: "会员可以畅听全部内容。"}},
		{ID: "xcb-35", Name: "星辰变第35集", Price: 300, Kind: shop.KindEntitlement,
			Content: shop.Content{Audio: "https://audio.example.com/xcb-35.mp3"},
			Refund:  shop.RefundPolicy{Allowed: true, WithinDays: 7}},
	}}
}

// clock is the tests' adjustable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// env is one user at one speaker, talking to a dialog wired to a real pay
// service on a bolt store and the fake platform.
type env struct {
	t        testing.TB
	ctx      context.Context
	dialog   *intents.Dialog
	pay      *pay.Service
	store    shop.OrderStore
	state    *mem.State
	platform *fakeplatform.Server
	clock    *clock
	kind     *device.Kind
	user     string
	session  string
}

func newEnv(t testing.TB, kind *device.Kind) *env {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "skill.db"), bolt.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvWithStore(t, kind, st)
}

// newEnvWithStore is newEnv keeping orders in st.
func newEnvWithStore(t testing.TB, kind *device.Kind, st shop.OrderStore) *env {
	t.Helper()
	c := &clock{now: time.Now().UTC()}
	platform := tsktest.NewPlatform(t)
	cat := demoCatalog()
	offers := &pay.Offers{Secret: []byte("test-offer-secret"), Store: st, Now: c.Now}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	state := mem.New(mem.Config{Now: c.Now})
	svc := &pay.Service{Ledger: &shop.Ledger{Store: st, Catalog: cat, Now: c.Now}, SkillID: tsktest.SkillID,
		Offers: offers, Platform: tsktest.PayClient(platform), Logger: logger}
	e := &env{t: t, ctx: context.Background(), pay: svc, store: st, state: state, platform: platform, clock: c,
		kind: kind, user: "user-1", session: "session-1"}
	e.dialog = intents.New(e.config(func(c *intents.Config) {
		c.QRURL = func(o *ui.Offer) string {
			if o.Token == "" {
				return ""
			}
			return "https://skill.example.com/qr/" + o.Token + ".png"
		}
	}))
	return e
}

// config is the dialog configuration of the env, changed by mod.
func (e *env) config(mod func(*intents.Config)) intents.Config {
	c := intents.Config{Catalog: e.pay.Ledger.Catalog, Sessions: e.state, Ledger: e.pay.Ledger, Payments: e.pay,
		Offers: e.pay.Offers, Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if mod != nil {
		mod(&c)
	}
	return c
}

// opts are the request options of this speaker and user.
func (e *env) opts(more ...fakeplatform.Option) []fakeplatform.Option {
	return append([]fakeplatform.Option{fakeplatform.WithDeviceKind(e.kind), fakeplatform.WithUser(e.user), fakeplatform.WithSession(e.session),
		fakeplatform.WithTime(e.clock.Now())}, more...)
}

// send handles req and checks the response against the platform's schema
// and the protocol rules.
func (e *env) send(req *tsk.Request) *tsk.Response {
	e.t.Helper()
	resp := e.dialog.Handle(e.ctx, req)
	body, err := json.Marshal(resp)
	if err != nil {
		e.t.Fatal(err)
	}
	tsktest.ValidateResponse(e.t, body)
	checkRules(e.t, req, resp, device.Of(req))
	return tsktest.MustDecodeResponse(e.t, body)
}

// intent sends an IntentRequest.
func (e *env) intent(name string, slots map[string]string, more ...fakeplatform.Option) *tsk.Response {
	e.t.Helper()
	return e.send(fakeplatform.NewIntent(name, slots, e.opts(more...)...))
}

// checkRules fails the test when a response breaks a protocol rule.
func checkRules(t testing.TB, req *tsk.Request, resp *tsk.Response, kind *device.Kind) {
	t.Helper()
	b := resp.Response
	if strings.TrimSpace(b.OutputSpeech.Text) == "" {
		t.Errorf("empty speech")
	}
	for _, d := range b.Directives {
		typ := d.DirectiveType()
		if !kind.Display && strings.HasPrefix(typ, "Display.") {
			t.Errorf("%s sent to a %s device", typ, kind)
		}
		if typ == tsk.DirectiveElicitSlot && b.ShouldEndSession {
			t.Errorf("ElicitSlot in a reply that ends the session")
		}
		if el, ok := d.(tsk.ElicitSlot); ok && req.Request.Type == tsk.TypeIntent {
			// The platform fills the slot of the intent the turn came
			// with: it must declare it.
			if in := req.Request.Intent.Name; !intents.DeclaredSlots()[in][el.SlotToElicit] {
				t.Errorf("ElicitSlot %s in reply to %s, which the interaction model gives no such slot", el.SlotToElicit, in)
			}
		}
		switch req.Request.Type {
		case tsk.TypeSessionEnded:
			if typ != tsk.DirectiveRenderTemplate {
				t.Errorf("%s in a SessionEndedRequest reply", typ)
			}
		case tsk.TypeConnectionsResponse:
			if strings.HasPrefix(typ, "Dialog.") {
				t.Errorf("%s in a Connections.Response reply", typ)
			}
		}
	}
	if req.Request.Type == tsk.TypeSessionEnded || req.Request.Type == tsk.TypeConnectionsResponse {
		if !b.ShouldEndSession {
			t.Errorf("%s reply keeps the session open", req.Request.Type)
		}
	}
	if fenSpoken.MatchString(b.OutputSpeech.Text) {
		t.Errorf("speech mentions fen: %q", b.OutputSpeech.Text)
	}
}

// find returns the first directive of type T.
func find[T tsk.Directive](resp *tsk.Response) (T, bool) {
	for _, d := range resp.Response.Directives {
		if v, ok := d.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// order is what the platform makes of a Charge directive.
type order struct {
	tradeNo   string
	userToken string
	total     shop.Fen
}

// createOrder does what the platform does after the user orders: create
// order at the skill with the offer reference of the Charge directive.
func (e *env) createOrder(resp *tsk.Response) order {
	e.t.Helper()
	ch, ok := find[tsk.Charge](resp)
	if !ok {
		e.t.Fatalf("no Charge directive in %+v", resp.Response)
	}
	ci := ch.Payload.ChargeInfo
	var lines []shop.Line
	for _, it := range ci.Items {
		lines = append(lines, shop.Line{ItemID: it.ItemID, Quantity: it.Count, Amount: it.TotalFee})
	}
	req := fakeplatform.NewCreateOrder(ci.UserID, lines...)
	reply := e.pay.CreateOrder(e.ctx, req)
	if !reply.OK() {
		e.t.Fatalf("create order: %+v", reply)
	}
	e.platform.Open(reply.TradeNo, req.TotalAmt)
	return order{tradeNo: reply.TradeNo, userToken: ci.UserID, total: req.TotalAmt}
}

// payAndShip pays the order at the platform and delivers the ship notify.
func (e *env) payAndShip(o order) {
	e.t.Helper()
	e.platform.Pay(o.tradeNo, o.total)
	if reply := e.pay.ShipNotify(e.ctx, tsktest.MustShipNotify(e.t, e.platform.Platform, o.userToken, o.tradeNo)); !reply.OK() {
		e.t.Fatalf("ship notify: %+v", reply)
	}
}

// paid sends the Connections.Response Charge for the order.
func (e *env) paid(o order) *tsk.Response {
	e.t.Helper()
	return e.send(fakeplatform.NewConnectionsResponse(o.tradeNo, "dd-"+o.tradeNo, e.opts()...))
}

// refundSettles has the platform settle SUCCESS the pending refund of the
// user's newest order and notify it.
func (e *env) refundSettles(t *testing.T) { e.refundSettlesAs(t, shop.RefundSuccess) }

// refundSettlesAs has the platform settle the pending refund of the user's
// newest order as status and notify it.
func (e *env) refundSettlesAs(t *testing.T, status shop.RefundStatus) {
	t.Helper()
	orders, _ := e.pay.Ledger.UserOrders(e.ctx, e.user)
	n, err := e.platform.SettleNext(orders[0].TradeNo, status)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.pay.RefundNotify(e.ctx, n); !r.OK() {
		t.Fatalf("refund notify: %+v", r)
	}
}

// buy runs a whole purchase (say, confirm, pay, ship, jump back) and
// returns the final response.
func (e *env) buy(slots map[string]string) *tsk.Response {
	e.t.Helper()
	e.intent(intents.Buy, slots)
	o := e.createOrder(e.intent(intents.Yes, nil))
	e.payAndShip(o)
	return e.paid(o)
}

// speech is what the response says.
func speech(r *tsk.Response) string { return r.Response.OutputSpeech.Text }

// wantSpeech fails unless the response says every part and keeps the
// session open exactly when open is true.
func wantSpeech(t testing.TB, r *tsk.Response, open bool, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(speech(r), p) {
			t.Errorf("speech %q does not contain %q", speech(r), p)
		}
	}
	if r.Response.ShouldEndSession == open {
		t.Errorf("speech %q: shouldEndSession = %v, want %v", speech(r), r.Response.ShouldEndSession, !open)
	}
}

// wantUnsaid fails the test when the speech of r says any of parts.
func wantUnsaid(t testing.TB, r *tsk.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(speech(r), p) {
			t.Errorf("speech %q says %q", speech(r), p)
		}
	}
}
