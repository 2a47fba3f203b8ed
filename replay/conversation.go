package replay

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"golang.org/x/tools/txtar"
	"gopkg.in/yaml.v3"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Conversation plays turns one at a time, exactly as a Runner plays a
// fixture's, and keeps them: Fixture writes what was played as a fixture
// whose want blocks are the answers got, ready for a Runner. `skill dialog`
// is built on it.
//
// Unlike a Runner, a Conversation sends the platform user id as given, and
// it starts a new session (a "session:" label in the fixture) for the user
// turn after one whose answer ended the session, as the platform does.
type Conversation struct {
	run   *run
	turns []Turn
	wants []Want
	label int  // the session of the next user turn: 0 is the first ("")
	ended bool // the last user turn's answer ended its session
}

// NewConversation starts a conversation of user on a speaker of kind k.
func NewConversation(t Target, k *device.Kind, user string) *Conversation {
	return &Conversation{run: newRun(t, &Fixture{Device: k, User: user}, nil)}
}

// Say plays a user turn. Its Session is set by the conversation.
func (c *Conversation) Say(ctx context.Context, u UserTurn) (Want, error) {
	label := c.label
	if c.ended {
		label++
	}
	u.Session = ""
	if label > 0 {
		u.Session = strconv.Itoa(label + 1)
	}
	w, err := c.play(ctx, Turn{User: &u})
	if err != nil {
		return w, err
	}
	c.label, c.ended = label, w.End != nil && *w.End
	return w, nil
}

// Step plays a platform turn. After a payment result (connections-response)
// that ends its session the next user turn starts a new one: the pay page
// took the speaker over, and a question asked before it no longer stands
// (a "是的" after it answered one, and charged).
func (c *Conversation) Step(ctx context.Context, p PlatformTurn) (Want, error) {
	w, err := c.play(ctx, Turn{Platform: &p})
	if err == nil && p.Step == StepConnectionsResponse && w.End != nil && *w.End {
		c.ended = true
	}
	return w, err
}

// play checks and plays a turn and keeps it when it worked.
func (c *Conversation) play(ctx context.Context, t Turn) (Want, error) {
	t.N = len(c.turns) + 1
	if err := t.check(); err != nil {
		return Want{}, err
	}
	w, err := c.run.turn(ctx, t)
	if err != nil {
		return w, err
	}
	c.turns, c.wants = append(c.turns, t), append(c.wants, w)
	return w, nil
}

// Turns returns how many turns were played.
func (c *Conversation) Turns() int { return len(c.turns) }

// User is the platform user the conversation speaks as.
func (c *Conversation) User() string { return c.run.f.User }

// Last returns the skill's last response, nil before the first.
func (c *Conversation) Last() *tsk.Response { return c.run.last }

// TradeNo returns the order of the conversation, "" before create-order.
func (c *Conversation) TradeNo() string { return c.run.tradeNo }

// Stepped returns the order the last platform step was about: the
// conversation's order, or for refund-notify the one whose refund it
// settled.
func (c *Conversation) Stepped() string { return c.run.stepped }

// Adopt makes the orders prev placed this conversation's too (the user
// went on on another speaker): later platform steps (pay, ship-notify,
// refund-notify) act on them. A fixture recorded from this conversation
// replays without them.
func (c *Conversation) Adopt(prev *Conversation) {
	p, r := prev.run, c.run
	r.charge, r.tradeNo, r.total, r.txID = p.charge, p.tradeNo, p.total, p.txID
	r.tradeNos = append(r.tradeNos, p.tradeNos...)
	for k, v := range p.txIDs {
		r.txIDs[k] = v
	}
}

// Refunding returns the tradeNo of the conversation's newest order with a
// refund under way (what a refund-notify step settles), else TradeNo.
func (c *Conversation) Refunding(ctx context.Context) string { return c.run.refunding(ctx) }

// Fixture returns the turns played as a fixture with the title.
func (c *Conversation) Fixture(title string) ([]byte, error) {
	if len(c.turns) == 0 {
		return nil, fmt.Errorf("replay: nothing to record yet")
	}
	f := c.run.f
	a := &txtar.Archive{Comment: fmt.Appendf(nil, "title: %s\ndevice: %s\nuser: %s\n", title, f.Device.Name, f.User)}
	for i, t := range c.turns {
		var req any = t.User
		if t.Platform != nil {
			req = t.Platform
		}
		data, err := encodeYAML(req)
		if err != nil {
			return nil, err
		}
		a.Files = append(a.Files, txtar.File{Name: fmt.Sprintf("%d %s", t.N, t.Kind()), Data: data},
			txtar.File{Name: fmt.Sprintf("%d want", t.N), Data: encodeWant(c.wants[i])})
	}
	data := txtar.Format(a)
	if _, err := Parse("recorded", data); err != nil {
		return nil, err
	}
	return data, nil
}

// encodeYAML writes v as a block of a fixture.
func encodeYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
