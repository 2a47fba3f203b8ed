package main

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// certs serves the public listener's TLS certificate (SKILL_TLS_CERT,
// SKILL_TLS_KEY), read again from the files on SIGHUP so a renewed
// certificate is taken without a restart. A reload that fails keeps the
// certificate in use and logs why.
type certs struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// loadCerts reads the certificate and key named by the configuration; nil
// when neither is set.
func (c config) loadCerts() (*certs, error) {
	switch {
	case c.TLSCert == "" && c.TLSKey == "":
		return nil, nil
	case c.TLSCert == "":
		return nil, badSetting("SKILL_TLS_CERT", "not set, but SKILL_TLS_KEY is (set both, or neither)")
	case c.TLSKey == "":
		return nil, badSetting("SKILL_TLS_KEY", "not set, but SKILL_TLS_CERT is (set both, or neither)")
	}
	cs := &certs{certFile: c.TLSCert, keyFile: c.TLSKey}
	if err := cs.load(); err != nil {
		return nil, badSetting("SKILL_TLS_CERT", "%v", err)
	}
	return cs, nil
}

// load reads the files into the certificate in use.
func (cs *certs) load() error {
	cert, err := tls.LoadX509KeyPair(cs.certFile, cs.keyFile)
	if err != nil {
		return err
	}
	cs.cur.Store(&cert)
	return nil
}

// listener wraps ln in TLS with the current certificate.
func (cs *certs) listener(ln net.Listener) net.Listener {
	return tls.NewListener(ln, &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return cs.cur.Load(), nil
		},
	})
}

// notifyHUP catches SIGHUP from now on: called before the server says
// it is listening, so that no SIGHUP finds its default action (the end of
// the process, undrained).
func notifyHUP() chan os.Signal {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return hup
}

// reloadOnHUP reloads the certificate on each SIGHUP on hup until ctx is
// done.
func (cs *certs) reloadOnHUP(ctx context.Context, log *slog.Logger, hup chan os.Signal) {
	onHUP(ctx, hup, func() {
		if err := cs.load(); err != nil {
			log.Error("tls: reload failed, keeping the certificate in use", "cert", cs.certFile, "err", err)
			return
		}
		log.Info("tls: certificate reloaded", "cert", cs.certFile)
	})
}

// onHUP calls fn for each SIGHUP on hup until ctx is done.
func onHUP(ctx context.Context, hup chan os.Signal, fn func()) {
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			fn()
		}
	}
}

// ignoreHUP answers SIGHUP (on hup) without a certificate to reload (a systemd
// reload, a closed terminal) with a log line, until ctx is done: its
// default action would stop the server without draining.
func ignoreHUP(ctx context.Context, log *slog.Logger, hup chan os.Signal) {
	onHUP(ctx, hup, func() { log.Info("SIGHUP: nothing to reload (no SKILL_TLS_CERT)") })
}
