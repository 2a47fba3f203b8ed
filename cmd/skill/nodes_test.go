package main_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// The several-nodes tests run two `skill serve` processes on one Redis and
// on a Redis Cluster, as a deployment behind a load balancer would: each
// request may reach either node.

// twoNodes starts two servers with their own data directories on the same
// stores and the same token secret (offer references and QR tokens made by
// one are good on the other).
func twoNodes(t *testing.T, extra ...string) (a, b *proc) {
	t.Helper()
	// A busy test machine (every package's tests at once) can keep a
	// replica's confirmation past the production 500ms.
	extra = append(extra, "SKILL_TOKEN_SECRET=nodes-test-token-secret-of-32-bytes-or-more", "SKILL_REDIS_REPLICA_TIMEOUT=3s")
	return serve(t, environ(t.TempDir(), extra...)), serve(t, environ(t.TempDir(), extra...))
}

// TestNodesOnOneRedis: two nodes on one Redis, their dialog state on a
// Redis of its own (SKILL_SESSION_REDIS_URL).
func TestNodesOnOneRedis(t *testing.T) {
	orders, sessions := redistest.Start(t), redistest.Start(t)
	a, b := twoNodes(t, "SKILL_REDIS_URL="+orders.URL(), "SKILL_SESSION_REDIS_URL="+sessions.URL())
	dialogAcrossNodes(t, a, b)
	for _, tt := range []struct {
		srv        *redistest.Server
		kind       string
		want, none string
	}{
		{sessions, "dialog state", "skill:seen:*", "skill:order:*"},
		{orders, "orders", "skill:order:*", "skill:seen:*"},
	} {
		if keys, err := redistest.Command(tt.srv.Addr(), "keys", tt.want); err != nil || keys == "" {
			t.Errorf("no %s on the Redis for %s: %q, %v", tt.want, tt.kind, keys, err)
		}
		if keys, err := redistest.Command(tt.srv.Addr(), "keys", tt.none); err != nil || keys != "" {
			t.Errorf("%s on the Redis for %s: %q, %v", tt.none, tt.kind, keys, err)
		}
	}
	storm(t, a, b, nil)
}

// TestNodeWithAnotherTokenSecret: a node whose SKILL_TOKEN_SECRET is not
// the other nodes' on the same Redis refuses to start (it would sign offers
// and QR links the others refuse), saying how to change it on purpose.
func TestNodeWithAnotherTokenSecret(t *testing.T) {
	r := redistest.Start(t)
	serve(t, environ(t.TempDir(), "SKILL_REDIS_URL="+r.URL(), "SKILL_TOKEN_SECRET=nodes-test-token-secret-of-32-bytes-or-more"))
	env := environ(t.TempDir(), "SKILL_REDIS_URL="+r.URL(), "SKILL_TOKEN_SECRET=another-token-secret-of-32-bytes-or-more!")
	_, stderr, code := cli(t, env, "serve")
	if code != 2 || !strings.Contains(stderr, "skill: SKILL_TOKEN_SECRET: not the secret of the other nodes") ||
		!strings.Contains(stderr, "delete the Redis key skill:setting:token-secret-fingerprint") {
		t.Fatalf("serve with another token secret: exit %d, %q", code, stderr)
	}
	// Changed on purpose: the key deleted, the new secret is the fleet's.
	if _, err := redistest.Command(r.Addr(), "del", "skill:setting:token-secret-fingerprint"); err != nil {
		t.Fatal(err)
	}
	serve(t, env)
}

// TestServeWaitsForRedis: a node started before its Redis waits for it
// (a few seconds) instead of exiting.
func TestServeWaitsForRedis(t *testing.T) {
	r := redistest.Start(t)
	r.Stop()
	started := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		started <- r.StartAgain()
	}()
	p := serve(t, environ(t.TempDir(), "SKILL_REDIS_URL="+r.URL(), "SKILL_TOKEN_SECRET=nodes-test-token-secret-of-32-bytes-or-more"))
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(p.ops + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz: %s", resp.Status)
	}
}

