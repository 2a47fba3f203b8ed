// Package sandbox runs the skill next to a fake Dingdang platform on
// 127.0.0.1, so a developer buys end to end with curl: no speaker, no
// account, no network. The platform side signs and sends skill requests
// (POST /sandbox/say, understood by a tiny rule-based NLU), orders what a
// Charge offers through the skill's create-order, pays (POST /sandbox/pay:
// ship notify, then the Connections.Response) and settles refunds; its pay
// interfaces (/paycgi/orderquery, refund, refundquery) are what the skill's
// pay client points at. Development keys are generated on first start.
//
// The package never builds the skill itself: cmd/skill passes a Build
// function: the one wiring of `skill serve`, used by its tests as well.
package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dingdang-voicepay/voicepay/admin"
	"github.com/dingdang-voicepay/voicepay/catalog"
	"github.com/dingdang-voicepay/voicepay/fakeplatform"
	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/intents"
)

// Defaults of Config.
const (
	DefaultAddr         = "127.0.0.1:8080"
	DefaultPlatformAddr = "127.0.0.1:8090"
	DefaultOpsAddr      = "127.0.0.1:9090"
	DefaultDataDir      = "data"
	DefaultSkillID      = "sandbox-skill"
)

// App is the skill's HTTP application: Listener serves the public side,
// ServeOps the operations side (health, metrics, admin API), and Shutdown
// stops both.
type App interface {
	Listener(ln net.Listener) error
	ServeOps(ln net.Listener) error
	Shutdown() error
}

// Wiring is what the sandbox tells Build about the skill to build.
type Wiring struct {
	DataDir     string // the skill's bbolt file goes here
	CatalogPath string // "": the built-in demo catalog (catalog.Load)
	SkillID     string
	Keys        Keys   // Skill signs; Platform's public half and Secret verify
	AdminSecret []byte // the admin API's secret
	PlatformURL string // base of the fake platform's pay interfaces, ending in "/"
	PublicURL   string // the skill's own base URL (QR image links)
	// Now is the sandbox's clock (Clock.Now): the skill must read it for
	// everything time decides, so that advancing it moves the whole sandbox.
	Now func() time.Time
	// OAuth is the account-linking client the platform uses (the skill's
	// SKILL_OAUTH_*); the skill's development login signs it in.
	OAuth OAuthClient
}

// Build builds the skill for the wiring. close releases what it opened
// (the store) after the app has shut down.
type Build func(ctx context.Context, w Wiring) (app App, close func() error, err error)

// Config configures a sandbox; only Build is required.
type Config struct {
	Addr         string   // the skill's listen address (DefaultAddr; ":0"-style ports allowed)
	OpsAddr      string   // the skill's operations listen address (DefaultOpsAddr)
	PlatformAddr string   // the fake platform's (DefaultPlatformAddr)
	DataDir      string   // keys and the store (DefaultDataDir)
	Catalog      string   // catalog file ("": the built-in demo catalog)
	Model        string   // interaction model file for the NLU ("": the skill's own, intents.InteractionModel)
	SkillID      string   // DefaultSkillID
	Keys         *Keys    // nil: LoadOrCreateKeys(DataDir)
	AdminSecret  []byte   // nil: the Secret of the keys
	HMAC         bool     // sign skill requests with HMAC instead of RSA2
	Utterances   []string // the simulator's utterance buttons (nil: the model's samples without slots)
	// Misheard are the utterances that are a mishearing (speech recognition
	// wrote them for what the user said), by what was meant: the simulator
	// shows them apart.
	Misheard map[string]string
	Build    Build
	Logger   *slog.Logger
}

// Sandbox is a running sandbox.
type Sandbox struct {
	SkillURL    string // the skill's base URL
	OpsURL      string // the skill's operations base URL (health, metrics, admin API)
	PlatformURL string // the fake platform's base URL
	Keys        Keys
	AdminSecret []byte
	SkillID     string
	Created     []string // key files written on this start
	Platform    *fakeplatform.Platform
	Console     *Console
	Clock       *Clock // the clock of the skill, the platform and the console

	app      App
	closeApp func() error
	urlFile  string
	srv      *http.Server
	done     chan error
}

