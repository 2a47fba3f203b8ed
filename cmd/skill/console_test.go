package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// post sends a console request as curl would and decodes the answer.
func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// TestConsoleOverHTTP plays the README's screenless walkthrough with curl's
// requests: /sandbox/pay with only the user finds bob's order whatever the
// device; with nothing to pay the error lists the user's orders; the
// platform's other parts have endpoints of their own; and the simulator's
// event stream tells of each change.
func TestConsoleOverHTTP(t *testing.T) {
	s := startConsole(t, t.TempDir(), testKeys(), false)
	u := s.PlatformURL

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u+"/sandbox/events", nil)
	events, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	if ct := events.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events: Content-Type %q", ct)
	}
	changes := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(events.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				changes <- d
			}
		}
		close(changes)
	}()
	if first := <-changes; first != "0" {
		t.Fatalf("first event: %q, want the current change number 0", first)
	}

	for _, text := range []string{"我要买三个听书币", "是的"} {
		if code, a := post(t, u+"/sandbox/say", `{"device":"screenless","user":"bob","text":"`+text+`"}`); code != 200 {
			t.Fatalf("say %s: %d %v", text, code, a)
		}
	}
	code, a := post(t, u+"/sandbox/pay", `{"user":"bob"}`)
	if code != 200 || !strings.Contains(a["speech"].(string), "购买成功") {
		t.Fatalf("pay without a device: %d %v", code, a)
	}
	code, a = post(t, u+"/sandbox/pay", `{"user":"bob"}`)
	msg, _ := a["error"].(string)
	if code != 400 || !strings.Contains(msg, "no order waiting for payment") || !strings.Contains(msg, "SUCCESS") {
		t.Fatalf("nothing to pay: %d %q, want the user's orders listed", code, msg)
	}
	if code, a := post(t, u+"/sandbox/ship-notify", `{"user":"bob"}`); code != 200 || a["order"].(map[string]any)["shipNotify"] != "SUCCESS" {
		t.Fatalf("ship notify again: %d %v", code, a)
	}

	// Manual: the Charge waits for /sandbox/order; the user refuses to pay.
	for _, text := range []string{"我要买万古神帝第35集", "是的"} {
		if code, a := post(t, u+"/sandbox/say", `{"user":"carol","manual":true,"text":"`+text+`"}`); code != 200 || a["order"] != nil {
			t.Fatalf("manual say %s: %d %v", text, code, a)
		}
	}
	if code, a := post(t, u+"/sandbox/order", `{"user":"carol"}`); code != 200 || a["order"] == nil {
		t.Fatalf("order: %d %v", code, a)
	}
	if code, a := post(t, u+"/sandbox/refuse", `{"user":"carol"}`); code != 200 || !strings.Contains(a["speech"].(string), "还没有收到付款") {
		t.Fatalf("refuse: %d %v", code, a)
	}
	if code, a := post(t, u+"/sandbox/refund-notify", `{"user":"carol"}`); code != 400 || !strings.Contains(a["error"].(string), "no refund") {
		t.Fatalf("refund notify with no refund: %d %v", code, a)
	}

	// The state the simulator draws from.
	resp, err := http.Get(u + "/sandbox/state?user=bob")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Seq    int                      `json:"seq"`
		Orders []struct{ State string } `json:"orders"`
		Turns  []struct {
			Action    string
			Exchanges []struct{ Path, RequestAuth string }
		} `json:"turns"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if len(st.Orders) != 1 || st.Orders[0].State != "DELIVERED" || len(st.Turns) != 5 {
		t.Fatalf("state: %+v", st)
	}
	if ex := st.Turns[2].Exchanges; len(ex) != 2 || ex[0].Path != "/pay/ship-notify" || !strings.HasPrefix(ex[0].RequestAuth, "TSK-RSA2 ") {
		t.Fatalf("the pay turn's exchanges: %+v", ex)
	}
	// The changes were announced: the stream reaches the state's number.
	want, timeout := strconv.Itoa(st.Seq), time.After(5*time.Second)
	for got := ""; got != want; {
		select {
		case got = <-changes:
		case <-timeout:
			t.Fatalf("the event stream did not reach change %s (last %q)", want, got)
		}
	}
	for _, page := range []string{"/", "/static/sim.js", "/static/sim.css"} {
		r, err := http.Get(u + page)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", page, r, err)
		}
		r.Body.Close()
	}
}
