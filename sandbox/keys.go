package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// Key files written under the data directory on first start.
const (
	SkillKeyFile    = "skill_private.pem"            // the skill's pair (where `skill keygen` writes it)
	SkillPubFile    = "skill_public.pem"             // its public half
	PlatformKeyFile = "sandbox_platform_private.pem" // the sandbox platform's pair
	PlatformPubFile = "sandbox_platform_public.pem"  // its public half (the skill's TSK public key)
	SecretFile      = "sandbox_hmac_secret"          // the HMAC SkillSecret the two share (and, by default, the admin secret)
	URLFile         = "sandbox_url"                  // the skill's URL, the platform's and the skill's ops URL, a line each, while the sandbox runs
)

// Keys are the development keys of a sandbox: the skill's RSA pair, the
// fake platform's RSA pair and the HMAC secret they share. They are for a
// developer's machine only.
type Keys struct {
	Skill    *rsa.PrivateKey
	Platform *rsa.PrivateKey
	Secret   tsk.Secret
}

// LoadOrCreateKeys reads the keys from dir, generating and writing any that
// are missing (2048-bit RSA, a 32-byte hex secret). created lists the files
// written.
func LoadOrCreateKeys(dir string) (k Keys, created []string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return k, nil, fmt.Errorf("sandbox: keys: %w", err)
	}
	pair := func(priv, pub string, public func(*rsa.PrivateKey) []byte) (*rsa.PrivateKey, error) {
		path := filepath.Join(dir, priv)
		key, err := tsk.LoadPrivateKey(path)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, tsk.PrivateKeyPEM(key), 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, pub), public(key), 0o644); err != nil {
			return nil, err
		}
		created = append(created, path, filepath.Join(dir, pub))
		return key, nil
	}
	if k.Skill, err = pair(SkillKeyFile, SkillPubFile, func(key *rsa.PrivateKey) []byte {
		return tsk.PublicKeyPEM(&key.PublicKey)
	}); err != nil {
		return k, created, fmt.Errorf("sandbox: skill key: %w", err)
	}
	if k.Platform, err = pair(PlatformKeyFile, PlatformPubFile, func(key *rsa.PrivateKey) []byte {
		return tsk.PublicKeyPEM(&key.PublicKey)
	}); err != nil {
		return k, created, fmt.Errorf("sandbox: platform key: %w", err)
	}
	path := filepath.Join(dir, SecretFile)
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		k.Secret = tsk.Secret(strings.TrimSpace(string(raw)))
	case errors.Is(err, fs.ErrNotExist):
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return k, created, err
		}
		k.Secret = tsk.Secret(hex.EncodeToString(b[:]))
		if err := os.WriteFile(path, []byte(string(k.Secret)+"\n"), 0o600); err != nil {
			return k, created, fmt.Errorf("sandbox: secret: %w", err)
		}
		created = append(created, path)
	default:
		return k, created, fmt.Errorf("sandbox: secret: %w", err)
	}
	if len(k.Secret) == 0 {
		return k, created, fmt.Errorf("sandbox: %s is empty", path)
	}
	return k, created, nil
}
