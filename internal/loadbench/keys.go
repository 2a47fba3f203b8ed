package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
)

// keys are the platform's and the skill's keys of one bench run, made at
// start: the bench links no test helper and no compiled-in key.
type keys struct {
	platform, skill *rsa.PrivateKey
	secret          []byte
}

func newKeys() (keys, error) {
	var k keys
	var err error
	if k.platform, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	if k.skill, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return k, err
	}
	k.secret = []byte(hex.EncodeToString(b))
	return k, nil
}

// benchKeys are this run's keys (set by main before any phase).
var benchKeys keys
