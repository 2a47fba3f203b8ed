package main

import (
	"context"
	"fmt"

	"github.com/dingdang-voicepay/voicepay/internal/buildinfo"
)

// runVersion prints what the binary records of its build: the module and
// its version, the VCS revision and time it was built from, and the Go
// version (`skill version`, `skill --version`).
func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version")
	if err := flagError(e, fs, fs.Parse(args)); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument " + fs.Arg(0))
	}
	in := buildinfo.Read()
	fmt.Fprintf(e.stdout, "skill %s\nmodule   %s\nrevision %s\ntime     %s\ngo       %s\n",
		in.Version, in.Path, in.Revision, in.Time, in.GoVersion)
	return nil
}
