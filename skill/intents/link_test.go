package intents_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/oauth"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// linked makes e's dialog link accounts in the mode, with the real linker
// over e's store, and returns the tokens that sign access tokens.
func linked(e *env, mode intents.LinkMode) *oauth.Tokens {
	tokens := &oauth.Tokens{Keys: [][]byte{[]byte("access token key")}, Audience: "test-skill", Now: e.clock.Now}
	linker := &oauth.Linker{Tokens: tokens, Orders: e.store.(shop.LinkStore), Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e.dialog = intents.New(e.config(func(c *intents.Config) { c.Accounts, c.Link = linker, mode }))
	return tokens
}

func token(t *testing.T, tokens *oauth.Tokens, account string) string {
	t.Helper()
	tok, err := tokens.Issue(account, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestPurchaseNeedsALinkedAccount(t *testing.T) {
	for _, k := range device.Kinds() {
		t.Run(k.Name, func(t *testing.T) {
			e := newEnv(t, k)
			tokens := linked(e, intents.LinkPurchase)
			for _, req := range []struct {
				intent string
				slots  map[string]string
			}{{intents.Buy, map[string]string{"product": "万古神帝第35集"}}, {intents.Play, map[string]string{"product": "万古神帝第35集"}}} {
				r := e.intent(req.intent, req.slots) // send validates against the platform's schema
				wantSpeech(t, r, false, "请在叮当App里关联账号后再购买")
				if _, charged := find[tsk.Charge](r); charged || r.Response.Card == nil || r.Response.Card.Type != tsk.CardLinkAccount {
					t.Errorf("%s unlinked: card %+v, directives %+v; want the LinkAccount card and no Charge", req.intent, r.Response.Card, r.Response.Directives)
				}
			}
			// Help says so before anything is chosen; with a token it does not.
			wantSpeech(t, e.intent(intents.Help, nil), true, "购买前要先在叮当App里关联账号。")
			tok := fakeplatform.WithAccessToken(token(t, tokens, "acct-alice"))
			wantUnsaid(t, e.intent(intents.Help, nil, tok), "关联账号")
			// With a token the purchase goes on, owned by the account.
			e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}, tok)
			r := e.intent(intents.Yes, nil, tok)
			if r.Response.Card != nil {
				t.Errorf("a linked purchase asks to link: %+v", r.Response.Card)
			}
			o := e.createOrder(r)
			stored, err := e.store.Order(e.ctx, o.tradeNo)
			if err != nil || stored.UserID != shop.AccountOwner("acct-alice") {
				t.Errorf("order owner %q, %v; want the account", stored.UserID, err)
			}
		})
	}
}

// TestOptionalLinkSuggestedAtTheFirstPurchase: the suggestion to link comes
// with an unlinked user's first purchase, once; not with every purchase
// after it, nor twice in a session.
func TestOptionalLinkSuggestedAtTheFirstPurchase(t *testing.T) {
	e := newEnv(t, device.Screened)
	linked(e, intents.LinkOptional)
	e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "1"})
	first := e.intent(intents.Yes, nil)
	if _, ok := find[tsk.Charge](first); !ok || first.Response.Card == nil || !strings.HasSuffix(speech(first), "在叮当App里关联账号，换了音箱也能找回购买。") {
		t.Fatalf("first purchase: %q card %+v; want the Charge, the card and the suggestion last", speech(first), first.Response.Card)
	}
	noSuggestion := func(r *tsk.Response, what string) {
		t.Helper()
		if _, ok := find[tsk.Charge](r); !ok || r.Response.Card != nil || strings.Contains(speech(r), "关联") {
			t.Errorf("%s: %q card %+v; want the Charge and no suggestion", what, speech(r), r.Response.Card)
		}
	}
	e.intent(intents.Buy, map[string]string{"product": "会员月卡"})
	noSuggestion(e.intent(intents.Yes, nil), "second purchase of the session")

	e.createOrder(first)
	e.session = "session-2"
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第36集"})
	noSuggestion(e.intent(intents.Yes, nil), "a purchase in a later session, with an order placed")

	e.user, e.session = "user-2", "session-3"
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第36集"})
	if r := e.intent(intents.Yes, nil); r.Response.Card == nil {
		t.Errorf("another user's first purchase: no suggestion")
	}
}

func TestPurchasesFollowTheAccount(t *testing.T) {
	e := newEnv(t, device.Screenless)
	tokens := linked(e, intents.LinkOptional)
	e.buy(map[string]string{"product": "听书点数", "count": "2"}) // unlinked, as user-1
	tok := fakeplatform.WithAccessToken(token(t, tokens, "acct-alice"))

	// The first request with the token moves user-1's purchase.
	wantSpeech(t, e.intent(intents.MyPurchases, nil, tok), false, "听书点数还剩2个")
	wantSpeech(t, e.intent(intents.MyPurchases, nil), true, "还没有购买") // user-1 alone owns nothing now
	wantSpeech(t, e.intent(intents.MyAccount, nil, tok), false, "acct-alice")

	// A purchase with the token, then a new userId with the same token.
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第36集"}, tok)
	o := e.createOrder(e.intent(intents.Yes, nil, tok))
	e.payAndShip(o)
	e.user = "user-2"
	wantSpeech(t, e.intent(intents.Play, map[string]string{"product": "万古神帝第36集"}, tok), false)
	if r := e.intent(intents.Play, map[string]string{"product": "万古神帝第36集"}, tok); len(r.Response.Directives) == 0 {
		t.Errorf("user-2 with the token cannot play what the account bought: %q", speech(r))
	}
	wantSpeech(t, e.intent(intents.MyPurchases, nil, tok), false, "听书点数还剩2个", "万古神帝第36集")

	// A refund works on the account's purchases.
	wantSpeech(t, e.intent(intents.Refund, map[string]string{"product": "听书点数"}, tok), true, "退还2元")
	wantSpeech(t, e.intent(intents.Yes, nil, tok), false, "已申请退款2元")

	// The move happened once: each of user-1's orders has one linked entry.
	orders, _ := e.store.Orders(e.ctx, shop.OrderFilter{UserID: shop.AccountOwner("acct-alice")})
	moves := 0
	for _, o := range orders {
		for _, h := range o.History {
			if strings.HasPrefix(h.Cause, shop.CauseLinked) {
				moves++
			}
		}
	}
	if len(orders) != 2 || moves != 1 {
		t.Errorf("the account has %d orders with %d moves; want 2 and 1", len(orders), moves)
	}
}

