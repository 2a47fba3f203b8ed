package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/sandbox"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// triggerEvents are what `skill trigger` sends.
var triggerEvents = []string{"create-order", "ship-notify", "refund-notify", "connections-response"}

// runTrigger is `skill trigger EVENT`, like `stripe trigger`: it sends one
// signed platform call to a running `skill serve` or sandbox and prints the
// request, the reply and the check of the reply's signature.
//
//	create-order          order --item ID[*N] (repeatable) for --user (the userToken)
//	ship-notify           the order --order was paid (transactionId: --transaction or the order's)
//	refund-notify         the order's last refund settled with --status (SUCCESS or FAIL)
//	connections-response  the post-payment jump for the order, to /skill
//
// Amounts, the transaction and the refund come from the order, read
// through the admin API (SKILL_ADMIN_SECRET, or the sandbox's); --amount
// overrides the total, to see a refusal. Requests are signed with the
// platform's private key (--platform-key, by default the sandbox's in the
// data directory); pay replies are checked against the skill's public key
// (the half of SKILL_PRIVATE_KEY). A request the server refuses (HTTP 401:
// its signature, its time) and a reply whose signature does not verify are
// errors (exit status 1) that say what went wrong; a FAIL reply is printed,
// not an error.
func runTrigger(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "trigger")
	base := fs.String("url", "", "base `URL` of the running skill (default: the sandbox on SKILL_DATA, else http://SKILL_ADDR)")
	ops := fs.String("ops", "", "operations base `URL` of the running skill, for its admin API (default: the sandbox's, else http://SKILL_OPS_ADDR)")
	order := fs.String("order", "", "the order's `TRADENO` (all events but create-order)")
	user := fs.String("user", "", "create-order: the userToken `USER` (default alice); connections-response: the user (default the order's)")
	var items []string
	fs.Func("item", "create-order: an item as `ID[*COUNT]`; repeat for more (default ep35)", func(s string) error {
		items = append(items, s)
		return nil
	})
	amount := fs.Int64("amount", 0, "totalAmt in `FEN` instead of the order's (or the items')")
	tx := fs.String("transaction", "", "ship-notify: the platform's transactionId `ID` (default the order's, else a new one)")
	status := fs.String("status", string(shop.RefundSuccess), "refund-notify: the refund's `STATUS`, SUCCESS or FAIL")
	kind := fs.String("device", device.Screened.Name, "connections-response: the `KIND` of speaker")
	platformKey := fs.String("platform-key", "", "the platform's private key `FILE` that signs (default <data>/"+sandbox.PlatformKeyFile+")")
	hmac := fs.Bool("hmac", false, "connections-response: sign with TSK-HMAC-SHA256-BASIC (SKILL_SECRET or the sandbox's)")
	cfg, pos, err := parse(e, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("want one event: " + strings.Join(triggerEvents, ", "))
	}
	event := pos[0]
	t := &trigger{cfg: cfg, out: e.stdout, base: strings.TrimRight(cmpOr(*base, cmpOr(cfg.runningSandbox(), "http://"+cfg.Addr)), "/"),
		ops: strings.TrimRight(cmpOr(*ops, cmpOr(cfg.runningSandboxOps(), "http://"+cfg.OpsAddr)), "/")}
	if err := t.keys(*platformKey); err != nil {
		return err
	}
	var o *server.OrderView
	if event != "create-order" {
		if *order == "" {
			return usageError(event + " needs --order TRADENO")
		}
		if o, err = t.order(ctx, *order); err != nil {
			return err
		}
	}
	switch event {
	case "create-order":
		req, err := t.createOrder(*user, items, shop.Fen(*amount))
		if err != nil {
			return err
		}
		return t.pay(ctx, fakeplatform.CreateOrderPath, req)
	case "ship-notify":
		req := pay.ShipNotifyRequest{SkillID: cfg.SkillID, UserToken: o.UserID, TransactionID: cmpOr(*tx, o.TransactionID),
			TradeNo: o.TradeNo, TotalAmt: o.TotalAmt, NonceStr: pay.NonceStr()}
		if req.TransactionID == "" {
			req.TransactionID = "DDTRIGGER" + strings.ToUpper(pay.NonceStr()[:16])
			if err := t.sandboxPaid(ctx, o, &req.TransactionID); err != nil {
				return err
			}
		}
		if *amount != 0 {
			req.TotalAmt = shop.Fen(*amount)
		}
		return t.pay(ctx, fakeplatform.ShipNotifyPath, req)
	case "refund-notify":
		if len(o.Refunds) == 0 {
			return errNoRefund(o.TradeNo, "skill refund "+o.TradeNo)
		}
		st := shop.RefundStatus(strings.ToUpper(*status))
		if st != shop.RefundSuccess && st != shop.RefundFail {
			return usageError("--status: want SUCCESS or FAIL")
		}
		r := o.Refunds[len(o.Refunds)-1]
		if err := t.sandboxSettled(ctx, o, &r, st); err != nil {
			return err
		}
		req := pay.RefundNotifyRequest{SkillID: cfg.SkillID, TransactionID: o.TransactionID, TradeNo: o.TradeNo,
			RefundTransactionID: cmpOr(r.RefundTransactionID, "RFTRIGGER"+strings.ToUpper(pay.NonceStr()[:16])),
			RefundTradeNo:       r.RefundTradeNo, TotalAmt: o.TotalAmt, RefundAmt: r.Amount, RefundStatus: st,
			RefundStatusDesc: string(st), NonceStr: pay.NonceStr()}
		if *amount != 0 {
			req.RefundAmt = shop.Fen(*amount)
		}
		return t.pay(ctx, fakeplatform.RefundNotifyPath, req)
	case "connections-response":
		k, err := device.Parse(*kind)
		if err != nil {
			return usageError(err.Error())
		}
		req := fakeplatform.NewConnectionsResponse(o.TradeNo, cmpOr(o.TransactionID, "DDUNPAID"+o.TradeNo),
			fakeplatform.WithSkill(cfg.SkillID), fakeplatform.WithUser(cmpOr(*user, o.UserID)), fakeplatform.WithDeviceKind(k),
			fakeplatform.WithDevice("skill-trigger"), fakeplatform.WithSession("skill-trigger-"+pay.NonceStr()[:8]))
		return t.skill(ctx, req, *hmac)
	}
	return usageError(fmt.Sprintf("unknown event %q: want %s", event, strings.Join(triggerEvents, ", ")))
}

