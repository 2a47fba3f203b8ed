package tsktest

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of an outside tool a test checks against (openssl,
// python3). Where it is missing the test is skipped, except under CI (CI=true),
// where a skip would hide a failure: there it fails, naming what to install.
func Need(tb testing.TB, tool string) string {
	tb.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	Missing(tb, tool+" is not installed (.ci/run installs it)")
	return ""
}

// Missing skips the test for the reason, or fails it under CI (CI=true).
func Missing(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(reason)
	}
	tb.Skip(reason)
}
