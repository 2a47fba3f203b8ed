#!/usr/bin/env bash
# make_vectors.sh writes interoperability vectors for skill/tsk signing,
# produced by tools independent of the Go code: openssl for RSA (TSK-RSA2)
# and python3's hmac module for TSK-HMAC-SHA256-BASIC.
#
# Run from anywhere; outputs land next to this script. The outputs are
# committed; rerunning makes a new key and new signatures (tests read
# whatever is here, so they stay consistent).
#
# Outputs:
#   rsa_private_pkcs1.pem   openssl genrsa 2048, "RSA PRIVATE KEY" (PKCS#1)
#   rsa_private_pkcs8.pem   the same key, "PRIVATE KEY" (PKCS#8)
#   rsa_public_pkix.pem     its public key, "PUBLIC KEY" (PKIX)
#   rsa_public_pkcs1.pem    its public key, "RSA PUBLIC KEY" (PKCS#1)
#   rsa_public.b64          the PKIX DER as bare base64, wrapped at 64 columns
#   rsa_public_oneline.b64  the same on one line (how the platform console shows it)
#   body.json               the signed body (exact bytes, no trailing newline)
#   timestamp.txt           the signing timestamp, YYYYMMDDTHHMMSSZ
#   rsa2.sig                base64 SHA256withRSA over body||timestamp (openssl dgst)
#   hmac_secret.txt         the HMAC secret
#   hmac.sig                lowercase hex HMAC-SHA256 over body||timestamp (python)
set -euo pipefail
cd "$(dirname "$0")"

openssl genrsa -traditional -out rsa_private_pkcs1.pem 2048 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in rsa_private_pkcs1.pem -out rsa_private_pkcs8.pem
openssl rsa -in rsa_private_pkcs1.pem -pubout -out rsa_public_pkix.pem 2>/dev/null
openssl rsa -in rsa_private_pkcs1.pem -RSAPublicKey_out -out rsa_public_pkcs1.pem 2>/dev/null
grep -v -- '-----' rsa_public_pkix.pem > rsa_public.b64
tr -d '\n' < rsa_public.b64 > rsa_public_oneline.b64

printf '%s' '{"version":"1.0","session":{"new":true,"sessionId":"vec-session"},"context":{"System":{"application":{"applicationId":"test-skill"},"device":{"deviceId":"vec-device"},"user":{"userId":"vec-user"}}},"request":{"type":"LaunchRequest","requestId":"vec-1","timestamp":"20190520T193505Z","queryText":"打开叮当小店"}}' > body.json
printf '%s' '20190520T193505Z' > timestamp.txt
printf '%s' 'vector-skill-secret-0123456789' > hmac_secret.txt

cat body.json timestamp.txt | openssl dgst -sha256 -sign rsa_private_pkcs1.pem | openssl base64 -A > rsa2.sig

python3 -c '
import hmac, hashlib
body = open("body.json", "rb").read()
ts = open("timestamp.txt", "rb").read()
secret = open("hmac_secret.txt", "rb").read()
print(hmac.new(secret, body + ts, hashlib.sha256).hexdigest(), end="")
' > hmac.sig

# Self-check with openssl before anyone relies on the vectors.
base64 -d rsa2.sig > /tmp/tsk-vec-sig.bin
cat body.json timestamp.txt | openssl dgst -sha256 -verify rsa_public_pkix.pem -signature /tmp/tsk-vec-sig.bin >/dev/null
rm -f /tmp/tsk-vec-sig.bin
chmod 644 rsa_private_pkcs1.pem rsa_private_pkcs8.pem
echo "vectors written to $(pwd)"
