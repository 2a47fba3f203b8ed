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

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// prepared is one request signed before the clock starts.
type prepared struct {
	path   string
	body   []byte
	header string
}

// result is one measured phase.
type result struct {
	rate     float64 // successful requests per second
	p50, p99 time.Duration
	n        int // requests measured
}

// measureSignRate signs a reply-sized body on every core for dur.
func measureSignRate(dur time.Duration) float64 {
	key := benchKeys.skill
	body := []byte(`{"retCode":"SUCCESS","retMsg":"OK","tradeNo":"T0123456789ABCDEFGHIJKLMN"}`)
	var n atomic.Int64
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := tsk.SignRSA2(body, time.Now(), key); err != nil {
					panic(err)
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / dur.Seconds()
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

// drive sends the prepared requests to base with conc workers until they run
// out or dur passes, and checks each answer with ok. A request refused with
// 503 (admission control) is sent again after 10ms, its latency counting
// from the first send.
func drive(base string, reqs []prepared, dur time.Duration, conc int, ok func(status int, body []byte) bool) (result, error) {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc},
	}
	// Warm the connections so dialling is not measured.
	for i := range min(conc, len(reqs)/10) {
		if _, err := send(client, base, reqs[i]); err != nil {
			return result{}, err
		}
	}
	reqs = reqs[min(conc, len(reqs)/10):]

	var next atomic.Int64
	var failures atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, conc)
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					return
				}
				t := time.Now()
				status, body, err := sendRead(client, base, reqs[i])
				// Shed by the admission control: send it again shortly,
				// as the platform would (the time counts).
				for try := 0; err == nil && status == http.StatusServiceUnavailable && try < 100; try++ {
					time.Sleep(10 * time.Millisecond)
					status, body, err = sendRead(client, base, reqs[i])
				}
				if err != nil || !ok(status, body) {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s %v", status, body, err))
					continue
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
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
		p50:  all[len(all)/2].Round(10 * time.Microsecond),
		p99:  all[len(all)*99/100].Round(10 * time.Microsecond),
	}, nil
}

func send(c *http.Client, base string, p prepared) (int, error) {
	status, _, err := sendRead(c, base, p)
	return status, err
}

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
