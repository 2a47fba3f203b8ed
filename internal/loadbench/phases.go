package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// createOrders signs count create orders (RSA-2048, the platform's key),
// each a new order of a new user; tag keeps runs apart.
func createOrders(count int, tag string) []prepared {
	now := time.Now()
	h := fnv.New32a()
	h.Write([]byte(tag))
	nonce := fmt.Sprintf("n%08x-", h.Sum32()) // nonceStr is at most 32 bytes
	return prepare(count, func(i int) prepared {
		body, _ := json.Marshal(pay.CreateOrderRequest{
			SkillID:   fakeplatform.DefaultSkillID,
			UserToken: "load-" + tag + "-" + strconv.Itoa(i),
			Details:   []shop.Line{{ItemID: "coins", Quantity: 2, Amount: 200}},
			TotalAmt:  200,
			NonceStr:  nonce + strconv.Itoa(i),
		})
		h, err := tsk.SignRSA2(body, now, benchKeys.platform)
		if err != nil {
			panic(err)
		}
		return prepared{path: "/pay/create-order", body: body, header: h}
	})
}

// createOK: SUCCESS.
func createOK(status int, body []byte) verdict {
	if status == http.StatusOK && bytes.Contains(body, []byte(`"SUCCESS"`)) {
		return answerOK
	}
	return answerWrong
}

// busySpeech is how the dialog says it is too busy to remember a question.
var busySpeech = []byte("现在使用的人太多了")

// turnOK: the first turn of a purchase, answered with the price and a
// question (the session stays open); or a clear "busy".
func turnOK(status int, body []byte) verdict {
	switch {
	case status != http.StatusOK:
		return answerWrong
	case bytes.Contains(body, []byte(`"shouldEndSession":false`)):
		return answerOK
	case bytes.Contains(body, busySpeech):
		return answerBusy
	}
	return answerWrong
}

// turns makes the first turn of a purchase (a buy intent for a known
// product, answered with the price and a question) for a new user in a new
// session each time, HMAC-signed as the platform does. The body is built
// once; each request writes its number into the ids and signs, which costs
// a few microseconds: cheap enough to sign while driving a long run.
type turns struct {
	body  []byte
	holes []int // where the ten-digit number goes
	at    time.Time
}

// idDigits is the width of the number in each id.
const idDigits = 10

func newTurns(tag string) *turns {
	mark := "0000000000"
	at := time.Now()
	req := fakeplatform.NewIntent("buy", map[string]string{"product": "万古神帝第35集"},
		fakeplatform.WithUser("load-user-"+tag+"-"+mark), fakeplatform.WithSession("load-session-"+tag+"-"+mark),
		fakeplatform.WithRequestID("load-request-"+tag+"-"+mark), fakeplatform.WithTime(at))
	body, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	t := &turns{body: body, at: at}
	for _, id := range []string{"load-user-", "load-session-", "load-request-"} {
		i := bytes.Index(body, []byte(id+tag+"-"+mark))
		if i < 0 {
			panic("loadbench: no " + id + " in the request")
		}
		t.holes = append(t.holes, i+len(id+tag+"-"))
	}
	return t
}

// make returns request i, signed now.
func (t *turns) make(i int) prepared {
	body := bytes.Clone(t.body)
	var digits [idDigits]byte
	n := strconv.AppendInt(digits[:0], int64(i), 10)
	for _, h := range t.holes {
		copy(body[h+idDigits-len(n):h+idDigits], n)
	}
	return prepared{path: "/skill", body: body, header: tsk.SignHMAC(body, time.Now(), benchKeys.secret)}
}

// skillTurns signs count purchase turns.
func skillTurns(count int, tag string) []prepared {
	t := newTurns(tag)
	return prepare(count, t.make)
}

// seedOrders creates n orders through create (a store's CreateOrder) from
// workers goroutines at once, so that the store batches them (bbolt) or
// pipelines them (Redis): some 100,000 users with ten orders each,
// created over the past year and settled (nine in ten delivered, the rest
// closed unpaid).
func seedOrders(ctx context.Context, n, workers int, create func(context.Context, shop.Order) (shop.Order, bool, error)) error {
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	base := time.Now().Add(-365 * 24 * time.Hour).UTC()
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				at := base.Add(time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
				o := shop.Order{
					TradeNo:   fmt.Sprintf("SEED%012d", i),
					SkillID:   fakeplatform.DefaultSkillID,
					UserID:    fmt.Sprintf("seed-user-%d", i%100_000),
					State:     shop.StateCreated,
					TotalAmt:  200,
					Details:   []shop.Line{{ItemID: "wgsd-35", Quantity: 1, Amount: 200}},
					NonceStr:  fmt.Sprintf("seed%d", i),
					CreatedAt: at,
					ExpiresAt: at.Add(24 * time.Hour),
					UpdatedAt: at,
					History:   []shop.Transition{{To: shop.StateCreated, At: at, Cause: "create order"}},
				}
				// Settled, as a year's orders are: most delivered, the rest
				// closed unpaid past their payment window.
				var err error
				if i%10 != 0 {
					err = o.Deliver(fmt.Sprintf("SEEDTX%012d", i), o.TotalAmt, "ship notify", at.Add(time.Minute))
				} else {
					err = o.Close(o.ExpiresAt)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				if _, _, err := create(ctx, o); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	return ctx.Err()
}
