package redis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/store/redis"
	"github.com/dingdang-voicepay/voicepay/store/storetest"
	goredis "github.com/redis/go-redis/v9"
)

// TestReplicasRequired: with a replica required, an order or offer write is
// acknowledged only while the replica confirms it. Without the replica the
// call fails as unavailable (the write may be on the master, unconfirmed);
// once the replica is back, the platform's retry is acknowledged. Dialog
// state, which is ephemeral, never waits.
func TestReplicasRequired(t *testing.T) {
	ctx := context.Background()
	master, replica := redistest.Start(t), redistest.Start(t)
	follow := func() {
		t.Helper()
		host, port, _ := strings.Cut(master.Addr(), ":")
		r := goredis.NewClient(&goredis.Options{Addr: replica.Addr()})
		defer r.Close()
		if err := r.ReplicaOf(ctx, host, port).Err(); err != nil {
			t.Fatal(err)
		}
		m := goredis.NewClient(&goredis.Options{Addr: master.Addr()})
		defer m.Close()
		waitFor(t, func() bool {
			return strings.Contains(r.Info(ctx, "replication").Val(), "master_link_status:up") &&
				strings.Contains(m.Info(ctx, "replication").Val(), "state=online")
		})
	}
	follow()
	s, err := redis.New(ctx, master.URL()+"?read_timeout=5s", redis.Config{Prefix: "r:", MinReplicas: 1, ReplicaTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.MinReplicas() != 1 {
		t.Fatalf("MinReplicas() = %d", s.MinReplicas())
	}

	o := storetest.NewOrder("T1", "u1", base)
	if _, created, err := s.CreateOrder(ctx, o); err != nil || !created {
		t.Fatalf("CreateOrder with the replica = %v, %v", created, err)
	}

	replica.Kill()
	o2 := storetest.NewOrder("T2", "u1", base.Add(time.Second))
	_, _, err = s.CreateOrder(ctx, o2)
	unconfirmed := func(op string, err error) {
		t.Helper()
		if shop.ErrorClass(err) != shop.EUNAVAILABLE || !strings.Contains(err.Error(), "replicas") {
			t.Errorf("%s without the replica = %v; want unavailable, not confirmed by replicas", op, err)
		}
	}
	unconfirmed("CreateOrder", err)
	_, err = s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
	unconfirmed("UpdateOrder", err)
	// A duplicate answered from the unconfirmed state is not acknowledged
	// either: it might be gone after a failover.
	_, err = s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
	unconfirmed("UpdateOrder of a duplicate", err)
	_, _, err = s.CreateOffer(ctx, storetest.NewOffer("of1", "u1", time.Now()))
	unconfirmed("CreateOffer", err)
	if err := s.SaveSession(ctx, shop.SessionKey{SessionID: "s1"}, []byte("x"), time.Minute); err != nil {
		t.Errorf("SaveSession without the replica = %v; dialog state does not wait", err)
	}

	replica.Restart()
	follow()
	if _, _, err := s.CreateOrder(ctx, o2); err != nil {
		t.Errorf("retried CreateOrder = %v", err)
	}
	got, err := s.UpdateOrder(ctx, "T1", func(o *shop.Order) error { return o.Deliver("tx", o.TotalAmt, "test", base) })
	if err != nil || got.Deliveries != 1 {
		t.Errorf("retried UpdateOrder = %d deliveries, %v; want 1", got.Deliveries, err)
	}
	if _, _, err := s.CreateOffer(ctx, storetest.NewOffer("of1", "u1", time.Now())); err != nil {
		t.Errorf("retried CreateOffer = %v", err)
	}
}

// TestReplicasDefault: one replica is required by default on a cluster or
// behind Sentinel, none on a single server; negative means none.
func TestReplicasDefault(t *testing.T) {
	for _, tt := range []struct {
		cfg  redis.Config
		want int
	}{
		{redis.Config{}, 0},
		{redis.Config{Topology: redis.Cluster}, 1},
		{redis.Config{Topology: redis.Sentinel}, 1},
		{redis.Config{Topology: redis.Cluster, MinReplicas: -1}, 0},
		{redis.Config{MinReplicas: 2}, 2},
	} {
		s := redis.NewWithClient(goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"}), tt.cfg)
		if got := s.MinReplicas(); got != tt.want {
			t.Errorf("MinReplicas() with %+v = %d; want %d", tt.cfg, got, tt.want)
		}
	}
}
