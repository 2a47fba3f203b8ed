// Package buildinfo reads what the Go toolchain recorded in the binary: the
// module's version, the VCS revision it was built from, and the Go version.
// `skill version` prints it and the metrics carry it (voicepay_build_info).
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Unknown stands for what the binary does not record (a build without VCS
// stamping, such as `go build -buildvcs=false`, or `go run`).
const Unknown = "unknown"

// Info is what a binary says about its build.
type Info struct {
	Path      string // the main module's path
	Version   string // the main module's version ("(devel)" for a local build)
	Revision  string // the VCS revision, with "-dirty" when modified
	Time      string // the revision's commit time (RFC 3339)
	GoVersion string // the Go version that built it
}

// Read returns the running binary's build information; what it does not
// record is Unknown.
func Read() Info {
	in := Info{Path: Unknown, Version: Unknown, Revision: Unknown, Time: Unknown, GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return in
	}
	in.Path, in.GoVersion = bi.Main.Path, bi.GoVersion
	if bi.Main.Version != "" {
		in.Version = bi.Main.Version
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && in.Revision != Unknown {
		in.Revision += "-dirty"
	}
	return in
}