// loadModel returns the interaction model in the file at path, or the
// skill's own for "".
func loadModel(path string) ([]byte, error) {
	if path == "" {
		return intents.InteractionModel(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sandbox: model: %w", err)
	}
	return data, nil
}

// Start listens on both addresses, builds and serves the skill, and serves
// the fake platform (package fakeplatform) with the console beside it.
// Close stops both.
func Start(ctx context.Context, c Config) (*Sandbox, error) {
	if c.Build == nil {
		return nil, errors.New("sandbox: no Build")
	}
	c.DataDir = cmp.Or(c.DataDir, DefaultDataDir)
	s := &Sandbox{SkillID: cmp.Or(c.SkillID, DefaultSkillID), Clock: &Clock{}, done: make(chan error, 3)}
	if c.Keys != nil {
		s.Keys = *c.Keys
	} else {
		var err error
		if s.Keys, s.Created, err = LoadOrCreateKeys(c.DataDir); err != nil {
			return nil, err
		}
	}
	s.AdminSecret = c.AdminSecret
	if len(s.AdminSecret) == 0 {
		s.AdminSecret = []byte(s.Keys.Secret)
	}
	skillLn, err := net.Listen("tcp", cmp.Or(c.Addr, DefaultAddr))
	if err != nil {
		return nil, fmt.Errorf("sandbox: skill: %w%s", err, moveIt(err, "SKILL_ADDR", "127.0.0.1:18080"))
	}
	opsLn, err := net.Listen("tcp", cmp.Or(c.OpsAddr, opsAddrFor(c.Addr)))
	if err != nil {
		skillLn.Close()
		return nil, fmt.Errorf("sandbox: skill operations: %w%s", err, moveIt(err, "SKILL_OPS_ADDR", "127.0.0.1:19090"))
	}
	platLn, err := net.Listen("tcp", cmp.Or(c.PlatformAddr, DefaultPlatformAddr))
	if err != nil {
		skillLn.Close()
		opsLn.Close()
		return nil, fmt.Errorf("sandbox: platform: %w%s", err, moveIt(err, "SKILL_PLATFORM_ADDR (or --platform-addr)", "127.0.0.1:18090"))
	}
	s.SkillURL, s.PlatformURL = "http://"+skillLn.Addr().String(), "http://"+platLn.Addr().String()
	oc := oauthClient(s.Keys, s.PlatformURL)
	s.OpsURL = "http://" + opsLn.Addr().String()
	s.app, s.closeApp, err = c.Build(ctx, Wiring{
		DataDir: c.DataDir, CatalogPath: c.Catalog, SkillID: s.SkillID,
		Keys: s.Keys, AdminSecret: s.AdminSecret, PlatformURL: s.PlatformURL + fakeplatform.PayPath, PublicURL: s.SkillURL,
		Now: s.Clock.Now, OAuth: oc,
	})
	if err != nil {
		skillLn.Close()
		opsLn.Close()
		platLn.Close()
		return nil, fmt.Errorf("sandbox: build the skill: %w", err)
	}
	model, err := loadModel(c.Model)
	var nlu *NLU
	if err == nil {
		nlu, err = NewNLU(model)
	}
	var cat *shop.Catalog
	if err == nil {
		cat, err = catalog.Load(c.Catalog) // the skill's, built from the same file
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Platform = &fakeplatform.Platform{SkillID: s.SkillID, SkillURL: s.SkillURL, Key: s.Keys.Platform,
		SkillKey: &s.Keys.Skill.PublicKey, Secret: s.Keys.Secret, HMAC: c.HMAC, Now: s.Clock.Now}
	s.Console = &Console{SkillID: s.SkillID, Platform: s.Platform, NLU: nlu, Logger: c.Logger, Clock: s.Clock, SkillURL: s.SkillURL, Catalog: cat,
		Admin: &admin.Client{BaseURL: s.OpsURL, Secret: s.AdminSecret}, Utterances: c.Utterances, Misheard: c.Misheard,
		OAuth: &fakeplatform.OAuthClient{SkillURL: s.SkillURL, ClientID: oc.ClientID, ClientSecret: oc.ClientSecret,
			RedirectURI: oc.RedirectURI, PKCE: true}}
	if c.Utterances == nil {
		s.Console.Utterances = sampleUtterances(model)
	}
	s.Platform.HTTP = &http.Client{Timeout: 10 * time.Second, Transport: s.Console.Transport(nil)}
	mux := http.NewServeMux()
	mux.Handle(fakeplatform.PayPath, s.Console.WrapPay(s.Platform.Handler()))
	mux.Handle("/", s.Console.Handler())
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.srv.RegisterOnShutdown(s.Console.Close)
	go func() { s.done <- s.app.Listener(skillLn) }()
	go func() { s.done <- s.app.ServeOps(opsLn) }()
	go func() { s.done <- s.srv.Serve(platLn) }()
	// Tell the admin commands on this data directory where the skill is.
	s.urlFile = filepath.Join(c.DataDir, URLFile)
	if err := os.WriteFile(s.urlFile, []byte(s.SkillURL+"\n"+s.PlatformURL+"\n"+s.OpsURL+"\n"), 0o644); err != nil {
		s.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return s, nil
}

// opsAddrFor is the default operations address: DefaultOpsAddr, or a free
// port on the skill's host when the skill asked for one (":0"), so that
// sandboxes started side by side (tests) do not collide.
func opsAddrFor(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && port == "0" {
		return net.JoinHostPort(host, "0")
	}
	return DefaultOpsAddr
}

// Close shuts the skill and the platform down and closes the store.
func (s *Sandbox) Close() error {
	var errs []error
	if s.urlFile != "" {
		os.Remove(s.urlFile)
	}
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, s.srv.Shutdown(ctx))
	}
	if s.app != nil {
		errs = append(errs, s.app.Shutdown())
	}
	if s.closeApp != nil {
		errs = append(errs, s.closeApp())
	}
	return errors.Join(errs...)
}

// Done reports the first server that stopped on its own, with its error.
func (s *Sandbox) Done() <-chan error { return s.done }

// Banner is what `skill sandbox` prints on start: the URLs and a first
// command to try.
func (s *Sandbox) Banner() string {
	var created string
	if len(s.Created) > 0 {
		created = fmt.Sprintf("  dev keys:        written into %s/ (%d files, first start only)\n", filepath.Dir(s.Created[0]), len(s.Created))
	}
	return fmt.Sprintf(`Dingdang skill sandbox — the skill plus a fake Dingdang platform, all on this machine.
  simulator:       %[2]s/   ← open in a browser: a speaker, its screen, the platform's buttons
  skill:           %[1]s   (POST /skill, /pay/*, the OAuth endpoints)
  skill ops:       %[5]s   (GET /healthz, /metrics, the admin API)
  fake platform:   %[2]s   (POST /sandbox/say, /sandbox/pay, /sandbox/link; pay API under /paycgi/)
  skill id:        %[3]s
%[4]s
Try, in another terminal:
  curl -s %[2]s/sandbox/say -d '{"device":"screened","user":"alice","text":"我要买万古神帝第35集"}'
  curl -s %[2]s/sandbox/say -d '{"device":"screened","user":"alice","text":"是的"}'
  curl -s %[2]s/sandbox/pay -d '{"user":"alice"}'
  curl -s %[2]s/sandbox/link -d '{"user":"alice","account":"acct-alice"}'   # link an account
`, s.SkillURL, s.PlatformURL, s.SkillID, created, s.OpsURL)
}

// moveIt says which setting moves a listener whose address is taken.
func moveIt(err error, setting, example string) string {
	if errors.Is(err, syscall.EADDRINUSE) {
		return " (another process has it: move it with " + setting + ", e.g. " + example + ")"
	}
	return ""
}
