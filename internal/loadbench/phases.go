package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// maxRequests bounds every phase, whatever the duration.
const maxRequests = 20000

// loadCreateOrder measures POST /pay/create-order: each request a new order.
func loadCreateOrder(base string, dur time.Duration, conc int) (result, error) {
	n := min(maxRequests, int(dur.Seconds()*1500)+conc)
	reqs := prepare(n, func(i int) prepared {
		body, _ := json.Marshal(pay.CreateOrderRequest{
			SkillID:   fakeplatform.DefaultSkillID,
			UserToken: "load-user-" + strconv.Itoa(i),
			Details:   []shop.Line{{ItemID: "coins", Quantity: 2, Amount: 200}},
			TotalAmt:  200,
			NonceStr:  "n" + strconv.Itoa(i),
		})
		h, err := tsk.SignRSA2(body, time.Now(), benchKeys.platform)
		if err != nil {
			panic(err)
		}
		return prepared{path: "/pay/create-order", body: body, header: h}
	})
	return drive(base, reqs, dur, conc, func(status int, body []byte) bool {
		return status == http.StatusOK && bytes.Contains(body, []byte(`"SUCCESS"`))
	})
}

// loadSkillTurn measures POST /skill with the first turn of a purchase: a
// buy intent for a known product, answered with the price and a question.
func loadSkillTurn(base string, dur time.Duration, conc int) (result, error) {
	n := min(maxRequests, int(dur.Seconds()*4000)+conc)
	reqs := prepare(n, func(i int) prepared {
		id := strconv.Itoa(i)
		req := fakeplatform.NewIntent("buy", map[string]string{"product": "万古神帝第35集"},
			fakeplatform.WithUser("load-user-"+id), fakeplatform.WithSession("load-session-"+id),
			fakeplatform.WithRequestID("load-request-"+id), fakeplatform.WithTime(time.Now()))
		body, h := signHMAC(req)
		return prepared{path: "/skill", body: body, header: h}
	})
	return drive(base, reqs, dur, conc, func(status int, body []byte) bool {
		return status == http.StatusOK && bytes.Contains(body, []byte(`"shouldEndSession":false`))
	})
}

// loadEcho measures a bare fiber app that echoes a JSON body: the ceiling
// for any fiber handler on this machine.
func loadEcho(dur time.Duration, conc int) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/echo", func(c *fiber.Ctx) error {
		var v map[string]any
		if err := json.Unmarshal(c.Body(), &v); err != nil {
			return c.SendStatus(fiber.StatusBadRequest)
		}
		return c.JSON(v)
	})
	go app.Listener(ln)
	defer app.Shutdown()
	req := fakeplatform.NewIntent("buy", map[string]string{"product": "万古神帝第35集"})
	body, _ := signHMAC(req)
	n := min(maxRequests, int(dur.Seconds()*8000)+conc)
	reqs := make([]prepared, n)
	for i := range reqs {
		reqs[i] = prepared{path: "/echo", body: body}
	}
	return drive("http://"+ln.Addr().String(), reqs, dur, conc, func(status int, _ []byte) bool { return status == http.StatusOK })
}

// skillServer is a running `skill serve`.
type skillServer struct {
	url  string
	pid  int
	stop func()
}

// cpu returns the CPU time (user + system) the server process has used, from
// /proc; zero where /proc is not available.
func (s *skillServer) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which is in parentheses): utime and
	// stime are the 12th and 13th, in clock ticks (100 per second on Linux).
	fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}

// catalogFile is the demo catalog, which serve must be given explicitly.
var catalogFile, _ = filepath.Abs("catalog/default.yaml")

// startSkill runs the real binary on a free loopback port with the run's
// keys, and waits until it is ready.
func startSkill(ctx context.Context, bin, data string, extraEnv []string) (*skillServer, error) {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	pub := filepath.Join(data, "platform_public.pem")
	priv := filepath.Join(data, "skill_private.pem")
	if err := os.WriteFile(pub, tsk.PublicKeyPEM(&benchKeys.platform.PublicKey), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(priv, tsk.PrivateKeyPEM(benchKeys.skill), 0o600); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	opsAddr := "127.0.0.1:" + strconv.Itoa(opsPort)
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = append(os.Environ(),
		"SKILL_ADDR="+addr, "SKILL_OPS_ADDR="+opsAddr, "SKILL_DRAIN=0s", "SKILL_DATA="+data, "SKILL_ID="+fakeplatform.DefaultSkillID,
		"SKILL_SECRET="+string(benchKeys.secret), "SKILL_TSK_PUBLIC_KEY="+pub, "SKILL_PRIVATE_KEY="+priv,
		"SKILL_PLATFORM_URL=http://127.0.0.1:9/", "SKILL_CATALOG="+catalogFile, "SKILL_DEV=1",
		"SKILL_LOG_LEVEL=error")
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	url := "http://" + addr
	if err := waitHTTP("http://" + opsAddr + "/readyz"); err != nil {
		stop()
		return nil, fmt.Errorf("skill serve did not become ready: %w", err)
	}
	return &skillServer{url: url, pid: cmd.Process.Pid, stop: stop}, nil
}

// startRedis runs a private redis-server (append-only, fsync always) and
// returns the environment that points the skill at it.
func startRedis(ctx context.Context, dir string) ([]string, func(), error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, nil, fmt.Errorf("redis-server not installed")
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	rdir := filepath.Join(dir, "redis")
	if err := os.MkdirAll(rdir, 0o700); err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", rdir, "--appendonly", "yes", "--appendfsync", "always", "--save", "")
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("redis-server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return []string{"SKILL_REDIS_URL=redis://127.0.0.1:" + strconv.Itoa(port) + "/0"}, stop, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
