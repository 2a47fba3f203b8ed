package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// What `skill CMD --help` prints: the usage line, the summary, the
// command's own options, then the settings it uses (command.settings) and a
// pointer to `skill serve --help` for the others. Every command still takes
// every setting, from its flag or its variable, as before: the help only
// leaves out those it has no use for.

// usageLine is "usage: skill NAME ARGS\n".
func (c command) usageLine() string {
	return strings.TrimRight("usage: skill "+c.name+" "+c.args, " ") + "\n"
}

// help writes the command's help; fs holds its flags and the settings'.
func (c command) help(w io.Writer, fs *flag.FlagSet) {
	isSetting := map[string]bool{}
	for _, name := range allSettings() {
		isSetting[name] = true
	}
	var own, settings []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		switch {
		case !isSetting[f.Name]:
			own = append(own, f)
		case slices.Contains(c.settings, f.Name):
			settings = append(settings, f)
		}
	})
	// The settings in the order of the table, related ones together.
	order := allSettings()
	slices.SortStableFunc(settings, func(a, b *flag.Flag) int {
		return slices.Index(order, a.Name) - slices.Index(order, b.Name)
	})

	var b strings.Builder
	b.WriteString(c.usageLine())
	b.WriteString("\n" + strings.ToUpper(c.summary[:1]) + c.summary[1:] + ".\n")
	if len(own) > 0 {
		b.WriteString("\nOptions:\n")
		writeFlags(&b, own)
	}
	if len(settings) > 0 {
		b.WriteString("\nSettings it uses (each also an environment variable; the flag wins):\n")
		writeFlags(&b, settings)
	}
	if c.more != "" {
		b.WriteString("\n" + c.more + "\n")
	}
	if c.name != "serve" && len(c.settings) > 0 {
		b.WriteString("\n`skill serve --help` lists every setting.\n")
	}
	io.WriteString(w, b.String())
}

// writeFlags writes flags as flag.PrintDefaults does, with two dashes.
func writeFlags(b *strings.Builder, flags []*flag.Flag) {
	for _, f := range flags {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(b, "  --%s", f.Name)
		if name != "" {
			b.WriteString(" " + name)
		}
		b.WriteString("\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "0", "false":
		default:
			if name == "string" {
				fmt.Fprintf(b, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(b, " (default %s)", f.DefValue)
			}
		}
		b.WriteString("\n")
	}
}

// allSettings is the flag name of every setting, in the table's order.
func allSettings() []string {
	var c config
	var names []string
	for _, s := range c.settings() {
		names = append(names, s.flag)
	}
	return names
}

// sandboxSettings are the settings the sandbox uses: the server's but for
// those it sets itself and those of serve's listeners alone.
func sandboxSettings() []string {
	return slices.DeleteFunc(allSettings(), func(name string) bool {
		return slices.Contains([]string{"drain", "tls-cert", "tls-key", "platform-url", "public-url", "secret",
			"tsk-public-key", "private-key", "oauth-client-id", "oauth-client-secret", "oauth-redirect-uris", "dev", "token"}, name)
	})
}

// reconcileSettings are the settings `skill reconcile` uses: it builds the
// skill as serve does, without its listeners.
func reconcileSettings() []string {
	return slices.DeleteFunc(allSettings(), func(name string) bool {
		return slices.Contains([]string{"ops-addr", "drain", "tls-cert", "tls-key", "token"}, name)
	})
}