// errNoRefund is the error of a refund notify for an order without a
// refund to settle, saying how to ask for one.
func errNoRefund(tradeNo, how string) error {
	return fmt.Errorf("order %s has no refund to settle (ask for one: %s)", tradeNo, how)
}

// trigger is one `skill trigger`.
type trigger struct {
	cfg      config
	out      io.Writer
	base     string // the public listener
	ops      string // the operations listener (admin API)
	platform *rsa.PrivateKey
	skillPub *rsa.PublicKey
	keyPath  string
}

// keys loads the platform's private key and the skill's public key.
func (t *trigger) keys(platformKey string) error {
	path := cmpOr(platformKey, filepath.Join(t.cfg.Data, sandbox.PlatformKeyFile))
	k, err := tsk.LoadPrivateKey(path)
	if err != nil {
		return badSetting("--platform-key", "%v (start `skill sandbox` once, or give the platform's private key)", err)
	}
	skill, err := t.cfg.loadPrivateKey()
	if err != nil {
		return err
	}
	t.platform, t.skillPub, t.keyPath = k, &skill.PublicKey, t.cfg.privateKeyPath()
	return nil
}

// sandboxPaid tells the fake platform of a sandbox that the order was paid,
// so that its orderquery and refunds agree with the ship notify, and takes
// its transactionId. Against anything but a running sandbox it does
// nothing.
func (t *trigger) sandboxPaid(ctx context.Context, o *server.OrderView, tx *string) error {
	var paid sandbox.PaidReply
	ok, err := t.sandboxPlatform(ctx, "/sandbox/platform/pay", sandbox.OpenRequest{TradeNo: o.TradeNo, TotalAmt: o.TotalAmt}, &paid)
	if err != nil || !ok {
		return err
	}
	if paid.TransactionID == "" {
		return errors.New("the sandbox's fake platform: no transactionId")
	}
	*tx = paid.TransactionID
	fmt.Fprintf(t.out, "(the sandbox's fake platform now has %s paid: transactionId %s)\n", o.TradeNo, paid.TransactionID)
	return nil
}