// TestNodesOnCluster runs the same on a Redis Cluster, and crashes the master
// of the order index in the middle of the ship-notify storm.
func TestNodesOnCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	a, b := twoNodes(t, "SKILL_REDIS_URL="+c.URL())
	dialogAcrossNodes(t, a, b)
	storm(t, a, b, func() {
		victim := c.MasterOf("skill:orders")
		c.Failover(victim)
		time.Sleep(800 * time.Millisecond) // writes refused meanwhile: no replica to confirm them
		c.Rejoin(victim)
	})
}

// TestNodesSettings: the settings of the stores are checked before
// anything starts.
func TestNodesSettings(t *testing.T) {
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{[]string{"SKILL_REDIS_URL=redis://127.0.0.1:1", "SKILL_REDIS_MIN_REPLICAS=many"}, "skill: SKILL_REDIS_MIN_REPLICAS: "},
		{[]string{"SKILL_REDIS_URL=redis://127.0.0.1:1", "SKILL_REDIS_MIN_REPLICAS=-1"}, "skill: SKILL_REDIS_MIN_REPLICAS: "},
		{[]string{"SKILL_SESSION_REDIS_URL=redis://127.0.0.1:1"}, "skill: SKILL_SESSION_REDIS_URL: needs SKILL_REDIS_URL"},
		{[]string{"SKILL_REDIS_URL=redis+cluster://127.0.0.1:1,127.0.0.1:2/3"}, "skill: SKILL_REDIS_URL: redis: url"},
		{[]string{"SKILL_REDIS_URL=redis+sentinel://127.0.0.1:1"}, "skill: SKILL_REDIS_URL: redis: url"},
		{[]string{"SKILL_REDIS_URL=redis://127.0.0.1:1", "SKILL_SESSION_REDIS_URL=http://x"}, "skill: SKILL_SESSION_REDIS_URL: "},
		{[]string{"SKILL_SESSION_MEMORY=lots"}, `skill: SKILL_SESSION_MEMORY: "lots": want a size`},
		{[]string{"SKILL_SESSION_MEMORY=512KB"}, `skill: SKILL_SESSION_MEMORY: "512KB": want a size`},
		{[]string{"SKILL_SESSION_MEMORY=65GB"}, `skill: SKILL_SESSION_MEMORY: "65GB": want a size`},
	} {
		_, errOut, code := cli(t, environ(t.TempDir(), tt.env...), "serve")
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line starting %q", tt.env, code, errOut, tt.want)
		}
	}
}

// skillTurn sends a signed /skill request to a node and returns the answer.
func skillTurn(t *testing.T, node *proc, req *tsk.Request) *tsk.Response {
	t.Helper()
	body, auth := tsktest.SignRSA2(req)
	r := do(t, tsktest.NewHTTPRequest(node.url+"/skill", body, auth))
	if r.status != 200 {
		t.Fatalf("/skill on %s: %d %s", node.url, r.status, r.body)
	}
	return tsktest.MustDecodeResponse(t, r.body)
}

