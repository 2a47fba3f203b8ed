package intents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// step is where a session's purchase (or refund) dialog stands.
type step string

// The steps of the dialog state machine.
const (
	stepNone    step = ""        // nothing pending
	stepProduct step = "product" // asked which product
	stepCount   step = "count"   // asked how many
	stepConfirm step = "confirm" // asked to confirm a purchase
	stepRefund  step = "refund"  // asked to confirm a refund
)

// state is a session's saved dialog state, stored as JSON.
type state struct {
	Step step `json:"step,omitempty"`
	// Intent is what the purchase serves: Buy or Play.
	Intent string `json:"intent,omitempty"`
	// ProductID is the product chosen so far.
	ProductID string `json:"productId,omitempty"`
	// Candidates are the products offered when the user was ambiguous.
	Candidates []string `json:"candidates,omitempty"`
	// Examples marks Candidates named as examples ("比如A、B或C"): a
	// position counts in them, and any other product is an answer too.
	Examples bool `json:"examples,omitempty"`
	// Count is the quantity chosen so far.
	Count int64 `json:"count,omitempty"`
	// Total is the price said in the confirmation question: a yes is to
	// that price, so a purchase at any other (a catalog changed between
	// the question and the yes) is asked again.
	Total shop.Fen `json:"total,omitempty"`
	// Slots are the slots of the user's intent other than the product and
	// the count, kept to resume that intent after payment (resumeIntent
	// adds the chosen product and count back). Mostly there are none, and
	// the session is small and cheap to write.
	Slots map[string]tsk.Slot `json:"slots,omitempty"`
	// TradeNo and RefundAmt are the refund awaiting confirmation.
	TradeNo   string   `json:"tradeNo,omitempty"`
	RefundAmt shop.Fen `json:"refundAmt,omitempty"`
	// Offered are the offers this session sent that may still be ordered
	// (see waiting); kept across the steps above, in turn.offered.
	Offered []sentOffer `json:"offered,omitempty"`
	// LinkSuggested records that this session already suggested linking
	// an account (LinkOptional), kept across steps in turn.suggested.
	LinkSuggested bool `json:"linkSuggested,omitempty"`
	// Browsed is how many products, in catalog order, the turn named (a
	// browse, or a "which one?" that named the first few): "还有呢"
	// (BrowseMore) goes on from there.
	Browsed int `json:"browsed,omitempty"`
	// Misheard counts the turns in a row that asked again because the
	// answer was not understood (see giveUp).
	Misheard int `json:"misheard,omitempty"`
}

// confirming reports whether the session waits for a yes or a no.
func (s state) confirming() bool { return s.Step == stepConfirm || s.Step == stepRefund }

// turn is one request being handled.
type turn struct {
	req    *tsk.Request
	now    time.Time
	device *device.Kind // decided once, from the request
	state  state
	saved  bool // a state was loaded from the store
	// sent are the session's offers (state.Offered), kept apart so that
	// resetting the dialog's step does not forget them.
	sent []sentOffer
	// account is the linked account of the request's access token, or ""
	// (see identify); suggested is state.LinkSuggested, kept apart as sent.
	account   string
	suggested bool
	// browsed is state.Browsed as loaded: how many products the turn
	// before named, for "还有呢" (browseMore). The state forgets it unless
	// this turn names products again.
	browsed int
	// misheard is state.Misheard as loaded; unclear records that this
	// turn asks again because it did not understand the answer.
	misheard int
	unclear  bool
}

// live returns the session's offers that have not lapsed.
func (t *turn) live() []sentOffer {
	var out []sentOffer
	for _, o := range t.sent {
		if t.now.Before(o.Until) {
			out = append(out, o)
		}
	}
	return out
}

// user is the owner of purchases: the linked account when the request
// carries a valid access token, else the platform user id ("" for a
// userId that poses as an account: see identify).
func (t *turn) user() string {
	if t.account != "" {
		return shop.AccountOwner(t.account)
	}
	if _, posing := shop.AccountOf(t.req.UserID()); posing {
		return ""
	}
	return t.req.UserID()
}

// intent is the request's intent, or nil.
func (t *turn) intent() *tsk.Intent { return t.req.Request.Intent }

// slot returns the text of the intent's slot, or "".
func (t *turn) slot(name string) string {
	v, ok := t.intent().Slot(name)
	if !ok {
		return ""
	}
	return v.Text()
}

