#!/bin/bash
# gen-extra.sh PKIDIR — extra certificates for tests/nginx/run.sh, added to a PKI
# directory already built by tests/curl/gen-certs.sh (it reuses its root/inter
# keys and its `openssl ca` database).
#
# Files added to PKIDIR:
#   server-enc.key             server.key encrypted (AES-256, PEM) with passphrase "secret"
#   server.pass                password file for nginx: a wrong line, then "secret"
#   server-wrong.pass          password file with only wrong passphrases
#   ec-chain.pem               ec.pem + root.pem (for stapling: the issuer travels in the chain)
#   client-self.pem/.key       self-signed client certificate (clientAuth), CN=selfclient
#   client-inter.pem/.key      client certificate signed by the intermediate, CN=interclient
#   client-revoked.pem/.key    client certificate signed by root, then revoked
#   client.crl.pem             root CRL revoking client-revoked.pem (and revoked.pem)
#   inter.crl.pem              empty CRL issued by the intermediate
#   crl-all.pem                client.crl.pem + inter.crl.pem
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PKIDIR" >&2; exit 2; }
OUT=$(cd "$1" && pwd)
OPENSSL=${OPENSSL:-openssl}
unset LD_LIBRARY_PATH LD_PRELOAD
cd "$OUT"
export OPENSSL_CONF=$OUT/ca.cnf
o() { "$OPENSSL" "$@" 2>>"$OUT/gen-extra.log"; }
rsakey() { o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

o pkey -in server.key -aes256 -passout pass:secret -out server-enc.key
printf 'notit\nsecret\n' >server.pass
printf 'notit\nwrong\n' >server-wrong.pass
cat ec.pem root.pem >ec-chain.pem

cat >extra.cnf <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_client_self ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
[ v3_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF

rsakey client-self.key
o req -new -x509 -config extra.cnf -key client-self.key -subj "/CN=selfclient" -days 30 -sha256 \
    -extensions v3_client_self -out client-self.pem

rsakey client-inter.key
o req -new -config extra.cnf -key client-inter.key -subj "/CN=interclient" -out client-inter.csr
o x509 -req -in client-inter.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30 -sha256 \
    -extfile extra.cnf -extensions v3_client -out client-inter.pem
rm -f client-inter.csr inter.srl

rsakey client-revoked.key
o req -new -config ca.cnf -key client-revoked.key -subj "/CN=revokedclient" -out client-revoked.csr
o ca -batch -config ca.cnf -notext -extensions v3_client -in client-revoked.csr -out client-revoked.pem
rm -f client-revoked.csr
o ca -batch -config ca.cnf -revoke client-revoked.pem -crl_reason keyCompromise
o ca -batch -config ca.cnf -gencrl -out client.crl.pem

# An (empty) CRL for the intermediate, so that CRL checks of chains through it can complete.
o x509 -in inter.pem -noout >/dev/null
mkdir -p interca/newcerts
: >interca/index.txt
echo 1000 >interca/crlnumber
cat >interca.cnf <<EOF
[ ca ]
default_ca = inter_ca
[ inter_ca ]
dir = $OUT/interca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = $OUT/inter.pem
private_key = $OUT/inter.key
crlnumber = \$dir/crlnumber
default_md = sha256
default_crl_days = 30
EOF
o ca -batch -config interca.cnf -gencrl -out inter.crl.pem
cat client.crl.pem inter.crl.pem >crl-all.pem

o verify -CAfile root.pem client-revoked.pem >/dev/null
o verify -CAfile root.pem -untrusted inter.pem client-inter.pem >/dev/null
o pkey -in server-enc.key -passin pass:secret -noout
touch "$OUT/.extra-complete"
