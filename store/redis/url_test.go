package redis_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
)

// TestURLErrors: a URL that names no deployment is refused at once, with a
// message that names the problem and never the password.
func TestURLErrors(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"http://127.0.0.1:6379", "scheme"},
		{"127.0.0.1:6379", "want redis://"},
		{"redis+ring://127.0.0.1:1", "redis+cluster"},
		{"redis://:hunter2@127.0.0.1:1,,127.0.0.1:2", "empty address"},
		{"redis+cluster://127.0.0.1:1,127.0.0.1:2/3", "only database 0"},
		{"redis+sentinel://127.0.0.1:1", "mastername"},
		{"redis+sentinel://127.0.0.1:1/m/0/1", "mastername"},
		{"redis://127.0.0.1:1/0?nonsense=1", "nonsense"},
		{"redis+cluster://127.0.0.1:1?nonsense=1", "nonsense"},
	} {
		_, err := redis.New(context.Background(), tt.url, redis.Config{})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New(%q) = %v; want an error about %q, without the password", tt.url, err, tt.want)
		}
	}
	if _, err := redis.New(context.Background(), "redis://127.0.0.1:1", redis.Config{Prefix: "a{b}:"}); err == nil {
		t.Error("New with braces in the prefix succeeded")
	}
}

// TestURLTopologies: each URL form reaches its deployment, and the default
// number of replicas follows the topology (the cluster's forms are in
// TestCluster).
func TestURLTopologies(t *testing.T) {
	single := redistest.Start(t)
	redistest.StartReplica(t, single)
	sentinel := redistest.StartSentinel(t, single)
	for _, tt := range []struct {
		url      string
		topology redis.Topology
		replicas int
		resp     string // the protocol the client speaks: RESP2 unless asked
	}{
		{single.URL(), redis.Single, 0, "resp=2"},
		{"redis://" + single.Addr() + "?dial_timeout=2s", redis.Single, 0, "resp=2"},
		{"redis://" + single.Addr() + "?protocol=3", redis.Single, 0, "resp=3"},
		{"redis+sentinel://" + sentinel.Addr() + "/" + redistest.SentinelMaster + "?read_timeout=5s", redis.Sentinel, 1, "resp=2"},
		{"redis+sentinel://" + sentinel.Addr() + "/" + redistest.SentinelMaster + "/0?read_timeout=5s", redis.Sentinel, 1, "resp=2"},
	} {
		t.Run(tt.url, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s, err := redis.New(ctx, tt.url, redis.Config{Prefix: "url:", ReplicaTimeout: replicaTimeout})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Topology() != tt.topology || s.MinReplicas() != tt.replicas {
				t.Errorf("topology %v with %d replicas; want %v with %d", s.Topology(), s.MinReplicas(), tt.topology, tt.replicas)
			}
			if info, err := s.Client().Do(ctx, "CLIENT", "INFO").Text(); err != nil || !slices.Contains(strings.Fields(info), tt.resp) {
				t.Errorf("CLIENT INFO = %q, %v; want %s", info, err, tt.resp)
			}
			o := storetest.NewOrder("T-"+tt.topology.String(), "u1", base)
			if _, _, err := s.CreateOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
			got, err := s.UpdateOrder(ctx, o.TradeNo, func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
			if err != nil || got.Deliveries != 1 {
				t.Errorf("UpdateOrder = %d deliveries, %v", got.Deliveries, err)
			}
		})
	}
}
