// Command testprogress prints `go test -json` as it goes: each package's
// ok/FAIL line the moment the package finishes (in whatever order they
// finish, unlike go test, which holds results back to print them in
// order), the whole output of a package that failed, build errors, a line
// every 30 seconds naming what still runs (a cold first run compiles for
// minutes and must not look hung), and a closing count of tests.
//
//	go test -json ./... | go run ./internal/testprogress
//
// It exits 1 if any package or build failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
}

// progress is the state of the run.
type progress struct {
	mu       sync.Mutex
	out      io.Writer
	start    time.Time
	running  map[string]bool
	output   map[string][]string // each package's output so far
	done     int
	failed   bool
	passed   int // tests and subtests
	failures int
	skipped  int
}

func main() {
	p := &progress{out: os.Stdout, start: time.Now(), running: map[string]bool{}, output: map[string][]string{}}
	stop := make(chan struct{})
	go p.heartbeat(30*time.Second, stop)
	err := p.read(os.Stdin)
	close(stop)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		os.Exit(1)
	}
	if p.failed {
		os.Exit(1)
	}
}

// read handles the events until the end of input and prints the count.
func (p *progress) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			p.print(sc.Text() + "\n") // not an event: go vet or go itself speaking
			continue
		}
		p.handle(e)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "tests: %d passed, %d failed, %d skipped (%d packages in %s)\n",
		p.passed, p.failures, p.skipped, p.done, time.Since(p.start).Round(time.Second))
	return sc.Err()
}

func (p *progress) print(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.out, s)
}

// handle takes one event.
func (p *progress) handle(e event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Action {
	case "build-output":
		io.WriteString(p.out, e.Output)
		return
	case "build-fail":
		p.failed = true
		return
	case "start":
		p.running[e.Package] = true
		return
	case "output":
		p.output[e.Package] = append(p.output[e.Package], e.Output)
		return
	}
	if e.Test != "" {
		switch e.Action {
		case "pass":
			p.passed++
		case "fail":
			p.failures++
		case "skip":
			p.skipped++
		}
		return
	}
	switch e.Action {
	case "pass", "skip":
		p.finish(e.Package, false)
	case "fail":
		p.failed = true
		p.finish(e.Package, true)
	}
}

// finish prints a finished package: its summary lines, or everything it
// said when it failed. Callers hold p.mu.
func (p *progress) finish(pkg string, failed bool) {
	delete(p.running, pkg)
	p.done++
	lines := p.output[pkg]
	delete(p.output, pkg)
	for _, l := range lines {
		summary := strings.HasPrefix(l, "ok  \t") || strings.HasPrefix(l, "FAIL\t") || strings.HasPrefix(l, "?   \t")
		if failed || summary {
			io.WriteString(p.out, l)
		}
	}
}

// heartbeat names what still runs every period until stop.
func (p *progress) heartbeat(period time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		var names []string
		for pkg := range p.running {
			names = append(names, pkg[strings.LastIndex(pkg, "/")+1:])
		}
		slices.Sort(names)
		what := "compiling"
		if len(names) > 0 {
			what = "running " + strings.Join(names, ", ")
		}
		fmt.Fprintf(p.out, "… %s: %d packages done, %s\n", time.Since(p.start).Round(time.Second), p.done, what)
		p.mu.Unlock()
	}
}
