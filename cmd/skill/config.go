package main

import (
	"context"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dingdang-voicepay/voicepay/internal/days"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/pay"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// config is the whole configuration of the skill command. Every field is
// set by an environment variable and by the matching flag; the flag wins.
type config struct {
	Addr          string // SKILL_ADDR
	OpsAddr       string // SKILL_OPS_ADDR
	Drain         string // SKILL_DRAIN
	Data          string // SKILL_DATA
	SkillID       string // SKILL_ID
	Secret        string // SKILL_SECRET
	TSKPublicKeys string // SKILL_TSK_PUBLIC_KEY (comma-separated paths)
	PrivateKey    string // SKILL_PRIVATE_KEY
	PlatformURL   string // SKILL_PLATFORM_URL
	PublicURL     string // SKILL_PUBLIC_URL
	RedisURL      string // SKILL_REDIS_URL
	RedisReplicas string // SKILL_REDIS_MIN_REPLICAS
	RedisWait     string // SKILL_REDIS_REPLICA_TIMEOUT
	SessionRedis  string // SKILL_SESSION_REDIS_URL
	SessionMemory string // SKILL_SESSION_MEMORY
	Catalog       string // SKILL_CATALOG
	AdminSecret   string // SKILL_ADMIN_SECRET
	AdminToken    string // SKILL_ADMIN_TOKEN
	TokenSecret   string // SKILL_TOKEN_SECRET
	OfferTTL      string // SKILL_OFFER_TTL
	Support       string // SKILL_SUPPORT
	PaymentWindow string // SKILL_PAYMENT_WINDOW
	LogLevel      string // SKILL_LOG_LEVEL
	LogFormat     string // SKILL_LOG_FORMAT
	SignSlots     string // SKILL_SIGN_SLOTS
	PayInFlight   string // SKILL_PAY_INFLIGHT
	PayQueue      string // SKILL_PAY_QUEUE
	Proxies       string // SKILL_TRUSTED_PROXIES
	TLSCert       string // SKILL_TLS_CERT
	TLSKey        string // SKILL_TLS_KEY

	// Account linking (link.go).
	Link              string // SKILL_LINK
	Login             string // SKILL_LOGIN
	Dev               string // SKILL_DEV
	OAuthClientID     string // SKILL_OAUTH_CLIENT_ID
	OAuthClientSecret string // SKILL_OAUTH_CLIENT_SECRET
	OAuthRedirectURIs string // SKILL_OAUTH_REDIRECT_URIS
	OAuthAccessTTL    string // SKILL_OAUTH_ACCESS_TTL
	OIDCIssuer        string // SKILL_OIDC_ISSUER
	OIDCClientID      string // SKILL_OIDC_CLIENT_ID
	OIDCClientSecret  string // SKILL_OIDC_CLIENT_SECRET

	set    map[string]bool // the settings given by a flag or a non-empty variable
	scheme string          // of the public listener when it is not http (serve sets https with TLS)
}

// setting is one configuration knob: its variable, flag, default and meaning.
type setting struct {
	env, flag, def, usage string
	ptr                   *string
}

// settings is THE table of configuration knobs (the README's table comes
// from here).
func (c *config) settings() []setting {
	return []setting{
		{"SKILL_ADDR", "addr", "127.0.0.1:8080", "listen address; port 0 picks a free port (use :8080 to listen on all interfaces)", &c.Addr},
		{"SKILL_OPS_ADDR", "ops-addr", "127.0.0.1:9090", "listen address of the operations endpoints: /metrics, /healthz, /readyz, /debug/pprof/ and the admin API (keep it off the internet)", &c.OpsAddr},
		{"SKILL_DRAIN", "drain", "5s", "on SIGTERM, how long /readyz answers 503 while requests are still served, before the listeners close", &c.Drain},
		{"SKILL_DATA", "data", "./data", "data directory: the bbolt store skill.db, generated keys and token secret", &c.Data},
		{"SKILL_ID", "skill-id", "demo-skill", "our skill id (applicationId); requests for other skills are refused (serve: required)", &c.SkillID},
		{"SKILL_SECRET", "secret", "", "SkillSecret for TSK-HMAC-SHA256-BASIC on /skill; empty refuses HMAC", &c.Secret},
		{"SKILL_TSK_PUBLIC_KEY", "tsk-public-key", "", "platform public key files (PEM or bare base64), comma-separated for rotation", &c.TSKPublicKeys},
		{"SKILL_PRIVATE_KEY", "private-key", "", "our RSA private key file (default: <data>/skill_private.pem, written by keygen)", &c.PrivateKey},
		{"SKILL_PLATFORM_URL", "platform-url", pay.DefaultBaseURL, "base URL of the platform's pay interfaces", &c.PlatformURL},
		{"SKILL_PUBLIC_URL", "public-url", "", "our public base URL, for QR images and the order pages they lead to (serve: required, https; with SKILL_DEV=1 http on loopback, default http://<addr>)", &c.PublicURL},
		{"SKILL_REDIS_URL", "redis-url", "", "store in Redis instead of bbolt: redis://host:port/db, a cluster redis+cluster://host:port,host:port, or Sentinel redis+sentinel://host:port,host:port/mastername", &c.RedisURL},
		{"SKILL_REDIS_MIN_REPLICAS", "redis-min-replicas", "", "replicas that must confirm each order write (WAIT) before it is acknowledged (default 1 on a cluster or with Sentinel, 0 on one server)", &c.RedisReplicas},
		{"SKILL_REDIS_REPLICA_TIMEOUT", "redis-replica-timeout", "500ms", "how long a write waits for its replicas' confirmation (WAIT) before it fails as unavailable, 10ms to 10s", &c.RedisWait},
		{"SKILL_SESSION_REDIS_URL", "session-redis-url", "", "a Redis of its own for dialog state and request ids, which need no fsync (default: SKILL_REDIS_URL)", &c.SessionRedis},
		{"SKILL_SESSION_MEMORY", "session-memory", "16MB", "without Redis, the memory dialog state may take (about 500 bytes a dialog waiting for an answer); past it new dialogs are told the skill is busy", &c.SessionMemory},
		{"SKILL_CATALOG", "catalog", "", "product catalog YAML file (serve: required; elsewhere the built-in demo catalog, catalog/default.yaml)", &c.Catalog},
		{"SKILL_ADMIN_SECRET", "admin-secret", "", "HS256 secret of admin API tokens, at least 32 bytes; empty disables the admin API", &c.AdminSecret},
		{"SKILL_ADMIN_TOKEN", "token", "", "with --server: a ready admin API `TOKEN` (from skill admin-token), instead of minting one with SKILL_ADMIN_SECRET", &c.AdminToken},
		{"SKILL_TOKEN_SECRET", "token-secret", "", "secret keying offer references and QR tokens, at least 32 bytes (default: generated once into <data>/token_secret)", &c.TokenSecret},
		{"SKILL_OFFER_TTL", "offer-ttl", "7d", "how long an offer can be ordered, e.g. 7d or 36h (screenless speakers order later, in the phone app)", &c.OfferTTL},
		{"SKILL_SUPPORT", "support", "", "customer service contact (phone, email) shown on the order pages QR codes lead to, and said when a refund is refused", &c.Support},
		{"SKILL_PAYMENT_WINDOW", "payment-window", "24h" /* pay.DefaultPaymentWindow */, "how long an order may wait for payment before the reconciler closes it (the platform saying NOTPAY), e.g. 24h or 2d; screenless orders are paid later in the phone app", &c.PaymentWindow},
		{"SKILL_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", &c.LogLevel},
		{"SKILL_SIGN_SLOTS", "sign-slots", "", "how many pay replies are RSA-signed at once (default: the number of CPUs)", &c.SignSlots},
		{"SKILL_PAY_INFLIGHT", "pay-inflight", "", "how many pay requests are in progress at once (default: 4 per signing slot); past them and the queue a pay request is answered 503 with Retry-After", &c.PayInFlight},
		{"SKILL_PAY_QUEUE", "pay-queue", "", "how many more pay requests may wait for a place, 50ms at most (default: as many as SKILL_PAY_INFLIGHT; 0: none)", &c.PayQueue},
		{"SKILL_TLS_CERT", "tls-cert", "", "PEM certificate (chain) file: serve HTTPS on SKILL_ADDR; reloaded on SIGHUP", &c.TLSCert},
		{"SKILL_TLS_KEY", "tls-key", "", "PEM private key file of SKILL_TLS_CERT", &c.TLSKey},
		{"SKILL_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated CIDRs of the proxies in front (load balancers): only they are believed about X-Forwarded-For and -Proto", &c.Proxies},
		{"SKILL_LOG_FORMAT", "log-format", "text", "text (key=value lines) or json (one object per line)", &c.LogFormat},
		{"SKILL_LINK", "link", "", "account linking: off (serve's default), optional (the sandbox's: purchases go on, linking is suggested) or purchase (a purchase needs a linked account)", &c.Link},
		{"SKILL_LOGIN", "login", "", "who signs in when linking: oidc (serve's default: SKILL_OIDC_*) or dev (the sandbox's: any account name; serve needs SKILL_DEV=1)", &c.Login},
		{"SKILL_DEV", "dev", "", "1: development: serve may use plain http on loopback for SKILL_PUBLIC_URL and SKILL_PLATFORM_URL, and SKILL_LOGIN=dev", &c.Dev},
		{"SKILL_OAUTH_CLIENT_ID", "oauth-client-id", "", "account linking: the client id the platform's console is given", &c.OAuthClientID},
		{"SKILL_OAUTH_CLIENT_SECRET", "oauth-client-secret", "", "account linking: the client secret the platform's console is given (16 characters or more)", &c.OAuthClientSecret},
		{"SKILL_OAUTH_REDIRECT_URIS", "oauth-redirect-uris", "", "account linking: the platform's redirect URIs allowed, comma-separated (any other is refused)", &c.OAuthRedirectURIs},
		{"SKILL_OAUTH_ACCESS_TTL", "oauth-access-ttl", "1h", "account linking: how long an access token is valid, 1m to 24h", &c.OAuthAccessTTL},
		{"SKILL_OIDC_ISSUER", "oidc-issuer", "", "SKILL_LOGIN=oidc: the identity provider's issuer URL", &c.OIDCIssuer},
		{"SKILL_OIDC_CLIENT_ID", "oidc-client-id", "", "SKILL_LOGIN=oidc: our client id at the identity provider", &c.OIDCClientID},
		{"SKILL_OIDC_CLIENT_SECRET", "oidc-client-secret", "", "SKILL_LOGIN=oidc: our client secret at the identity provider", &c.OIDCClientSecret},
	}
}

// loadConfig registers the settings' flags on fs, parses args and then
// fills every setting whose flag was not given from its environment
// variable: the flag wins over the variable, which wins over the default.
// (Help output shows the built-in defaults, never a secret from the
// environment.) It returns the positional arguments, which may be mixed
// with the flags.
func loadConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, []string, error) {
	var c config
	for _, s := range c.settings() {
		fs.StringVar(s.ptr, s.flag, s.def, s.usage+" (env "+s.env+")")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return c, nil, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	c.set = map[string]bool{}
	for _, s := range c.settings() {
		if v := getenv(s.env); v != "" && !given[s.flag] {
			*s.ptr = v
			c.set[s.env] = true
		}
		if given[s.flag] {
			c.set[s.env] = true
		}
	}
	return c, pos, nil
}

// parseInterspersed parses flags that may come before, between and after
// positional arguments ("orders show T1 --server URL").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// settingError is a configuration problem that stops the command, reported
// as one line naming the setting: "SKILL_PRIVATE_KEY: /x.pem: not an RSA
// private key". The command exits with status 2.
type settingError struct {
	setting string
	msg     string
	// down marks a setting that names something unreachable now (a
	// Redis still starting): exit status 1, which a supervisor retries,
	// not 2, which it must not.
	down bool
}

// Error is "SETTING: message".
func (e *settingError) Error() string { return e.setting + ": " + e.msg }

// badSetting returns a settingError; the message is kept to one line.
func badSetting(setting, format string, args ...any) error {
	msg := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	return &settingError{setting: setting, msg: msg}
}

// unreachable returns badSetting's error for a server the setting names
// that could not be reached (err EUNAVAILABLE, a network error or a
// timeout), marked down; any other failure is a plain bad setting.
func unreachable(setting, what string, err error) error {
	e := badSetting(setting, "%s: %v", what, err).(*settingError)
	var ne net.Error
	e.down = shop.ErrorClass(err) == shop.EUNAVAILABLE || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
	return e
}

// readFile reads a file named by a setting, reporting failure as a
// settingError with the bare reason ("no such file or directory").
func readFile(setting, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, badSetting(setting, "%s: %v", path, err)
	}
	return data, nil
}

