// Package archtest keeps the house honest: it fails when an import breaks one
// of the dependency principles of STYLE.md. The principles are stated once,
// below, and hold for every package; there is no list of exceptions.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/dingdang-voicepay/voicepay"

// core is the domain package: it imports only the standard library.
const core = mod + "/shop"

// adapterLibs are the outside systems' client libraries; each belongs to the
// one adapter package named for it, and only programs wire that adapter.
var adapterLibs = map[string]string{
	"github.com/gofiber/fiber":            mod + "/server",
	"github.com/valyala/fasthttp":         mod + "/server",
	"github.com/redis/go-redis":           mod + "/store/redis",
	"go.etcd.io/bbolt":                    mod + "/store/bolt",
	"github.com/skip2/go-qrcode":          mod + "/qr",
	"github.com/prometheus/client_golang": mod + "/metrics",
	"github.com/prometheus/common":        mod + "/metrics",
}

type pkg struct {
	ImportPath string
	Name       string
	Imports    []string
}

func listPackages(t *testing.T, pattern string) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", pattern).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list %s found no packages", pattern)
	}
	return pkgs
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func isOurs(path string) bool { return path == mod || strings.HasPrefix(path, mod+"/") }

// isTestHelper reports whether path is a test helper package: its last
// element ends in "test" (httptest-style).
func isTestHelper(path string) bool {
	return strings.HasSuffix(path[strings.LastIndex(path, "/")+1:], "test")
}

// adapterOf returns the adapter package that owns an outside library, if imp is one.
func adapterOf(imp string) (string, bool) {
	for lib, owner := range adapterLibs {
		if imp == lib || strings.HasPrefix(imp, lib+"/") {
			return owner, true
		}
	}
	return "", false
}

func TestImportPrinciples(t *testing.T) {
	pkgs := listPackages(t, mod+"/...")
	adapters := map[string]bool{}
	for _, owner := range adapterLibs {
		adapters[owner] = true
	}
	for _, p := range pkgs {
		program := p.Name == "main"
		for _, imp := range p.Imports {
			// 1. The core imports only the standard library.
			if p.ImportPath == core && !isStd(imp) {
				t.Errorf("core %s imports %s; it may import only the standard library", p.ImportPath, imp)
			}
			// 2. The wire protocol imports only the standard library and the core.
			if p.ImportPath == mod+"/skill/tsk" && !isStd(imp) && imp != core {
				t.Errorf("wire protocol %s imports %s; it may import only the standard library and the core", p.ImportPath, imp)
			}
			// 3. An outside system's library is imported only by its adapter
			// (and by programs, which measure or wire it).
			if owner, ok := adapterOf(imp); ok && !program && p.ImportPath != owner {
				t.Errorf("%s imports %s; only %s speaks to it", p.ImportPath, imp, owner)
			}
			// 4. Adapters are wired together only by programs.
			if adapters[imp] && !program && !isTestHelper(p.ImportPath) {
				t.Errorf("%s imports the adapter %s; only programs (package main) wire adapters", p.ImportPath, imp)
			}
			// 5. The tree reads in the import direction: no package imports
			// one whose folder holds it, except a …test helper beside what it fakes.
			if isOurs(imp) && strings.HasPrefix(p.ImportPath, imp+"/") {
				parent := p.ImportPath[:strings.LastIndex(p.ImportPath, "/")]
				if !(isTestHelper(p.ImportPath) && parent == imp) {
					t.Errorf("%s imports %s, the package whose folder holds it", p.ImportPath, imp)
				}
			}
			// 6. Only test helpers import testing or other test helpers.
			if !isTestHelper(p.ImportPath) && (imp == "testing" || isOurs(imp) && isTestHelper(imp)) {
				t.Errorf("%s imports %s; only _test.go files and …test helpers may", p.ImportPath, imp)
			}
		}
		// 7. Import paths never stutter.
		elems := strings.Split(strings.TrimPrefix(p.ImportPath, mod+"/"), "/")
		for i := 1; i < len(elems); i++ {
			if elems[i] == elems[i-1] {
				t.Errorf("import path %s stutters", p.ImportPath)
			}
		}
	}
}

// TestBinaryHasNoTestCode checks what the shipped binary links: no
// JSON-Schema validator, no …test package, and no package of ours that
// imports testing. (The testing package itself is linked, through
// github.com/gofiber/fiber/v2/utils, whose assertion helpers take a
// testing.TB: no code of ours can keep it out while the server speaks fiber
// v2, so the principle is that none of ours brings it in.)
func TestBinaryHasNoTestCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json", mod+"/cmd/skill").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		dep := p.ImportPath
		if strings.Contains(dep, "santhosh-tekuri/jsonschema") || isOurs(dep) && isTestHelper(dep) {
			t.Errorf("cmd/skill links %s", dep)
		}
		for _, imp := range p.Imports {
			if imp == "testing" && isOurs(dep) {
				t.Errorf("cmd/skill links %s, which imports testing", dep)
			}
		}
	}
}
