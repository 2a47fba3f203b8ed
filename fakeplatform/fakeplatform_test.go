package fakeplatform_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
	"github.com/dingdang-voicepay/voicepay/skill/tsk/tsktest"
)

// fakeSkill is a skill's HTTP surface as the platform sees it: /skill
// checks the request's signature and answers a fixed response; /pay/*
// answer SUCCESS signed with the skill's key (or, on /pay/refund-notify, a
// refusal signed with the wrong one).
func fakeSkill(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /skill", func(w http.ResponseWriter, r *http.Request) {
		resp := &tsk.Responder{Verifier: tsktest.Verifier(nil)}
		body, auth, err := resp.ReadRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		req, err := tsk.Decode(body)
		if err != nil || req.Request.Timestamp != auth.Datetime {
			http.Error(w, "timestamp is not the signing time", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"version":"1.0","response":{"outputSpeech":{"type":"PlainText","text":"` + auth.Algorithm + `"},"shouldEndSession":true}}`))
	})
	ok := func(w http.ResponseWriter, r *http.Request) {
		resp := tsktest.SkillResponder()
		status, reply := http.StatusOK, pay.Success()
		if _, _, err := resp.ReadRequest(r); err != nil {
			status, reply = http.StatusUnauthorized, pay.Fail(err.Error())
		}
		body, _ := json.Marshal(reply)
		resp.WriteReply(w, status, body)
	}
	mux.HandleFunc("POST /pay/create-order", ok)
	mux.HandleFunc("POST /pay/ship-notify", ok)
	mux.HandleFunc("POST /pay/refund-notify", func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(pay.Success())
		wrong := &tsk.Responder{Signer: tsk.Signer{Key: tsktest.PlatformKey}}
		wrong.WriteReply(w, http.StatusOK, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSkillSide(t *testing.T) {
	ctx := context.Background()
	p := tsktest.PlatformFor(fakeSkill(t).URL)
	for _, hmac := range []bool{false, true} {
		p.HMAC = hmac
		body, err := p.Skill(ctx, fakeplatform.NewLaunch(fakeplatform.WithTime(fakeplatform.NewLaunch().Time().AddDate(-1, 0, 0))))
		if err != nil {
			t.Fatalf("hmac %v: %v", hmac, err)
		}
		want := tsk.RSA2
		if hmac {
			want = tsk.HMAC
		}
		if !strings.Contains(string(body), want) {
			t.Errorf("hmac %v: the skill saw %s", hmac, body)
		}
	}
	if r, err := p.CreateOrder(ctx, fakeplatform.NewCreateOrder("u1", shop.Line{ItemID: "a", Quantity: 1, Amount: 100})); err != nil || !r.OK() {
		t.Fatalf("create order: %+v %v", r, err)
	}
	replies, err := p.ShipNotifyCopies(ctx, pay.ShipNotifyRequest{SkillID: fakeplatform.DefaultSkillID, TradeNo: "T1"}, 5, 2)
	if err != nil || len(replies) != 5 {
		t.Fatalf("ship notify copies: %d replies, %v", len(replies), err)
	}
	if _, err := p.RefundNotify(ctx, pay.RefundNotifyRequest{TradeNo: "T1"}); !errors.Is(err, tsk.ErrBadSignature) {
		t.Fatalf("reply signed by the wrong key: err = %v, want ErrBadSignature", err)
	}
	p.SkillURL += "/nowhere"
	if _, err := p.Skill(ctx, fakeplatform.NewLaunch()); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("unknown path: err = %v, want HTTP 404", err)
	}
}

func TestPaySide(t *testing.T) {
	ctx := context.Background()
	s := tsktest.NewPlatform(t)
	c := tsktest.PayClient(s)
	s.Open("T1", 300)
	if st, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "T1"}); err != nil || st.TradeStatus != pay.TradeNotPay {
		t.Fatalf("open order: %+v %v", st, err)
	}
	if _, err := s.NewShipNotify("u1", "T1"); err == nil {
		t.Fatal("ship notify for an unpaid order")
	}
	tx := s.Pay("T1", 300)
	if tx2 := s.Pay("T1", 300); tx2 != tx {
		t.Errorf("paid twice: %s then %s", tx, tx2)
	}
	n, err := s.NewShipNotify("u1", "T1")
	if err != nil || n.TransactionID != tx || n.TotalAmt != 300 || n.SkillID != tsktest.SkillID {
		t.Fatalf("ship notify: %+v %v", n, err)
	}
	refund := func(no string, amt shop.Fen) error {
		_, err := c.Refund(ctx, pay.RefundRequest{TradeNo: "T1", RefundTradeNo: no, TotalAmt: 300, RefundAmt: amt,
			RefundDetails: []shop.Line{{ItemID: "a", Quantity: 1, Amount: amt}}})
		return err
	}
	for _, no := range []string{"R1", "R2"} {
		if err := refund(no, 100); err != nil {
			t.Fatalf("refund %s: %v", no, err)
		}
	}
	var pe *pay.PlatformError
	if err := refund("R3", 101); !errors.As(err, &pe) {
		t.Fatalf("refund over the total: err = %v, want a FAIL", err)
	}
	first, err := s.SettleNext("T1", shop.RefundSuccess)
	if err != nil || first.RefundTradeNo != "R1" || first.RefundStatus != shop.RefundSuccess || first.TransactionID != tx {
		t.Fatalf("settle first: %+v %v", first, err)
	}
	if second, err := s.SettleNext("T1", shop.RefundFail); err != nil || second.RefundTradeNo != "R2" {
		t.Fatalf("settle second: %+v %v", second, err)
	}
	if _, err := s.SettleNext("T1", shop.RefundSuccess); err == nil {
		t.Fatal("settled a refund that was not pending")
	}
	if s.RefundedAmt("T1") != 100 || s.Refunds("T1") != 2 || s.RefundStatus("R2") != shop.RefundFail {
		t.Fatalf("refunded %d in %d refunds, R2 %s", s.RefundedAmt("T1"), s.Refunds("T1"), s.RefundStatus("R2"))
	}
	if _, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "nope"}); !errors.As(err, &pe) {
		t.Fatalf("unknown order: err = %v, want a FAIL", err)
	}
	if n := s.Calls("orderquery"); n != 2 {
		t.Errorf("orderquery calls = %d, want 2", n)
	}
	// A request not signed by the skill is refused, and the refusal signed.
	hmacSigned := &tsk.Client{Signer: tsk.Signer{Secret: tsktest.Secret}, Verifier: tsktest.PlatformVerifier(nil)}
	r, err := hmacSigned.Post(ctx, s.PayURL()+"orderquery", []byte(`{}`))
	if err != nil || r.Status != http.StatusUnauthorized {
		t.Fatalf("HMAC-signed orderquery: %+v %v", r, err)
	}
}

// RefuseNext answers a signed retCode FAIL on one endpoint only, without
// handling the request; a refusal after an attempt lost in transit is
// marked Retried by the pay client.
func TestRefuseNext(t *testing.T) {
	ctx := context.Background()
	s := tsktest.NewPlatform(t)
	c := tsktest.PayClient(s)
	c.Backoff = 1
	s.Open("T1", 300)
	s.RefuseNext("orderquery", 1)
	s.RefuseNext("refundquery", 1) // another endpoint's refusal does not touch orderquery
	var pe *pay.PlatformError
	if _, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "T1"}); !errors.As(err, &pe) || pe.RetMsg != "系统繁忙" || pe.Retried {
		t.Fatalf("refused orderquery: err = %v (%+v), want FAIL 系统繁忙 on the first attempt", err, pe)
	}
	if st, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "T1"}); err != nil || st.TradeStatus != pay.TradeNotPay {
		t.Fatalf("orderquery after the refusal: %+v %v", st, err)
	}
	s.FailNext(1)
	s.RefuseNext("orderquery", 1)
	if _, err := c.OrderQuery(ctx, pay.OrderQuery{TradeNo: "T1"}); !errors.As(err, &pe) || !pe.Retried {
		t.Fatalf("refusal after HTTP 500: err = %v (%+v), want FAIL marked Retried", err, pe)
	}
	if n := s.Calls("orderquery"); n != 4 {
		t.Errorf("orderquery calls = %d, want 4", n)
	}
}

// TestRequestIDs: every request gets an id no other request has, in this
// process or another (random, not numbered from 1), unless a test fixes it.
func TestRequestIDs(t *testing.T) {
	shape := regexp.MustCompile(`^req-[A-Z2-7]{26}$`)
	seen := map[string]bool{}
	for i := range 1000 {
		var r *tsk.Request
		switch i % 4 {
		case 0:
			r = fakeplatform.NewLaunch()
		case 1:
			r = fakeplatform.NewIntent("buy", nil)
		case 2:
			r = fakeplatform.NewConnectionsResponse("T1", "DD1")
		default:
			r = fakeplatform.NewEvent("AudioPlayer.PlaybackStarted")
		}
		id := r.Request.RequestID
		if !shape.MatchString(id) {
			t.Fatalf("request id %q: want req- and 26 random base32 characters", id)
		}
		if seen[id] {
			t.Fatalf("request id %q given twice", id)
		}
		seen[id] = true
		if err := r.CheckIDs(); err != nil {
			t.Fatalf("request id %q: %v", id, err)
		}
	}
	if got := fakeplatform.NewLaunch(fakeplatform.WithRequestID("fixed-1")).Request.RequestID; got != "fixed-1" {
		t.Errorf("WithRequestID: id %q, want fixed-1", got)
	}
}
