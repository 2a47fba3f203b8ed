// Package redistest starts a real redis-server for tests, shaped like
// net/http/httptest: Start returns a Server with a URL, and the test's
// Cleanup stops it. The server persists with an append-only file fsynced on
// every write, so Restart (same port, same directory) keeps the data and Kill
// simulates a crash. StartCluster starts a Redis Cluster of six such
// servers, three masters and their replicas, and Cluster.Failover crashes a
// master and promotes its replica.
//
// When redis-server (or, for a cluster, redis-cli) is not installed the test
// is skipped, except when the environment variable CI is "true": CI must
// never skip, so the test fails.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logtest"
)

// StartTimeout bounds how long Start and Restart wait for the server to
// answer PING.
const StartTimeout = 10 * time.Second

// Server is a redis-server child process listening on 127.0.0.1.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	port int
	conf string   // a config file to start from (a sentinel's), or ""
	args []string // more redis-server arguments (the cluster's)

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}   // closed when cmd has exited
	out  *logtest.Buffer // what the running process printed
}

// Start runs redis-server on a free port of 127.0.0.1 with a fresh data
// directory (tb.TempDir()), append-only persistence fsynced on every write
// and no RDB snapshots, waits until it answers PING, and registers a Cleanup
// that stops it. It skips the test when redis-server is missing (see the
// package doc); set REDIS_SERVER to use a binary outside PATH.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := need(tb, "redis-server", "REDIS_SERVER")
	s, err := startServer(tb, bin, tb.TempDir(), nil)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// need returns the path of a Redis program, or skips (fails under CI=true)
// the test when it is not installed. env names a variable that may point at
// another binary.
func need(tb testing.TB, name, env string) string {
	tb.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = name
	}
	bin, err := exec.LookPath(path)
	if err != nil {
		msg := "redistest: " + name + " not found (install it: apt-get install -y redis-server redis-tools)"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + "; CI=true, so this is a failure, not a skip")
		}
		tb.Skip(msg)
	}
	return bin
}

// startServer starts a server in dir on a free port, with more arguments
// from args(port), and registers its Cleanup.
func startServer(tb testing.TB, bin, dir string, args func() ([]string, error)) (*Server, error) {
	s := &Server{tb: tb, bin: bin, dir: dir}
	var err error
	for range 5 { // a free port can be taken between probing and binding
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		if args != nil {
			if s.args, err = args(); err != nil {
				return nil, err
			}
		}
		if err = s.start(); err == nil {
			tb.Cleanup(s.Stop)
			return s, nil
		}
	}
	return nil, err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL returns the server's redis:// URL, for go-redis ParseURL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Dir returns the server's data directory.
func (s *Server) Dir() string { return s.dir }

// start runs the process and waits for PING; it cleans up after a failure.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("redis-server already running")
	}
	var conf []string
	if s.conf != "" {
		conf = []string{s.conf}
	}
	cmd := exec.Command(s.bin, append(conf,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
		"--repl-diskless-sync-delay", "0", // a replica syncs at once
		"--daemonize", "no",
		"--logfile", "")...,
	)
	cmd.Args = append(cmd.Args, s.args...)
	dieWithTest(cmd)
	out := new(logtest.Buffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done, s.out = cmd, done, out

	deadline := time.Now().Add(StartTimeout)
	for {
		if err := ping(s.Addr()); err == nil {
			return nil
		}
		select {
		case <-done:
			s.cmd = nil
			return fmt.Errorf("redis-server on port %d exited at start: %s", s.port, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			s.cmd = nil
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %s", s.port, StartTimeout, out.String())
		}
	}
}

// ping sends one RESP PING and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Stop shuts the server down gracefully (SIGTERM, then SIGKILL after 10s)
// and waits for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() { s.halt(syscall.SIGTERM) }

// Kill kills the server with SIGKILL, like a crash or a power cut for the
// process, and waits for it to exit. Writes acknowledged before Kill are on
// disk (appendfsync always).
func (s *Server) Kill() { s.halt(syscall.SIGKILL) }

// halt signals the server and waits for it to exit. A server refuses
// SIGTERM while it writes its first append-only file (after a replica's
// full sync, say), so SIGTERM is sent again every 100ms; after 10s it is
// killed.
func (s *Server) halt(sig syscall.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	deadline := time.After(10 * time.Second)
	for {
		_ = s.cmd.Process.Signal(sig)
		select {
		case <-s.done:
			s.cmd = nil
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			_ = s.cmd.Process.Kill()
			<-s.done
			s.cmd = nil
			return
		}
	}
}

// Restart stops the server if it runs, then starts it again on the same port
// with the same data directory: the data survives.
func (s *Server) Restart() {
	s.tb.Helper()
	if err := s.StartAgain(); err != nil {
		s.tb.Fatalf("redistest: restart: %v", err)
	}
}

// StartAgain is Restart returning its error instead of failing the test,
// for a goroutine other than the test's.
func (s *Server) StartAgain() error {
	s.Stop()
	var err error
	for range 50 { // the port may linger briefly after a kill
		if err = s.start(); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// Log returns what the server printed since it was last started.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return ""
	}
	return s.out.String()
}
