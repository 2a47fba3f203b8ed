package intents

import (
	"context"

	"github.com/dingdang-voicepay/voicepay/device/ui"
)

// MyAccount says which account is linked: purchases belong to it. Sample
// utterances:
//
//	我的账号
//	我关联了哪个账号
//	现在登录的是谁
//	查看账号
const MyAccount = "my_account"

// myAccount names the linked account, or says how to link one (with the
// LinkAccount card when the skill offers linking).
func (d *Dialog) myAccount(ctx context.Context, t *turn) (ui.View, error) {
	t.state = state{}
	if t.account != "" {
		v := say("你关联的账号是" + t.account + "，购买都记在这个账号上。")
		v.Result = &ui.Result{Title: "我的账号", Text: t.account}
		return v, nil
	}
	if d.cfg.Accounts == nil || d.cfg.Link == LinkOff {
		return say("这个技能不需要关联账号，购买记在你的叮当账号上。"), nil
	}
	return ui.View{Speech: notLinked, LinkAccount: true, End: true}, nil
}
