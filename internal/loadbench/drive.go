package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// prepared is one request signed before the clock starts.
type prepared struct {
	path   string
	body   []byte
	header string
}

// result is one measured load.
type result struct {
	rate     float64 // answered requests per second
	p50, p99 time.Duration
	n        int           // requests answered in the measured time
	cpu      time.Duration // server CPU per request (0: not measured)
	storeCPU time.Duration // the store servers' (Redis) CPU per request, if any
	idle     float64       // the share of the machine's CPU time left idle during the load
	busy     int           // answers that were a clear "busy"
}

// prepare builds count requests on every core (RSA signing is the slow part).
func prepare(count int, build func(i int) prepared) []prepared {
	out := make([]prepared, count)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < count; i = int(next.Add(1) - 1) {
				out[i] = build(i)
			}
		})
	}
	wg.Wait()
	return out
}

// verdict says what an answer was: ok, a clear refusal because the server is
// busy (counted apart), or wrong.
type verdict int

const (
	answerOK verdict = iota
	answerBusy
	answerWrong
)

// load drives one server. The client is fasthttp's: it allocates almost
// nothing per request, so the two cores go to the server, not to the load
// generator.
type load struct {
	addr string // host:port
	conc int    // connections, one worker each
	// check judges each answer.
	check func(status int, body []byte) verdict
}

// source gives request i, or false when there are no more.
type source func(i int) (prepared, bool)

// slice is a source of prepared requests.
func slice(reqs []prepared) source {
	return func(i int) (prepared, bool) {
		if i >= len(reqs) {
			return prepared{}, false
		}
		return reqs[i], true
	}
}

// client returns the load's HTTP client: conc connections to addr.
func (l load) client() *fasthttp.HostClient {
	return &fasthttp.HostClient{Addr: l.addr, MaxConns: l.conc, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
}

// warm sends reqs on every connection so that dialling, and the server's
// first requests, are not measured.
func (l load) warm(hc *fasthttp.HostClient, reqs []prepared) error {
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := range l.conc {
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for i := w; i < len(reqs); i += l.conc {
				err := l.send(hc, req, resp, reqs[i])
				for try := 0; err == nil && resp.StatusCode() == fasthttp.StatusServiceUnavailable && try < 100; try++ {
					time.Sleep(10 * time.Millisecond) // shed by the admission control
					err = l.send(hc, req, resp, reqs[i])
				}
				if err == nil && resp.StatusCode() != fasthttp.StatusServiceUnavailable && l.check(resp.StatusCode(), resp.Body()) == answerWrong {
					err = fmt.Errorf("%d %.200s", resp.StatusCode(), resp.Body())
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	return nil
}

// run sends requests back to back on every connection until src runs
// out or dur passes, when rate is 0: the maximum rate (closed loop).
//
// With a rate, it is an open loop: requests are sent at that constant
// rate whatever the answers' pace, and each latency is measured from when
// the request was due, so a slow answer delays no measurement (no
// coordinated omission).
func (l load) run(hc *fasthttp.HostClient, src source, dur time.Duration, rate float64) (result, error) {
	var (
		next     atomic.Int64
		failures atomic.Int64
		busy     atomic.Int64
		firstErr atomic.Value
		lat      = make([][]time.Duration, l.conc)
		wg       sync.WaitGroup
	)
	interval := time.Duration(0)
	if rate > 0 {
		interval = time.Duration(float64(time.Second) / rate)
	}
	start := time.Now()
	deadline := start.Add(dur)
	for w := range l.conc {
		lat[w] = make([]time.Duration, 0, 1024)
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for {
				i := int(next.Add(1) - 1)
				due := time.Now()
				if interval > 0 {
					due = start.Add(time.Duration(i) * interval)
				}
				if due.After(deadline) {
					return
				}
				p, ok := src(i)
				if !ok {
					return
				}
				if wait := time.Until(due); wait > 0 {
					time.Sleep(wait)
				}
				err := l.send(hc, req, resp, p)
				// Shed by the admission control: sent again shortly, as the
				// platform would (the time counts).
				for try := 0; err == nil && resp.StatusCode() == fasthttp.StatusServiceUnavailable && try < 100; try++ {
					time.Sleep(10 * time.Millisecond)
					err = l.send(hc, req, resp, p)
				}
				took := time.Since(due)
				v := answerWrong
				switch {
				case err == nil && resp.StatusCode() == fasthttp.StatusServiceUnavailable:
					v = answerBusy // still shed after a second of retries
				case err == nil:
					v = l.check(resp.StatusCode(), resp.Body())
				}
				switch v {
				case answerBusy:
					busy.Add(1)
				case answerWrong:
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %.200s %v", resp.StatusCode(), resp.Body(), err))
					continue
				}
				lat[w] = append(lat[w], took)
			}
		})
	}
	wg.Wait()
	elapsed := min(time.Since(start), dur)
	all := slices.Concat(lat...)
	if f := failures.Load(); f > 0 {
		return result{}, fmt.Errorf("%d of %d requests failed, first: %v", f, int64(len(all))+f, firstErr.Load())
	}
	if len(all) == 0 {
		return result{}, fmt.Errorf("no request completed")
	}
	slices.Sort(all)
	return result{
		rate: float64(len(all)) / elapsed.Seconds(),
		n:    len(all),
		p50:  all[len(all)/2],
		p99:  all[len(all)*99/100],
		busy: int(busy.Load()),
	}, nil
}

// send sends one prepared request on hc, reusing req and resp.
func (l load) send(hc *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response, p prepared) error {
	req.Reset()
	req.Header.SetMethod(fasthttp.MethodPost)
	req.SetRequestURI("http://" + l.addr + p.path)
	req.Header.SetContentType("application/json;charset=UTF-8")
	if p.header != "" {
		req.Header.Set("Authorization", p.header)
	}
	req.SetBodyRaw(p.body)
	resp.Reset()
	return hc.DoTimeout(req, resp, 10*time.Second)
}

// maxRequests bounds the overload phase's requests, whatever the duration.
const maxRequests = 20000

// sendRead sends one prepared request with net/http (the overload phase's
// client, one connection a request in flight) and reads the answer.
func sendRead(c *http.Client, base string, p prepared) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, base+p.path, bytes.NewReader(p.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if p.header != "" {
		req.Header.Set("Authorization", p.header)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
