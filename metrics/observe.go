package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
)

// Request counts an answered HTTP request and its latency
// (server.Observer).
func (m *Metrics) Request(route string, status int, outcome string, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status), outcome).Inc()
	m.requestDuration.WithLabelValues(route).Observe(took.Seconds())
}

// SignatureFailed counts a request refused for its signature
// (server.Observer).
func (m *Metrics) SignatureFailed(route, reason string) {
	m.sigFailures.WithLabelValues(route, reason).Inc()
}

// Rejected counts a request refused before any work (server.Observer).
func (m *Metrics) Rejected(route, reason string) {
	m.rejections.WithLabelValues(route, reason).Inc()
}

// Turn counts a dialog turn (intents.TurnObserver).
func (m *Metrics) Turn(intent, device string, failed bool) {
	result := "ok"
	if failed {
		result = "failed"
	}
	m.turns.WithLabelValues(intent, device, result).Inc()
}

// Replied counts an answer of a partner pay endpoint (pay.Observer).
func (m *Metrics) Replied(endpoint, retCode, retMsg string) {
	m.payReplies.WithLabelValues(endpoint, retCode, retMsg).Inc()
}

// Moved adds fen that changed hands (pay.Observer).
func (m *Metrics) Moved(kind string, amount shop.Fen) {
	if c, ok := m.money[kind]; ok && amount > 0 {
		c.Add(float64(amount))
	}
}

// PlatformCall counts one attempt of a call to the platform and its
// latency (pay.CallObserver).
func (m *Metrics) PlatformCall(endpoint, result string, took time.Duration) {
	m.platformCalls.WithLabelValues(endpoint, result).Inc()
	m.platformLatency.WithLabelValues(endpoint).Observe(took.Seconds())
}

// Reconciled records a reconciler pass (pay.ReconcileObserver).
func (m *Metrics) Reconciled(rep pay.ReconcileReport, at time.Time, err error) {
	m.recon.reconciled(rep, at, err)
}

// Leading records whether this process runs the reconciler
// (pay.ReconcileObserver).
func (m *Metrics) Leading(held bool) {
	v := 0.0
	if held {
		v = 1
	}
	m.recon.leader.Set(v)
}

// reconcilerMetrics are the reconciler's gauges.
type reconcilerMetrics struct {
	now         func() time.Time
	passes      *prometheus.CounterVec
	lastSuccess prometheus.Gauge
	unsettled   *prometheus.GaugeVec
	attention   prometheus.Gauge
	skipped     prometheus.Gauge
	leader      prometheus.Gauge

	mu     sync.Mutex
	oldest time.Time // creation time of the oldest unsettled item after the last pass
}

func newReconcilerMetrics(f factory, now func() time.Time) *reconcilerMetrics {
	r := &reconcilerMetrics{now: now}
	r.passes = f.counterVec("reconciler_passes_total", "Reconciler passes, by result (ok, error).", "result")
	r.lastSuccess = f.gauge("reconciler_last_success_timestamp_seconds", "Start time of the last reconciler pass that completed (unix seconds).")
	r.unsettled = f.gaugeVec("reconciler_unsettled", "Orders (CREATED past the reconciler's delay) and refunds (PROCESSING) the last pass left unsettled.", "kind")
	r.attention = f.gauge("reconciler_attention", "Orders and refunds the reconciler cannot settle by itself (GET /admin/attention).")
	r.skipped = f.gauge("reconciler_skipped", "Checks the last pass did not make: the platform could not be reached (pay.Reconciler.UnreachableAfter).")
	r.leader = f.gauge("reconciler_leader", "1 while this process runs the reconciler of its fleet (holds the lease), else 0.")
	f.gaugeFunc("reconciler_oldest_unsettled_age_seconds", "Age of the oldest order or refund the last pass left unsettled; 0 when none.", r.oldestAge)
	for _, kind := range []string{"order", "refund"} {
		r.unsettled.WithLabelValues(kind)
	}
	return r
}

func (r *reconcilerMetrics) reconciled(rep pay.ReconcileReport, at time.Time, err error) {
	if err != nil {
		r.passes.WithLabelValues("error").Inc()
		return
	}
	r.passes.WithLabelValues("ok").Inc()
	r.lastSuccess.Set(float64(at.UnixMilli()) / 1000)
	r.unsettled.WithLabelValues("order").Set(float64(rep.UnsettledOrders))
	r.unsettled.WithLabelValues("refund").Set(float64(rep.UnsettledRefunds))
	r.attention.Set(float64(rep.Attention))
	r.skipped.Set(float64(rep.Skipped))
	r.mu.Lock()
	r.oldest = rep.OldestUnsettled
	r.mu.Unlock()
}

func (r *reconcilerMetrics) oldestAge() float64 {
	r.mu.Lock()
	oldest := r.oldest
	r.mu.Unlock()
	if oldest.IsZero() {
		return 0
	}
	return max(r.now().Sub(oldest).Seconds(), 0)
}
