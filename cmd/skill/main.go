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
//	skill orders show TRADENO
//	skill orders attention [--json]      what the reconciler cannot settle by itself
//	skill refund TRADENO [--amount FEN] [--reason TEXT]
//	skill reconcile [--once]             settle what the platform's callbacks missed
//	skill version                        the module version, VCS revision and Go version
//
// Every setting is an environment variable with a matching flag; the flag
// wins (see config.go, or `skill serve -h`). orders and refund use the admin
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
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) error
}

// commands is THE list of subcommands. Adding one is one file and one line.
func commands() []command {
	return []command{
		{"serve", "", "serve the skill over HTTP until SIGINT or SIGTERM", runServe},
		{"sandbox", "[--platform-addr ADDR] [--hmac]", "the skill next to a fake Dingdang platform on 127.0.0.1 (make run)", runSandbox},
		{"replay", "[--url URL] [--run PATTERN] [--update] [FILES or DIRS]", "play utterance fixtures against the skill and diff the answers", runReplay},
		{"dialog", "[--url URL] [--user U] [--device KIND]", "talk to the skill at a prompt; :pay, :record FILE writes a fixture", runDialog},
		{"trigger", "EVENT --order TRADENO [--url URL]", "send a signed create-order, ship-notify, refund-notify or connections-response", runTrigger},
		{"keygen", "[--out DIR] [--force]", "write a 2048-bit RSA key pair; print the public key for the platform", runKeygen},
		{"admin-token", "[--ttl 1h] [--operator NAME]", "print a JWT for the admin API (SKILL_ADMIN_SECRET), 24h at most", runAdminToken},
		{"orders", "list|show [TRADENO]|attention [--server URL]", "list orders or show one", runOrders},
		{"refund", "TRADENO [--amount FEN] [--reason TEXT] [--server URL]", "refund an order (amount 0: all that is left)", runRefund},
		{"reconcile", "[--once]", "ask the platform about unsettled orders and refunds", runReconcile},
		{"version", "", "print the module version, VCS revision and Go version (also --version)", runVersion},
	}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
}

// run dispatches to the subcommand and turns its error into an exit status:
// 0 on success, 2 for usage and configuration errors, 1 otherwise.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args[0] = "version"
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
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
			fmt.Fprintf(e.stderr, "skill %s: %v\nusage: skill %s %s\n", c.name, err, c.name, c.args)
			return 2
		case errors.As(err, &se):
			fmt.Fprintf(e.stderr, "skill: %v\n", se)
			return 2
		default:
			fmt.Fprintf(e.stderr, "skill %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "skill: unknown command %q\n", args[0])
	usage(e.stderr)
	return 2
}

// usageError is a wrong command line.
type usageError string

// Error returns the message.
func (u usageError) Error() string { return string(u) }

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: skill <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-12s %s\n", c.name, c.summary)
	}
	b.WriteString("\nEvery setting is an environment variable with a matching flag (the flag wins);\n" +
		"`skill <command> -h` lists them.\n")
	io.WriteString(w, b.String())
}

// newFlags returns a flag set for a subcommand that reports errors as
// usageError and writes help to e.stderr.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("skill "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
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
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, nil, err
		}
		return cfg, nil, usageError(err.Error())
	}
	return cfg, pos, nil
}
