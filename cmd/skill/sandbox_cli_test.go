package main_test

import (
	"bufio"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIFindsTheRunningSandbox runs `skill sandbox` as `make run` does and
// the admin commands beside it with nothing but SKILL_DATA: they find the
// sandbox (its URL and admin secret) instead of failing on its locked
// store, as the README says.
func TestCLIFindsTheRunningSandbox(t *testing.T) {
	data := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKILL_") {
			env = append(env, kv)
		}
	}
	env = append(env, "SKILL_DATA="+data, "SKILL_ADDR=127.0.0.1:0", "SKILL_OPS_ADDR=127.0.0.1:0")
	cmd := exec.Command(bin, "sandbox", "--platform-addr", "127.0.0.1:0")
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
		done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	urlFile := filepath.Join(data, "sandbox_url")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(urlFile); err == nil && len(strings.Fields(string(b))) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sandbox did not write its URLs")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cliOK := func(args ...string) string {
		t.Helper()
		stdout, stderr, code := cli(t, env, args...)
		if code != 0 {
			t.Fatalf("skill %s: exit %d: %s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		return stdout
	}
	got := cliOK("trigger", "create-order", "--user", "bob", "--item", "coins*2")
	m := regexp.MustCompile(`"tradeNo": "([A-Z0-9]+)"`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no tradeNo:\n%s", got)
	}
	if got := cliOK("trigger", "ship-notify", "--order", m[1]); !strings.Contains(got, "fake platform now has "+m[1]+" paid") {
		t.Errorf("ship-notify did not pay on the sandbox's platform:\n%s", got)
	}
	if got := cliOK("orders", "list"); !strings.Contains(got, m[1]) || !strings.Contains(got, "DELIVERED") {
		t.Fatalf("orders list:\n%s", got)
	}
	// refund prints the order as orders show does, not JSON.
	if got := cliOK("refund", m[1]); !regexp.MustCompile(`(?m)^state +REFUNDING$`).MatchString(got) ||
		!regexp.MustCompile(`(?m)^REFUNDTRADENO +AMOUNT`).MatchString(got) || strings.Contains(got, "{") {
		t.Fatalf("refund:\n%s", got)
	}
	// The refund is recorded as made by whoever ran the command.
	if u, err := osuser.Current(); err == nil {
		if got := cliOK("orders", "show", m[1]); !strings.Contains(got, "cli:"+u.Username) {
			t.Errorf("orders show: no cli:%s in the history:\n%s", u.Username, got)
		}
	}
	if _, stderr, code := cli(t, env, "orders", "show", "TNOPE"); code == 0 || !strings.Contains(stderr, "no order TNOPE") {
		t.Errorf("orders show of an unknown order: exit %d, %q", code, stderr)
	}
	// A refund notified FAIL fails at the sandbox's platform too: the
	// order can be refunded again (the platform does not count the first).
	if got := cliOK("trigger", "refund-notify", "--order", m[1], "--status", "FAIL"); !strings.Contains(got, "fake platform now has refund R") {
		t.Errorf("refund-notify FAIL did not settle the sandbox's platform:\n%s", got)
	}
	if got := cliOK("refund", m[1]); !regexp.MustCompile(`(?m)^state +REFUNDING$`).MatchString(got) {
		t.Fatalf("refund after a failed one:\n%s", got)
	}
	// dialog --url finds the sandbox's fake platform (for :pay) on its own
	// (it used to try the default port whatever the sandbox listened on).
	urls, err := os.ReadFile(urlFile)
	if err != nil {
		t.Fatal(err)
	}
	d := exec.Command(bin, "dialog", "--url", strings.Fields(string(urls))[0], "--user", "carol")
	d.Env, d.Stdin = env, strings.NewReader("我要买万古神帝第36集\n是的\n:pay\n")
	if got, err := d.CombinedOutput(); err != nil || !strings.Contains(string(got), "购买成功") {
		t.Errorf("dialog --url with :pay: %v\n%s", err, got)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-done; err != nil {
		t.Fatalf("sandbox exit: %v", err)
	}
	done <- nil
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Errorf("the sandbox left %s behind: %v", urlFile, err)
	}
}
