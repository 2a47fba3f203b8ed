package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

// The speaker simulator, driven in a real browser (headless Chromium): a
// purchase on a screened speaker, one on a screenless speaker, and a
// change made outside the page that the page shows by itself.

// chromiumPath finds a Chromium to drive. Without one the test is skipped,
// except under CI=true, where .ci/run installs it and its absence fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on the PATH: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium on the PATH (apt-get install chromium)")
	return ""
}

// browser starts headless Chromium for the test, bounded by timeout, and
// collects what the page writes to its console.
func browser(t *testing.T, timeout time.Duration) (context.Context, func() []chromedp.ConsoleMessage) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)), chromedp.NoSandbox, chromedp.WindowSize(1440, 1000),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("lang", "zh-CN"))
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	if err := chromedp.Do(bctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	var mu sync.Mutex
	var msgs []chromedp.ConsoleMessage
	lctx, stop := context.WithCancel(bctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(lctx) {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return bctx, func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return append([]chromedp.ConsoleMessage(nil), msgs...)
	}
}

// startSimulator runs a sandbox on free ports with the fixtures' utterances
// as buttons, as `make run` does.
func startSimulator(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	utterances, misheard := fixtureUtterances(fixtures)
	s, err := sandbox.Start(context.Background(), sandbox.Config{
		Addr: "127.0.0.1:0", PlatformAddr: "127.0.0.1:0", DataDir: t.TempDir(), Keys: testKeys(),
		Build: sandboxBuild(testConfig(t), quiet, false), Logger: quiet, Utterances: utterances, Misheard: misheard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// page wraps the browser context with the steps the test takes.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// tap presses the phrase button sel once it is enabled. It clicks from
// JavaScript: a mouse click lands where the button was, and under load the
// page may still be laying out the turn before (the list of turns grows),
// so the click could hit something else and be lost.
func (p page) tap(what, sel string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => { const b = document.querySelector(%q); if (!b || b.disabled) return false; b.click(); return true; })()`, sel)
	p.waitFor(what, js)
}

// waitFor polls a JavaScript condition until it holds (15 s at most).
func (p page) waitFor(what, js string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		p.t.Fatalf("waiting for %s: %v\n(the page says: %s)", what, err, p.text("#dialog"))
	}
}

// waitText waits for the element to contain want.
func (p page) waitText(sel, want string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%s to say %q", sel, want),
		fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, want))
}

func (p page) eval(js string) bool {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return ok
}

func (p page) text(sel string) string {
	s, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
	return s
}

// setUser types a user name and makes the page switch to it.
func (p page) setUser(name string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`(() => { const u = document.getElementById('user'); u.value = %q; u.dispatchEvent(new Event('change')); return true; })()`, name))
}

// screenshot saves the whole page under the test's temp dir (and into
// $SIM_SCREENSHOTS when set, to look at).
func (p page) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	for _, dir := range []string{p.t.TempDir(), os.Getenv("SIM_SCREENSHOTS")} {
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
				p.t.Fatal(err)
			}
		}
	}
}

// decodeQR reads the QR code in a PNG.
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatalf("QR image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode the QR code: %v", err)
	}
	return res.GetText()
}

func TestSimulatorInBrowser(t *testing.T) {
	sb := startSimulator(t)
	ctx, console := browser(t, 3*time.Minute)
	p := page{t: t, ctx: ctx}
	p.do("open the simulator", chromedp.Navigate(sb.PlatformURL+"/"), chromedp.WaitVisible(`body[data-ready="true"]`))

	t.Run("screened", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.setUser("carol")
		p.do("pick the screened speaker", chromedp.Click(`label[data-kind="screened"]`))
		p.tap("browse", `#utterances button[data-say="有什么可以买"]`)
		p.waitFor("the product list", `document.querySelectorAll('#screen .list-item').length >= 3`)
		p.screenshot("screened-list.png")
		p.do("tap an item", chromedp.Click(`#screen .list-item[data-token="product:ep36"]`))
		p.waitText("#speech", "万古神帝第36集，2元，确定购买吗")
		p.tap("say buy", `#utterances button[data-say="我要买万古神帝第35集"]`)
		p.waitText("#speech", "万古神帝第35集，2元，确定购买吗")
		p.waitFor("the mic to stay open", `!!document.querySelector('#mic.mic-open')`)
		p.tap("confirm", `#utterances button[data-say="是的"]`)
		p.waitFor("the pay card's QR image", `(() => { const i = document.querySelector('#screen .paycard img.qr'); return !!i && i.complete && i.naturalWidth > 0; })()`)
		p.waitText("#screen", "万古神帝第35集")
		// The QR code as the browser drew it, and as the skill serves it.
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(`#screen img.qr`, chromedp.NodeVisible))
		if err != nil {
			t.Fatal(err)
		}
		link := decodeQR(t, shot)
		if !strings.HasPrefix(link, sb.SkillURL+"/orders/") {
			t.Fatalf("the QR code says %q, want the order page under %s/orders/", link, sb.SkillURL)
		}
		src := p.attr(`#screen img.qr`, "src")
		resp, err := http.Get(src)
		if err != nil {
			t.Fatal(err)
		}
		png, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := decodeQR(t, png); got != link {
			t.Fatalf("the served QR says %q, the drawn one %q", got, link)
		}
		p.waitText("#waiting", "待支付")
		p.screenshot("screened-paycard.png")
		p.do("pay", chromedp.Click(`#btn-pay`, chromedp.NodeEnabled))
		p.waitText("#speech", "购买成功")
		p.waitText("#screen", "购买成功")
		p.waitText("#audio", "万古神帝第35集")
		p.waitFor("the order to be DELIVERED", `!!document.querySelector('#orders .order[data-state="DELIVERED"]')`)
		// The side panel reads in Chinese: products by name, the history
		// as changes of state and events (never "已发货 → 已发货").
		p.waitText("#entitlements", "万古神帝第35集")
		p.waitText("#orders", "付款后继续了原来的请求")
		orders := p.text("#orders")
		for _, w := range []string{"万古神帝第35集 ×1", "平台下单：待支付", "收到发货通知：待支付 → 已付款", "已发货"} {
			if !strings.Contains(orders, w) {
				t.Errorf("the orders panel does not say %q: %s", w, orders)
			}
		}
		for _, w := range []string{"ep35", "create order", "ship notify", "delivered", "resumed", "DELIVERED", "SUCCESS"} {
			if strings.Contains(orders+p.text("#entitlements"), w) {
				t.Errorf("the side panel says %q: %s", w, orders)
			}
		}
		if p.eval(`[...document.querySelectorAll('#orders .timeline li')].some((li) => /(\S+) → \1(\s|$)/.test(li.textContent))`) {
			t.Errorf("the history shows a move from a state to itself: %s", orders)
		}
		if !p.eval(`[...document.querySelectorAll('#turns .auth')].some(e => e.textContent.includes('TSK-RSA2'))`) {
			t.Error("the request log shows no signed request")
		}
		p.do("open the last turn", chromedp.Click(`#turns details.turn summary`))
		p.screenshot("screened.png")
	})

	t.Run("screenless", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.setUser("dave")
		p.do("pick the screenless speaker", chromedp.Click(`label[data-kind="screenless"]`))
		p.do("say buy", chromedp.SendKeys(`#text`, "我要买三个听书币"), chromedp.Click(`#btn-say`, chromedp.NodeEnabled))
		p.waitText("#speech", "3个听书币，共3元，确定购买吗")
		p.do("confirm", chromedp.SendKeys(`#text`, "是的"), chromedp.Click(`#btn-say`, chromedp.NodeEnabled))
		p.waitText("#speech", "叮当App")
		if p.eval(`document.querySelector('.screen') !== null || document.querySelector('.device.screenless') === null`) {
			t.Fatal("a screen is drawn for a screenless speaker")
		}
		p.do("pay", chromedp.Click(`#btn-pay`, chromedp.NodeEnabled))
		p.waitText("#speech", "购买成功")
		p.waitFor("the order to be DELIVERED", `!!document.querySelector('#orders .order[data-state="DELIVERED"]')`)
		p.waitText("#entitlements", "剩余 3 个")
		// Something done outside the page (curl, the CLI) shows up by itself.
		if _, err := sb.Console.Say(context.Background(), sandbox.SayRequest{Device: "screenless", User: "dave", Text: "我买过什么"}); err != nil {
			t.Fatal(err)
		}
		p.waitText("#dialog", "我买过什么")
		if p.eval(`document.querySelector('.screen') !== null`) {
			t.Fatal("a screen is drawn for a screenless speaker")
		}
		// The platform's part of account linking, then the account is said.
		p.do("link an account", chromedp.Click(`#btn-link`, chromedp.NodeEnabled))
		p.waitText("#turns", "关联账号 acct-dave")
		p.do("ask which account", chromedp.SendKeys(`#text`, "我的账号"), chromedp.Click(`#btn-say`, chromedp.NodeEnabled))
		p.waitText("#speech", "acct-dave")
		p.screenshot("screenless.png")
	})

	t.Run("chips", func(t *testing.T) {
		p := page{t: t, ctx: ctx}
		p.setUser("erin")
		p.do("pick the screened speaker", chromedp.Click(`label[data-kind="screened"]`))
		if !p.eval(`document.getElementById('answers-box').hidden && !document.querySelector('#utterances button[data-say="第二个"]')`) {
			t.Fatal("an answer such as 第二个 is offered while nothing is asked")
		}
		p.tap("open the skill", `#utterances button[data-say="打开叮当书店"]`)
		p.waitText("#speech", "欢迎来到叮当书店")
		p.waitText("#dialog", "LaunchRequest")
		p.tap("ask for an episode two series have", `#utterances button[data-say="播放第35集"]`)
		p.waitText("#speech", "你是说万古神帝第35集，还是星辰变第35集")
		p.waitFor("the answers to be offered", `!document.getElementById('answers-box').hidden`)
		p.screenshot("answers.png")
		p.tap("answer", `#answers button[data-say="第二个"]`)
		p.waitText("#speech", "星辰变第35集")
		// A mishearing is offered apart, labelled, and the skill copes.
		if !p.eval(`!document.getElementById('misheard-box').hidden && document.getElementById('misheard-box').textContent.includes('模拟识别错误') && !document.querySelector('#utterances button[data-say="我要买万股神地第三十五集"]')`) {
			t.Fatal("the mishearing 我要买万股神地第三十五集 is not offered apart under 模拟识别错误")
		}
		p.waitText("#misheard", "原话：我要买万古神帝第三十五集")
		p.tap("say a mishearing", `#misheard button[data-say="我要买万股神地第三十五集"]`)
		p.waitText("#speech", "万古神帝第35集，2元，确定购买吗")
		p.screenshot("misheard.png")
		p.do("say something the NLU does not know", chromedp.WaitEnabled(`#btn-say`), chromedp.SendKeys(`#text`, "今天天气怎么样"),
			chromedp.Click(`#btn-say`, chromedp.NodeEnabled))
		p.waitText("#dialog", "出错了：沙箱还听不懂“今天天气怎么样”")
		if strings.Contains(p.text("#dialog"), "intent") {
			t.Errorf("the simulator shows API advice: %s", p.text("#dialog"))
		}
		if p.eval(`!document.getElementById('error').hidden`) { // said once, in the conversation
			t.Errorf("the error is shown twice: %s", p.text("#error"))
		}
		p.screenshot("not-understood.png")
	})

	for _, m := range console() {
		if strings.Contains(m.String(), "status of 400") && strings.HasSuffix(m.URL, "/sandbox/say") {
			continue // the utterance the NLU did not know: the page shows the console's answer
		}
		if m.Type == chromedp.ConsoleError || m.IsException() || m.Type == chromedp.ConsoleWarning {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line)
		}
	}
}

