package redistest_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
)

// do sends one inline command and returns the first reply line.
func do(t *testing.T, addr, cmd string) (string, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, err = r.ReadString('\n')
	}
	return strings.TrimSpace(line), err
}

// setAndWait sets k to v and waits for one replica to have it, on one
// connection, and returns the two replies.
func setAndWait(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("SET k v\r\nWAIT 1 2000\r\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	set, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	wait, err := r.ReadString('\n')
	return strings.TrimSpace(set) + " " + strings.TrimSpace(wait), err
}

func TestStartRestartKill(t *testing.T) {
	s := redistest.Start(t)
	if !strings.HasPrefix(s.URL(), "redis://127.0.0.1:") {
		t.Fatalf("URL() = %q", s.URL())
	}
	if got, err := do(t, s.Addr(), "SET k v"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}

	s.Restart()
	if got, err := do(t, s.Addr(), "GET k"); err != nil || got != "v" {
		t.Fatalf("after Restart, GET = %q, %v; want v", got, err)
	}

	if got, err := do(t, s.Addr(), "SET k2 v2"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	s.Kill()
	if _, err := do(t, s.Addr(), "PING"); err == nil {
		t.Fatal("PING after Kill succeeded")
	}
	s.Restart()
	if got, err := do(t, s.Addr(), "GET k2"); err != nil || got != "v2" {
		t.Fatalf("after Kill and Restart, GET = %q, %v; want v2 (appendfsync always)", got, err)
	}

	s.Stop()
	s.Stop() // idempotent
	if _, err := do(t, s.Addr(), "PING"); err == nil {
		t.Fatal("PING after Stop succeeded")
	}
}

func TestTwoServers(t *testing.T) {
	a, b := redistest.Start(t), redistest.Start(t)
	if a.URL() == b.URL() || a.Dir() == b.Dir() {
		t.Fatalf("servers share an address or a directory: %s %s", a.URL(), b.URL())
	}
}

func TestCluster(t *testing.T) {
	start := time.Now()
	c := redistest.StartCluster(t)
	t.Logf("cluster formed in %v", time.Since(start).Round(time.Millisecond))
	if len(c.Nodes) != 6 || len(c.Masters()) != 3 || !strings.HasPrefix(c.URL(), "redis+cluster://127.0.0.1:") {
		t.Fatalf("%d nodes, %d masters, URL %q", len(c.Nodes), len(c.Masters()), c.URL())
	}
	m := c.MasterOf("k")
	// The write reaches the replica before the master dies: WAIT counts the
	// replicas that have its own connection's writes, so both go on one.
	if got, err := setAndWait(m.Addr()); err != nil || got != "+OK :1" {
		t.Fatalf("SET then WAIT on the key's master = %q, %v; want +OK :1", got, err)
	}
	start = time.Now()
	promoted := c.Failover(m)
	t.Logf("failover in %v", time.Since(start).Round(time.Millisecond))
	if c.MasterOf("k") != promoted {
		t.Errorf("after failover, k is served by %s; want the promoted %s", c.MasterOf("k").Addr(), promoted.Addr())
	}
	if got, err := c.Do(promoted, "get", "k"); err != nil || got != "v" {
		t.Errorf("after failover, GET = %q, %v; want v", got, err)
	}
}
