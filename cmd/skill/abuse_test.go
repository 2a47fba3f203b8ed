package main_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// TestJunkIsRefusedUnsignedAndLimited: unsigned junk to /pay gets 401 with
// no signature; past the burst of failures the client gets 429 with
// Retry-After, still unsigned.
func TestJunkIsRefusedUnsignedAndLimited(t *testing.T) {
	p := serve(t, environ(t.TempDir()))
	var got401, got429 int
	for i := range 30 {
		r := do(t, tsktest.NewHTTPRequest(p.url+"/pay/create-order", []byte(`{"junk":true}`), "TSK-RSA2 Datetime=20250101T000000Z, Signature=AAAA"))
		if a := r.header.Get("Authorization"); a != "" {
			t.Fatalf("junk %d: refusal signed: %q", i, a)
		}
		switch r.status {
		case 401:
			if got429 > 0 {
				t.Fatalf("junk %d: 401 after a 429", i)
			}
			got401++
		case 429:
			if r.header.Get("Retry-After") == "" {
				t.Fatalf("junk %d: 429 without Retry-After", i)
			}
			got429++
		default:
			t.Fatalf("junk %d: %d %s", i, r.status, r.body)
		}
	}
	if got401 != 20 || got429 != 10 {
		t.Fatalf("%d × 401 then %d × 429; want 20 then 10", got401, got429)
	}
	if v, _ := value(scrape(t, p.ops), "voicepay_admission_rejections_total", "reason", "rate_limited"); v != 10 {
		t.Errorf("rate_limited rejections = %v, want 10", v)
	}
}

// TestOverloadIs503WithRetryAfter: with one pay request at a time and no queue,
// concurrent create-orders that find signing saturated get 503 with
// Retry-After and no signature; every admitted one is SUCCESS, signed; a
// refused one sent again later succeeds.
func TestOverloadIs503WithRetryAfter(t *testing.T) {
	p := serve(t, environ(t.TempDir(), "SKILL_SIGN_SLOTS=1", "SKILL_PAY_INFLIGHT=1", "SKILL_PAY_QUEUE=0"))
	verifier := tsktest.SkillVerifier(nil)
	var refused []pay.CreateOrderRequest
	for round := 0; round < 10 && len(refused) == 0; round++ {
		const n = 48
		type sent struct {
			req  pay.CreateOrderRequest
			body []byte
			auth string
		}
		reqs := make([]sent, n)
		for i := range reqs {
			req := fakeplatform.NewCreateOrder(fmt.Sprintf("u%d-%d", round, i), shop.Line{ItemID: "coins", Quantity: 1, Amount: 100})
			body, auth := tsktest.MustSignPay(t, req)
			reqs[i] = sent{req, body, auth}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, s := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.DefaultClient.Do(tsktest.NewHTTPRequest(p.url+"/pay/create-order", s.body, s.auth))
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var reply pay.Reply
				_ = json.NewDecoder(resp.Body).Decode(&reply)
				switch resp.StatusCode {
				case 503:
					if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Authorization") != "" || reply.RetCode != pay.RetFail {
						t.Errorf("503: Retry-After %q, Authorization %q, %+v", resp.Header.Get("Retry-After"), resp.Header.Get("Authorization"), reply)
					}
					mu.Lock()
					refused = append(refused, s.req)
					mu.Unlock()
				case 200:
					if !reply.OK() || resp.Header.Get("Authorization") == "" {
						t.Errorf("admitted: %+v, Authorization %q", reply, resp.Header.Get("Authorization"))
					}
				default:
					t.Errorf("status %d: %+v", resp.StatusCode, reply)
				}
			}()
		}
		wg.Wait()
	}
	if len(refused) == 0 {
		t.Fatal("no request was refused with one signing slot and no queue")
	}
	time.Sleep(10 * time.Millisecond)
	body, auth := tsktest.MustSignPay(t, refused[0])
	r := do(t, tsktest.NewHTTPRequest(p.url+"/pay/create-order", body, auth))
	var reply pay.Reply
	if err := json.Unmarshal(r.body, &reply); err != nil || r.status != 200 || !reply.OK() {
		t.Fatalf("the refused order sent again: %d %s", r.status, r.body)
	}
	if _, err := verifier.Verify(r.body, r.header.Get("Authorization")); err != nil {
		t.Fatalf("reply signature: %v", err)
	}
	if v, _ := value(scrape(t, p.ops), "voicepay_admission_rejections_total", "reason", "overload"); v < 1 {
		t.Errorf("overload rejections = %v", v)
	}
}
