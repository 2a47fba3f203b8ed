package logctx_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/logctx"
	"github.com/dingdang-voicepay/voicepay/internal/logtest"
)

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logctx.NewHandler(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})))
	ctx := logctx.WithRequestID(context.Background(), "r1")
	ctx = logctx.WithTradeNo(ctx, "T1")
	ctx = logctx.WithRequestID(ctx, "r2") // replaces r1
	log.InfoContext(ctx, "one")
	log.InfoContext(ctx, "two", "trade_no", "T2") // the record's own wins
	log.Info("three")
	want := "level=INFO msg=one trade_no=T1 request_id=r2\n" +
		"level=INFO msg=two trade_no=T2 request_id=r2\n" +
		"level=INFO msg=three\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if got := logctx.RequestID(ctx); got != "r2" {
		t.Errorf("RequestID = %q", got)
	}
}

func TestCleanID(t *testing.T) {
	for id, want := range map[string]string{
		"abc-123_X.y:z":         "abc-123_X.y:z",
		"":                      "",
		"has space":             "",
		"new\nline":             "",
		strings.Repeat("a", 65): "",
		strings.Repeat("a", 64): strings.Repeat("a", 64),
	} {
		if got := logctx.CleanID(id); got != want {
			t.Errorf("CleanID(%q) = %q, want %q", id, got, want)
		}
	}
	if a, b := logctx.NewID(), logctx.NewID(); a == b || len(a) != 16 || logctx.CleanID(a) != a {
		t.Errorf("NewID: %q, %q", a, b)
	}
}

func TestLineKeepsEachKeyOnce(t *testing.T) {
	ctx, line := logctx.WithLine(context.Background())
	ctx = logctx.WithRequestID(ctx, "r1") // the line survives a derived context
	if !logctx.Note(ctx, slog.String("trade_no", "T1"), slog.String("state", "CREATED")) {
		t.Fatal("Note found no line")
	}
	logctx.Note(ctx, slog.String("state", "PAID"))
	got := line.Attrs()
	if len(got) != 2 || got[0].String() != "trade_no=T1" || got[1].String() != "state=PAID" {
		t.Errorf("line %v, want trade_no=T1 state=PAID", got)
	}
	if logctx.Note(context.Background(), slog.String("k", "v")) {
		t.Error("Note without a line reported one")
	}
}

// A buffered Writer holds info lines until its interval or Close, and a
// Handler flushing at warnings writes them at once.
func TestWriterFlushesWarningsAtOnce(t *testing.T) {
	var out logtest.Buffer
	w := logctx.NewWriter(&out, 4096, time.Hour)
	h := logctx.NewHandler(slog.NewTextHandler(w, nil)).FlushAt(slog.LevelWarn, w.Flush)
	log := slog.New(h)
	log.Info("held")
	if out.String() != "" {
		t.Fatalf("an info line was written at once: %q", out.String())
	}
	log.With("k", "v").Warn("now")
	if s := out.String(); !strings.Contains(s, "msg=held") || !strings.Contains(s, "msg=now k=v") {
		t.Fatalf("after a warning: %q", s)
	}
	log.Info("last")
	if err := w.Close(); err != nil || !strings.Contains(out.String(), "msg=last") {
		t.Errorf("after Close: %q, %v", out.String(), err)
	}
}

func TestWriterFlushesEveryInterval(t *testing.T) {
	var out logtest.Buffer
	w := logctx.NewWriter(&out, 4096, 10*time.Millisecond)
	defer w.Close()
	_, _ = w.Write([]byte("line\n"))
	for deadline := time.Now().Add(5 * time.Second); out.String() == "" && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if out.String() != "line\n" {
		t.Errorf("after the interval: %q", out.String())
	}
}