// sandboxSettled settles the refund r with st at the sandbox's fake
// platform, when the skill is the sandbox's and the platform has it
// pending, so that the platform's books say what the notify will (a
// refund notified FAIL is not counted refunded there, and the order can
// be refunded again). It fills in the platform's refundTransactionId.
func (t *trigger) sandboxSettled(ctx context.Context, o *server.OrderView, r *shop.Refund, st shop.RefundStatus) error {
	if r.Status != shop.RefundProcessing {
		return nil
	}
	var n pay.RefundNotifyRequest
	ok, err := t.sandboxPlatform(ctx, "/sandbox/platform/settle", sandbox.SettleRequest{TradeNo: o.TradeNo, Status: st}, &n)
	var herr *sandboxHTTPError
	switch {
	case errors.As(err, &herr) || err == nil && (!ok || n.RefundTradeNo != r.RefundTradeNo):
		return nil // not the sandbox, or nothing pending there for it: notify as asked
	case err != nil:
		return err
	}
	r.RefundTransactionID = cmpOr(r.RefundTransactionID, n.RefundTransactionID)
	fmt.Fprintf(t.out, "(the sandbox's fake platform now has refund %s %s)\n", r.RefundTradeNo, st)
	return nil
}

// sandboxHTTPError is a sandbox platform call answered other than 200.
type sandboxHTTPError struct{ status int }

func (e *sandboxHTTPError) Error() string {
	return fmt.Sprintf("the sandbox's fake platform: HTTP %d", e.status)
}

// sandboxPlatform posts in to path on the fake platform of the running
// sandbox and decodes its 200 reply into out; ok is false, with nothing
// sent, when the skill triggered is not the sandbox's.
func (t *trigger) sandboxPlatform(ctx context.Context, path string, in, out any) (ok bool, err error) {
	skill, platform := t.cfg.sandboxURLs()
	if skill == "" || strings.TrimRight(skill, "/") != t.base {
		return false, nil
	}
	body, err := json.Marshal(in)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, platform+path, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("the sandbox's fake platform: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, &sandboxHTTPError{resp.StatusCode}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return false, fmt.Errorf("the sandbox's fake platform: %w", err)
	}
	return true, nil
}

// order reads an order through the admin API.
func (t *trigger) order(ctx context.Context, tradeNo string) (*server.OrderView, error) {
	c, err := newAdminClient(t.cfg, t.ops)
	if err != nil {
		return nil, err
	}
	var o server.OrderView
	if err := c.Get(ctx, "/admin/orders/"+url.PathEscape(tradeNo), &o); err != nil {
		return nil, fmt.Errorf("order %s: %w", tradeNo, err)
	}
	return &o, nil
}

// createOrder builds a create-order for the items at the catalog's prices.
func (t *trigger) createOrder(user string, items []string, total shop.Fen) (pay.CreateOrderRequest, error) {
	cat, err := catalog.Load(t.cfg.Catalog)
	if err != nil {
		return pay.CreateOrderRequest{}, badSetting("SKILL_CATALOG", "%v", err)
	}
	if len(items) == 0 {
		items = []string{"ep35"}
	}
	var lines []shop.Line
	for _, it := range items {
		id, count, _ := strings.Cut(it, "*")
		n := int64(1)
		if count != "" {
			if n, err = strconv.ParseInt(count, 10, 64); err != nil || n < 1 {
				return pay.CreateOrderRequest{}, usageError("--item " + it + ": want ID or ID*COUNT")
			}
		}
		p, ok := cat.Product(id)
		if !ok {
			return pay.CreateOrderRequest{}, usageError("--item " + it + ": no such product in the catalog")
		}
		amt, err := shop.MulFen(p.Price, n)
		if err != nil {
			return pay.CreateOrderRequest{}, usageError("--item " + it + ": " + err.Error())
		}
		lines = append(lines, shop.Line{ItemID: id, Quantity: n, Amount: amt})
	}
	req := fakeplatform.NewCreateOrder(cmpOr(user, "alice"), lines...)
	req.SkillID = t.cfg.SkillID
	if total != 0 {
		req.TotalAmt = total
	}
	return req, nil
}

