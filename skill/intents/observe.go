package intents

import "github.com/dingdang-voicepay/voicepay/skill/tsk"

// TurnObserver is told about each dialog turn, for metrics; the metrics
// adapter satisfies it.
type TurnObserver interface {
	// Turn is one answered turn: what was asked (TurnLabel), the kind of
	// device it was rendered for, and whether it failed (an apology).
	Turn(intent, device string, failed bool)
}

// OtherLabel is TurnLabel's answer for what the skill does not know.
const OtherLabel = "other"

// TurnLabel names what a request asks, with a bounded set of values (a
// label must not take whatever the platform sends): a registered intent's
// name, the request type of the other known requests, else OtherLabel.
func (d *Dialog) TurnLabel(req *tsk.Request) string {
	switch t := req.Request.Type; t {
	case tsk.TypeIntent:
		if in := req.Request.Intent; in != nil {
			if _, ok := d.routes[in.Name]; ok {
				return in.Name
			}
		}
		return OtherLabel
	case tsk.TypeLaunch, tsk.TypeSessionEnded, tsk.TypeConnectionsResponse, tsk.TypeElementSelected:
		return t
	}
	return OtherLabel
}

// observe tells the observer about a turn.
func (d *Dialog) observe(t *turn, err error) {
	if d.cfg.Observer != nil {
		d.cfg.Observer.Turn(d.TurnLabel(t.req), t.device.Name, err != nil)
	}
}
