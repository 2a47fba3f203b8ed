package redistest

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ClusterStartTimeout bounds how long StartCluster waits for the cluster to
// form: every slot served, every replica in sync, every node agreeing.
const ClusterStartTimeout = 30 * time.Second

// FailoverTimeout bounds how long Failover waits for a replica to take over.
const FailoverTimeout = 15 * time.Second

// Cluster is a Redis Cluster of local redis-server processes: three masters,
// each with one replica, persisting to an append-only file fsynced every
// second (see clusterArgs). Its nodes stop at the test's Cleanup.
type Cluster struct {
	tb    testing.TB
	cli   string
	Nodes []*Server // in the order they were started; roles change on failover
}

// clusterArgs are the redis-server arguments of a cluster node. The node
// timeout is long enough that a loaded test machine never fails a node over
// by itself; Failover promotes a replica explicitly, at once.
func clusterArgs() ([]string, error) {
	bus, err := freePort()
	if err != nil {
		return nil, err
	}
	return []string{
		"--cluster-enabled", "yes",
		"--cluster-config-file", "nodes.conf",
		"--cluster-port", strconv.Itoa(bus),
		"--cluster-node-timeout", "5000",
		// A write survives a master's crash on the replica that confirmed
		// it (WAIT), not on the crashed master's disk; fsyncing every
		// write on six nodes of a busy test machine only slows the
		// replicas' confirmations down.
		"--appendfsync", "everysec",
	}, nil
}

// StartCluster starts six cluster-enabled redis-server processes on free
// ports of 127.0.0.1, joins them with `redis-cli --cluster create
// --cluster-replicas 1` and waits, at most ClusterStartTimeout, until every
// node sees all slots served and every replica is in sync with its master.
// It skips the test when redis-server or redis-cli is missing (see the
// package doc; set REDIS_CLI to use a redis-cli outside PATH).
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bin := need(tb, "redis-server", "REDIS_SERVER")
	c := &Cluster{tb: tb, cli: need(tb, "redis-cli", "REDIS_CLI")}
	for range 6 {
		s, err := startServer(tb, bin, tb.TempDir(), clusterArgs)
		if err != nil {
			tb.Fatalf("redistest: cluster node: %v", err)
		}
		c.Nodes = append(c.Nodes, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ClusterStartTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, c.cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.wait(ctx, nil); err != nil {
		tb.Fatalf("redistest: cluster did not form within %v: %v", ClusterStartTimeout, err)
	}
	return c
}

// Addrs returns every node's host:port.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		out[i] = s.Addr()
	}
	return out
}

// URL returns the cluster's redis+cluster:// URL naming every node.
func (c *Cluster) URL() string { return "redis+cluster://" + strings.Join(c.Addrs(), ",") }

