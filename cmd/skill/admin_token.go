package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
)

// runAdminToken prints a JWT for the admin API, signed with
// SKILL_ADMIN_SECRET and valid for --ttl.
func runAdminToken(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin-token")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	tok, err := adminToken(cfg, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}

// adminToken mints an admin API token from the configuration.
func adminToken(cfg config, ttl time.Duration) (string, error) {
	if cfg.AdminSecret == "" {
		return "", badSetting("SKILL_ADMIN_SECRET", "not set (the admin API is disabled without it)")
	}
	if ttl <= 0 {
		return "", usageError("--ttl must be > 0")
	}
	return admin.NewToken([]byte(cfg.AdminSecret), ttl, time.Now())
}
