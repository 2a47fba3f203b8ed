package intents_test

import (
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/device"
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