// pay sends a signed pay call and prints it, the reply and the check of
// the reply's signature.
func (t *trigger) pay(ctx context.Context, path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec := &lastExchange{}
	c := &tsk.Client{Signer: tsk.Signer{Key: t.platform}, Verifier: tsk.PayVerifier(nil, t.skillPub),
		HTTP: &http.Client{Timeout: 10 * time.Second, Transport: rec}}
	reply, err := c.Post(ctx, t.base+path, body)
	t.print(path, body, rec, reply)
	if err != nil && reply == nil {
		return err
	}
	if reply.Status == http.StatusUnauthorized { // not a FAIL about the order: the request itself was refused
		fmt.Fprintf(t.out, "result:    refused, HTTP %d\n", reply.Status)
		return refusal(reply.Status, reply.Body, rec)
	}
	if err != nil {
		fmt.Fprintf(t.out, "signature: FAILED: %v\n", err)
		return fmt.Errorf("the reply's signature does not verify with the skill's public key (from %s): %w", t.keyPath, err)
	}
	var r pay.Reply
	_ = json.Unmarshal(reply.Body, &r)
	fmt.Fprintf(t.out, "signature: verified %s with the skill's public key (from %s)\n", reply.Auth.Algorithm, t.keyPath)
	fmt.Fprintf(t.out, "result:    %s %s\n", r.RetCode, r.RetMsg)
	return nil
}

// skill sends a signed skill request and prints it and the response.
func (t *trigger) skill(ctx context.Context, req *tsk.Request, hmac bool) error {
	rec := &lastExchange{}
	p := &fakeplatform.Platform{SkillID: t.cfg.SkillID, SkillURL: t.base, Key: t.platform, SkillKey: t.skillPub,
		HTTP: &http.Client{Timeout: 10 * time.Second, Transport: rec}, HMAC: hmac}
	if hmac {
		p.Secret = []byte(cmpOr(t.cfg.Secret, t.cfg.adminSecret()))
	}
	body, err := p.Skill(ctx, req)
	t.print(fakeplatform.SkillPath, rec.request, rec, &tsk.Reply{Status: rec.status, Body: rec.reply})
	if rec.status != 0 {
		if refused := refusal(rec.status, rec.reply, rec); refused != nil {
			fmt.Fprintf(t.out, "result:    refused, HTTP %d\n", rec.status)
			return refused
		}
	}
	if err != nil {
		return err
	}
	resp, err := tsk.DecodeResponse(body)
	if err != nil {
		return err
	}
	fmt.Fprintln(t.out, "signature: skill responses are not signed (the platform signs only its requests to /skill)")
	fmt.Fprintf(t.out, "result:    %s\n", resp.Response.OutputSpeech.Text)
	return nil
}

// print shows one exchange.
func (t *trigger) print(path string, body []byte, rec *lastExchange, reply *tsk.Reply) {
	fmt.Fprintf(t.out, "→ POST %s%s\n  Authorization: %s\n%s\n", t.base, path, rec.requestAuth, indentJSON(body))
	if reply == nil {
		fmt.Fprintln(t.out, "← no reply")
		return
	}
	fmt.Fprintf(t.out, "← HTTP %d\n", reply.Status)
	if rec.replyAuth != "" {
		fmt.Fprintf(t.out, "  Authorization: %s\n", rec.replyAuth)
	}
	fmt.Fprintln(t.out, indentJSON(reply.Body))
}

// indentJSON indents a JSON body for the terminal (as is when not JSON).
func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "  ", "  ") != nil {
		return "  " + string(b)
	}
	return "  " + buf.String()
}

// lastExchange is an http.RoundTripper that keeps the headers and bodies
// of the last exchange, to print what was signed.
type lastExchange struct {
	requestAuth, replyAuth string
	request, reply         []byte
	status                 int
}

// RoundTrip sends req with the default transport and keeps a copy.
func (l *lastExchange) RoundTrip(req *http.Request) (*http.Response, error) {
	l.requestAuth = req.Header.Get("Authorization")
	if req.Body != nil {
		l.request, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(l.request))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	l.reply, err = io.ReadAll(io.LimitReader(resp.Body, tsk.MaxBodyBytes))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(l.reply))
	l.replyAuth, l.status = resp.Header.Get("Authorization"), resp.StatusCode
	return resp, nil
}
