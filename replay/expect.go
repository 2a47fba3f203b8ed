package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Want is what a turn must get, normalised (see Normalizer). A user turn
// (and a connections-response) fills Speech, End, Directives and Card; a
// platform turn Reply (or Replies for copies) and TradeNo. Order is checked
// only when the fixture has it.
type Want struct {
	Speech     string      `yaml:"speech,omitempty"`
	End        *bool       `yaml:"end,omitempty"`
	Directives []Directive `yaml:"directives,omitempty"`
	Card       string      `yaml:"card,omitempty"`
	Reply      string      `yaml:"reply,omitempty"`
	Replies    []string    `yaml:"replies,omitempty,flow"`
	TradeNo    string      `yaml:"tradeNo,omitempty"`
	Order      *OrderView  `yaml:"order,omitempty,flow"`
}

// Directive is the key fields of one response directive.
type Directive struct {
	Type     string   `yaml:"type"`
	Template string   `yaml:"template,omitempty"` // RenderTemplate: template type
	Title    string   `yaml:"title,omitempty"`    // RenderTemplate: text title; audio: info title
	Text     string   `yaml:"text,omitempty"`     // RenderTemplate: text description
	Image    string   `yaml:"image,omitempty"`    // RenderTemplate: background image (<qr> for a pay QR)
	List     []string `yaml:"list,omitempty,flow"`
	User     string   `yaml:"user,omitempty"` // Charge: chargeInfo.userId (<token>)
	Items    []Item   `yaml:"items,omitempty,flow"`
	URL      string   `yaml:"url,omitempty"` // audio stream or URI.Open URL
	Pay      bool     `yaml:"pay,omitempty"` // audio: an unpurchased item
	Slot     string   `yaml:"slot,omitempty"`
}

// Item is one Charge item.
type Item struct {
	ID    string   `yaml:"id"`
	Name  string   `yaml:"name"`
	Price shop.Fen `yaml:"price"`
	Count int64    `yaml:"count"`
	Total shop.Fen `yaml:"total"`
}

// OrderView is the ledger's view of the turn's order.
type OrderView struct {
	State      shop.OrderState `yaml:"state"`
	Total      shop.Fen        `yaml:"total"`
	Deliveries int             `yaml:"deliveries"`
	Refunded   shop.Fen        `yaml:"refunded,omitempty"`
	Refunds    []string        `yaml:"refunds,omitempty,flow"` // each refund's status
	Account    string          `yaml:"account,omitempty"`      // the linked account that owns it, if one does
}

// Normalizer replaces the values that change every run by placeholders.
// Known maps a value seen this run (a tradeNo, a transaction id, an offer
// token) to its placeholder.
type Normalizer struct {
	Known map[string]string
}

var (
	datePattern = regexp.MustCompile(`\d{1,2}月\d{1,2}日`)
	qrPattern   = regexp.MustCompile(`^https?://\S*/qr/\S*$`)
)

// Learn records a run-specific value to normalise as placeholder.
func (n *Normalizer) Learn(value, placeholder string) {
	if value == "" {
		return
	}
	if n.Known == nil {
		n.Known = map[string]string{}
	}
	n.Known[value] = placeholder
}

// String normalises one value: a known value becomes its placeholder
// (inside longer text too), a QR URL <qr>, a spoken date <date>.
func (n *Normalizer) String(s string) string {
	if s == "" {
		return s
	}
	if qrPattern.MatchString(s) {
		return "<qr>"
	}
	for v, p := range n.Known {
		s = strings.ReplaceAll(s, v, p)
	}
	return datePattern.ReplaceAllString(s, "<date>")
}

// Response turns a skill response into the Want it satisfies.
func (n *Normalizer) Response(r *tsk.Response) Want {
	end := r.Response.ShouldEndSession
	w := Want{Speech: n.String(r.Response.OutputSpeech.Text), End: &end}
	if r.Response.Card != nil {
		w.Card = r.Response.Card.Type
	}
	for _, d := range r.Response.Directives {
		w.Directives = append(w.Directives, n.directive(d))
	}
	return w
}

