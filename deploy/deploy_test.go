// Package deploy holds the deployment files (Dockerfile at the root,
// compose.yaml, skill.service, k8s/) and the tests of what can run without
// a container daemon: the static build, the systemd unit, and that the
// manifests parse and say what they must.
package deploy_test

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestStaticBuild builds the skill as the Dockerfile does (CGO_ENABLED=0)
// and checks the binary needs no dynamic loader, so it runs on distroless
// or scratch.
func TestStaticBuild(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "skill")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "../cmd/skill")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF binary here: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary asks for a dynamic loader (PT_INTERP): not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("the binary links %v", libs)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.Contains(string(out), "module   github.com/dingdang-voicepay/voicepay") {
		t.Fatalf("the static binary's version: %v\n%s", err, out)
	}
}

// TestDockerfile checks the conventions the image depends on.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "FROM gcr.io/distroless/static", "USER nonroot", "EXPOSE 8080 9090", `ENTRYPOINT ["/skill"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Count(df, "\nFROM ") < 1 || !strings.HasPrefix(strings.TrimSpace(df[strings.Index(df, "FROM"):]), "FROM golang:") {
		t.Error("Dockerfile is not a multi-stage build from a Go image")
	}
}

// TestSystemdUnit runs systemd-analyze verify on the unit, with ExecStart
// pointing at a binary that exists here.
func TestSystemdUnit(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	raw, err := os.ReadFile("skill.service")
	if err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no true(1) to stand in for the binary")
	}
	unit := strings.Replace(string(raw), "ExecStart=/usr/local/bin/skill", "ExecStart="+bin, 1)
	path := filepath.Join(t.TempDir(), "skill.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// decodeAll parses every YAML document of a file.
func decodeAll(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

// get walks a parsed YAML value by map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// TestKubernetesManifests: every document parses and has a kind; the
// Deployment runs two non-root replicas with both probes on the ops port.
func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	kinds := map[string]bool{}
	for _, path := range files {
		for _, d := range decodeAll(t, path) {
			kind, _ := d["kind"].(string)
			if kind == "" || d["apiVersion"] == nil || get(d, "metadata", "name") == nil {
				t.Errorf("%s: a document without kind, apiVersion or name: %v", path, d)
			}
			kinds[kind] = true
			if kind != "Deployment" {
				continue
			}
			if get(d, "spec", "replicas") != 2 {
				t.Errorf("replicas = %v, want 2", get(d, "spec", "replicas"))
			}
			if get(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
				t.Error("the pod may run as root")
			}
			c := get(d, "spec", "template", "spec", "containers", 0)
			ops := false
			for _, p := range get(c, "ports").([]any) {
				if get(p, "name") == "ops" && get(p, "containerPort") == 9090 {
					ops = true
				}
			}
			if !ops {
				t.Error("no container port named ops on 9090")
			}
			for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
				if get(c, probe, "httpGet", "port") != "ops" || get(c, probe, "httpGet", "path") != path {
					t.Errorf("%s = %v, want GET %s on the ops port", probe, get(c, probe), path)
				}
			}
		}
	}
	for _, k := range []string{"Deployment", "Service"} {
		if !kinds[k] {
			t.Errorf("no %s in the manifests", k)
		}
	}
}

// TestCompose: Redis appends and fsyncs every write, two skill replicas,
// and a TLS-terminating proxy in front; the ops port is not published.
func TestCompose(t *testing.T) {
	docs := decodeAll(t, "compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	c := docs[0]
	cmd := strings.Join(asStrings(get(c, "services", "redis", "command")), " ")
	if !strings.Contains(cmd, "--appendonly yes") || !strings.Contains(cmd, "--appendfsync always") {
		t.Errorf("redis command %q: want --appendonly yes --appendfsync always", cmd)
	}
	if get(c, "services", "skill", "deploy", "replicas") != 2 {
		t.Errorf("skill replicas = %v, want 2", get(c, "services", "skill", "deploy", "replicas"))
	}
	if get(c, "services", "skill", "ports") != nil {
		t.Error("the skill publishes ports itself; only the proxy should")
	}
	proxy := get(c, "services", "proxy")
	if proxy == nil || !strings.Contains(strings.Join(asStrings(get(proxy, "ports")), " "), "443:443") {
		t.Errorf("proxy = %v, want one publishing 443", proxy)
	}
	env := get(c, "services", "skill", "environment")
	if get(env, "SKILL_REDIS_URL") == nil || get(env, "SKILL_TRUSTED_PROXIES") == nil {
		t.Errorf("skill environment %v lacks SKILL_REDIS_URL or SKILL_TRUSTED_PROXIES", env)
	}
}

func asStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
