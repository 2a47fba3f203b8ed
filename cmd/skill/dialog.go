package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/internal/days"
	"github.com/dingdang-voicepay/voicepay/replay"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// dialogHelp lists what the dialog prompt takes.
const dialogHelp = `说一句话就是一轮对话（经过沙箱的 NLU）。命令：
  :pay                 付款：发货通知（ship-notify），再发 Connections.Response
  :late                付款，但发货通知晚到：只发 Connections.Response（之后可 :ship-notify）
  :ship-notify [N]     发货通知（N 份副本，默认 1）
  :refuse              用户没付款：发 Connections.Response
  :refund-notify [FAIL]  结算技能申请的退款并发退款通知（默认 SUCCESS）
  :order               为上一个 Charge 下单（create-order；收到 Charge 时已自动下单）
  :advance 2h|8d       把技能和平台的时钟往前拨（比如过了支付时限；退出时拨回）
  :launch / :end       打开技能 / 结束会话（SessionEndedRequest）
  :tap TOKEN           点选列表项（Display.ElementSelected）
  :intent NAME [slot=值 ...]  不经 NLU，直接发意图
  :device KIND         换音箱（` + "%s" + `），开始新对话
  :user NAME           换用户，开始新对话
  :record FILE [标题]  把到目前为止的对话写成 txtar 用例（skill replay FILE 可回放）
  :help  :quit
`

// runDialog is `skill dialog`: an interactive prompt against the skill,
// built in-process next to a fake platform (a fresh store, as `skill
// replay` does) or, with --url, a running one (normally `skill sandbox`),
// signing with the configured keys. Each line is an utterance (understood
// by the sandbox's NLU) or a command (:pay, :late, :refund-notify, :device
// screenless, :user bob, :record FILE, ...; :help lists them). The
// conversation so far can be written as a fixture for `skill replay`.
func runDialog(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dialog")
	url := fs.String("url", "", "base `URL` of a running skill (default: build it in-process)")
	platform := fs.String("platform", "", "with --url: the `URL` of the sandbox's fake platform (default: the sandbox's on SKILL_DATA, else http://"+sandbox.DefaultPlatformAddr+")")
	ops := fs.String("ops", "", "with --url: the skill's operations `URL`, for the admin API (default: the sandbox's on SKILL_DATA, else http://SKILL_OPS_ADDR)")
	platformKey := fs.String("platform-key", "", "with --url: the platform's private key `FILE` (default <data>/"+sandbox.PlatformKeyFile+")")
	hmac := fs.Bool("hmac", false, "sign skill requests with TSK-HMAC-SHA256-BASIC instead of TSK-RSA2")
	user := fs.String("user", "alice", "the platform `USER` id")
	kind := fs.String("device", device.Screened.Name, "the `KIND` of speaker: "+strings.Join(device.Names(), " or "))
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	k, err := device.Parse(*kind)
	if err != nil {
		return usageError(err.Error())
	}
	nlu, err := sandbox.NewNLU(intents.InteractionModel())
	if err != nil {
		return err
	}
	var target replay.Target
	where := " " + *url + " "
	if *url == "" {
		sb, closeSandbox, err := inProcess(ctx, cfg, nil, *hmac)
		if err != nil {
			return err
		}
		defer closeSandbox()
		target, where = replay.NewSandboxTarget(sb, *hmac), "进程内的技能（全新的存储）"
	} else if target, err = remoteTarget(cfg, *url, cfg.opsURL(*ops), cfg.platformURL(*platform), *platformKey, *hmac); err != nil {
		return err
	}
	d := &dialog{target: target, nlu: nlu, out: e.stdout, user: *user, kind: k}
	defer d.rewind(ctx)
	fmt.Fprintf(d.out, "skill dialog：对着%s说话。:help 看命令，:quit 退出。\n", where)
	d.reset()
	in := e.stdin
	if in == nil {
		in = strings.NewReader("")
	}
	sc := bufio.NewScanner(in)
	for d.prompt(); sc.Scan(); d.prompt() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if quit := d.handle(ctx, line); quit {
			return nil
		}
	}
	fmt.Fprintln(d.out)
	return sc.Err()
}