// directive picks the key fields of d.
func (n *Normalizer) directive(d tsk.Directive) Directive {
	out := Directive{Type: d.DirectiveType()}
	switch d := d.(type) {
	case tsk.RenderTemplate:
		t := d.Template
		out.Template = t.Type
		if t.TextContent != nil {
			out.Title, out.Text = n.String(t.TextContent.Title), n.String(t.TextContent.Description)
		}
		if t.BackgroundImage != nil {
			out.Image = n.String(t.BackgroundImage.Source.URL)
		}
		for _, li := range t.ListItems {
			title := li.Token
			if li.TextContent != nil {
				title = li.TextContent.Title
			}
			out.List = append(out.List, n.String(title))
		}
	case tsk.Charge:
		ci := d.Payload.ChargeInfo
		out.Title, out.User = n.String(ci.Name), n.String(ci.UserID)
		for _, it := range ci.Items {
			out.Items = append(out.Items, Item{ID: it.ItemID, Name: it.ItemName, Price: it.Price, Count: it.Count, Total: it.TotalFee})
		}
	case tsk.AudioPlayerPlay:
		for _, it := range d.Playlist {
			out.URL = n.String(it.Stream.URL)
			out.Pay = out.Pay || it.Pay
			if it.Info != nil {
				out.Title = n.String(it.Info.Title)
			}
		}
	case tsk.VideoPlayerPlay:
		for _, it := range d.Playlist {
			out.URL = n.String(it.Stream.URL)
		}
	case tsk.URIOpen:
		out.URL = n.String(d.URL)
	case tsk.ElicitSlot:
		out.Slot = d.SlotToElicit
	}
	return out
}

// Order turns an order into its view.
func Order(o shop.Order) *OrderView {
	v := &OrderView{State: o.State, Total: o.TotalAmt, Deliveries: o.Deliveries, Refunded: o.RefundedAmt}
	for _, r := range o.Refunds {
		v.Refunds = append(v.Refunds, string(r.Status))
	}
	return v
}

// Mismatch is one field whose value differs from the fixture's.
type Mismatch struct {
	Field     string
	Want, Got string
}

// Diff compares want with got field by field (dotted paths such as
// "directives[1].items[0].price"). A want without Order ignores got's.
func Diff(want, got Want) []Mismatch {
	if want.Order == nil {
		got.Order = nil
	}
	w, g := flatten(want), flatten(got)
	var out []Mismatch
	seen := map[string]bool{}
	for _, kv := range w {
		seen[kv[0]] = true
		if gv, ok := lookup(g, kv[0]); !ok || gv != kv[1] {
			out = append(out, Mismatch{Field: kv[0], Want: kv[1], Got: orNone(gv, ok)})
		}
	}
	for _, kv := range g {
		if !seen[kv[0]] {
			out = append(out, Mismatch{Field: kv[0], Want: "(none)", Got: kv[1]})
		}
	}
	return out
}

func orNone(v string, ok bool) string {
	if !ok {
		return "(none)"
	}
	return v
}

func lookup(kvs [][2]string, key string) (string, bool) {
	for _, kv := range kvs {
		if kv[0] == key {
			return kv[1], true
		}
	}
	return "", false
}

// flatten lists the leaves of w as (path, value), in field order, going
// through JSON so the paths use the YAML names.
func flatten(w Want) [][2]string {
	var node yaml.Node
	if err := node.Encode(w); err != nil {
		return [][2]string{{"(encode)", err.Error()}}
	}
	var out [][2]string
	var walk func(path string, n *yaml.Node)
	walk = func(path string, n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := n.Content[i].Value
				if path != "" {
					p = path + "." + p
				}
				walk(p, n.Content[i+1])
			}
		case yaml.SequenceNode:
			if len(n.Content) == 0 {
				out = append(out, [2]string{path, "[]"})
			}
			for i, c := range n.Content {
				walk(fmt.Sprintf("%s[%d]", path, i), c)
			}
		default:
			out = append(out, [2]string{path, n.Value})
		}
	}
	walk("", &node)
	return out
}

// encodeWant writes w as the YAML of a want block.
func encodeWant(w Want) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(w); err != nil {
		return []byte("# cannot encode: " + err.Error() + "\n")
	}
	enc.Close()
	if bytes.Equal(buf.Bytes(), []byte("{}\n")) {
		return nil
	}
	return buf.Bytes()
}

// jsonString quotes s for a message.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
