package sandbox

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// web holds the simulator page: plain HTML, CSS and JavaScript, no build
// step, nothing loaded from elsewhere.
//
//go:embed web
var web embed.FS

// servePage serves the simulator at / and its files under /static/.
func (c *Console) servePage(mux *http.ServeMux) {
	static, _ := fs.Sub(web, "web")
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, static, "index.html")
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", files))
}

// Meta is what the simulator page needs once: the device kinds, the users
// to offer, the utterance buttons and the skill's URL. Utterances make
// sense on their own; Answers ("第二个", "3个") only as the answer to the
// skill's question, so the page offers them only while one is asked
// (SpeakerView.Asking). Misheard are utterances too, shown apart: what
// speech recognition wrote for something else (Mishearing.Meant), to see
// the skill cope with it.
type Meta struct {
	Kinds      []KindView   `json:"kinds"`
	Users      []string     `json:"users"`
	Utterances []string     `json:"utterances"`
	Answers    []string     `json:"answers"`
	Misheard   []Mishearing `json:"misheard"`
	SkillURL   string       `json:"skillURL"`
	SkillID    string       `json:"skillId"`
}

// Mishearing is an utterance that speech recognition got wrong.
type Mishearing struct {
	Say   string `json:"say"`   // what recognition wrote, and the platform sends
	Meant string `json:"meant"` // what the user said
}

// KindView is a device kind as the page shows it.
type KindView struct {
	Name    string `json:"name"`
	Display bool   `json:"display"` // it has a screen
}

func (c *Console) serveMeta(w http.ResponseWriter, _ *http.Request) {
	m := Meta{Utterances: c.Utterances, Answers: []string{}, SkillURL: c.SkillURL, SkillID: c.SkillID, Users: []string{"alice", "bob"}}
	if c.NLU != nil {
		m.Utterances, m.Answers = c.NLU.Answers(c.Utterances)
	}
	if m.Utterances == nil {
		m.Utterances = []string{}
	}
	m.Misheard = []Mishearing{}
	m.Utterances = slices.DeleteFunc(slices.Clone(m.Utterances), func(u string) bool {
		meant, ok := c.Misheard[u]
		if ok {
			m.Misheard = append(m.Misheard, Mishearing{Say: u, Meant: meant})
		}
		return ok
	})
	for _, k := range device.Kinds() {
		m.Kinds = append(m.Kinds, KindView{Name: k.Name, Display: k.Display})
	}
	c.mu.Lock()
	for id := range c.users {
		if !slices.Contains(m.Users, id) {
			m.Users = append(m.Users, id)
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, m)
}

// State is one user's view in the simulator: the speakers, the orders the
// platform placed, the skill's own records (orders with their history,
// entitlements: as the admin API gives them, and as the side panel shows
// them to a person) and the turns with their raw exchanges.
type State struct {
	Seq          int                    `json:"seq"`
	User         string                 `json:"user"`
	Account      string                 `json:"account,omitempty"` // the account the user linked, if any
	Speakers     map[string]SpeakerView `json:"speakers"`
	Placed       []PendingOrder         `json:"placed"`            // the platform's view, oldest first
	Waiting      *PendingOrder          `json:"waiting,omitempty"` // the order waiting for payment
	Offered      bool                   `json:"offered"`           // a Charge waits to be ordered
	Orders       json.RawMessage        `json:"orders"`            // the skill's admin view
	Entitlements json.RawMessage        `json:"entitlements"`      // the skill's admin view
	OrderViews   []OrderView            `json:"orderViews"`        // Orders as the side panel shows them
	Owned        []EntitlementView      `json:"owned"`             // Entitlements as the side panel shows them
	AdminError   string                 `json:"adminError,omitempty"`
	Turns        []Turn                 `json:"turns"`
}

// SpeakerView is one speaker of the user.
type SpeakerView struct {
	Kind     string          `json:"kind"`
	Display  bool            `json:"display"`
	MicOpen  bool            `json:"micOpen"`
	Asking   string          `json:"asking,omitempty"` // the slot the skill's question asks for (Dialog.ElicitSlot)
	Said     string          `json:"said,omitempty"`
	Heard    *Understanding  `json:"heard,omitempty"`
	Response json.RawMessage `json:"response,omitempty"` // the last response, as received
}

// serveState is GET /sandbox/state?user=U.
func (c *Console) serveState(w http.ResponseWriter, r *http.Request) {
	user := cmpOr(r.URL.Query().Get("user"), "alice")
	st := c.snapshot(user)
	st.Orders, st.Entitlements = json.RawMessage("[]"), json.RawMessage("[]")
	if c.Admin != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		// A linked user's orders move to the account at the skill's next
		// request: until then some may still be the user's.
		owners := []string{user}
		if st.Account != "" {
			owners = append(owners, shop.AccountOwner(st.Account))
		}
		var orders, ents []json.RawMessage
		for _, owner := range owners {
			o, e, err := c.records(ctx, owner)
			if err != nil {
				st.AdminError = err.Error()
				break
			}
			orders, ents = append(orders, o...), append(ents, e...)
		}
		if len(owners) > 1 {
			slices.SortStableFunc(orders, newestFirst)
		}
		if b, err := json.Marshal(orders); err == nil && len(orders) > 0 {
			st.Orders = b
		}
		if b, err := json.Marshal(ents); err == nil && len(ents) > 0 {
			st.Entitlements = b
		}
	}
	st.OrderViews, st.Owned = orderViews(st.Orders, c.productName), entitlementViews(st.Entitlements, c.productName)
	writeJSON(w, http.StatusOK, st)
}