// continues keeps the state when the request answers the pending product
// or count question of the same purpose; otherwise it starts afresh.
func (t *turn) continues(purpose string) {
	if (t.state.Step == stepProduct || t.state.Step == stepCount) && t.state.Intent == purpose {
		return
	}
	t.state = state{Intent: purpose}
}

// otherSlots are the slots of the turn's intent, if it is named name,
// other than the product and the count: what resumeIntent needs besides
// them to rebuild the user's intent.
func (t *turn) otherSlots(name string) map[string]tsk.Slot {
	cur := t.intent()
	if cur == nil || cur.Name != name {
		return nil
	}
	var out map[string]tsk.Slot
	for k, v := range cur.Slots {
		if k == SlotProduct || k == SlotCount {
			continue
		}
		if out == nil {
			out = make(map[string]tsk.Slot, len(cur.Slots))
		}
		out[k] = v
	}
	return out
}

// resumeIntent is the intent to resume after payment: name with the
// user's other slots, the product, and the count when it is not zero.
func resumeIntent(name string, other map[string]tsk.Slot, p *shop.Product, count int64) *tsk.Intent {
	in := &tsk.Intent{Name: name, ConfirmationStatus: tsk.NoConfirmation, Slots: make(map[string]tsk.Slot, len(other)+2)}
	maps.Copy(in.Slots, other)
	set := func(slot string, v tsk.Value) {
		in.Slots[slot] = tsk.Slot{Name: slot, ConfirmationStatus: tsk.NoConfirmation, Values: []tsk.SlotValue{{Value: v}}}
	}
	if p != nil {
		set(SlotProduct, tsk.TextValue(p.Name))
	}
	if count > 0 {
		set(SlotCount, tsk.TextValue(fmt.Sprint(count)))
	}
	return in
}

// session is the key of the turn's dialog state: the platform session of
// this platform user (linked or not). The same session id with another
// user is another dialog, so nobody continues (or pays for) someone else's
// purchase. ok is false when the request has no session.
func (t *turn) session() (key shop.SessionKey, ok bool) {
	id := t.req.Session.SessionID
	return shop.SessionKey{SessionID: id, UserID: t.req.UserID()}, id != ""
}

// load reads the session's state; a missing or unreadable one is empty.
func (d *Dialog) load(ctx context.Context, t *turn) error {
	key, ok := t.session()
	if !ok {
		return nil
	}
	raw, err := d.cfg.Sessions.Session(ctx, key)
	switch {
	case errors.Is(err, shop.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("intents: load session: %w", err)
	}
	t.saved = true
	if err := json.Unmarshal(raw, &t.state); err != nil {
		d.cfg.Logger.WarnContext(ctx, "intents: unreadable session state, starting afresh", "session_id", key.SessionID, "err", err)
		t.state = state{}
	}
	t.sent, t.state.Offered = t.state.Offered, nil
	t.suggested, t.state.LinkSuggested = t.state.LinkSuggested, false
	t.browsed, t.state.Browsed = t.state.Browsed, 0
	t.misheard, t.state.Misheard = t.state.Misheard, 0
	return nil
}

// save stores the session's state and its offers, or forgets it when
// nothing is pending.
func (d *Dialog) save(ctx context.Context, t *turn) error {
	key, ok := t.session()
	if !ok {
		return nil
	}
	t.state.Offered, t.state.LinkSuggested = t.live(), t.suggested
	if t.state.Step == stepNone && len(t.state.Offered) == 0 && !t.suggested && t.state.Misheard == 0 {
		if !t.saved {
			return nil
		}
		if err := d.cfg.Sessions.DeleteSession(ctx, key); err != nil {
			return fmt.Errorf("intents: delete session: %w", err)
		}
		return nil
	}
	raw, err := json.Marshal(t.state)
	if err != nil {
		return fmt.Errorf("intents: save session: %w", err)
	}
	if err := d.cfg.Sessions.SaveSession(ctx, key, raw, d.cfg.SessionTTL); err != nil {
		return fmt.Errorf("intents: save session: %w", err)
	}
	return nil
}

// forget drops the session after a failure, best effort: the apology ends
// the conversation, so a stale question must not linger.
func (d *Dialog) forget(ctx context.Context, t *turn) {
	t.state = state{}
	if key, ok := t.session(); ok && d.cfg.Sessions != nil {
		if err := d.cfg.Sessions.DeleteSession(ctx, key); err != nil {
			d.cfg.Logger.WarnContext(ctx, "intents: forget session", "session_id", key.SessionID, "err", err)
		}
	}
}
