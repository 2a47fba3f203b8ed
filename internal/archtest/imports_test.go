// Package archtest keeps the house honest: it fails when an import breaks the
// dependency rules of STYLE.md (core imports only the standard library; only
// the server imports fiber; only the Redis adapter imports go-redis; adapters
// do not import each other).
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/dingdang-voicepay/voicepay"

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", mod+"/...").Output()
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
	return pkgs
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestImportRules(t *testing.T) {
	// Which packages each import may appear in. A prefix of "" matches all.
	onlyIn := map[string][]string{
		"github.com/gofiber/fiber":    {mod + "/server", mod + "/internal/loadbench"},
		"github.com/valyala/fasthttp": {mod + "/server"},
		"github.com/redis/go-redis":   {mod + "/store/redis"},
		"go.etcd.io/bbolt":            {mod + "/store/bolt"},
		"github.com/skip2/go-qrcode":  {mod + "/qr"},
		mod + "/store/redis":          {mod + "/cmd/"},
		mod + "/store/bolt":           {mod + "/cmd/", mod + "/internal/apptest", mod + "/store/"},
		mod + "/server":               {mod + "/cmd/", mod + "/internal/loadbench", mod + "/internal/apptest", mod + "/server"},
		// Renderers are picked by device kind, in package device only.
		mod + "/device/screen":   {mod + "/device"},
		mod + "/device/headless": {mod + "/device"},
	}
	pkgs := listPackages(t)
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if p.ImportPath == mod+"/shop" && !isStd(imp) {
				t.Errorf("core package skill imports %s; it may import only the standard library", imp)
			}
			if p.ImportPath == mod+"/skill/tsk" && !isStd(imp) && imp != mod+"/shop" {
				t.Errorf("wire package skill/tsk imports %s; it may import only the standard library and the core", imp)
			}
			for prefix, allowed := range onlyIn {
				if !strings.HasPrefix(imp, prefix) {
					continue
				}
				ok := false
				for _, a := range allowed {
					if strings.HasPrefix(p.ImportPath, a) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s imports %s; only %v may", p.ImportPath, imp, allowed)
				}
			}
		}
	}
}
