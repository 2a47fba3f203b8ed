package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/internal/logtest"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// The whole-program tests run the real binary, built once by TestMain, on
// 127.0.0.1:0 with a temporary data directory and the TESTING keys.

const adminSecret = "cmd-test-admin-secret-of-32-bytes-or-more"

var (
	bin            string // the built skill binary
	platformPubPEM string // the fake platform's public key (SKILL_TSK_PUBLIC_KEY)
	skillPrivPEM   string // our TESTING private key (SKILL_PRIVATE_KEY)
	skillPubPEM    string // a public key where a private one is wanted
	catalogPath    string
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "skill-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "skill")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	platformPubPEM = filepath.Join(dir, "platform_public.pem")
	skillPrivPEM = filepath.Join(dir, "skill_private.pem")
	skillPubPEM = filepath.Join(dir, "skill_public.pem")
	for path, data := range map[string][]byte{
		platformPubPEM: tsk.PublicKeyPEM(&tsktest.PlatformKey.PublicKey),
		skillPrivPEM:   tsktest.SkillKeyPEM(),
		skillPubPEM:    tsk.PublicKeyPEM(&tsktest.SkillKey.PublicKey),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if catalogPath, err = filepath.Abs("../../catalog/default.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// environ is the test configuration for a data directory, plus extra
// KEY=value entries that override it. The caller's SKILL_* are dropped.
func environ(data string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKILL_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"SKILL_ADDR=127.0.0.1:0",
		"SKILL_OPS_ADDR=127.0.0.1:0",
		"SKILL_DRAIN=0s",
		"SKILL_DEV=1", // http on loopback; SKILL_PUBLIC_URL defaults to the listener
		"SKILL_DATA="+data,
		"SKILL_ID="+tsktest.SkillID,
		"SKILL_SECRET="+string(tsktest.Secret),
		"SKILL_TSK_PUBLIC_KEY="+platformPubPEM,
		"SKILL_PRIVATE_KEY="+skillPrivPEM,
		"SKILL_CATALOG="+catalogPath,
		"SKILL_ADMIN_SECRET="+adminSecret,
		"SKILL_PLATFORM_URL=http://127.0.0.1:1/", // nothing listens: the platform is never needed here
	)
	return append(env, extra...)
}

// proc is a running `skill serve`.
type proc struct {
	cmd  *exec.Cmd
	url  string // the public listener's base URL
	ops  string // the operations listener's base URL
	logs *logtest.Buffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

var listening = regexp.MustCompile(`msg=listening addr=(https?://\S+) ops_addr=(http://\S+)`)

// listeningURLs returns the public and ops base URLs of a "listening" log
// line, text or JSON, or nil.
func listeningURLs(line string) []string {
	if strings.HasPrefix(line, "{") {
		var l struct{ Msg, Addr, Ops_addr string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" {
			return []string{l.Addr, l.Ops_addr}
		}
		return nil
	}
	if m := listening.FindStringSubmatch(line); m != nil {
		return m[1:]
	}
	return nil
}

// serve starts `skill serve` and waits for its "listening" line.
func serve(t *testing.T, env []string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, "serve"), logs: &logtest.Buffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.logs, line)
			if m := listeningURLs(line); m != nil {
				select {
				case urls <- m:
				default:
				}
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.logs.String())
		}
	})
	select {
	case u := <-urls:
		p.url, p.ops = u[0], u[1]
		return p
	case <-p.done:
		t.Fatalf("server exited before listening: %v\n%s", p.err, p.logs.String())
	case <-time.After(15 * time.Second):
		t.Fatalf("server did not say it was listening:\n%s", p.logs.String())
	}
	return nil
}

// stop sends sig and returns the exit code.
func (p *proc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("server did not exit after %v:\n%s", sig, p.logs.String())
	}
	return exitCode(p.err)
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// cli runs the binary to completion and returns its stdout, stderr and exit code.
func cli(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), exitCode(err)
}

// result is an HTTP answer.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) errorText() string {
	var e server.ErrorBody
	_ = json.Unmarshal(r.body, &e)
	return e.Error
}

// do sends req and reads the whole answer. (An oversized body goes with
// headOnly: the server answers its head and closes the connection.)
func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

// mustGet returns a GET request for url.
func mustGet(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// adminGet GETs an admin API path with a fresh token.
func adminGet(t *testing.T, base, path string, out any) int {
	t.Helper()
	tok, err := admin.NewToken([]byte(adminSecret), time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r := do(t, req)
	if r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return r.status
}

// sigterm is how the tests ask the server to stop.
var sigterm os.Signal = syscall.SIGTERM
