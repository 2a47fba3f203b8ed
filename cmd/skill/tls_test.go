package main_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 named cn, and
// its key, to certFile and keyFile, and returns the certificate.
func writeCert(t *testing.T, certFile, keyFile, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// TestTLS serves HTTPS with a self-signed certificate made here, and takes
// a new one on SIGHUP without a restart.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeCert(t, certFile, keyFile, "first")
	p := serve(t, environ(t.TempDir(), "SKILL_TLS_CERT="+certFile, "SKILL_TLS_KEY="+keyFile))
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("listening on %s, want https", p.url)
	}
	get := func(trust *x509.Certificate) (*http.Response, error) {
		pool := x509.NewCertPool()
		pool.AddCert(trust)
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		return c.Get(p.url + "/products/coins")
	}
	resp, err := get(first)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.PeerCertificates[0].Subject.CommonName != "first" {
		t.Fatalf("HTTPS GET: %d, %v", resp.StatusCode, resp.TLS)
	}
	if r, err := http.Get(strings.Replace(p.url, "https://", "http://", 1) + "/products/coins"); err == nil && r.StatusCode == 200 {
		t.Fatal("plain HTTP answered on the TLS listener")
	}

	second := writeCert(t, certFile, keyFile, "second")
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := get(second)
		if err == nil {
			resp.Body.Close()
			if resp.TLS.PeerCertificates[0].Subject.CommonName == "second" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new certificate was not served after SIGHUP: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A broken file on SIGHUP keeps the certificate in use.
	os.WriteFile(certFile, []byte("not a certificate"), 0o600)
	p.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(200 * time.Millisecond)
	if resp, err := get(second); err != nil {
		t.Fatalf("after a failed reload: %v", err)
	} else {
		resp.Body.Close()
	}
	if !strings.Contains(p.logs.String(), "tls: reload failed") {
		t.Error("the failed reload was not logged")
	}
}

// TestTrustedProxies: X-Forwarded-For and -Proto count only from
// SKILL_TRUSTED_PROXIES, in logs and in the per-client limits.
func TestTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		name, trusted, want string
	}{
		{"trusted", "10.0.0.0/8,127.0.0.1", "client_ip=203.0.113.5 scheme=https"},
		{"untrusted", "10.0.0.0/8", "client_ip=127.0.0.1 scheme=http"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := serve(t, environ(t.TempDir(), "SKILL_TRUSTED_PROXIES="+tt.trusted))
			req := mustGet(t, p.url+"/products/coins")
			req.Header.Set("X-Forwarded-For", "198.51.100.9, 203.0.113.5")
			req.Header.Set("X-Forwarded-Proto", "https")
			if r := do(t, req); r.status != 200 {
				t.Fatalf("GET: %d", r.status)
			}
			deadline := time.Now().Add(2 * time.Second)
			for !strings.Contains(p.logs.String(), "route=/products/:id") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !strings.Contains(p.logs.String(), tt.want) {
				t.Fatalf("no %q in the access line:\n%s", tt.want, p.logs.String())
			}
		})
	}
	_, errOut, code := cli(t, environ(t.TempDir(), "SKILL_TRUSTED_PROXIES=10.0.0.0/33"), "serve")
	if code != 2 || !strings.HasPrefix(errOut, "skill: SKILL_TRUSTED_PROXIES: ") {
		t.Fatalf("bad CIDR: exit %d, %q", code, errOut)
	}
}
