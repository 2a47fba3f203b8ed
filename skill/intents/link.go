package intents

import (
	"context"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/device/ui"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// LinkMode says when the dialog asks for a linked account (the platform's
// account linking, skill/oauth): purchases then belong to the person, not
// to a platform userId that may change.
type LinkMode string

// The link modes (SKILL_LINK).
const (
	// LinkOff never mentions linking.
	LinkOff LinkMode = "off"
	// LinkOptional lets an unlinked user buy, and suggests linking once
	// per session, with the purchase.
	LinkOptional LinkMode = "optional"
	// LinkPurchase asks an unlinked user to link before buying: the
	// LinkAccount card and no Charge.
	LinkPurchase LinkMode = "purchase"
)

// ParseLinkMode parses a link mode; "" is LinkOff.
func ParseLinkMode(s string) (LinkMode, error) {
	switch m := LinkMode(s); m {
	case "":
		return LinkOff, nil
	case LinkOff, LinkOptional, LinkPurchase:
		return m, nil
	}
	return "", fmt.Errorf("intents: link mode %q: want off, optional or purchase", s)
}

// What the dialog says about linking.
const (
	linkFirst   = "请在叮当App里关联账号后再购买。"
	linkSuggest = "在叮当App里关联账号，换了音箱也能找回购买。"
	notLinked   = "你还没有关联账号。在叮当App里关联账号后，购买会跟着账号走，换了音箱也能找回。"
)

// identify decides once whose the turn is: the account of a valid access
// token (Accounts, which also moves what the platform user owned to it),
// else the platform user. A platform userId that poses as an account owner
// owns nothing and buys nothing (turn.user), and is logged.
func (d *Dialog) identify(ctx context.Context, t *turn) {
	if d.cfg.Accounts != nil && t.req.AccessToken() != "" {
		t.account = d.cfg.Accounts.Account(ctx, t.req.UserID(), t.req.AccessToken())
	}
	if _, posing := shop.AccountOf(t.req.UserID()); posing && t.account == "" {
		d.cfg.Logger.WarnContext(ctx, "intents: a userId that looks like an account is refused", "request_id", t.req.Request.RequestID)
	}
}

// staleLink reports whether the request carries an access token no
// longer accepted (expired, revoked) for a turn about what the user owns:
// without its account the user would be a stranger, offered again (and
// charged for) what the account bought. Help, a no and a cancel are
// answered as they are.
func (d *Dialog) staleLink(t *turn) bool {
	if d.cfg.Accounts == nil || t.account != "" || t.req.AccessToken() == "" {
		return false
	}
	body := t.req.Request
	switch body.Type {
	case tsk.TypeIntent:
		if body.Intent == nil {
			return false
		}
		switch body.Intent.Name {
		case Help:
			return t.answers() // help said to "which one?" answers it (buyOrPlay)
		case Cancel, No:
			return false
		}
		return true
	case tsk.TypeElementSelected, tsk.TypeConnectionsResponse:
		return true
	}
	return false
}

// relinkSpeech asks to link the account again.
const relinkSpeech = "账号关联已经失效了，请在叮当App里重新关联账号，再来购买或收听。"

// relink answers a turn whose access token is no longer accepted: link
// again, with the LinkAccount card; nothing is sold or played meanwhile.
func relink(_ context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	if t.req.Request.Type == tsk.TypeConnectionsResponse { // the payment's result, for an account it cannot name
		return ui.View{Speech: "账号关联已经失效了，请在叮当App里重新关联账号，关联后说“我买过什么”查看这次购买。", LinkAccount: true, End: true}, nil
	}
	return ui.View{Speech: relinkSpeech, LinkAccount: true, End: true}, nil
}

// mustLink returns the answer to an unlinked user's purchase when a
// purchase needs a linked account: the LinkAccount card and why (after
// lead, when given), no Charge.
func (d *Dialog) mustLink(t *turn, lead string) (ui.View, bool) {
	if d.cfg.Link != LinkPurchase || t.account != "" {
		return ui.View{}, false
	}
	t.state = state{}
	return ui.View{Speech: lead + linkFirst, LinkAccount: true, End: true}, true
}

// suggestLink adds the suggestion to link, with its card, to an unlinked
// user's first purchase (LinkOptional): once heard, it is not repeated at
// every purchase, where it would double the answer's length. A user with
// any order, whatever its state, was offered something before, and heard
// it then.
func (d *Dialog) suggestLink(ctx context.Context, t *turn, v *ui.View) error {
	if d.cfg.Link != LinkOptional || t.account != "" || t.suggested {
		return nil
	}
	orders, err := d.cfg.Ledger.UserOrders(ctx, t.user())
	if err != nil || len(orders) > 0 {
		return err
	}
	t.suggested = true
	v.LinkAccount, v.Afterword = true, linkSuggest
	return nil
}