// TestRefusedTokensAskToLinkAgain: a request whose access token is no
// longer accepted (expired, forged) is asked to link again, with the
// card, and nothing is sold or played meanwhile: taken for no link at
// all, the user was a stranger, offered again (and charged for) what the
// account owns. Help and a cancel are answered as they are.
func TestRefusedTokensAskToLinkAgain(t *testing.T) {
	e := newEnv(t, device.Screenless)
	tokens := linked(e, intents.LinkOptional)
	tok := fakeplatform.WithAccessToken(token(t, tokens, "acct-alice"))
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"}, tok)
	o := e.createOrder(e.intent(intents.Yes, nil, tok))
	e.payAndShip(o)
	expired := token(t, tokens, "acct-alice")
	e.clock.Advance(2 * time.Hour)
	other := &oauth.Tokens{Keys: [][]byte{[]byte("someone else's key")}, Audience: "test-skill", Now: e.clock.Now}
	for name, tok := range map[string]string{"expired": expired, "forged": token(t, other, "acct-alice"), "garbage": "x.y.z"} {
		with := fakeplatform.WithAccessToken(tok)
		for _, in := range []string{intents.MyAccount, intents.MyPurchases, intents.Buy, intents.Play} {
			r := e.intent(in, map[string]string{"product": "万古神帝第35集"}, with)
			wantSpeech(t, r, false, "账号关联已经失效了，请在叮当App里重新关联账号")
			if r.Response.Card == nil {
				t.Errorf("%s token, %s: no LinkAccount card", name, in)
			}
			if _, ok := find[tsk.Charge](r); ok {
				t.Errorf("%s token, %s: charged", name, in)
			}
		}
		wantSpeech(t, e.intent(intents.Help, nil, with), true, "在这里可以用语音购买")
	}

	// A payment's result with a lapsed token: link again, then look (it
	// said "还没有收到付款" of a paid order).
	stale := fakeplatform.WithAccessToken(expired)
	r := e.send(fakeplatform.NewConnectionsResponse(o.tradeNo, "dd-"+o.tradeNo, append(e.opts(), stale)...))
	wantSpeech(t, r, false, "账号关联已经失效了", "关联后说“我买过什么”查看这次购买")
	// Help said to a question answers it: not as a stranger either.
	e.session = "stale-help"
	wantSpeech(t, e.intent(intents.Buy, nil, fakeplatform.WithAccessToken(token(t, tokens, "acct-alice"))), true, "你想买什么")
	wantSpeech(t, e.intent(intents.Help, map[string]string{"product": "万古神帝第35集"}, stale), false, "账号关联已经失效了")
}

func TestUserIDPosingAsAccount(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.user = "user-1"
	e.buy(map[string]string{"product": "万古神帝第35集"})
	if _, err := e.store.(shop.LinkStore).MoveOrders(e.ctx, "user-1", shop.AccountOwner("acct-alice"), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.user = shop.AccountOwner("acct-alice")
	r := e.intent(intents.MyPurchases, nil)
	if strings.Contains(speech(r), "万古神帝") {
		t.Errorf("a platform userId %q reads the account's purchases: %q", e.user, speech(r))
	}
	e.intent(intents.Buy, map[string]string{"product": "听书点数", "count": "1"})
	if r := e.intent(intents.Yes, nil); strings.Contains(speech(r), "好的") {
		t.Errorf("a userId posing as an account bought: %q", speech(r))
	}
}

func TestMyAccountWithoutLinking(t *testing.T) {
	e := newEnv(t, device.Screened)
	wantSpeech(t, e.intent(intents.MyAccount, nil), false, "不需要关联账号")
}

// TestOfferBeforeLinkOrderAfter: an offer made before linking (a
// screenless user orders later, in the app) becomes an order of the
// platform user, paid after linking; the jump back carries the token,
// moves the order first, and plays.
func TestOfferBeforeLinkOrderAfter(t *testing.T) {
	e := newEnv(t, device.Screenless)
	tokens := linked(e, intents.LinkOptional)
	e.intent(intents.Buy, map[string]string{"product": "万古神帝第35集"})
	charge := e.intent(intents.Yes, nil) // unlinked: the offer is user-1's
	tok := fakeplatform.WithAccessToken(token(t, tokens, "acct-alice"))
	wantSpeech(t, e.intent(intents.MyAccount, nil, tok), false, "acct-alice") // linked meanwhile
	o := e.createOrder(charge)
	e.payAndShip(o)
	r := e.send(fakeplatform.NewConnectionsResponse(o.tradeNo, "dd-"+o.tradeNo, e.opts(tok)...))
	if _, ok := find[tsk.AudioPlayerPlay](r); !ok {
		t.Fatalf("the jump back after linking: %q %+v", speech(r), r.Response.Directives)
	}
	if stored, _ := e.store.Order(e.ctx, o.tradeNo); stored.UserID != shop.AccountOwner("acct-alice") {
		t.Errorf("order owner %q, want the account", stored.UserID)
	}
}