// dialog is the state of the prompt.
type dialog struct {
	target replay.Target
	nlu    *sandbox.NLU
	out    io.Writer
	user   string
	kind   *device.Kind
	conv   *replay.Conversation
	asked  *replay.UserTurn // the turn whose answer asked for a slot
	slot   string           // the slot asked for
	ahead  time.Duration    // how far :advance moved the clock
	// earlier counts, per user, the turns of conversations before the
	// current one (on another speaker, or before a :user switch): a
	// recording replays from an empty store, without them.
	earlier map[string]int
	// last is each user's latest conversation: a new one of the user
	// adopts its orders, so that :pay still pays them.
	last map[string]*replay.Conversation
}

// rewind moves the clock back by what :advance moved it, when the dialog
// ends: a running sandbox is left at real time, as a replayed fixture
// leaves it, so that what signs with real time is not refused as stale.
func (d *dialog) rewind(ctx context.Context) {
	c, ok := d.target.(replay.Clock)
	if d.ahead <= 0 || !ok {
		return
	}
	if err := c.Rewind(context.WithoutCancel(ctx), d.ahead); err != nil {
		fmt.Fprintf(d.out, "出错：时钟没能拨回 %v：%v\n", d.ahead, err)
		return
	}
	fmt.Fprintf(d.out, "（时钟已拨回 %v：:advance 拨快的时间在退出时撤销）\n", days.Format(d.ahead))
	d.ahead = 0
}

// reset starts a new conversation of the user on the kind of speaker.
func (d *dialog) reset() {
	if d.conv != nil && d.conv.Turns() > 0 {
		if d.earlier == nil {
			d.earlier = map[string]int{}
		}
		d.earlier[d.conv.User()] += d.conv.Turns()
	}
	if d.last == nil {
		d.last = map[string]*replay.Conversation{}
	}
	if d.conv != nil {
		d.last[d.conv.User()] = d.conv
	}
	d.conv, d.asked, d.slot = replay.NewConversation(d.target, d.kind, d.user), nil, ""
	if prev := d.last[d.user]; prev != nil {
		d.conv.Adopt(prev)
	}
	fmt.Fprintf(d.out, "新对话：用户 %s，%s。\n", d.user, d.kind.Name)
}

func (d *dialog) prompt() { fmt.Fprintf(d.out, "%s@%s> ", d.user, d.kind.Name) }