// records asks the skill's admin API for an owner's orders (the newest 50)
// and entitlements.
func (c *Console) records(ctx context.Context, owner string) (orders, ents []json.RawMessage, err error) {
	var o struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := c.Admin.Get(ctx, "/admin/orders?limit=50&user="+url.QueryEscape(owner), &o); err != nil {
		return nil, nil, err
	}
	var e struct {
		Entitlements []json.RawMessage `json:"entitlements"`
	}
	if err := c.Admin.Get(ctx, "/admin/users/"+url.PathEscape(owner)+"/entitlements", &e); err != nil {
		return nil, nil, err
	}
	return o.Orders, e.Entitlements, nil
}

// newestFirst orders the admin view's orders by creation, newest first.
func newestFirst(a, b json.RawMessage) int {
	var x, y struct {
		CreatedAt time.Time `json:"createdAt"`
	}
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	return y.CreatedAt.Compare(x.CreatedAt)
}

// productName is the catalog's name of a product, or its id for one the
// catalog does not have.
func (c *Console) productName(id string) string {
	if c.Catalog != nil {
		if p, ok := c.Catalog.Product(id); ok {
			return p.Name
		}
	}
	return id
}

// snapshot copies what the console knows of a user.
func (c *Console) snapshot(user string) State {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := State{Seq: c.seq, User: user, Speakers: map[string]SpeakerView{}, Placed: []PendingOrder{}, Turns: []Turn{}}
	acc := c.users[user]
	if acc == nil {
		return st
	}
	st.Account = acc.linked
	for name, s := range acc.speakers {
		v := SpeakerView{Kind: name, Display: s.device.Display, MicOpen: s.open, Said: s.said, Heard: s.heard, Response: s.last}
		if s.elicit != nil {
			v.Asking = s.elicit.SlotToElicit
		}
		st.Speakers[name] = v
	}
	for _, o := range acc.orders {
		st.Placed = append(st.Placed, o.PendingOrder)
		if o.Status == "NOTPAY" {
			v := o.PendingOrder
			st.Waiting = &v
		}
	}
	st.Offered = acc.unplaced != nil
	st.Turns = append(st.Turns, acc.turns...)
	return st
}