// dialogAcrossNodes: a purchase dialog whose turns reach alternate nodes
// continues; the offer it makes is ordered through the other node; a
// request replayed to the other node is refused.
func dialogAcrossNodes(t *testing.T, a, b *proc) {
	t.Helper()
	opts := []fakeplatform.Option{fakeplatform.WithDeviceKind(device.Screenless), fakeplatform.WithUser("nodes-user"), fakeplatform.WithSession("nodes-session")}
	r := skillTurn(t, a, fakeplatform.NewIntent("buy", map[string]string{"product": "万古神帝第35集"}, opts...))
	if r.Response.ShouldEndSession || !strings.Contains(r.Response.OutputSpeech.Text, "确定购买吗") {
		t.Fatalf("turn 1 on node A: %q", r.Response.OutputSpeech.Text)
	}
	r = skillTurn(t, b, fakeplatform.NewIntent("yes", nil, opts...))
	// Under load a fresh cluster's replica may not confirm the offer's write
	// in time: the skill refuses kindly and the user says yes again.
	for try := 0; strings.Contains(r.Response.OutputSpeech.Text, "请稍后再试") && try < 5; try++ {
		time.Sleep(200 * time.Millisecond)
		r = skillTurn(t, b, fakeplatform.NewIntent("yes", nil, opts...))
	}
	var charge *tsk.Charge
	for _, d := range r.Response.Directives {
		if c, ok := d.(tsk.Charge); ok {
			charge = &c
		}
	}
	if charge == nil {
		t.Fatalf("turn 2 on node B did not continue the purchase: %q", r.Response.OutputSpeech.Text)
	}
	create := fakeplatform.ChargeOrder(tsktest.SkillID, charge.Payload.ChargeInfo)
	reply, err := tsktest.PlatformFor(a.url).CreateOrder(context.Background(), create)
	for try := 0; err == nil && !reply.OK() && try < 20; try++ { // a FAIL is retried, as the platform does
		time.Sleep(50 * time.Millisecond)
		reply, err = tsktest.PlatformFor(a.url).CreateOrder(context.Background(), create)
	}
	if err != nil || !reply.OK() {
		t.Fatalf("the offer node B made, ordered through node A: %+v, %v", reply, err)
	}
	var o server.OrderView
	if st := adminGet(t, b.ops, "/admin/orders/"+reply.TradeNo, &o); st != 200 || o.UserID != "nodes-user" || o.TotalAmt != 200 {
		t.Fatalf("the order on node B: HTTP %d, %+v", st, o)
	}

	body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch(fakeplatform.WithUser("nodes-user")))
	if r := do(t, tsktest.NewHTTPRequest(a.url+"/skill", body, auth)); r.status != 200 {
		t.Fatalf("launch on node A: %d %s", r.status, r.body)
	}
	if r := do(t, tsktest.NewHTTPRequest(b.url+"/skill", body, auth)); r.status != 401 || r.errorText() != "replayed" {
		t.Fatalf("the same launch replayed to node B: %d %s; want 401 replayed", r.status, r.body)
	}
}

