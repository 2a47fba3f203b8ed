package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
)

// runAdminToken prints a JWT for the admin API, signed with
// SKILL_ADMIN_SECRET, valid for --ttl (24h at most) and naming --operator,
// whom the server records in the order history of what the token does.
// Other commands take it with --token.
func runAdminToken(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "admin-token")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid (at most 24h)")
	operator := fs.String("operator", admin.DefaultOperator, "`NAME` of who uses the token: recorded in each order-history entry it causes")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	tok, err := adminToken(cfg, *operator, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}

// adminToken mints an admin API token from the configuration.
func adminToken(cfg config, operator string, ttl time.Duration) (string, error) {
	if cfg.AdminSecret == "" {
		return "", badSetting("SKILL_ADMIN_SECRET", "not set (the admin API is disabled without it)")
	}
	if len(cfg.AdminSecret) < minSecret {
		return "", badSetting("SKILL_ADMIN_SECRET", "%d bytes; want at least %d", len(cfg.AdminSecret), minSecret)
	}
	if ttl <= 0 || ttl > admin.MaxTTL {
		return "", usageError("--ttl must be > 0 and at most 24h")
	}
	if operator == "" || len(operator) > 64 {
		return "", usageError("--operator must be 1..64 bytes")
	}
	return admin.NewOperatorToken([]byte(cfg.AdminSecret), operator, ttl, time.Now())
}