// Do runs one command with redis-cli on a node and returns its output.
func (c *Cluster) Do(s *Server, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	full := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.port)}, args...)
	out, err := exec.CommandContext(ctx, c.cli, full...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("redis-cli %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(bytes.TrimSpace(out)), nil
}

// node is one line of CLUSTER NODES.
type node struct {
	id, addr, master string // master is "-" for a master
	flags            string
	slots            int      // how many slots it serves
	ranges           [][2]int // which: inclusive ranges
}

// nodes parses CLUSTER NODES as s sees it.
func (c *Cluster) nodes(s *Server) ([]node, error) {
	out, err := c.Do(s, "cluster", "nodes")
	if err != nil {
		return nil, err
	}
	var ns []node
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		n := node{id: f[0], addr: strings.SplitN(f[1], "@", 2)[0], flags: f[2], master: f[3]}
		for _, r := range f[8:] {
			lo, hi, ok := strings.Cut(r, "-")
			if !ok {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil {
				n.slots += b - a + 1
				n.ranges = append(n.ranges, [2]int{a, b})
			}
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// live returns the nodes still running.
func (c *Cluster) live() []*Server {
	var out []*Server
	for _, s := range c.Nodes {
		s.mu.Lock()
		if s.cmd != nil {
			out = append(out, s)
		}
		s.mu.Unlock()
	}
	return out
}

// settled reports why the cluster is not yet settled, or "" when every live
// node sees every slot served by a live master, and every master (but those
// in alone) has a replica in sync.
func (c *Cluster) settled(alone map[string]bool) string {
	live := c.live()
	isLive := map[string]bool{}
	for _, s := range live {
		isLive[s.Addr()] = true
	}
	for _, s := range live {
		info, err := c.Do(s, "cluster", "info")
		if err != nil || !strings.Contains(info, "cluster_state:ok") {
			return s.Addr() + ": cluster_state not ok"
		}
		ns, err := c.nodes(s)
		if err != nil {
			return err.Error()
		}
		slots := 0
		for _, n := range ns {
			if !isLive[n.addr] {
				continue
			}
			if strings.Contains(n.flags, "fail") {
				return s.Addr() + " sees " + n.addr + " failing"
			}
			if strings.Contains(n.flags, "master") {
				slots += n.slots
			}
		}
		if slots != 16384 {
			return fmt.Sprintf("%s sees %d slots served by live masters", s.Addr(), slots)
		}
		repl, err := c.Do(s, "info", "replication")
		switch {
		case err != nil:
			return err.Error()
		case strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up"):
			return s.Addr() + ": replica not in sync"
		case strings.Contains(repl, "role:master") && strings.Contains(repl, "connected_slaves:0") && !alone[s.Addr()]:
			return s.Addr() + ": master without a replica"
		}
	}
	return ""
}

// wait polls until the cluster has settled (see settled) or ctx is done.
func (c *Cluster) wait(ctx context.Context, alone map[string]bool) error {
	for {
		why := c.settled(alone)
		if why == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s", ctx.Err(), why)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Masters returns the live nodes that serve slots, as the first live node
// sees them.
func (c *Cluster) Masters() []*Server {
	c.tb.Helper()
	live := c.live()
	if len(live) == 0 {
		return nil
	}
	ns, err := c.nodes(live[0])
	if err != nil {
		c.tb.Fatalf("redistest: %v", err)
	}
	var out []*Server
	for _, n := range ns {
		for _, s := range live {
			if s.Addr() == n.addr && n.slots > 0 && strings.Contains(n.flags, "master") {
				out = append(out, s)
			}
		}
	}
	return out
}

// MasterOf returns the live master that serves key's slot.
func (c *Cluster) MasterOf(key string) *Server {
	c.tb.Helper()
	live := c.live()
	if len(live) == 0 {
		c.tb.Fatal("redistest: no live cluster node")
	}
	out, err := c.Do(live[0], "cluster", "keyslot", key)
	if err != nil {
		c.tb.Fatalf("redistest: %v", err)
	}
	slot, err := strconv.Atoi(out)
	if err != nil {
		c.tb.Fatalf("redistest: CLUSTER KEYSLOT answered %q", out)
	}
	ns, err := c.nodes(live[0])
	if err != nil {
		c.tb.Fatalf("redistest: %v", err)
	}
	for _, n := range ns {
		if !strings.Contains(n.flags, "master") || strings.Contains(n.flags, "fail") {
			continue
		}
		for _, r := range n.ranges {
			if r[0] <= slot && slot <= r[1] {
				for _, s := range live {
					if s.Addr() == n.addr {
						return s
					}
				}
			}
		}
	}
	c.tb.Fatalf("redistest: no live master serves %q (slot %d)", key, slot)
	return nil
}

// ReplicaOf returns a live replica of master, as the replicas report it.
func (c *Cluster) ReplicaOf(master *Server) *Server {
	c.tb.Helper()
	want := "master_port:" + strconv.Itoa(master.port) + "\r"
	for _, s := range c.live() {
		if repl, err := c.Do(s, "info", "replication"); err == nil &&
			strings.Contains(repl, "role:slave") && strings.Contains(strings.ReplaceAll(repl, "\n", "\r"), want) {
			return s
		}
	}
	c.tb.Fatalf("redistest: %s has no live replica", master.Addr())
	return nil
}

// Failover crashes master (SIGKILL, as a power cut would) and has its
// replica take over at once with CLUSTER FAILOVER TAKEOVER, as an operator
// would instead of waiting out the node timeout. Whatever the replica had
// not received when the master died is lost. Failover returns the promoted
// replica once every live node sees it serve the slots, at most
// FailoverTimeout later.
func (c *Cluster) Failover(master *Server) *Server {
	c.tb.Helper()
	replica := c.ReplicaOf(master)
	master.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), FailoverTimeout)
	defer cancel()
	if _, err := c.Do(replica, "cluster", "failover", "takeover"); err != nil {
		c.tb.Fatalf("redistest: failover: %v", err)
	}
	if err := c.wait(ctx, map[string]bool{replica.Addr(): true}); err != nil {
		c.tb.Fatalf("redistest: failover of %s to %s: %v", master.Addr(), replica.Addr(), err)
	}
	return replica
}

// Rejoin restarts a crashed node on its port and data directory, as when
// the machine comes back: a master that was failed over rejoins as a
// replica of the node that took over. It returns once every master has a
// replica in sync again, at most FailoverTimeout later.
func (c *Cluster) Rejoin(s *Server) {
	c.tb.Helper()
	s.Restart()
	ctx, cancel := context.WithTimeout(context.Background(), FailoverTimeout)
	defer cancel()
	if err := c.wait(ctx, nil); err != nil {
		c.tb.Fatalf("redistest: rejoin of %s: %v", s.Addr(), err)
	}
}
