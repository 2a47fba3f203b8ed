package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// keyBits is the size of generated keys, as the platform asks
// (`openssl genrsa 2048`).
const keyBits = 2048

// runKeygen writes a new RSA key pair into the data directory (or --out):
// skill_private.pem (PKCS#1, mode 0600) and skill_public.pem (PKIX). It
// refuses to overwrite either without --force, and prints the public key the
// way the platform's console wants it: base64 DER on one line, no armour.
func runKeygen(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "keygen")
	out := fs.String("out", "", "`DIR` to write the keys to (default: the data directory)")
	force := fs.Bool("force", false, "overwrite existing key files")
	cfg, err := parseNoArgs(e, fs, args)
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = cfg.Data
	}
	privPath, pubPath := filepath.Join(dir, privateKeyFile), filepath.Join(dir, publicKeyFile)
	if !*force {
		for _, p := range []string{privPath, pubPath} {
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s exists; use --force to replace it (the platform must then get the new public key)", p)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return err
	}
	if err := writeKeyFile(privPath, tsk.PrivateKeyPEM(key), 0o600, *force); err != nil {
		return err
	}
	if err := writeKeyFile(pubPath, tsk.PublicKeyPEM(&key.PublicKey), 0o644, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (keep it secret) and %s\nSkillPublicKey for the platform's console:\n", privPath, pubPath)
	fmt.Fprintln(e.stdout, tsk.PublicKeyBase64(&key.PublicKey))
	return nil
}

// writeKeyFile writes data with the mode, never following an existing file
// unless force; with force the file is replaced, and its mode reset.
func writeKeyFile(path string, data []byte, mode os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	f, err := os.OpenFile(path, flags, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, mode) // the umask may have narrowed it; never widen 0600
}