// handle runs one line; it reports whether to stop.
func (d *dialog) handle(ctx context.Context, line string) bool {
	if !strings.HasPrefix(line, ":") {
		u := d.nlu.Understand(line)
		if d.asked != nil {
			u = d.nlu.Follow(line, d.slot, d.asked.Intent, d.asked.Slots)
		}
		if u.Request == sandbox.RequestLaunch {
			d.say(ctx, replay.UserTurn{Say: line, Request: replay.RequestLaunch})
			return false
		}
		if u.Intent == "" {
			fmt.Fprintf(d.out, "（沙箱的 NLU 听不懂“%s”：用 :intent 名字 slot=值 直接发意图）\n", line)
			return false
		}
		d.say(ctx, replay.UserTurn{Say: line, Intent: u.Intent, Slots: u.Slots})
		return false
	}
	cmd, rest, _ := strings.Cut(line[1:], " ")
	rest = strings.TrimSpace(rest)
	switch cmd {
	case "quit", "q", "exit":
		return true
	case "help", "h", "?":
		fmt.Fprintf(d.out, dialogHelp, strings.Join(device.Names(), "、"))
	case "user":
		if rest == "" {
			fmt.Fprintln(d.out, "用法：:user 名字")
			break
		}
		d.user = rest
		d.reset()
	case "device":
		k, err := device.Parse(rest)
		if err != nil {
			fmt.Fprintf(d.out, "出错：%v\n", err)
			break
		}
		d.kind = k
		d.reset()
	case "launch":
		d.say(ctx, replay.UserTurn{Request: replay.RequestLaunch})
	case "end":
		d.say(ctx, replay.UserTurn{Request: replay.RequestSessionEnded})
	case "tap":
		d.say(ctx, replay.UserTurn{Request: replay.RequestElementSelected, Token: rest})
	case "intent":
		f := strings.Fields(rest)
		if len(f) == 0 {
			fmt.Fprintln(d.out, "用法：:intent 名字 [slot=值 ...]")
			break
		}
		u := replay.UserTurn{Intent: f[0]}
		for _, kv := range f[1:] {
			if k, v, ok := strings.Cut(kv, "="); ok {
				if u.Slots == nil {
					u.Slots = map[string]string{}
				}
				u.Slots[k] = v
			}
		}
		d.say(ctx, u)
	case "order":
		d.steps(ctx, replay.StepCreateOrder)
	case "pay":
		d.steps(ctx, replay.StepPay, replay.StepShipNotify, replay.StepConnectionsResponse)
	case "late":
		d.steps(ctx, replay.StepPay, replay.StepConnectionsResponse)
	case "refuse":
		d.steps(ctx, replay.StepConnectionsResponse)
	case "ship-notify":
		n := 1
		if rest != "" {
			if _, err := fmt.Sscanf(rest, "%d", &n); err != nil || n < 1 {
				fmt.Fprintln(d.out, "用法：:ship-notify [份数]")
				break
			}
		}
		p := replay.PlatformTurn{Step: replay.StepShipNotify}
		if n > 1 {
			p.Copies = n
		}
		d.step(ctx, p)
	case "advance":
		if rest == "" {
			fmt.Fprintln(d.out, "用法：:advance 2h（或 8d、1d12h）")
			break
		}
		if d.step(ctx, replay.PlatformTurn{Step: replay.StepAdvance, By: rest}) {
			by, _ := days.Parse(rest) // the step parsed it
			d.ahead += by
		}
	case "refund-notify":
		if err := d.pendingRefund(ctx); err != nil {
			fmt.Fprintf(d.out, "出错：%v\n", err)
			break
		}
		d.step(ctx, replay.PlatformTurn{Step: replay.StepRefundNotify, Status: strings.ToUpper(rest)})
	case "record":
		d.record(rest)
	default:
		fmt.Fprintf(d.out, "不认识的命令 :%s（:help 看命令）\n", cmd)
	}
	return false
}

// pendingRefund says how to ask for a refund when none of the
// conversation's orders has one waiting to be settled, as `skill trigger
// refund-notify` does; without an order, or when the order cannot be read,
// the step itself reports what is wrong.
func (d *dialog) pendingRefund(ctx context.Context) error {
	tradeNo := d.conv.Refunding(ctx)
	if tradeNo == "" {
		return nil
	}
	o, err := d.target.Order(ctx, tradeNo)
	if err != nil {
		return nil
	}
	for _, r := range o.Refunds {
		if r.Status == shop.RefundProcessing {
			return nil
		}
	}
	return errNoRefund(tradeNo, "say 我要退款, then 是的")
}

// say plays a user turn, prints the answer and, for a Charge, places the
// order as the platform does.
func (d *dialog) say(ctx context.Context, u replay.UserTurn) {
	asked := u
	if _, err := d.conv.Say(ctx, u); err != nil {
		fmt.Fprintf(d.out, "出错：%v\n", err)
		return
	}
	resp := d.conv.Last()
	d.asked, d.slot = nil, ""
	charge := false
	for _, dir := range resp.Response.Directives {
		switch dir := dir.(type) {
		case tsk.ElicitSlot:
			d.asked, d.slot = &asked, dir.SlotToElicit
		case tsk.Charge:
			charge = true
		}
	}
	d.printResponse(resp)
	if charge {
		d.steps(ctx, replay.StepCreateOrder)
	}
}

