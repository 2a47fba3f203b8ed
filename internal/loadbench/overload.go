package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// overloadFactor is how far past its measured capacity the overload phase
// drives create-order.
const overloadFactor = 3

// overloadResult is what the overload phase saw.
type overloadResult struct {
	offered, admitted float64 // requests per second sent, and answered SUCCESS
	p50, p99          time.Duration
	rejected          int // answered 503 (signing saturated)
	failed            int // anything else: errors, timeouts, other statuses
}

// loadOverload offers create-orders at overloadFactor × capacity (an open
// loop: requests leave on schedule whatever the server does) for dur, and
// measures the latency of those admitted (SUCCESS) apart from those
// refused with 503, which the platform would retry later.
func loadOverload(base string, capacity float64, dur time.Duration) (overloadResult, error) {
	rate := overloadFactor * capacity
	n := min(maxRequests, int(rate*dur.Seconds()))
	if n < 10 {
		return overloadResult{}, fmt.Errorf("capacity %.0f/s too low to overload", capacity)
	}
	reqs := prepare(n, func(i int) prepared {
		body, _ := json.Marshal(pay.CreateOrderRequest{
			SkillID:   fakeplatform.DefaultSkillID,
			UserToken: "over-user-" + strconv.Itoa(i),
			Details:   []shop.Line{{ItemID: "coins", Quantity: 1, Amount: 100}},
			TotalAmt:  100,
			NonceStr:  "o" + strconv.Itoa(i),
		})
		h, err := tsk.SignRSA2(body, time.Now(), benchKeys.platform)
		if err != nil {
			panic(err)
		}
		return prepared{path: "/pay/create-order", body: body, header: h}
	})
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 1024}}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		rejected int
		failed   int
		wg       sync.WaitGroup
	)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i, p := range reqs {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			t := time.Now()
			status, body, err := sendRead(client, base, p)
			took := time.Since(t)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && status == http.StatusOK && bytes.Contains(body, []byte(`"SUCCESS"`)):
				lat = append(lat, took)
			case err == nil && status == http.StatusServiceUnavailable:
				rejected++
			default:
				failed++
			}
		})
	}
	sent := time.Since(start)
	wg.Wait()
	res := overloadResult{offered: float64(n) / sent.Seconds(), rejected: rejected, failed: failed}
	if len(lat) == 0 {
		return res, fmt.Errorf("no create-order admitted under overload (%d refused, %d failed)", rejected, failed)
	}
	slices.Sort(lat)
	res.admitted = float64(len(lat)) / time.Since(start).Seconds()
	res.p50 = lat[len(lat)/2].Round(10 * time.Microsecond)
	res.p99 = lat[len(lat)*99/100].Round(10 * time.Microsecond)
	return res, nil
}
