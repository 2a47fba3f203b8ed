// Command skill runs and administers the Dingdang voice-commerce skill.
//
//	skill serve                          serve /skill, /pay/*, /qr, /admin on SKILL_ADDR
//	skill sandbox                        the skill next to a fake platform (make run)
//	skill replay [--run RE] [FILES]      play utterance fixtures, diff the answers
//	skill dialog [--url URL]             talk to the skill at a prompt; record fixtures
//	skill trigger EVENT [--order T]      send one signed platform call; print it and the reply
//	skill keygen [--out DIR] [--force]   make our RSA key pair; print the SkillPublicKey
//	skill admin-token [--ttl 1h] [--operator NAME]  print a token for the admin API
//	skill orders list [--user U | --account A] [--state S] [--limit N] [--json]
//	skill orders show TRADENO [--json]
//	skill orders attention [--json]      what the reconciler cannot settle by itself
//	skill refund TRADENO [--amount FEN] [--reason TEXT] [--json]
//	skill reconcile [--once]             settle what the platform's callbacks missed
//	skill version                        the module version, VCS revision and Go version
//
// Every setting is an environment variable with a matching flag; the flag
// wins (see config.go, or `skill serve --help`). Every command takes every
// setting; `skill CMD --help` lists its own options and the settings it
// uses (help.go). orders and refund use the admin
// API of a running server with --server URL, or the store directly without
// it. Configuration errors stop the command with one line naming the
// setting, and exit status 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// env is what a subcommand may touch of the process.
type env struct {
	stdin          io.Reader // nil: nothing to read
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand: one file each.
type command struct {
	name    string
	args    string // its usage after "skill NAME", flags as [flags]
	summary string // one line
	// settings are the settings (config.go, by flag name) the command
	// uses, which its --help lists; every command takes all of them.
	settings []string
	// more is a paragraph of its --help after the settings, if any.
	more string
	run  func(ctx context.Context, e *env, args []string) error
}

// Settings several commands use, by flag name.
var (
	// adminSettings reach the admin API of a running server, or of a
	// sandbox running on the data directory.
	adminSettings = []string{"data", "admin-secret", "token"}
	// storeSettings open the store.
	storeSettings = []string{"data", "redis-url", "redis-min-replicas", "redis-replica-timeout", "session-redis-url", "session-memory"}
	// platformSettings play the platform against a running skill: its keys
	// and secrets, found in the sandbox's data directory by default.
	platformSettings = []string{"data", "skill-id", "catalog", "private-key", "secret", "admin-secret"}
)

// Notes of the commands that may build the skill in this process.
const (
	inProcessNote = "Without --url the skill is built in this process, in a temporary directory, as `skill sandbox` " +
		"builds it, and takes the sandbox's other settings too (skill sandbox --help)."
	directRefundNote = "Without --server, and with no sandbox running on --data, the refund is made in this process " +
		"with the store, keys and platform `skill serve` would use, and takes all its settings (skill serve --help)."
)

// commands is THE list of subcommands. Adding one is one file and one entry.
func commands() []command {
	return []command{
		{name: "serve", args: "[flags]", summary: "serve the skill over HTTP until SIGINT or SIGTERM",
			settings: allSettings(), run: runServe},
		{name: "sandbox", args: "[--platform-addr ADDR] [--hmac] [flags]", summary: "the skill next to a fake Dingdang platform on 127.0.0.1 (make run)",
			settings: sandboxSettings(), run: runSandbox,
			more: "The sandbox sets the platform and public URLs, the keys and secrets, the OAuth client and SKILL_DEV=1 itself."},
		{name: "replay", args: "[--url URL] [--run PATTERN] [--update] [FILES or DIRS] [flags]", summary: "play utterance fixtures against the skill and diff the answers",
			settings: platformSettings, run: runReplay, more: inProcessNote},
		{name: "dialog", args: "[--url URL] [--user U] [--device KIND] [flags]", summary: "talk to the skill at a prompt; :pay, :record FILE writes a fixture",
			settings: platformSettings, run: runDialog, more: inProcessNote},
		{name: "trigger", args: "create-order|ship-notify|refund-notify|connections-response [--order TRADENO] [flags]",
			summary:  "send one signed platform call to a running skill; print it, the reply and the reply's signature check",
			settings: append([]string{"addr", "ops-addr", "token"}, platformSettings...), run: runTrigger},
		{name: "keygen", args: "[--out DIR] [--force]", summary: "write a 2048-bit RSA key pair; print the public key for the platform",
			settings: []string{"data"}, run: runKeygen},
		{name: "admin-token", args: "[--ttl 1h] [--operator NAME]", summary: "print a JWT for the admin API (SKILL_ADMIN_SECRET), 24h at most",
			settings: []string{"admin-secret"}, run: runAdminToken},
		{name: "orders", args: "list|show TRADENO|attention [--server URL] [flags]", summary: "list orders, show one, or list what needs a person",
			settings: append([]string{"admin-secret", "token", "payment-window"}, storeSettings...), run: runOrders,
			more: "Without --server, and with no sandbox running on --data, it reads the store directly."},
		{name: "refund", args: "TRADENO [--amount FEN] [--reason TEXT] [--json] [--server URL] [flags]", summary: "refund an order (amount 0: all that is left)",
			settings: adminSettings, run: runRefund, more: directRefundNote},
		{name: "reconcile", args: "[--once] [flags]", summary: "ask the platform about unsettled orders and refunds",
			settings: reconcileSettings(), run: runReconcile},
		{name: "version", summary: "print the module version, VCS revision and Go version (also --version)", run: runVersion},
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
}

// run dispatches to the subcommand and turns its error into an exit status:
// 0 on success, 2 for usage and configuration errors, 1 otherwise (a
// store that could not be reached at start among them: a supervisor
// restarts on 1, and gives up on 2).
func run(ctx context.Context, args []string, e *env) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args[0] = "version"
	}
	if len(args) > 1 && args[0] == "help" { // skill help CMD
		args = []string{args[1], "--help"}
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 0 {
			usage(e.stderr)
			return 2
		}
		usage(e.stdout)
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "skill: unknown command %q\n", args[0])
		usage(e.stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	var se *settingError
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "skill %s: %v\n%s(skill %s --help says more)\n", c.name, err, c.usageLine(), c.name)
		return 2
	case errors.As(err, &se):
		fmt.Fprintf(e.stderr, "skill: %v\n", se)
		if se.down {
			return 1
		}
		return 2
	default:
		fmt.Fprintf(e.stderr, "skill %s: %v\n", c.name, err)
		return 1
	}
}