// privateKeyPath is SKILL_PRIVATE_KEY, or the key keygen writes into the
// data directory.
func (c config) privateKeyPath() string {
	if c.PrivateKey != "" {
		return c.PrivateKey
	}
	return filepath.Join(c.Data, privateKeyFile)
}

// loadPrivateKey loads our RSA private key (SKILL_PRIVATE_KEY).
func (c config) loadPrivateKey() (*rsa.PrivateKey, error) {
	const name = "SKILL_PRIVATE_KEY"
	path := c.privateKeyPath()
	if c.PrivateKey == "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, badSetting(name, "not set and %s does not exist (run `skill keygen`)", path)
		}
	}
	data, err := readFile(name, path)
	if err != nil {
		return nil, err
	}
	k, err := tsk.ParsePrivateKey(data)
	if err != nil {
		if _, perr := tsk.ParsePublicKey(data); perr == nil {
			return nil, badSetting(name, "%s: not an RSA private key (it is a public key)", path)
		}
		return nil, badSetting(name, "%s: not an RSA private key", path)
	}
	return k, nil
}

// loadPlatformKeys loads the platform's public keys (SKILL_TSK_PUBLIC_KEY).
func (c config) loadPlatformKeys() ([]*rsa.PublicKey, error) {
	const name = "SKILL_TSK_PUBLIC_KEY"
	var keys []*rsa.PublicKey
	for _, path := range strings.Split(c.TSKPublicKeys, ",") {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		data, err := readFile(name, path)
		if err != nil {
			return nil, err
		}
		if _, err := tsk.ParsePrivateKey(data); err == nil {
			return nil, badSetting(name, "%s: is a private key; want the platform's public key", path)
		}
		k, err := tsk.ParsePublicKey(data)
		if err != nil {
			return nil, badSetting(name, "%s: not an RSA public key", path)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, badSetting(name, "not set (the platform's public key, from its console)")
	}
	return keys, nil
}

// paymentWindow parses SKILL_PAYMENT_WINDOW: a Go duration or days ("1d"),
// at least a minute (the platform's own pay page must have time to be
// used).
func (c config) paymentWindow() (time.Duration, error) {
	d, err := days.Parse(c.PaymentWindow)
	if err != nil || d < time.Minute {
		return 0, badSetting("SKILL_PAYMENT_WINDOW", "%q: want a duration of at least 1m, e.g. 1d, 24h or 90m", c.PaymentWindow)
	}
	return d, nil
}

// maxOfferTTL bounds SKILL_OFFER_TTL.
const maxOfferTTL = 90 * 24 * time.Hour

// offerTTL parses SKILL_OFFER_TTL: a Go duration ("36h") or days ("7d",
// "1d12h"), from a minute to maxOfferTTL.
func (c config) offerTTL() (time.Duration, error) {
	const name = "SKILL_OFFER_TTL"
	d, err := days.Parse(c.OfferTTL)
	if err != nil || d < time.Minute || d > maxOfferTTL {
		return 0, badSetting(name, "%q: want a duration from 1m to 90d, such as 7d or 36h", c.OfferTTL)
	}
	return d, nil
}

// admission parses SKILL_SIGN_SLOTS, SKILL_PAY_INFLIGHT and
// SKILL_PAY_QUEUE into the server's SignSlots, PayInFlight and PayQueue (0
// meaning the default, a negative queue none).
func (c config) admission() (slots, inflight, queue int, err error) {
	for _, s := range []struct {
		name, value string
		min         int
		out         *int
	}{
		{"SKILL_SIGN_SLOTS", c.SignSlots, 1, &slots},
		{"SKILL_PAY_INFLIGHT", c.PayInFlight, 1, &inflight},
		{"SKILL_PAY_QUEUE", c.PayQueue, 0, &queue},
	} {
		if s.value == "" {
			continue
		}
		n, err := strconv.Atoi(s.value)
		if err != nil || n < s.min {
			return 0, 0, 0, badSetting(s.name, "%q: want a whole number of at least %d", s.value, s.min)
		}
		*s.out = n
	}
	if c.PayQueue != "" && queue == 0 {
		queue = -1
	}
	return slots, inflight, queue, nil
}

// trustedProxies parses SKILL_TRUSTED_PROXIES: CIDRs or single addresses.
func (c config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(c.Proxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, badSetting("SKILL_TRUSTED_PROXIES", "%q: want CIDRs such as 10.0.0.0/8, comma-separated", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// drain parses SKILL_DRAIN: a Go duration, 0 or more.
func (c config) drain() (time.Duration, error) {
	d, err := time.ParseDuration(c.Drain)
	if err != nil || d < 0 {
		return 0, badSetting("SKILL_DRAIN", "%q: want a duration such as 5s, or 0", c.Drain)
	}
	return d, nil
}

// logLevel parses SKILL_LOG_LEVEL.
func (c config) logLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, badSetting("SKILL_LOG_LEVEL", "%q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}
