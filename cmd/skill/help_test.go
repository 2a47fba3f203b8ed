package main_test

import (
	"os"
	"strings"
	"testing"
)

// TestHelp: `skill CMD --help` prints to stdout, exit status 0, the usage
// line with the arguments, the command's own options and the settings it
// uses, and not the server's settings it has no use for.
func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // in the help
		not  []string // not in it
	}{
		{[]string{"orders", "--help"},
			[]string{"usage: skill orders list|show TRADENO|attention", "--json", "--server URL", "--state STATES", "--admin-secret", "SKILL_DATA"},
			[]string{"--oidc-issuer", "--drain", "--pay-inflight", "--tls-cert"}},
		{[]string{"refund", "-h"},
			[]string{"usage: skill refund TRADENO", "--amount FEN", "--reason TEXT", "--json", "--token TOKEN", "skill serve --help"},
			[]string{"--redis-url", "--oidc-issuer", "--drain", "--pay-inflight"}},
		{[]string{"trigger", "--help"},
			[]string{"usage: skill trigger create-order|ship-notify|refund-notify|connections-response", "--order TRADENO",
				"--item ID[*COUNT]", "--status STATUS", "--ops-addr", "--private-key"},
			[]string{"--redis-url", "--oidc-issuer", "--drain", "--pay-inflight", "--session-memory"}},
		{[]string{"replay", "--help"},
			[]string{"usage: skill replay", "--run PATTERN", "--update", "--catalog"},
			[]string{"--redis-url", "--oidc-issuer", "--drain", "--pay-inflight"}},
		{[]string{"dialog", "--help"},
			[]string{"usage: skill dialog", "--device KIND", "--user USER"},
			[]string{"--redis-url", "--oidc-issuer", "--drain", "--pay-inflight"}},
		{[]string{"keygen", "--help"},
			[]string{"usage: skill keygen", "--out DIR", "--force", "--data"},
			[]string{"--admin-secret", "--redis-url", "--drain"}},
		{[]string{"admin-token", "--help"},
			[]string{"usage: skill admin-token", "--ttl", "--operator NAME", "--admin-secret"},
			[]string{"--data", "--redis-url", "--oidc-issuer", "--drain"}},
		{[]string{"help", "orders"}, // the same as orders --help
			[]string{"usage: skill orders list|show TRADENO|attention", "--json"},
			[]string{"--oidc-issuer"}},
		{[]string{"serve", "--help"},
			[]string{"usage: skill serve", "--drain", "--oidc-issuer", "--tls-cert", "--pay-inflight"},
			[]string{"lists every setting"}},
		{[]string{"version", "--help"},
			[]string{"usage: skill version\n", "Print the module version"},
			[]string{"--data", "Options:"}},
		{[]string{"--help"},
			[]string{"usage: skill <command>", "  orders       list orders", "  version      print the module version"},
			nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := cli(t, environ(t.TempDir()), tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, stdout)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(stdout, n) {
					t.Errorf("help has %q:\n%s", n, stdout)
				}
			}
			if lines := strings.Count(stdout, "\n"); tt.args[0] != "serve" && tt.args[0] != "--help" && lines > 60 {
				t.Errorf("help of %d lines; want it short:\n%s", lines, stdout)
			}
		})
	}
}

// TestHelpEnvironment: a setting a command's help leaves out still works
// from its environment variable, as before: orders opens the Redis of
// SKILL_SESSION_REDIS_URL (and refuses it without SKILL_REDIS_URL).
func TestHelpEnvironment(t *testing.T) {
	stdout, _, _ := cli(t, environ(t.TempDir()), "refund", "--help")
	if strings.Contains(stdout, "--session-redis-url") {
		t.Fatalf("refund --help lists --session-redis-url; the test wants a setting it leaves out")
	}
	_, stderr, code := cli(t, environ(t.TempDir(), "SKILL_SESSION_REDIS_URL=redis://127.0.0.1:1/0"), "refund", "T1")
	if code != 2 || !strings.HasPrefix(stderr, "skill: SKILL_SESSION_REDIS_URL: ") {
		t.Errorf("exit %d, stderr %q; want 2 and the setting's error", code, stderr)
	}
}

// TestUsageMistake: a mistake prints the error and the usage line, not the
// whole help, on stderr with exit status 2.
func TestUsageMistake(t *testing.T) {
	stdout, stderr, code := cli(t, environ(t.TempDir()), "orders", "--bogus")
	want := "skill orders: flag provided but not defined: -bogus\n" +
		"usage: skill orders list|show TRADENO|attention [--server URL] [flags]\n" +
		"(skill orders --help says more)\n"
	if code != 2 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant 2, nothing and:\n%s", code, stdout, stderr, want)
	}
	if _, _, code := cli(t, os.Environ(), "version", "extra"); code != 2 {
		t.Errorf("version extra: exit %d; want 2", code)
	}
}
