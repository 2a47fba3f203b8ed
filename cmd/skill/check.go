package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/dingdang-voicepay/voicepay/store/redis"
)

// minSecret is the least length of the admin and token secrets, in bytes.
const minSecret = 32

// check validates what every command that builds the skill needs,
// before anything is opened or written: each problem is a *settingError
// naming the setting.
func (c config) check() error {
	if c.Dev != "" && c.Dev != "0" && c.Dev != "1" {
		return badSetting("SKILL_DEV", "%q: want 1 or 0", c.Dev)
	}
	if c.SkillID == "" {
		return badSetting("SKILL_ID", "empty (the skill id from the platform's console)")
	}
	if len(c.SkillID) > 32 {
		return badSetting("SKILL_ID", "%q: longer than 32 bytes", c.SkillID)
	}
	if c.AdminSecret != "" && len(c.AdminSecret) < minSecret {
		return badSetting("SKILL_ADMIN_SECRET", "%d bytes; want at least %d (e.g. `openssl rand -hex 32`)", len(c.AdminSecret), minSecret)
	}
	if c.TokenSecret != "" && len(c.TokenSecret) < minSecret {
		return badSetting("SKILL_TOKEN_SECRET", "%d bytes; want at least %d (e.g. `openssl rand -hex 32`)", len(c.TokenSecret), minSecret)
	}
	if err := c.checkURL("SKILL_PLATFORM_URL", c.PlatformURL); err != nil {
		return err
	}
	if c.PublicURL != "" {
		if err := c.checkURL("SKILL_PUBLIC_URL", c.PublicURL); err != nil {
			return err
		}
	}
	for _, r := range []struct{ name, url string }{{"SKILL_REDIS_URL", c.RedisURL}, {"SKILL_SESSION_REDIS_URL", c.SessionRedis}} {
		if u, err := url.Parse(r.url); r.url != "" && (err != nil || u.Scheme != "unix" && u.Host == "") {
			return badSetting(r.name, "%q: want redis://host:port/db, rediss://..., unix:///path, redis+cluster://host:port,host:port or redis+sentinel://host:port,host:port/mastername", redact(r.url))
		}
		if _, err := redis.CheckURL(r.url); r.url != "" && err != nil {
			return badSetting(r.name, "%v", err)
		}
	}
	for _, parse := range []func() error{
		func() error { _, err := c.paymentWindow(); return err },
		func() error { _, err := c.drain(); return err },
		func() error { _, err := c.logLevel(); return err },
		func() error { _, _, _, err := c.admission(); return err },
		func() error { _, err := c.trustedProxies(); return err },
		func() error { _, err := c.linkSettings(); return err },
		func() error { _, err := c.redisReplicas(); return err },
		func() error { _, err := c.sessionMemory(); return err },
	} {
		if err := parse(); err != nil {
			return err
		}
	}
	return nil
}

// checkServe adds what `skill serve` requires: a skill id and a catalog
// given on purpose (not the built-in demo ones), and the public URL the
// QR codes lead phones to. Without SKILL_DEV=1 it must be https; with it
// and a loopback listen address it may be left out (http://<addr>).
func (c config) checkServe() error {
	if !c.set["SKILL_ID"] {
		return badSetting("SKILL_ID", "not set (the skill id from the platform's console)")
	}
	if !c.set["SKILL_CATALOG"] || c.Catalog == "" {
		return badSetting("SKILL_CATALOG", "not set (the products for sale, a YAML file; see catalog/default.yaml)")
	}
	if err := c.check(); err != nil {
		return err
	}
	if c.PublicURL == "" {
		if c.dev() && isLoopback(hostOf(c.Addr)) {
			return nil
		}
		return badSetting("SKILL_PUBLIC_URL", "not set (the https base URL phones reach for QR codes and order pages)")
	}
	return nil
}

// dev reports whether SKILL_DEV=1.
func (c config) dev() bool { return c.Dev == "1" }

// checkURL requires an absolute http(s) URL with a host, without user
// information, query or fragment: https, or http on a loopback host with
// SKILL_DEV=1.
func (c config) checkURL(setting, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return badSetting(setting, "%q: not a URL", raw)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "", u.Opaque != "":
		return badSetting(setting, "%q: want an absolute https URL such as https://skill.example.com", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return badSetting(setting, "%q: no user, query or fragment, please", redact(raw))
	case u.Scheme == "http" && !(c.dev() && isLoopback(u.Hostname())):
		return badSetting(setting, "%q: want https (plain http only on loopback with SKILL_DEV=1)", raw)
	}
	return nil
}

// hostOf is the host of a listen address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact hides the password of a URL for an error message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return fmt.Sprint(u.Redacted())
}
