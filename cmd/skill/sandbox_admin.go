package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dingdang-voicepay/voicepay/sandbox"
)

// The admin commands (orders, refund, trigger) find a sandbox running on
// the data directory by themselves: it writes its URL there while it runs
// (sandbox.URLFile), and its admin secret is its HMAC secret unless
// SKILL_ADMIN_SECRET says otherwise.

// adminSecret is SKILL_ADMIN_SECRET, or the admin secret of a sandbox that
// made its keys in the data directory.
func (c config) adminSecret() string {
	if c.AdminSecret != "" {
		return c.AdminSecret
	}
	raw, err := os.ReadFile(filepath.Join(c.Data, sandbox.SecretFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(raw))
}

// runningSandbox returns the skill URL of the sandbox running on the data
// directory, "" when none is.
func (c config) runningSandbox() string {
	skill, _ := c.sandboxURLs()
	return skill
}

// runningSandboxOps returns the operations URL (admin API) of the sandbox
// running on the data directory, "" when none is.
func (c config) runningSandboxOps() string {
	raw, err := os.ReadFile(filepath.Join(c.Data, sandbox.URLFile))
	if err != nil {
		return ""
	}
	if lines := strings.Fields(string(raw)); len(lines) >= 3 {
		return lines[2]
	}
	return ""
}

// opsURL is the operations URL given (--ops), else the running sandbox's,
// else SKILL_OPS_ADDR's (the sandbox's default unless set).
func (c config) opsURL(given string) string {
	return cmpOr(given, cmpOr(c.runningSandboxOps(), "http://"+c.OpsAddr))
}

// platformURL is the fake platform's URL given (--platform), else the
// running sandbox's, else the sandbox's default.
func (c config) platformURL(given string) string {
	_, running := c.sandboxURLs()
	return cmpOr(given, cmpOr(running, "http://"+sandbox.DefaultPlatformAddr))
}

// sandboxURLs returns the skill's and the fake platform's URLs of the
// sandbox running on the data directory.
func (c config) sandboxURLs() (skill, platform string) {
	raw, err := os.ReadFile(filepath.Join(c.Data, sandbox.URLFile))
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return "", ""
	}
	lines := strings.Fields(string(raw))
	if len(lines) < 2 {
		return "", ""
	}
	return lines[0], lines[1]
}
