package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// process is a child process the bench measures or needs: the skill
// server, the ceiling server, a redis-server.
type process struct {
	name string
	addr string // host:port it listens on
	ops  string // host:port of its operations endpoints (the skill server only)
	cmd  *exec.Cmd
	done chan struct{}
}

// cpu returns the CPU time (user + system) the process has used, from
// /proc; zero where /proc is not available.
func (p *process) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
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

// machineIdle returns the time every CPU of the machine has spent idle
// (idle and iowait) and in all, from /proc/stat; zeros where it is not
// available. Their changes over a load say whether it kept the CPUs busy
// or waited on something else (an fsync, a round trip).
func machineIdle() (idle, total int64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(fields) < 6 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fields[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		if i < 8 { // guest time is counted in user already
			total += n
		}
		if i == 3 || i == 4 {
			idle += n
		}
	}
	return idle, total
}

// rss returns the process's resident memory in bytes, all of it and the
// anonymous part (heap and stacks, not file pages such as bbolt's map),
// from /proc; zeros where /proc is not available.
func (p *process) rss() (total, anon int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	kb := func(v string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		return n << 10
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			total = kb(v)
		}
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			anon = kb(v)
		}
	}
	return total, anon
}

// stop interrupts the process and waits for it, killing it after 10s.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// spawn starts a process; its output goes to the bench's stderr when
// verbose, else nowhere.
func spawn(ctx context.Context, name, addr string, env []string, bin string, args ...string) (*process, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	dieWithBench(cmd)
	if verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, addr: addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p, nil
}

// catalogFile is the demo catalog, which serve must be given explicitly.
var catalogFile, _ = filepath.Abs("catalog/default.yaml")

// startSkill runs the real binary on a free loopback port with the run's
// keys and the environment extra (its operations endpoints on another
// free port), and waits until it is ready. It logs at info, one line a
// request, as deployed; the lines go nowhere.
func startSkill(ctx context.Context, bin, data string, extra []string) (*process, error) {
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
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	opsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := append([]string{
		"SKILL_ADDR=" + addr, "SKILL_OPS_ADDR=" + opsAddr, "SKILL_DRAIN=0s", "SKILL_DATA=" + data, "SKILL_ID=" + fakeplatform.DefaultSkillID,
		"SKILL_SECRET=" + string(benchKeys.secret), "SKILL_TSK_PUBLIC_KEY=" + pub, "SKILL_PRIVATE_KEY=" + priv,
		"SKILL_PLATFORM_URL=http://127.0.0.1:9/", "SKILL_CATALOG=" + catalogFile, "SKILL_DEV=1",
		"SKILL_TOKEN_SECRET=loadbench-token-secret-of-32-bytes-or-more", "SKILL_LOG_LEVEL=info",
	}, extra...)
	p, err := spawn(ctx, "skill serve", addr, env, bin, "serve")
	if err != nil {
		return nil, err
	}
	if err := waitHTTP("http://"+opsAddr+"/readyz", p.done); err != nil {
		p.stop()
		return nil, fmt.Errorf("skill serve did not become ready: %w", err)
	}
	p.ops = opsAddr
	return p, nil
}

// redisOptions are how a bench redis-server persists.
type redisOptions struct {
	fsync   string   // appendfsync: "always" for orders, "" for no AOF at all
	cluster bool     // cluster-enabled
	more    []string // more arguments
}

// startRedis runs a private redis-server in a directory under dir.
func startRedis(ctx context.Context, dir string, o redisOptions) (*process, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not installed")
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	rdir := filepath.Join(dir, "redis-"+port)
	if err := os.MkdirAll(rdir, 0o700); err != nil {
		return nil, err
	}
	args := []string{"--port", port, "--bind", "127.0.0.1", "--dir", rdir, "--save", "",
		"--auto-aof-rewrite-percentage", "0", "--repl-diskless-sync-delay", "0"}
	if o.fsync == "" {
		args = append(args, "--appendonly", "no")
	} else {
		args = append(args, "--appendonly", "yes", "--appendfsync", o.fsync)
	}
	if o.cluster {
		bus, err := freeAddr()
		if err != nil {
			return nil, err
		}
		_, busPort, _ := net.SplitHostPort(bus)
		args = append(args, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", busPort,
			"--cluster-node-timeout", "5000")
	}
	args = append(args, o.more...)
	p, err := spawn(ctx, "redis-server", addr, nil, path, args...)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("redis-server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// redisCLI runs redis-cli against addr.
func redisCLI(ctx context.Context, addr string, args ...string) (string, error) {
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("redis-cli %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// startCluster runs six cluster nodes (AOF, fsync always) and joins them as
// three masters with a replica each, waiting until every replica is in sync.
func startCluster(ctx context.Context, dir string) ([]*process, error) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		return nil, fmt.Errorf("redis-cli not installed")
	}
	var nodes []*process
	stopAll := func() {
		for _, n := range nodes {
			n.stop()
		}
	}
	args := []string{"--cluster", "create"}
	for range 6 {
		n, err := startRedis(ctx, dir, redisOptions{fsync: "always", cluster: true})
		if err != nil {
			stopAll()
			return nil, err
		}
		nodes = append(nodes, n)
		args = append(args, n.addr)
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		stopAll()
		return nil, fmt.Errorf("redis-cli --cluster create: %w: %s", err, out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ready := true
		for _, n := range nodes {
			info, err := redisCLI(ctx, n.addr, "cluster", "info")
			repl, err2 := redisCLI(ctx, n.addr, "info", "replication")
			if err != nil || err2 != nil || !strings.Contains(info, "cluster_state:ok") ||
				strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up") ||
				strings.Contains(repl, "role:master") && strings.Contains(repl, "connected_slaves:0") {
				ready = false
			}
		}
		if ready {
			return nodes, nil
		}
		if time.Now().After(deadline) {
			stopAll()
			return nil, fmt.Errorf("the cluster did not form within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHTTP polls url until it answers 200, the process exits or 15s pass.
func waitHTTP(url string, exited <-chan struct{}) error {
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
		select {
		case <-exited:
			return fmt.Errorf("exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
