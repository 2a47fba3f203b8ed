package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SentinelMaster is the name under which StartSentinel watches its master.
const SentinelMaster = "mymaster"

// StartReplica starts a server (like Start's) that replicates master, and
// waits, at most StartTimeout, until master counts it as in sync.
func StartReplica(tb testing.TB, master *Server) *Server {
	tb.Helper()
	bin := need(tb, "redis-server", "REDIS_SERVER")
	s, err := startServer(tb, bin, tb.TempDir(), func() ([]string, error) {
		return []string{"--replicaof", "127.0.0.1", strconv.Itoa(master.port)}, nil
	})
	if err != nil {
		tb.Fatalf("redistest: replica: %v", err)
	}
	deadline := time.Now().Add(StartTimeout)
	for {
		info, err := Command(master.Addr(), "info", "replication")
		if err == nil && strings.Contains(info, "port="+strconv.Itoa(s.port)+",state=online") {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: replica %s not in sync with %s within %v: %v %s", s.Addr(), master.Addr(), StartTimeout, err, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// StartSentinel starts a Redis Sentinel (redis-server --sentinel) that
// watches master under the name SentinelMaster with a quorum of one, and
// waits until it answers for it. Its URL for a client is
// "redis+sentinel://" + Addr() + "/" + SentinelMaster.
func StartSentinel(tb testing.TB, master *Server) *Server {
	tb.Helper()
	bin := need(tb, "redis-server", "REDIS_SERVER")
	dir := tb.TempDir()
	conf := filepath.Join(dir, "sentinel.conf") // Sentinel rewrites it
	text := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1\nsentinel down-after-milliseconds %s 1000\n", SentinelMaster, master.port, SentinelMaster)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	s := &Server{tb: tb, bin: bin, dir: dir, conf: conf, args: []string{"--sentinel"}}
	var err error
	for range 5 {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.start(); err == nil {
			tb.Cleanup(s.Stop)
			break
		}
	}
	if err != nil {
		tb.Fatalf("redistest: sentinel: %v", err)
	}
	deadline := time.Now().Add(StartTimeout)
	for {
		addr, err := Command(s.Addr(), "sentinel", "get-master-addr-by-name", SentinelMaster)
		if err == nil && addr == "127.0.0.1\n"+strconv.Itoa(master.port) {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: sentinel does not answer for %s within %v: %q, %v", master.Addr(), StartTimeout, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Command sends one command to addr and returns its reply as text: a
// status, a number or a string as is, an array's elements one a line, nil
// as "". An error reply is returned as an error.
func Command(addr string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return reply(bufio.NewReader(c))
}

// reply reads one RESP2 reply.
func reply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		var parts []string
		for range n {
			p, err := reply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}
