package replay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Target is what fixtures run against: the skill (its /skill and partner
// pay endpoints) and the fake platform its pay client points at.
type Target interface {
	// SkillID is the skill id requests carry.
	SkillID() string
	// Skill signs and sends a skill request and returns the response body.
	Skill(ctx context.Context, req *tsk.Request) ([]byte, error)
	// CreateOrder, ShipNotify and RefundNotify send the platform's signed
	// call to the skill's partner endpoint and return its verified reply.
	CreateOrder(ctx context.Context, req pay.CreateOrderRequest) (pay.Reply, error)
	ShipNotify(ctx context.Context, req pay.ShipNotifyRequest) (pay.Reply, error)
	RefundNotify(ctx context.Context, req pay.RefundNotifyRequest) (pay.Reply, error)
	// Open tells the fake platform about a created order (NOTPAY).
	Open(ctx context.Context, tradeNo string, total shop.Fen) error
	// Pay makes the fake platform mark the order paid; it returns the
	// platform's transactionId.
	Pay(ctx context.Context, tradeNo string, total shop.Fen) (string, error)
	// SettleRefund makes the fake platform settle the order's pending
	// refund with status and returns the refund notify it would send.
	SettleRefund(ctx context.Context, tradeNo string, status shop.RefundStatus) (pay.RefundNotifyRequest, error)
	// Order returns the skill's order, as its admin view shows it.
	Order(ctx context.Context, tradeNo string) (shop.Order, error)
}

// Clock is a Target whose clock can be moved forward, for the platform
// step "advance": the skill's, its fake platform's and the target's own
// (which signs what it sends), together. Rewind moves it back by what an
// Advance added: a Runner undoes a fixture's advances when the fixture
// ends, so that a sandbox is left at real time. HTTPTarget is one when it
// drives a sandbox.
type Clock interface {
	Advance(ctx context.Context, d time.Duration) error
	Rewind(ctx context.Context, d time.Duration) error
}

// Runner plays fixtures against a Target.
type Runner struct {
	Target Target
	// Update rewrites the want blocks with what the skill answered.
	Update bool
	// Out receives the per-turn diff of a mismatch (nil → os.Stderr).
	Out io.Writer
	// RunID names the run in the platform user ids it sends: the user of
	// a fixture is "replay.<RunID>.<nonce>.<user>", so that a run against
	// a long-lived server never meets a real user, nor another run's or
	// another fixture's. Empty: the start time and a random part, set on
	// the first Run.
	RunID string
	// Check, when set, checks every skill response body against the
	// platform's rules; an error fails the fixture. Tests set it to
	// tsktest.CheckResponse (the JSON-Schema validator, which the shipped
	// binary does not link).
	Check func(body []byte) error
}

// Result is the outcome of one fixture.
type Result struct {
	Path       string
	Turns      int
	Mismatches []TurnMismatch
	Updated    bool  // the file was rewritten
	Err        error // RunFiles: the fixture is broken, or its run could not finish
}

// TurnMismatch is a field of one turn that differs from the fixture.
type TurnMismatch struct {
	Turn int
	Mismatch
}

// OK reports whether the fixture ran and every turn got what it wants.
func (r *Result) OK() bool { return len(r.Mismatches) == 0 && r.Err == nil }

// ErrMismatch is returned by RunFiles when a fixture did not match.
var ErrMismatch = errors.New("replay: answers differ from the fixtures")

// RunFiles parses and runs every fixture file, printing diffs to Out and a
// summary line per file. It returns a result per file, a broken one's with
// its Err, and ErrMismatch if any answer differed, or the first broken
// fixture's error (after running the others).
func (r *Runner) RunFiles(ctx context.Context, paths []string) ([]*Result, error) {
	var results []*Result
	var broken, mismatched error
	for _, p := range paths {
		f, err := ParseFile(p)
		res := &Result{Path: p}
		if err == nil {
			var ran *Result
			if ran, err = r.Run(ctx, f); ran != nil {
				res = ran
			}
			if len(res.Mismatches) > 0 && !r.Update {
				mismatched = ErrMismatch
			}
		}
		if err != nil {
			fmt.Fprintf(r.out(), "FAIL %v\n", err)
			res.Err = err
			broken = cmpOr(broken, err)
		}
		results = append(results, res)
	}
	return results, cmpOr(broken, mismatched)
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (r *Runner) out() io.Writer {
	if r.Out != nil {
		return r.Out
	}
	return os.Stderr
}

// Run plays one fixture. Mismatches are in the result (and printed); the
// error is for a broken fixture or a target that could not be reached.
// The clock moves of the fixture's advance steps are undone when it ends,
// however it ends.
func (r *Runner) Run(ctx context.Context, f *Fixture) (res *Result, err error) {
	if !r.Update {
		for _, t := range f.Turns {
			if t.Want == nil {
				return nil, &Error{Path: f.Path, Turn: t.N, Err: ErrNoWant}
			}
		}
	}
	if r.RunID == "" {
		var b [3]byte
		_, _ = rand.Read(b[:])
		r.RunID = time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
	}
	// A fresh user per fixture keeps runs against a long-lived server apart.
	run := newRun(r.Target, f, func(nonce string) string { return "replay." + r.RunID + "." + nonce + "." + f.User })
	run.check = r.Check
	defer func() {
		if rerr := run.rewind(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = &Error{Path: f.Path, Err: rerr}
		}
	}()
	res = &Result{Path: f.Path, Turns: len(f.Turns)}
	if f.Account != "" {
		if _, err := run.link(ctx, f.Account); err != nil {
			return res, &Error{Path: f.Path, Err: fmt.Errorf("header account: %w", err)}
		}
	}
	got := make([]Want, len(f.Turns))
	for i, t := range f.Turns {
		w, err := run.turn(ctx, t)
		if err != nil {
			return res, &Error{Path: f.Path, Turn: t.N, Err: err}
		}
		if t.Want != nil && t.Want.Order == nil {
			w.Order = nil // checked only where the fixture asks
		}
		got[i] = w
		if t.Want == nil {
			continue
		}
		for _, m := range Diff(*t.Want, w) {
			res.Mismatches = append(res.Mismatches, TurnMismatch{Turn: t.N, Mismatch: m})
		}
	}
	if r.Update {
		changed, err := update(f, got)
		if err != nil {
			return res, &Error{Path: f.Path, Err: err}
		}
		res.Updated = changed
		if changed {
			fmt.Fprintf(r.out(), "updated %s\n", f.Path)
		}
		return res, nil
	}
	r.report(f, res)
	return res, nil
}

// Users describes the platform user ids of the run, for a line that tells
// what a run against a server left there.
func (r *Runner) Users() string {
	return "replay." + r.RunID + ".*"
}

// report prints the mismatches of a fixture, one line per field.
func (r *Runner) report(f *Fixture, res *Result) {
	if res.OK() {
		return
	}
	w := r.out()
	fmt.Fprintf(w, "--- %s (%s)\n", f.Path, f.Title)
	for _, m := range res.Mismatches {
		t := f.Turns[m.Turn-1]
		fmt.Fprintf(w, "%s: turn %d (%s): %s:\n\twant %s\n\tgot  %s\n", f.Path, m.Turn, describe(t), m.Field, m.Want, m.Got)
	}
}

// describe names a turn for a diff line.
func describe(t Turn) string {
	if p := t.Platform; p != nil {
		return "platform " + p.Step
	}
	u := t.User
	switch {
	case u.Say != "":
		return "user " + jsonString(u.Say)
	case u.Intent != "":
		return "user intent " + u.Intent
	}
	return "user " + u.Request
}

// run is the state of one fixture being played.
type run struct {
	target Target
	check  func(body []byte) error
	f      *Fixture
	norm   Normalizer
	user   string
	nonce  string
	token  string // the access token of the linked account, or ""
	users  int    // new platform userIds given so far (new-user-id)
	first  string // the first platform userId, before any new one

	sessions map[string]bool // session ids used so far
	requests int             // skill requests sent so far
	charge   *tsk.Charge     // the last Charge directive
	last     *tsk.Response   // the last skill response
	tradeNo  string          // the last order's
	total    shop.Fen
	txID     string
	tradeNos []string          // every order created, in turn
	stepped  string            // the order the last platform step was about
	txIDs    map[string]string // the transaction paying each order
	advanced time.Duration     // how far the advance steps moved the clock
}

// newRun starts playing f; user names the platform user from the run's
// nonce (nil: the fixture's user as it is).
func newRun(t Target, f *Fixture, user func(nonce string) string) *run {
	var b [4]byte
	_, _ = rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	r := &run{target: t, f: f, nonce: nonce, user: f.User, sessions: map[string]bool{}, txIDs: map[string]string{}}
	if user != nil {
		r.user = user(nonce)
		r.norm.Learn(r.user, f.User)
	}
	return r
}

// turn plays one turn and returns what it got.
func (r *run) turn(ctx context.Context, t Turn) (Want, error) {
	if t.Platform != nil {
		return r.platform(ctx, t.Platform, t.Want)
	}
	req, err := r.request(t.User)
	if err != nil {
		return Want{}, err
	}
	return r.skill(ctx, req, t.Want)
}

// request builds the skill request of a user turn.
func (r *run) request(u *UserTurn) (*tsk.Request, error) {
	session := "replay-" + r.nonce + "-" + strings.TrimSpace(u.Session)
	opts := r.options(session)
	if u.Say != "" {
		opts = append(opts, fakeplatform.WithQuery(u.Say))
	}
	switch u.Request {
	case RequestLaunch:
		return fakeplatform.NewLaunch(opts...), nil
	case RequestSessionEnded:
		return fakeplatform.NewSessionEnded(cmpString(u.Reason, tsk.ReasonUserInitiated), opts...), nil
	case RequestElementSelected:
		return fakeplatform.NewElementSelected(u.Token, opts...), nil
	}
	if u.Confirmation != "" {
		opts = append(opts, fakeplatform.WithConfirmation(u.Confirmation))
	}
	return fakeplatform.NewIntent(u.Intent, u.Slots, opts...), nil
}

// options are the request options every skill request of the run has.
func (r *run) options(session string) []fakeplatform.Option {
	isNew := !r.sessions[session]
	r.sessions[session] = true
	r.requests++
	return []fakeplatform.Option{
		fakeplatform.WithDeviceKind(r.f.Device), fakeplatform.WithSkill(r.target.SkillID()), fakeplatform.WithUser(r.user),
		fakeplatform.WithDevice("replay-" + r.f.Device.Name), fakeplatform.WithSession(session), fakeplatform.WithNewSession(isNew),
		fakeplatform.WithRequestID(fmt.Sprintf("replay-%s-%d", r.nonce, r.requests)), fakeplatform.WithAccessToken(r.token),
	}
}

func cmpString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// skill sends a request and observes the answer.
func (r *run) skill(ctx context.Context, req *tsk.Request, want *Want) (Want, error) {
	return r.skillAbout(ctx, req, want, r.tradeNo)
}

// skillAbout sends a request about an order and observes the answer, with
// that order's view.
func (r *run) skillAbout(ctx context.Context, req *tsk.Request, want *Want, tradeNo string) (Want, error) {
	body, err := r.target.Skill(ctx, req)
	if err != nil {
		return Want{}, err
	}
	resp, err := tsk.DecodeResponse(body)
	if err != nil {
		return Want{}, fmt.Errorf("skill response: %w: %s", err, body)
	}
	r.last = resp
	if r.check != nil {
		if err := r.check(body); err != nil {
			return Want{}, fmt.Errorf("skill response breaks the platform's rules: %w", err)
		}
	}
	for _, d := range resp.Response.Directives {
		if c, ok := d.(tsk.Charge); ok {
			r.charge = &c
			r.norm.Learn(c.Payload.ChargeInfo.UserID, "<token>")
		}
	}
	w := r.norm.Response(resp)
	return r.withOrderOf(ctx, tradeNo, w, want, false)
}

// withOrderOf adds the view of the order tradeNo when the fixture checks
// it (or, while recording a new want, for platform turns).
func (r *run) withOrderOf(ctx context.Context, tradeNo string, w Want, want *Want, platform bool) (Want, error) {
	if tradeNo == "" || (want == nil && !platform) || (want != nil && want.Order == nil) {
		return w, nil
	}
	o, err := r.target.Order(ctx, tradeNo)
	if err != nil {
		return w, fmt.Errorf("order %s: %w", tradeNo, err)
	}
	w.Order = Order(o)
	if a, ok := shop.AccountOf(o.UserID); ok {
		w.Order.Account = r.norm.String(a)
	}
	return w, nil
}
