package tsktest

import (
	"crypto/rsa"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// The keys below are FOR TESTS ONLY. They were generated once with
// `openssl genrsa -traditional 2048` and are public in this repository: never
// configure them in a deployed skill.

// platformKeyPEM is the fake platform's private key (PKCS#1).
const platformKeyPEM = `
-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAy4vQKP/wSEfD4rx7unM5mF20PXQkh6Bw2d4NZZ5elV9H7yma
uxjz/r5jX9brBZZ0/uPuljhg8gh57YymjbHGN5Ex8ZHAmGaG9Q/H0iwXbF0smcp0
d2+tyR2Ky7TGETPlEq/o8MXtaJbQnUtuo0gYhYgdyqAk8tukDrKTEAi1KPxqF6dK
Uemdfcu6mACikWyHAdX+jcT4/izqPTsPIVhJ0tGrM1QtcH7TXmGw+ZrbrnzxDzwH
XE+u/uO8WIXit9n+t5/DdQjD5tm4fw0zdKDqM2JBqWbBQnZsgJnfhHnXFPqIPRBM
Ij3PIvmeHR92ifB6SsAEQTldLj6xtkPmZn+w/QIDAQABAoIBAA8iijEjl3E3HYk/
FMp69bdPD7n6aEVJyF0O2OYA4LgQfGe7wHoKg4liNz9BsA/mODSuwUdxZutVoYP+
Ghv9nMdLeCWl/eaRyGsG8seoMyVXMpvh37H01NItl0Ez49QUzNhMSmYYKuHExbt4
coAuJMf4ZHy0ATiqB84hovPwLdD0/QseGWZcCMEtwGxtXI798JXP56sADGCpT3VF
hdgX8H6U9FLl9y68HdKa5pT2AlQAK+DAPRY+rG+qhh7Z14PdKbnBrwLYtcxzchwM
yykWiPBl/AMeysCUG/EH4kNZCnPzb9/9Q9AzI9EEMQioPnR8j6SleaWnuwGLKoAg
4YPnzCECgYEA/4AErTtamU1m0sMTugDFMxp1a5B/rzokwkzJMH2V5/8p4tKCfsov
7JTCslWQVVQOimP652UJC8+lhooFDRyG4HOQt86LpIfcg56HADx8dS8Nhgk2xtBu
SHXpbN2A/ghplGIxni5CvGWXkEQpfsQf1gGyydLuSX9s1PNNZqVS6F0CgYEAy/HF
UeAf0sHJ+p/8wtzKz1/5BMOqQ49mpPJ0iLguD/hBpAYmCtgYH6OY1GcCi+Lh8jBW
YzbJ0TC+B+zcX0yexB9lKhnFRiZZe5iZDGzYWQmfla2Myi2oczPNLm4CgudDtPRR
wFZVqpRfGLDDMnZe01XwI9JK9GBE0QAgeFmO4SECgYAqcJNWSxOjf03jGHBAZzxa
Xry+X0Q2UQwmEichHNs3rBTDDoCKmv8W5yboBHpzEgFQT4cvxIKaKaWvEWIBaYml
4sxZG7/qVn70hfKawXFS7bvrVcB5icmn054wbSKuD6up8B2ZzslbDez9E7Vozx8S
pzmReK4IG1hyju9+a1u4KQKBgByO0Vuir7IacscGiiVbN4cMYFlbcMcfGHd2f/z5
FXIlCEQInGEeW1pq1SbA+elOrubz/9TKwj3pvmJrt3wcxYqe/tKDY01sZ1FYT+4e
e7kUEOWrtLBG7nSbR1r+Cpn7+k4nfB8bt8k4F4zki6DQVHzxZrwNYXOQ23IMu38+
wzQhAoGAKnvOVfiY9FNg8oTxu5Y0SKzqafAHj0J4GIoafhv+DXBorxm0Z6zFz5Gr
h3vXs3bkMxsXPCO7W/kBt/msEJKuA1JU+keY2L5HVTA3pcTL03en0EZNURD3cL67
XqwUT2eGKxdiQrsWfvNQMm+sflmULMu8R98Df4dI3M38cH/PbpQ=
-----END RSA PRIVATE KEY-----
`

// skillKeyPEM is the skill's testing private key (PKCS#1).
const skillKeyPEM = `
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAsZv07IV9LKA3b8cI8IzS16g8H1L3VU4sBS615ojIkHqXwEhK
KkplU/HvZ6t0se7lPri69W7yDkyFuuksBR5AUA2Ta9VLwYIslHMxhi/wahTP+x5A
vra6qndFUa4lJggdHsOjls6VEXtiVXFpPO7IRyzvKW8TBA/QyiuXl4H8IdjPyRFt
mhpQjHAqezO7xyjg0KJCtJFY1vbpR+d9L/2iP0Qno7ktGp0jhTVIVo7WESOPx00M
lLzkbxA6nGFMDCyeSELxgiD0G0CWvf3FsbjFZEgw3dZw4dzCU0/7nnALa363e7PG
tlv8uThAHkvAfYNFNs5VtHwaUUAoYHAF1pUF9QIDAQABAoIBAAhejULVAoJHFX2s
ryDovenAKX8fYXzRV3UyD4vKv8rBICQFNAt8oHw9bxbfRzs4QvC680JsBTeDxxx4
7uRZ2dV74knHTg/TEsc3C2sjmKxjCS7v7MSf5zlvr+JKtsDtSnP/65ZIa1Fc01Qr
6TXgGaty9F0rOQXsud3BAp5211r/4G7BMC/lWmRBANlGr+mrhm57iUN383j1ddLM
8HWCWV5nrWjy7j8d08QJjCtxnQANbA7AFcXWHzsXHD0fn2xLXsdEob7zEa5T2+dy
WjPp4w0tlFlUbEX5zxsaoH7gaW0Mpr3TH/6LYXtCj597sP+WBQh+PtWKTA1tl3qW
m/uYqyECgYEA94ibkgddAmNHS0mik7jHcuf34+uHop2+xU9I7DkdEpkXWeE+uVK5
hHFi/oq716Z48IioI0/XNxLsEGZ9XZ9Zt8e9eyndKm3WJDp4ktqznJaPAcI+Cx21
/PWx9wPWwTMOjq+PTm9AToSpJk05y6Y6hfhJYA/7BuxKzC0UjHquiqECgYEAt68Y
IRLUU4T0JGiLRqf9aIUh17/MT/WfxvEIkTeiS+cpJqdn2M4UVPW+/4CdeBex+Ee6
5atyYrdcB4qESZ3FB7s9MpJOeG2lSJB42whAk8DX1QeDIF7zY94q+O+oFRE+QNbD
mfsv0mCSl5XQ0sTWrIJIlcBDWlVsp08j+FY67tUCgYEAkkDSumtDVx/VhfRR7Lom
jgvk+XO2RiyyBN6dlYUBWnW9yEs/xjvMhSaBeSf7aKVhm60Cuyp3XID/nYkQ1XpL
hjysBdNsa59OAUXS6+Hwcbq7cCyWf/bkCjwZFHveLXS/SysLnyo4cqwLTSgf1+W1
emaC5BFNHoAKiayxEXeDHUECgYAT8+osFY6I8AVROyX969ukEeomNIhuGyFbC+3B
UIjJs/eNYlvuehxNSlCQEpmIZRKJBMmxjxkizgYqL4rFMGUpvNYd+zSY8lgk9MSc
Dl5tbmJDmshMqOPJcmW6mtXoS/I2Ot4OiPGd6a2i17xSWN106cYWtkbatjLSTc97
d2p5bQKBgQC8hehhwUxlUmu3DInxccrgT4Nh8qBY2MRfuPNvh0GHYiAJYZJZkmN7
zNZGwTVPtqrBRjmM5Ulz33w7x6PmyO4KUwD9kY9aH4kVBb/qyM9w163kp84Kreap
5s5RpT5LdeoPARzghfaT5mfdjaF9nOi7dJ2R8QJhkC6LOjdw8RWtUw==
-----END RSA PRIVATE KEY-----
`

// PlatformKey is the fake platform's TESTING private key: it signs what the
// platform sends to the skill (skill requests, pay notifications). Give a
// skill's Verifier &PlatformKey.PublicKey.
var PlatformKey = mustKey(platformKeyPEM)

// SkillKey is the skill's TESTING key pair: the skill signs its replies with
// it and the fake platform verifies them with &SkillKey.PublicKey.
var SkillKey = mustKey(skillKeyPEM)

// PlatformKeyPEM returns PlatformKey's private key as PEM, for code that
// loads keys from files or configuration.
func PlatformKeyPEM() []byte { return []byte(platformKeyPEM[1:]) }

// SkillKeyPEM returns SkillKey's private key as PEM.
func SkillKeyPEM() []byte { return []byte(skillKeyPEM[1:]) }

func mustKey(p string) *rsa.PrivateKey {
	k, err := tsk.ParsePrivateKey([]byte(p))
	if err != nil {
		panic("tsktest: bad built-in key: " + err.Error())
	}
	return k
}
