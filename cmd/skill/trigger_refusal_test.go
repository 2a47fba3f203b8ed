package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestTriggerExplainsAStaleRefusal: a sandbox whose clock was moved hours
// ahead refuses a call signed now as stale (unsigned: a request that does
// not authenticate gets no RSA work, so the reply does not tell the
// server's time); skill trigger says that the server refused the request and
// why, not that the reply's signature does not verify.
func TestTriggerExplainsAStaleRefusal(t *testing.T) {
	dir := t.TempDir()
	sb := startConsole(t, dir, nil, false)
	if err := sb.Clock.Advance(4 * time.Hour); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SKILL_DATA": dir, "SKILL_ID": sb.SkillID}
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), []string{"trigger", "--url", sb.SkillURL, "create-order", "--item", "ep35"}, e)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, &out, &errOut)
	}
	if !strings.Contains(out.String(), "result:    refused, HTTP 401") {
		t.Errorf("stdout lacks the refusal:\n%s", &out)
	}
	for _, want := range []string{"HTTP 401 stale", "refused the request as stale", "this machine's clock",
		"/sandbox/platform/rewind"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, &errOut)
		}
	}
	if all := out.String() + errOut.String(); strings.Contains(all, "does not verify") || strings.Contains(all, "signature: FAILED") {
		t.Errorf("the refusal is explained as a bad reply signature:\n%s", all)
	}
}