// storm creates orders through both nodes and sends each order's ship
// notify several times at once, split across the nodes, as the platform's
// retries may arrive; crash, if not nil, runs in the middle. Then every
// order answered SUCCESS is there, every notification answered SUCCESS
// delivered it, no order is delivered twice, and the platform's retries
// settle the rest.
func storm(t *testing.T, a, b *proc, crash func()) {
	t.Helper()
	const (
		orders     = 60 // at least; with a crash, until 30 more after it
		workers    = 6
		duplicates = 4
	)
	nodes := []*proc{a, b}
	var (
		mu        sync.Mutex
		created   = map[string]int{}
		delivered = map[string]bool{}
		next      atomic.Int64 // the next order number
		done      atomic.Int64 // orders whose notifications were answered
		failed    atomic.Int64
		wg        sync.WaitGroup
		crashedAt atomic.Int64 // orders done when the crash was over; -1 before
	)
	crashedAt.Store(-1)
	enough := func() bool {
		n := done.Load()
		if crash == nil {
			return n >= orders
		}
		at := crashedAt.Load()
		return n >= orders && at >= 0 && n >= at+30
	}
	ship := func(i int, tradeNo string) pay.ShipNotifyRequest {
		return pay.ShipNotifyRequest{SkillID: tsktest.SkillID, UserToken: stormUser(i), TransactionID: fmt.Sprintf("ND%06d", i),
			TradeNo: tradeNo, TotalAmt: 100, NonceStr: pay.NonceStr()}
	}
	if crash != nil {
		wg.Go(func() {
			for done.Load() < orders/3 {
				time.Sleep(5 * time.Millisecond)
			}
			crash()
			crashedAt.Store(done.Load())
		})
	}
	for range workers {
		wg.Go(func() {
			for !enough() {
				i := int(next.Add(1))
				var tradeNo string
				for try := 0; tradeNo == ""; try++ { // the platform retries a FAIL
					reply, err := tsktest.PlatformFor(nodes[(i+try)%2].url).CreateOrder(context.Background(),
						fakeplatform.NewCreateOrder(stormUser(i), shop.Line{ItemID: "coins", Quantity: 1, Amount: 100}))
					switch {
					case shed(err):
						failed.Add(1)
						time.Sleep(20 * time.Millisecond)
					case err != nil:
						t.Errorf("create order %d: %v", i, err)
						return
					case reply.OK():
						tradeNo = reply.TradeNo
					case try > 200:
						t.Errorf("create order %d: %+v after %d tries", i, reply, try)
						return
					default:
						failed.Add(1)
						time.Sleep(20 * time.Millisecond)
					}
				}
				mu.Lock()
				created[tradeNo] = i
				mu.Unlock()
				var notifies sync.WaitGroup
				for d := range duplicates {
					notifies.Go(func() {
						reply, err := tsktest.PlatformFor(nodes[d%2].url).ShipNotify(context.Background(), ship(i, tradeNo))
						if shed(err) {
							failed.Add(1)
							return
						}
						if err != nil {
							t.Errorf("ship notify %d: %v", i, err)
							return
						}
						if !reply.OK() {
							failed.Add(1)
							return
						}
						mu.Lock()
						delivered[tradeNo] = true
						mu.Unlock()
					})
				}
				notifies.Wait()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("%d orders (%d when the crash was over), %d FAIL answers (retried by the platform)", len(created), crashedAt.Load(), failed.Load())

	check := func(when string) {
		t.Helper()
		for tradeNo, i := range created {
			var o server.OrderView
			if st := adminGet(t, nodes[i%2].ops, "/admin/orders/"+tradeNo, &o); st != 200 {
				t.Fatalf("%s: order %d (%s) answered SUCCESS is missing: HTTP %d", when, i, tradeNo, st)
			}
			if delivered[tradeNo] && (o.State != shop.StateDelivered || o.Deliveries != 1) {
				t.Errorf("%s: %s was answered SUCCESS to ship notify but is %s with %d deliveries", when, tradeNo, o.State, o.Deliveries)
			}
			if o.Deliveries > 1 {
				t.Errorf("%s: %s delivered %d times", when, tradeNo, o.Deliveries)
			}
		}
		var all server.OrderList
		adminGet(t, a.ops, "/admin/orders?limit=1000", &all)
		listed := map[string]bool{}
		for _, o := range all.Orders {
			listed[o.TradeNo] = true
		}
		for tradeNo := range created {
			if !listed[tradeNo] {
				t.Errorf("%s: order %s answered SUCCESS is not listed", when, tradeNo)
			}
		}
	}
	check("after the storm")
	for tradeNo, i := range created {
		for try := 0; ; try++ {
			reply, err := tsktest.PlatformFor(nodes[try%2].url).ShipNotify(context.Background(), ship(i, tradeNo))
			if err == nil && reply.OK() {
				break
			}
			if try > 100 {
				t.Fatalf("retried ship notify for %s: %+v, %v", tradeNo, reply, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
		delivered[tradeNo] = true
	}
	check("after the retries")
}

// shed reports whether err is the 503 an overloaded node answers (its
// admission control): the platform retries it like a FAIL.
func shed(err error) bool {
	return errors.Is(err, tsk.ErrTransport) && strings.Contains(err.Error(), "HTTP 503")
}

func stormUser(i int) string { return fmt.Sprintf("storm-user-%d", i) }
