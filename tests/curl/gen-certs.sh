#!/bin/bash
# gen-certs.sh OUTDIR — build the test PKI used by tests/curl/run.sh.
#
# Uses only the system `openssl` CLI.  Idempotent: OUTDIR is (re)built from
# scratch on every run, which takes well under a few seconds.
#
# Files produced in OUTDIR (keys are unencrypted PEM unless stated):
#   root.pem root.key            root CA (RSA 2048, self-signed)
#   inter.pem inter.key          intermediate CA signed by root
#   server.pem server.key        leaf for localhost + IP 127.0.0.1, signed by inter
#   server-chain.pem             server.pem + inter.pem
#   ec.pem ec.key                ECDSA P-256 leaf for localhost, signed by root
#   expired.pem expired.key      leaf for localhost, signed by root, expired in 2020
#   selfsigned.pem selfsigned.key  self-signed leaf for localhost
#   wrong.pem wrong.key          leaf for wrong.example, signed by root
#   revoked.pem revoked.key      leaf for localhost, signed by root, revoked
#   root.crl.pem                 CRL from root revoking revoked.pem
#   client.pem client.key        client cert (CN=testclient), signed by root
#   client-enc.key               client.key encrypted (AES-256, PEM) with passphrase "secret"
#   ocsp-good.der                OCSP response (root as responder) for ec.pem: good
#   ocsp-revoked.der             OCSP response (root as responder) for revoked.pem: revoked
#   hashdir/                     CA directory hashed with `openssl rehash` holding root.pem
#   ca/                          the root's `openssl ca` database (index.txt etc.)
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=$1
OPENSSL=${OPENSSL:-openssl}
# Never let a shim under test leak into the tools that build the PKI.
unset LD_LIBRARY_PATH LD_PRELOAD OPENSSL_CONF

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Start from a clean slate so that re-running is idempotent.
find "$OUT" -mindepth 1 -delete
cd "$OUT"

o() { "$OPENSSL" "$@" 2>>"$OUT/gen.log"; }

mkdir -p ca/newcerts hashdir
: > ca/index.txt
echo "unique_subject = no" > ca/index.txt.attr
echo 1000 > ca/serial
echo 1000 > ca/crlnumber

cat > ca.cnf <<EOF
[ ca ]
default_ca = root_ca

[ root_ca ]
dir             = $OUT/ca
database        = \$dir/index.txt
new_certs_dir   = \$dir/newcerts
serial          = \$dir/serial
crlnumber       = \$dir/crlnumber
certificate     = $OUT/root.pem
private_key     = $OUT/root.key
default_md      = sha256
default_days    = 30
default_crl_days = 30
policy          = policy_any
unique_subject  = no
copy_extensions = none
email_in_dn     = no

[ policy_any ]
commonName      = supplied
organizationName = optional

[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1

[ v3_server_ec ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1

[ v3_wrong ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong.example

[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ v3_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
export OPENSSL_CONF=$OUT/ca.cnf

rsakey() { o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# Root CA (self-signed).
rsakey root.key
o req -new -x509 -config ca.cnf -key root.key -subj "/O=rustls-libssl tests/CN=Test Root CA" \
    -days 3650 -sha256 -extensions v3_root -out root.pem

# sign_root NAME EXTSECTION SUBJECT [extra `openssl ca` args...]: CSR from NAME.key, signed by root.
sign_root() {
    local name=$1 ext=$2 subj=$3
    shift 3
    o req -new -config ca.cnf -key "$name.key" -subj "$subj" -out "$name.csr"
    o ca -batch -config ca.cnf -notext -extensions "$ext" -in "$name.csr" -out "$name.pem" "$@"
    rm -f "$name.csr"
}

# Intermediate CA (signed by root).
rsakey inter.key
sign_root inter v3_inter "/O=rustls-libssl tests/CN=Test Intermediate CA" -days 3650

# Server leaf signed by the intermediate (plain `openssl x509 -req`, no CA db needed).
rsakey server.key
o req -new -config ca.cnf -key server.key -subj "/CN=localhost" -out server.csr
o x509 -req -in server.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 -sha256 \
    -extfile ca.cnf -extensions v3_server -out server.pem
rm -f server.csr inter.srl
cat server.pem inter.pem > server-chain.pem

# ECDSA P-256 leaf signed by root.
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
sign_root ec v3_server_ec "/CN=localhost"

# Expired leaf signed by root.
rsakey expired.key
sign_root expired v3_server "/CN=localhost" -startdate 20200101000000Z -enddate 20200201000000Z

# Self-signed leaf.
rsakey selfsigned.key
o req -new -x509 -config ca.cnf -key selfsigned.key -subj "/CN=localhost" -days 30 -sha256 \
    -extensions v3_selfsigned -out selfsigned.pem

# Leaf for the wrong name.
rsakey wrong.key
sign_root wrong v3_wrong "/CN=wrong.example"

# Leaf that gets revoked.
rsakey revoked.key
sign_root revoked v3_server "/CN=localhost"
o ca -batch -config ca.cnf -revoke revoked.pem -crl_reason keyCompromise
o ca -batch -config ca.cnf -gencrl -out root.crl.pem

# Client certificate + key, and the same key encrypted with passphrase "secret".
rsakey client.key
sign_root client v3_client "/CN=testclient"
o pkey -in client.key -aes256 -passout pass:secret -out client-enc.key

# OCSP responses, signed by the root itself (it is the issuer of ec.pem and revoked.pem).
o ocsp -index ca/index.txt -rsigner root.pem -rkey root.key -CA root.pem \
    -issuer root.pem -cert ec.pem -respout ocsp-good.der -ndays 1 >/dev/null
o ocsp -index ca/index.txt -rsigner root.pem -rkey root.key -CA root.pem \
    -issuer root.pem -cert revoked.pem -respout ocsp-revoked.der -ndays 1 >/dev/null

# Hashed CA directory.
cp root.pem hashdir/root.pem
if ! o rehash hashdir >/dev/null; then
    c_rehash hashdir >/dev/null
fi

# Sanity checks: fail loudly here rather than with a confusing test failure later.
o verify -CAfile root.pem -untrusted inter.pem server.pem >/dev/null
o verify -CAfile root.pem ec.pem >/dev/null
o verify -CAfile root.pem client.pem >/dev/null
o pkey -in client-enc.key -passin pass:secret -noout
ls hashdir/*.0 >/dev/null
[ -s ocsp-good.der ] && [ -s ocsp-revoked.der ] && [ -s root.crl.pem ]
touch "$OUT/.complete"
