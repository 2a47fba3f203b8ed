package main_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/internal/redistest"
	"github.com/dingdang-voicepay/voicepay/server"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// scrape GETs /metrics from the ops listener and parses it with the
// Prometheus text parser.
func scrape(t *testing.T, ops string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(ops + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value returns the value of the sample of family name whose labels include
// labels (name, value pairs), and whether there is one: counters, gauges
// and untyped samples by value, histograms by their count.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range mf.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// TestMetrics buys, pays, refunds part and settles the refund over real
// HTTP against the real binary, then scrapes /metrics and reads the
// counters those steps moved.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	platform := tsktest.NewPlatform(t)
	p := serve(t, environ(t.TempDir(), "SKILL_PLATFORM_URL="+platform.PayURL()))

	body, auth := tsktest.SignRSA2(fakeplatform.NewLaunch())
	if r := do(t, tsktest.NewHTTPRequest(p.url+"/skill", body, auth)); r.status != 200 {
		t.Fatalf("launch: %d %s", r.status, r.body)
	}
	reply, err := tsktest.PlatformFor(p.url).CreateOrder(ctx, fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "coins", Quantity: 3, Amount: 300}))
	if err != nil || !reply.OK() {
		t.Fatalf("create order: %+v, %v", reply, err)
	}
	tradeNo := reply.TradeNo
	platform.Pay(tradeNo, 300)
	if reply, err := tsktest.PlatformFor(p.url).ShipNotify(ctx, tsktest.MustShipNotify(t, platform.Platform, "u1", tradeNo)); err != nil || !reply.OK() {
		t.Fatalf("ship notify: %+v, %v", reply, err)
	}
	ac := &admin.Client{BaseURL: p.ops, Secret: []byte(adminSecret)}
	var o server.OrderView
	if err := ac.Post(ctx, "/admin/orders/"+tradeNo+"/refund", server.RefundRequest{Amount: 100, Reason: "metrics test"}, &o); err != nil {
		t.Fatal(err)
	}
	notify, err := platform.SettleNext(tradeNo, shop.RefundSuccess)
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := tsktest.PlatformFor(p.url).RefundNotify(ctx, notify); err != nil || !reply.OK() {
		t.Fatalf("refund notify: %+v, %v", reply, err)
	}
	if r := do(t, tsktest.NewHTTPRequest(p.url+"/pay/create-order", []byte(`{}`), "")); r.status != 401 {
		t.Fatalf("unsigned create-order: %d", r.status)
	}

	mfs := scrape(t, p.ops)
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"voicepay_http_requests_total", []string{"route", "/pay/create-order", "status", "200", "outcome", "success"}, 1},
		{"voicepay_http_requests_total", []string{"route", "/pay/create-order", "status", "401", "outcome", "unauthorized"}, 1},
		{"voicepay_http_requests_total", []string{"route", "/skill", "status", "200", "outcome", "ok"}, 1},
		{"voicepay_http_request_duration_seconds", []string{"route", "/pay/ship-notify"}, 1},
		{"voicepay_signature_failures_total", []string{"route", "/pay/create-order", "reason", "not signed"}, 1},
		{"voicepay_dialog_turns_total", []string{"intent", "LaunchRequest", "result", "ok"}, 1},
		{"voicepay_pay_replies_total", []string{"endpoint", "create_order", "ret_code", "SUCCESS", "ret_msg", "OK"}, 1},
		{"voicepay_pay_replies_total", []string{"endpoint", "ship_notify", "ret_code", "SUCCESS"}, 1},
		{"voicepay_pay_replies_total", []string{"endpoint", "refund_notify", "ret_code", "SUCCESS"}, 1},
		{"voicepay_orders", []string{"state", "PARTIALLY_REFUNDED"}, 1},
		{"voicepay_orders", []string{"state", "CREATED"}, 0},
		{"voicepay_charged_fen_total", nil, 300},
		{"voicepay_delivered_fen_total", nil, 300},
		{"voicepay_refunded_fen_total", nil, 100},
		{"voicepay_platform_calls_total", []string{"endpoint", "refund", "result", "success"}, 1},
		{"voicepay_platform_call_duration_seconds", []string{"endpoint", "refund"}, 1},
		{"voicepay_reconciler_leader", nil, 1},
		{"voicepay_reconciler_unsettled", []string{"kind", "order"}, 0},
		{"voicepay_build_info", nil, 1},
	} {
		if got, ok := value(mfs, tt.name, tt.labels...); !ok || got != tt.want {
			t.Errorf("%s%v = %v (present %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	for _, name := range []string{"voicepay_reconciler_last_success_timestamp_seconds", "voicepay_reconciler_oldest_unsettled_age_seconds",
		"voicepay_reconciler_attention", "voicepay_reconciler_skipped", "go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := mfs[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	if v, _ := value(mfs, "voicepay_reconciler_last_success_timestamp_seconds"); v <= 0 {
		t.Errorf("reconciler last success = %v, want a time", v)
	}
}

// TestReconcilerLeaseTwoNodes runs two nodes on one Redis, as a fleet:
// exactly one runs the reconciler (holds the lease and makes passes).
func TestReconcilerLeaseTwoNodes(t *testing.T) {
	srv := redistest.Start(t)
	env := func() []string {
		return environ(t.TempDir(), "SKILL_REDIS_URL="+srv.URL(), "SKILL_TOKEN_SECRET="+testTokenSecret)
	}
	nodes := []*proc{serve(t, env()), serve(t, env())}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var leaders, passing float64
		for _, n := range nodes {
			mfs := scrape(t, n.ops)
			l, _ := value(mfs, "voicepay_reconciler_leader")
			p, _ := value(mfs, "voicepay_reconciler_passes_total", "result", "ok")
			leaders += l
			if p > 0 {
				passing++
			}
		}
		if leaders == 1 && passing == 1 {
			return
		}
		if leaders > 1 || passing > 1 || time.Now().After(deadline) {
			t.Fatalf("%v leaders, %v nodes making passes; want exactly one", leaders, passing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