// attr returns an attribute of the first element sel matches.
func (p page) attr(sel, name string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q)`, sel, name)))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// TestReadmeScreenshots keeps the README's advice on screenshots of the
// simulator true: the command runs the browser test above, uncached (a
// cached run writes nothing), and the files it names are those the test
// saves.
func TestReadmeScreenshots(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("simulator_test.go")
	if err != nil {
		t.Fatal(err)
	}
	cmd := regexp.MustCompile("SIM_SCREENSHOTS=\\S+ go test (.*) ./cmd/skill\n").FindSubmatch(readme)
	if cmd == nil {
		t.Fatal("the README gives no SIM_SCREENSHOTS=… go test … ./cmd/skill command")
	}
	name := runtime.FuncForPC(reflect.ValueOf(TestSimulatorInBrowser).Pointer()).Name()
	if args := strings.Fields(string(cmd[1])); !slices.Contains(args, "-count=1") ||
		!strings.HasSuffix(name, "."+args[slices.Index(args, "-run")+1]) {
		t.Errorf("the README's command %q does not run %s uncached", cmd[0], name)
	}
	saved := map[string]bool{}
	for _, m := range regexp.MustCompile(`p\.screenshot\("([^"]+)"\)`).FindAllSubmatch(src, -1) {
		saved[string(m[1])] = true
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z-]+\\.png)`").FindAllSubmatch(readme, -1) {
		named[string(m[1])] = true
	}
	if !reflect.DeepEqual(named, saved) {
		t.Errorf("the README names the screenshots %v; the test saves %v", slices.Sorted(maps.Keys(named)), slices.Sorted(maps.Keys(saved)))
	}
	if !strings.Contains(string(readme), "连接中…") {
		t.Error("the README does not say why a bare chromium --headless --screenshot of the simulator shows it half-loaded")
	}
}
