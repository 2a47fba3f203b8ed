package redis

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Topology is the shape of the Redis deployment a URL names.
type Topology int

// The topologies Open understands.
const (
	// Single is one redis-server (redis://host:port/db).
	Single Topology = iota
	// Cluster is a Redis Cluster (redis+cluster://host:port,host:port, or
	// redis:// with several addresses): keys spread over masters by hash
	// slot, each master with its replicas.
	Cluster
	// Sentinel is a master and its replicas watched by Redis Sentinel
	// (redis+sentinel://sentinel:26379,sentinel:26379/mastername[/db]):
	// the client asks the sentinels which node is the master.
	Sentinel
)

// String names the topology.
func (t Topology) String() string {
	switch t {
	case Cluster:
		return "cluster"
	case Sentinel:
		return "sentinel"
	}
	return "single"
}

// dial parses a Redis URL and returns a client for it, not yet connected.
//
//	redis://[user:password@]host:port[/db][?options]          one server
//	rediss://...                                               the same over TLS
//	redis+cluster://[user:password@]host:port,host:port[?options]  a cluster
//	redis://host:port,host:port[?options]                      a cluster too
//	redis+sentinel://[user:password@]host:port,host:port/master[/db][?options]
//	unix:///path/to/redis.sock[?db=0]                          one server on a socket
//
// Options are go-redis's URL options (dial_timeout, pool_size, password for
// the data nodes behind sentinels, ...). A cluster has no database number.
// Unless the URL sets them, timeouts and retries are tightened (failFast).
func dial(raw string) (goredis.UniversalClient, Topology, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, 0, fmt.Errorf("redis: url %q: want redis://, redis+cluster:// or redis+sentinel://", redact(raw))
	}
	if scheme == "unix" { // one server on a socket
		opts, err := goredis.ParseURL(raw)
		if err != nil {
			return nil, 0, fmt.Errorf("redis: parse url: %w", err)
		}
		failFast(url.Values{}, knobs{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.MaxRetries, &opts.DialerRetries, &opts.DialerRetryTimeout, &opts.Protocol})
		return goredis.NewClient(opts), Single, nil
	}
	base, mode, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, 0, fmt.Errorf("redis: url scheme %q: want redis or rediss", scheme)
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo := ""
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, authority = authority[:i+1], authority[i+1:]
	}
	hosts := strings.Split(authority, ",")
	for _, h := range hosts {
		if h == "" {
			return nil, 0, fmt.Errorf("redis: url %q: empty address", redact(raw))
		}
	}
	if mode == "" && len(hosts) > 1 {
		mode = "cluster"
	}
	path, query, _ := strings.Cut(tail, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, 0, fmt.Errorf("redis: url %q: %w", redact(raw), err)
	}
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}
	single := func(path string) string {
		u := base + "://" + userinfo + hosts[0] + path
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		return u
	}
	switch mode {
	case "":
		opts, err := goredis.ParseURL(single(path))
		if err != nil {
			return nil, 0, fmt.Errorf("redis: parse url: %w", err)
		}
		failFast(q, knobs{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.MaxRetries, &opts.DialerRetries, &opts.DialerRetryTimeout, &opts.Protocol})
		return goredis.NewClient(opts), Single, nil
	case "cluster":
		if p := strings.Trim(path, "/"); p != "" && p != "0" {
			return nil, 0, fmt.Errorf("redis: url %q: a cluster has only database 0", redact(raw))
		}
		opts, err := goredis.ParseClusterURL(single(""))
		if err != nil {
			return nil, 0, fmt.Errorf("redis: parse cluster url: %w", err)
		}
		failFast(q, knobs{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.MaxRetries, &opts.DialerRetries, &opts.DialerRetryTimeout, &opts.Protocol})
		return goredis.NewClusterClient(opts), Cluster, nil
	case "sentinel":
		segs := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
		if len(segs) > 0 && !q.Has("master_name") {
			q.Set("master_name", segs[0])
			segs = segs[1:]
		}
		if len(segs) > 1 || q.Get("master_name") == "" {
			return nil, 0, fmt.Errorf("redis: url %q: want redis+sentinel://host:port,.../mastername[/db]", redact(raw))
		}
		p := ""
		if len(segs) == 1 {
			p = "/" + segs[0]
		}
		opts, err := goredis.ParseFailoverURL(single(p))
		if err != nil {
			return nil, 0, fmt.Errorf("redis: parse sentinel url: %w", err)
		}
		failFast(q, knobs{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout, &opts.MaxRetries, &opts.DialerRetries, &opts.DialerRetryTimeout, &opts.Protocol})
		return goredis.NewFailoverClient(opts), Sentinel, nil
	}
	return nil, 0, fmt.Errorf("redis: url scheme %q: want redis, redis+cluster or redis+sentinel", scheme)
}

// knobs are the options failFast sets, wherever they live.
type knobs struct {
	dial, read, write    *time.Duration
	retries, dialRetries *int
	dialRetryTimeout     *time.Duration
	protocol             *int
}

// CheckURL reports, without connecting, whether url names a deployment
// New can open (see dial), and which kind.
func CheckURL(url string) (Topology, error) {
	c, t, err := dial(url)
	if err != nil {
		return 0, err
	}
	_ = c.Close()
	return t, nil
}

// failFast tightens go-redis's defaults, unless the URL's query sets them:
// the platform times a webhook out after about a second and retries it, so
// an unreachable Redis must turn into a quick FAIL, not seconds of redials.
// It also speaks RESP2: the store uses no RESP3 feature, and on RESP3
// go-redis looks for push notifications around every command (some 7% of
// a /skill turn's CPU in the bench's profile).
func failFast(q url.Values, k knobs) {
	if !q.Has("protocol") {
		*k.protocol = 2
	}
	if !q.Has("dial_timeout") {
		*k.dial = 500 * time.Millisecond
	}
	if !q.Has("max_retries") {
		*k.retries = 1
	}
	if !q.Has("read_timeout") {
		*k.read = time.Second
	}
	if !q.Has("write_timeout") {
		*k.write = time.Second
	}
	if !q.Has("dialer_retries") {
		*k.dialRetries, *k.dialRetryTimeout = 2, 50*time.Millisecond
	}
}

// redact hides a URL's password in error messages.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(authority[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
