package sandbox

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Clock is the sandbox's clock: real time, moved forward by what Advance
// added. The skill the sandbox builds (Wiring.Now), its fake platform and
// its console all read it, so a conversation can place an order hours
// after the offer while every signature stays fresh. The zero value is
// real time; it is safe for concurrent use.
type Clock struct{ ahead atomic.Int64 }

// Now returns the sandbox's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Advance moves the clock forward by d, which must be positive: time in
// the sandbox never runs backwards.
func (c *Clock) Advance(d time.Duration) error {
	if d <= 0 {
		return errors.New("sandbox: the clock only moves forward")
	}
	c.ahead.Add(int64(d))
	return nil
}

// AdvanceRequest is the body of POST /sandbox/platform/advance: how far to
// move the sandbox's clock, as a Go duration ("2h").
type AdvanceRequest struct {
	By string `json:"by"`
}

// AdvanceReply is its answer: the sandbox's time now.
type AdvanceReply struct {
	Now time.Time `json:"now"`
}

func (c *Console) advance(_ context.Context, in AdvanceRequest) (AdvanceReply, error) {
	if c.Clock == nil {
		return AdvanceReply{}, errors.New("sandbox: no clock")
	}
	d, err := time.ParseDuration(in.By)
	if err != nil {
		return AdvanceReply{}, err
	}
	if err := c.Clock.Advance(d); err != nil {
		return AdvanceReply{}, err
	}
	return AdvanceReply{Now: c.Clock.Now().UTC()}, nil
}
