package pay_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

func newClient(t *testing.T) (*fakeplatform.Server, *pay.Client) {
	t.Helper()
	p := tsktest.NewPlatform(t)
	c := tsktest.PayClient(p)
	c.Logger = quietLogger()
	return p, c
}

func TestClientSignaturesBothWays(t *testing.T) {
	p, c := newClient(t)
	p.Pay("T123", 990)
	st, err := c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T123"})
	if err != nil {
		t.Fatal(err)
	}
	if st.TradeStatus != pay.TradeSuccess || st.TotalAmt != 990 || st.TradeNo != "T123" || st.TransactionID == "" {
		t.Errorf("OrderQuery = %+v", st)
	}
	reqs := p.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	// The request is signed with SkillKey over exactly the bytes sent.
	if _, err := tsktest.SkillVerifier(nil).Verify(reqs[0].Body, reqs[0].Authorization); err != nil {
		t.Errorf("request signature: %v", err)
	}
	var sent pay.OrderQuery
	if err := json.Unmarshal(reqs[0].Body, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.SkillID != tsktest.SkillID || len(sent.NonceStr) != 32 {
		t.Errorf("sent %+v", sent)
	}
	// A client with another key is refused by the platform (signed FAIL).
	bad := tsktest.PayClient(p)
	bad.Key = tsktest.PlatformKey
	_, err = bad.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T123"})
	var perr *pay.PlatformError
	if !errors.As(err, &perr) {
		t.Errorf("wrong key: err = %v, want *PlatformError", err)
	}
}

func TestClientRetriesOn500(t *testing.T) {
	p, c := newClient(t)
	p.Pay("T1", 100)
	p.FailNext(2)
	st, err := c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T1"})
	if err != nil || st.TradeStatus != pay.TradeSuccess {
		t.Fatalf("OrderQuery = %+v, %v", st, err)
	}
	reqs := p.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	for _, r := range reqs[1:] {
		if string(r.Body) != string(reqs[0].Body) {
			t.Errorf("retry sent other bytes:\n%s\n%s", r.Body, reqs[0].Body)
		}
	}
	// Attempts exhausted: a transient error.
	p.FailNext(3)
	_, err = c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T1"})
	if !errors.Is(err, pay.ErrTransient) {
		t.Errorf("after 3 failures: %v, want ErrTransient", err)
	}
}

func TestClientRefundRetrySameRefundTradeNo(t *testing.T) {
	p, c := newClient(t)
	p.Pay("T1", 300)
	p.FailNext(1)
	res, err := c.Refund(context.Background(), pay.RefundRequest{TradeNo: "T1", RefundTradeNo: "R101", TotalAmt: 300, RefundAmt: 100,
		RefundDetails: []shop.Line{line("credits", 1, 100)}})
	if err != nil || res.RefundTradeNo != "R101" || res.RefundTransactionID == "" {
		t.Fatalf("Refund = %+v, %v", res, err)
	}
	if n := p.Calls("refund"); n != 2 {
		t.Errorf("%d refund calls, want 2", n)
	}
	if n := p.Refunds("T1"); n != 1 {
		t.Errorf("platform holds %d refunds, want 1", n)
	}
}

func TestClientNoRetryOnFail(t *testing.T) {
	p, c := newClient(t)
	_, err := c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "TUNKNOWN"})
	var perr *pay.PlatformError
	if !errors.As(err, &perr) || perr.RetCode != pay.RetFail || perr.RetMsg == "" {
		t.Fatalf("err = %v, want *PlatformError", err)
	}
	if n := p.Calls("orderquery"); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestClientTimeout(t *testing.T) {
	p, c := newClient(t)
	p.Pay("T1", 100)
	p.Delay(2 * time.Second)
	c.Timeout = 100 * time.Millisecond
	c.MaxAttempts = 2
	start := time.Now()
	_, err := c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T1"})
	if !errors.Is(err, pay.ErrTransient) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a transient deadline error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v; timeout not honoured", d)
	}
	if n := p.Calls("orderquery"); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
	// The caller's deadline wins over the attempts.
	c.Timeout, c.MaxAttempts = time.Second, 5
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "T1"}); err == nil {
		t.Error("no error past the caller's deadline")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v past a 150ms deadline", d)
	}
}

func TestClientBadReplySignature(t *testing.T) {
	p, c := newClient(t)
	p.Pay("T1", 100)
	p.BadSignatureNext(1)
	_, err := c.OrderQuery(context.Background(), pay.OrderQuery{TradeNo: "T1"})
	if !errors.Is(err, tsk.ErrBadSignature) || errors.Is(err, pay.ErrTransient) {
		t.Errorf("err = %v, want ErrBadSignature, not transient", err)
	}
	if n := p.Calls("orderquery"); n != 1 {
		t.Errorf("%d calls, want 1 (no retry)", n)
	}
}

func TestClientDown(t *testing.T) {
	p, c := newClient(t)
	p.Down()
	_, err := c.RefundQuery(context.Background(), pay.RefundQuery{RefundTradeNo: "R1"})
	if !errors.Is(err, pay.ErrTransient) {
		t.Errorf("err = %v, want ErrTransient", err)
	}
	p.Up()
	_, err = c.RefundQuery(context.Background(), pay.RefundQuery{RefundTradeNo: "R1"})
	var perr *pay.PlatformError
	if !errors.As(err, &perr) {
		t.Errorf("unknown refund: %v, want *PlatformError", err)
	}
}
