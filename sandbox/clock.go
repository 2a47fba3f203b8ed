package sandbox

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/days"
)

// Clock is the sandbox's clock: real time, moved forward by what Advance
// added. The skill the sandbox builds (Wiring.Now), its fake platform and
// its console all read it, so a conversation can place an order hours
// after the offer while every signature stays fresh. Whoever advanced it
// moves it back with Rewind when done (a replayed fixture does at its end),
// so that what signs with real time (skill trigger, the admin commands)
// is not refused as stale afterwards. The zero value is real time; it is
// safe for concurrent use.
type Clock struct{ ahead atomic.Int64 }

// Now returns the sandbox's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Advance moves the clock forward by d, which must be positive.
func (c *Clock) Advance(d time.Duration) error {
	if d <= 0 {
		return errors.New("sandbox: advance: want a positive duration")
	}
	c.ahead.Add(int64(d))
	return nil
}

// Rewind undoes an Advance: it moves the clock back by d, which must be
// positive, but never behind real time (it returns the amount it actually
// moved back, less than d when d is more than the clock is ahead).
func (c *Clock) Rewind(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, errors.New("sandbox: rewind: want a positive duration")
	}
	for {
		old := c.ahead.Load()
		back := min(int64(d), old)
		if c.ahead.CompareAndSwap(old, old-back) {
			return time.Duration(back), nil
		}
	}
}

// Ahead returns how far the clock is ahead of real time.
func (c *Clock) Ahead() time.Duration { return time.Duration(c.ahead.Load()) }

// AdvanceRequest is the body of POST /sandbox/platform/advance and
// /sandbox/platform/rewind: how far to move the sandbox's clock forward or
// back: a Go duration ("2h") or days ("8d", "1d12h").
type AdvanceRequest struct {
	By string `json:"by"`
}

// AdvanceReply is their answer: the sandbox's time now, and how far it is
// ahead of real time.
type AdvanceReply struct {
	Now   time.Time `json:"now"`
	Ahead string    `json:"ahead"` // a Go duration, "0s" at real time
}

func (c *Console) advance(_ context.Context, in AdvanceRequest) (AdvanceReply, error) {
	if c.Clock == nil {
		return AdvanceReply{}, errors.New("sandbox: no clock")
	}
	d, err := days.Parse(in.By)
	if err != nil {
		return AdvanceReply{}, err
	}
	if err := c.Clock.Advance(d); err != nil {
		return AdvanceReply{}, err
	}
	return c.clockReply(), nil
}

// rewind serves POST /sandbox/platform/rewind: the clock moves back by
// what an advance added (never behind real time).
func (c *Console) rewind(_ context.Context, in AdvanceRequest) (AdvanceReply, error) {
	if c.Clock == nil {
		return AdvanceReply{}, errors.New("sandbox: no clock")
	}
	d, err := days.Parse(in.By)
	if err != nil {
		return AdvanceReply{}, err
	}
	if _, err := c.Clock.Rewind(d); err != nil {
		return AdvanceReply{}, err
	}
	return c.clockReply(), nil
}

func (c *Console) clockReply() AdvanceReply {
	now := c.Clock.Now()
	ahead := c.Clock.Ahead()
	return AdvanceReply{Now: now.UTC(), Ahead: ahead.String()}
}