// lookup finds a subcommand by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usageError is a wrong command line.
type usageError string

// Error returns the message.
func (u usageError) Error() string { return string(u) }

// usage lists the commands, one line each.
func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: skill <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\n`skill <command> --help` shows its arguments, its options and the settings it uses;\n" +
		"`skill serve --help` lists every setting. Each setting is an environment variable\n" +
		"with a matching flag (the flag wins).\n")
	io.WriteString(w, b.String())
}

// newFlags returns a flag set for a subcommand. It prints nothing: a
// mistake comes back from parse as a usageError, and --help makes parse
// print the command's help (help.go).
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("skill "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseNoArgs is parse for a subcommand that takes flags only.
func parseNoArgs(e *env, fs *flag.FlagSet, args []string) (config, error) {
	cfg, pos, err := parse(e, fs, args)
	if err == nil && len(pos) > 0 {
		err = usageError("unexpected argument " + pos[0])
	}
	return cfg, err
}

// parse loads the configuration and the subcommand's own flags from args.
func parse(e *env, fs *flag.FlagSet, args []string) (config, []string, error) {
	cfg, pos, err := loadConfig(fs, args, e.getenv)
	return cfg, pos, flagError(e, fs, err)
}

// flagError is the error of parsing fs: on --help it prints the command's
// help to stdout and returns flag.ErrHelp (exit status 0); any other error
// is a usageError.
func flagError(e *env, fs *flag.FlagSet, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		if c, ok := lookup(strings.TrimPrefix(fs.Name(), "skill ")); ok {
			c.help(e.stdout, fs)
		}
		return err
	}
	return usageError(err.Error())
}
