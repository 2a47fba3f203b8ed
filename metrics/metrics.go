// Package metrics is the Prometheus adapter: it keeps the skill's metrics on
// a registry of its own and serves them in the text format. The core and
// the other packages know nothing of Prometheus; each defines the small
// observer interface it calls (server.Observer, pay.Observer,
// pay.CallObserver, pay.ReconcileObserver, intents.TurnObserver) and
// *Metrics implements them all. Every name starts with voicepay_; the
// README's "Operating it" lists them with the alerts worth having.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dingdang-voicepay/voicepay/internal/buildinfo"
	"github.com/dingdang-voicepay/voicepay/shop"
)

// Namespace prefixes every metric name.
const Namespace = "voicepay"

// OrderCounter counts orders by state from what the store keeps (the bolt
// and Redis stores do, without reading the orders).
type OrderCounter interface {
	OrderCounts(ctx context.Context) (map[shop.OrderState]int64, error)
}

// Config configures Metrics. The zero value works.
type Config struct {
	// Orders answers voicepay_orders at each scrape (nil: the gauge is
	// absent).
	Orders OrderCounter
	// OrdersTimeout bounds that answer (default 2s); a store that does not
	// answer in time leaves the gauge out of that scrape and counts an
	// error.
	OrdersTimeout time.Duration
	// Now is the clock of the age gauges (default time.Now).
	Now func() time.Time
}

// Metrics holds the skill's metrics. It is safe for concurrent use.
type Metrics struct {
	cfg Config
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	sigFailures     *prometheus.CounterVec
	rejections      *prometheus.CounterVec
	turns           *prometheus.CounterVec
	payReplies      *prometheus.CounterVec
	money           map[string]prometheus.Counter
	platformCalls   *prometheus.CounterVec
	platformLatency *prometheus.HistogramVec
	recon           *reconcilerMetrics
}

// New returns the metrics, registered with the Go runtime's and the
// process's own on a registry of their own.
func New(cfg Config) *Metrics {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OrdersTimeout <= 0 {
		cfg.OrdersTimeout = 2 * time.Second
	}
	m := &Metrics{cfg: cfg, reg: prometheus.NewRegistry()}
	f := factory{m.reg}
	latency := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

	m.requests = f.counterVec("http_requests_total", "HTTP requests answered, by route pattern, status and outcome.", "route", "status", "outcome")
	m.requestDuration = f.histogramVec("http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.", latency, "route")
	m.sigFailures = f.counterVec("signature_failures_total", "Requests refused because their signature did not verify, by route and reason.", "route", "reason")
	m.rejections = f.counterVec("admission_rejections_total", "Requests refused before any work to protect the service: overload (503, signing saturated) or rate_limited (429).", "route", "reason")
	m.turns = f.counterVec("dialog_turns_total", "Dialog turns, by intent (or request type), device kind and result.", "intent", "device", "result")
	m.payReplies = f.counterVec("pay_replies_total", "Answers of the partner pay endpoints, by endpoint, retCode and retMsg code.", "endpoint", "ret_code", "ret_msg")
	m.money = map[string]prometheus.Counter{}
	for kind, help := range map[string]string{
		"charged":   "Fen of payments recorded (orders that became PAID).",
		"delivered": "Fen of paid orders delivered.",
		"refunded":  "Fen of refunds the platform finished with SUCCESS.",
	} {
		m.money[kind] = f.counter(kind+"_fen_total", help)
	}
	m.platformCalls = f.counterVec("platform_calls_total", "Attempts of calls to the platform's pay interfaces, by endpoint and result (success, fail, transport, bad_reply).", "endpoint", "result")
	m.platformLatency = f.histogramVec("platform_call_duration_seconds", "Time of one attempt of a call to the platform, by endpoint.", latency, "endpoint")
	m.recon = newReconcilerMetrics(f, cfg.Now)

	info := buildinfo.Read()
	f.gaugeVec("build_info", "The build: module version, VCS revision and Go version (always 1).", "version", "revision", "go_version").
		WithLabelValues(info.Version, info.Revision, info.GoVersion).Set(1)
	if cfg.Orders != nil {
		m.reg.MustRegister(&ordersCollector{m: m, errors: f.counter("orders_count_errors_total", "Scrapes whose order counts the store did not give in time.")})
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// factory makes and registers metrics under Namespace.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeFunc(name, help string, fn func() float64) {
	f.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help}, fn))
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// ordersCollector asks the store for its order counts at each scrape.
type ordersCollector struct {
	m      *Metrics
	errors prometheus.Counter
}

var ordersDesc = prometheus.NewDesc(Namespace+"_orders", "Orders in the store, by state (from the counts the store keeps).", []string{"state"}, nil)

// Describe implements prometheus.Collector.
func (c *ordersCollector) Describe(ch chan<- *prometheus.Desc) { ch <- ordersDesc }

// Collect implements prometheus.Collector.
func (c *ordersCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.m.cfg.OrdersTimeout)
	defer cancel()
	counts, err := c.m.cfg.Orders.OrderCounts(ctx)
	if err != nil {
		c.errors.Inc()
		return
	}
	for _, st := range []shop.OrderState{shop.StateCreated, shop.StatePaid, shop.StateDelivered, shop.StateClosed,
		shop.StateRefunding, shop.StateRefunded, shop.StatePartiallyRefunded} {
		ch <- prometheus.MustNewConstMetric(ordersDesc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}
