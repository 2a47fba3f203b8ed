package replay_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/replay"
)

const header = "title: t\ndevice: screened\nuser: alice\n"

func TestParse(t *testing.T) {
	f, err := replay.Parse("ok.txtar", []byte(header+`-- 1 user --
say: 我要买万古神帝第35集
intent: buy
slots: {product: 万古神帝第35集}
-- 1 want --
speech: 万古神帝第35集，2元，确定购买吗？
end: false
-- 2 platform --
step: ship-notify
copies: 3
-- 2 want --
replies: [SUCCESS, SUCCESS, SUCCESS]
order: {state: DELIVERED, total: 200, deliveries: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	if f.Device != device.Screened || f.User != "alice" || len(f.Turns) != 2 {
		t.Fatalf("fixture = %+v", f)
	}
	u, p := f.Turns[0].User, f.Turns[1].Platform
	if u.Intent != "buy" || u.Slots["product"] != "万古神帝第35集" || p.Step != replay.StepShipNotify || p.Copies != 3 {
		t.Fatalf("turns = %+v %+v", u, p)
	}
	if w := f.Turns[1].Want; w.Order == nil || w.Order.Deliveries != 1 || len(w.Replies) != 3 {
		t.Fatalf("want = %+v", w)
	}
}

func TestParseBroken(t *testing.T) {
	tests := []struct {
		name, data string
		turn       int
		wantErr    string
	}{
		{"no device", "title: t\nuser: u\n-- 1 user --\nintent: help\n", 0, "device"},
		{"unknown device", "title: t\ndevice: tv\nuser: u\n-- 1 user --\nintent: help\n", 0, `device "tv": want screened`},
		{"unknown header key", header + "colour: red\n-- 1 user --\nintent: help\n", 0, "unknown key"},
		{"no turns", header, 0, "no turns"},
		{"bad yaml", header + "-- 1 user --\nintent: [help\n", 1, "1 user"},
		{"bad json", header + "-- 1 user --\n{\"intent\": \"help\"}\n-- 1 want --\n{\"speech\": \"x\"\n", 1, "1 want"},
		{"unknown step", header + "-- 1 platform --\nstep: refund-everything\n", 1, "unknown step"},
		{"unknown field", header + "-- 1 user --\nintent: help\nslot: {a: b}\n", 1, "slot"},
		{"no intent", header + "-- 1 user --\nsay: 你好\n", 1, "needs an intent"},
		{"turn out of order", header + "-- 2 user --\nintent: help\n", 2, "expected turn 1"},
		{"stray want", header + "-- 1 user --\nintent: help\n-- 2 want --\nspeech: x\n", 2, "does not follow"},
		{"bad section", header + "-- one user --\nintent: help\n", 0, "section"},
		{"copies on pay", header + "-- 1 platform --\nstep: pay\ncopies: 2\n", 1, "copies"},
		{"ids on pay", header + "-- 1 platform --\nstep: pay\nids: swapped\n", 1, "ids"},
		{"unknown ids", header + "-- 1 platform --\nstep: connections-response\nids: reversed\n", 1, "ids"},
		{"advance without by", header + "-- 1 platform --\nstep: advance\n", 1, "advance needs it"},
		{"by on pay", header + "-- 1 platform --\nstep: pay\nby: 2h\n", 1, "by is for advance"},
		{"advance by a day word", header + "-- 1 platform --\nstep: advance\nby: tomorrow\n", 1, "positive duration"},
		{"advance backwards", header + "-- 1 platform --\nstep: advance\nby: -2h\n", 1, "positive duration"},
		{"order on pay", header + "-- 1 platform --\nstep: pay\norder: 1\n", 1, "order is for connections-response"},
		{"order 0 of a jump", header + "-- 1 platform --\nstep: connections-response\norder: -1\n", 1, "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replay.Parse("broken.txtar", []byte(tt.data))
			var fe *replay.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *replay.Error", err)
			}
			if fe.Path != "broken.txtar" || fe.Turn != tt.turn || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v (turn %d), want turn %d mentioning %q", err, fe.Turn, tt.turn, tt.wantErr)
			}
		})
	}
}

// TestParseErrorsNameTheLine: an error names the line in the file, not in
// its section, so an editor can jump to it.
func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"unknown field in a turn", header + "-- 1 user --\nintent: help\nslot: {a: b}\n",
			`broken.txtar:6: turn 1: 1 user: unknown field "slot"`},
		{"unknown field in a later want", header + "-- 1 user --\nintent: help\n-- 1 want --\nspeech: x\n" +
			"-- 2 platform --\nstep: pay\n-- 2 want --\nreply: PAID\norder: {state: PAID}\nrefund: 3\n",
			`broken.txtar:13: turn 2: 2 want: unknown field "refund"`},
		{"unknown step", header + "-- 1 user --\nintent: help\n-- 1 want --\n-- 2 platform --\nstep: dance\n",
			"broken.txtar:7: turn 2: unknown step"},
		{"unknown header key", "title: t\n# a comment\ncolour: red\ndevice: screened\nuser: u\n-- 1 user --\nintent: help\n",
			`broken.txtar:3: header: unknown key "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replay.Parse("broken.txtar", []byte(tt.data))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to start %q", err, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	end := true
	want := replay.Want{Speech: "a", End: &end, Directives: []replay.Directive{{Type: "AudioPlayer.Play", URL: "u1"}}}
	got := want
	got.Directives = []replay.Directive{{Type: "AudioPlayer.Play", URL: "u2"}, {Type: "Display.RenderTemplate"}}
	got.Order = &replay.OrderView{State: "DELIVERED"} // ignored: the want has no order
	ms := replay.Diff(want, got)
	if len(ms) != 2 || ms[0].Field != "directives[0].url" || ms[0].Want != "u1" || ms[0].Got != "u2" ||
		ms[1].Field != "directives[1].type" || ms[1].Want != "(none)" {
		t.Fatalf("diff = %+v", ms)
	}
	n := replay.Normalizer{}
	n.Learn("T123ABC", "<tradeNo>")
	if s := n.String("订单T123ABC到期3月4日"); s != "订单<tradeNo>到期<date>" {
		t.Fatalf("normalised = %q", s)
	}
	if s := n.String("http://127.0.0.1:8080/qr/abc.png"); s != "<qr>" {
		t.Fatalf("qr = %q", s)
	}
}
