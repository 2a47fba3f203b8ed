package tsk

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// ParsePrivateKey reads an RSA private key from PEM ("RSA PRIVATE KEY" as
// PKCS#1, "PRIVATE KEY" as PKCS#8) or from bare base64 DER (PKCS#1 or
// PKCS#8, whitespace and line breaks ignored).
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	der, err := keyDER(data)
	if err != nil {
		return nil, fmt.Errorf("tsk: private key: %w", err)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("tsk: private key: neither PKCS#1 nor PKCS#8: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tsk: private key: %T is not an RSA key", k)
	}
	return rk, nil
}

// ParsePublicKey reads an RSA public key from PEM ("PUBLIC KEY" as PKIX,
// "RSA PUBLIC KEY" as PKCS#1, or a private key of which the public half is
// taken) or from bare base64 DER, the form the platform's consoles show:
// the PEM body without its BEGIN/END lines, possibly with line breaks.
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	der, err := keyDER(data)
	if err != nil {
		return nil, fmt.Errorf("tsk: public key: %w", err)
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("tsk: public key: %T is not an RSA key", k)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	if k, err := ParsePrivateKey(data); err == nil {
		return &k.PublicKey, nil
	}
	return nil, errors.New("tsk: public key: neither PKIX nor PKCS#1")
}

// keyDER returns the DER bytes of the first PEM block of data, or of data
// itself read as base64 when it has no PEM armour.
func keyDER(data []byte) ([]byte, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty key")
	}
	if bytes.HasPrefix(data, []byte("-----BEGIN")) {
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, errors.New("bad PEM")
		}
		return block.Bytes, nil
	}
	der, err := decodeBase64(string(data))
	if err != nil {
		return nil, errors.New("neither PEM nor base64 DER")
	}
	return der, nil
}

// LoadPrivateKey reads and parses an RSA private key file (see ParsePrivateKey).
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tsk: %w", err)
	}
	k, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return k, nil
}

// LoadPublicKeys reads and parses RSA public key files (see ParsePublicKey),
// in order, for a Verifier's PublicKeys. Any failure fails the whole load.
func LoadPublicKeys(paths []string) ([]*rsa.PublicKey, error) {
	keys := make([]*rsa.PublicKey, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("tsk: %w", err)
		}
		k, err := ParsePublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, p)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// PublicKeyBase64 returns the public key as one line of standard base64 over
// its PKIX DER: the form handed to the platform as SkillPublicKey.
func PublicKeyBase64(k *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "" // only for non-RSA or nil keys, which the type rules out
	}
	return base64.StdEncoding.EncodeToString(der)
}

// PrivateKeyPEM encodes k as a PKCS#1 "RSA PRIVATE KEY" PEM block, the form
// `openssl genrsa` writes.
func PrivateKeyPEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// PublicKeyPEM encodes k as a PKIX "PUBLIC KEY" PEM block.
func PublicKeyPEM(k *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