// steps plays platform steps in order, stopping at the first that fails.
func (d *dialog) steps(ctx context.Context, steps ...string) {
	for _, s := range steps {
		if !d.step(ctx, replay.PlatformTurn{Step: s}) {
			return
		}
	}
}

// step plays one platform step and prints what came back.
func (d *dialog) step(ctx context.Context, p replay.PlatformTurn) bool {
	w, err := d.conv.Step(ctx, p)
	if err != nil {
		fmt.Fprintf(d.out, "出错：%v\n", err)
		return false
	}
	if p.Step == replay.StepConnectionsResponse {
		fmt.Fprintln(d.out, "平台 → Connections.Response（支付结果）")
		d.printResponse(d.conv.Last())
		return true
	}
	reply := w.Reply
	if len(w.Replies) > 0 {
		reply = strings.Join(w.Replies, ", ")
	}
	line := fmt.Sprintf("平台 %s → %s", p.Step, reply)
	if no := d.conv.Stepped(); no != "" {
		line += "（技能的订单 " + no
		if w.Order != nil {
			line += " " + string(w.Order.State)
		}
		line += "）"
	}
	fmt.Fprintln(d.out, line)
	return true
}

// printResponse prints what the speaker says and does.
func (d *dialog) printResponse(r *tsk.Response) {
	fmt.Fprintf(d.out, "叮当：%s\n", r.Response.OutputSpeech.Text)
	for _, dir := range r.Response.Directives {
		fmt.Fprintf(d.out, "      · %s\n", describeDirective(dir))
	}
	if r.Response.ShouldEndSession {
		fmt.Fprintln(d.out, "      （会话结束）")
	} else {
		fmt.Fprintln(d.out, "      （麦克风开着）")
	}
}

// describeDirective says in one line what a directive does.
func describeDirective(d tsk.Directive) string {
	switch d := d.(type) {
	case tsk.RenderTemplate:
		s := "屏幕 " + d.Template.Type
		if tc := d.Template.TextContent; tc != nil {
			s += " “" + tc.Title + "：" + tc.Description + "”"
		}
		for _, li := range d.Template.ListItems {
			if li.TextContent != nil {
				s += " [" + li.TextContent.Title + " " + li.Token + "]"
			}
		}
		if bg := d.Template.BackgroundImage; bg != nil {
			s += " 图片 " + bg.Source.URL
		}
		return s
	case tsk.Charge:
		var total shop.Fen
		var items []string
		for _, it := range d.Payload.ChargeInfo.Items {
			total += it.TotalFee
			items = append(items, fmt.Sprintf("%s×%d", it.ItemID, it.Count))
		}
		return "收款 Charge " + strings.Join(items, " ") + " 共" + total.Yuan()
	case tsk.AudioPlayerPlay:
		if len(d.Playlist) > 0 {
			return "播放 " + d.Playlist[0].Stream.URL
		}
	case tsk.ElicitSlot:
		return "追问 " + d.SlotToElicit
	}
	return d.DirectiveType()
}

// record writes the conversation so far as a fixture.
func (d *dialog) record(args string) {
	path, title, _ := strings.Cut(args, " ")
	if path == "" {
		fmt.Fprintln(d.out, "用法：:record 文件 [标题]")
		return
	}
	if n := d.earlier[d.user]; n > 0 {
		// Replayed from an empty store, it would miss what those turns
		// bought, and answer otherwise.
		fmt.Fprintf(d.out, "没有写入：%s 在这段对话之前还有%d轮（换音箱或换用户之前），回放时没有它们，结果会不一样。"+
			"请在 :device 之前 :record，或者 :user 换一个新用户，从头说一遍再录。\n", d.user, n)
		return
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = fmt.Sprintf("skill dialog 录制的对话（%s，%s）", d.kind.Name, d.user)
	}
	data, err := d.conv.Fixture(title)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(d.out, "出错：%v\n", err)
		return
	}
	fmt.Fprintf(d.out, "已写入 %s（%d 轮）：skill replay %s\n", path, d.conv.Turns(), path)
}
