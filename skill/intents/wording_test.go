package intents_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

// TestRefundRefusalNamesSupportOnlyWhenThereIsOne: "如有疑问可以联系客服"
// names no one unless a contact is configured (SKILL_SUPPORT); then it
// says the contact.
func TestRefundRefusalNamesSupportOnlyWhenThereIsOne(t *testing.T) {
	for _, support := range []string{"", "400-800-1234"} {
		t.Run("support="+support, func(t *testing.T) {
			e := newEnv(t, device.Screenless)
			e.dialog = intents.New(e.config(func(c *intents.Config) { c.Support = support }))
			e.buy(map[string]string{"product": "会员月卡"})
			r := e.intent(intents.Refund, map[string]string{"product": "会员月卡"})
			wantSpeech(t, r, false, "抱歉，会员月卡不支持退款。")
			if got := speech(r); (support == "") == strings.Contains(got, "客服") {
				t.Errorf("support %q: speech %q", support, got)
			}
			if support != "" {
				wantSpeech(t, r, false, "如有疑问可以联系客服："+support+"。")
			}
		})
	}
}

// TestRefusedRefundSaysWhyOnce: a refund the platform refuses is said
// once ("退款没有成功：退款没有成功，…" before), followed by the support
// contact when there is one, as refund says it.
func TestRefusedRefundSaysWhyOnce(t *testing.T) {
	for _, support := range []string{"", "400-800-1234"} {
		t.Run("support="+support, func(t *testing.T) {
			e := newEnv(t, device.Screenless)
			e.dialog = intents.New(e.config(func(c *intents.Config) { c.Support = support }))
			e.buy(map[string]string{"product": "星辰变第35集"})
			wantSpeech(t, e.intent(intents.Refund, nil), true, "退还3元")
			e.platform.RefuseNext("refund", 1)
			r := e.intent(intents.Yes, nil)
			want := "抱歉，退款没有成功，请稍后再试或联系客服。"
			if support != "" {
				want += "如有疑问可以联系客服：" + support + "。"
			}
			if got := speech(r); got != want {
				t.Errorf("speech %q, want %q", got, want)
			}
			wantSpeech(t, r, false)
		})
	}
}

// TestMyPurchasesWording: what is left of a product is a sentence of its
// own ("会员月卡有效期到…"), never "你已购买：会员月卡有效期到…"; products
// owned outright are listed after "你已购买：".
func TestMyPurchasesWording(t *testing.T) {
	e := newEnv(t, device.Screenless)
	e.buy(map[string]string{"product": "会员月卡"})
	r := e.intent(intents.MyPurchases, nil)
	if got := speech(r); !strings.HasPrefix(got, "会员月卡有效期到") || strings.Contains(got, "你已购买") {
		t.Errorf("a subscription only: %q", got)
	}
	e.buy(map[string]string{"product": "万古神帝第35集"})
	r = e.intent(intents.MyPurchases, nil)
	if got := speech(r); !strings.HasPrefix(got, "你已购买：万古神帝第35集。会员月卡有效期到") || strings.Contains(got, "：会员月卡") {
		t.Errorf("an episode and a subscription: %q", got)
	}
}

// TestDelistedPurchase: a purchase whose product has left the catalog is
// neither said to be refunded nor named by its id; a refund of it is
// refused kindly, pointing to customer service (by its contact when there
// is one), and "我买过什么" says it was delisted. One really refunded is
// still said to be refunded.
func TestDelistedPurchase(t *testing.T) {
	delist := func(e *env, support string) {
		cat := &shop.Catalog{Products: slices.DeleteFunc(slices.Clone(e.pay.Ledger.Catalog.Products),
			func(p shop.Product) bool { return p.ID == "xcb-35" })}
		e.dialog = intents.New(e.config(func(c *intents.Config) { c.Catalog, c.Support = cat, support }))
	}
	for _, support := range []string{"", "400-800-1234"} {
		t.Run("support="+support, func(t *testing.T) {
			e := newEnv(t, device.Screenless)
			e.buy(map[string]string{"product": "星辰变第35集"})
			delist(e, support)
			contact := "请联系客服。"
			if support != "" {
				contact = "请联系客服：" + support + "。"
			}
			r := e.intent(intents.Refund, nil)
			if got, want := speech(r), "抱歉，你花3元买的内容已经下架，不能用语音退款，"+contact; got != want {
				t.Errorf("refund: %q, want %q", got, want)
			}
			wantSpeech(t, r, false)
			r = e.intent(intents.MyPurchases, nil)
			if got, want := speech(r), "你买过的内容已经下架了，如需退款"+contact; got != want {
				t.Errorf("my purchases: %q, want %q", got, want)
			}
			for _, s := range []string{speech(r), speech(e.intent(intents.Refund, nil))} {
				if strings.Contains(s, "已经退款") || strings.Contains(s, "xcb") {
					t.Errorf("a delisted purchase said as %q", s)
				}
			}
		})
	}
	t.Run("refunded", func(t *testing.T) {
		e := newEnv(t, device.Screenless)
		e.buy(map[string]string{"product": "星辰变第35集"})
		e.intent(intents.Refund, nil)
		e.intent(intents.Yes, nil)
		e.refundSettles(t)
		delist(e, "")
		wantSpeech(t, e.intent(intents.MyPurchases, nil), true, "你买过的内容都已经退款了")
		wantSpeech(t, e.intent(intents.Refund, nil), false, "抱歉，你花3元买的内容已经全部退款了。")
	})
}
