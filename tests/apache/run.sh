#!/bin/bash
# Apache httpd 2.4 (Debian 12's apache2 with mod_ssl) integration tests for rustls-libssl.
#
# usage: tests/apache/run.sh LIBDIR|system [TEST...]
#        tests/apache/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test; apache2 runs with
#           LD_LIBRARY_PATH=LIBDIR.  The literal word `system` runs it on the system
#           OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Clients (curl, openssl s_client) and the HTTPS backends of the proxy tests (openssl
# s_server) always use the system OpenSSL.  Every test runs its scenario twice, with the
# same configuration and the same requests: first apache2 on the system library (the
# reference), then on the library under test.  Both runs must give the answers the test
# expects; what the clients saw (curl -v and s_client lines about the TLS session, bodies,
# exit codes), apache's error log (LogLevel info, ssl:debug, no timestamps) and its access
# log (with mod_ssl's variables) must be the same in both runs once ports, pids and
# paths are masked. A test whose t_NAME declares a documented difference (`documented`:
# a difference rustls makes unavoidable, with its reason) accepts exactly the differing
# lines it lists on the shim, and none with `system`; such a test's scenario checks each
# library's own answers (`shim_run`).
#
# apache2 runs in the foreground (-X: one process) with a private ServerRoot, PidFile,
# DefaultRuntimeDir and ports of 127.0.0.1, in the style of Debian's packaged
# configuration (mods-available/ssl.conf, sites-available/default-ssl.conf) with a CGI
# that prints the SSL_* environment (SSLOptions +StdEnvVars +ExportCertData).
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
APACHE=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
CURL=/usr/bin/curl
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=90
TEST_TIMEOUT=150

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE CURL_CA_BUNDLE CURL_HOME \
      APACHE_CONFDIR APACHE_RUN_USER APACHE_RUN_GROUP APACHE_PID_FILE APACHE_RUN_DIR APACHE_LOCK_DIR \
      APACHE_LOG_DIR APACHE_ARGUMENTS \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

SERVER_PIDS=()
stop_servers() {
    stop_pids 50 "${SERVER_PIDS[@]}"
    SERVER_PIDS=()
}

# expect_mapped PID LIB: apache2 PID has LIB's libssl.so.3 mapped, and no other.
expect_mapped() {
    local maps want
    maps=$(grep -E 'libssl\.so' "/proc/$1/maps" 2>/dev/null | awk '{print $6}' | sort -u)
    echo "apache2 (pid $1) maps: $maps"
    [ -n "$maps" ] || fail "apache2 maps no libssl"
    [ "$(echo "$maps" | wc -l)" -eq 1 ] || fail "apache2 maps several libssl: $maps"
    if [ "$2" = system ]; then
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    else
        want=$(readlink -f "$2/libssl.so.3")
    fi
    [ "$(readlink -f "$maps")" = "$want" ] || fail "apache2 maps $maps, not $want"
}

# conf NAME: writes $T/NAME/apache2.conf: the global part (modules, Debian's ssl.conf
# settings, logs, the document root and the CGI), then stdin (Listen lines and virtual
# hosts of the test).
conf() {
    local d=$T/$1
    mkdir -p "$d/www/second" "$d/www/secure" "$d/run" "$d/cgi"
    chown www-data "$d/run"
    chmod 755 "$T" "$d" "$d/www" "$d/www/second" "$d/www/secure" "$d/cgi"
    echo "hello from apache" >"$d/www/index.html"
    echo "second site" >"$d/www/second/index.html"
    echo "secure area" >"$d/www/secure/index.html"
    head -c 3000000 /dev/zero | tr '\0' a >"$d/www/big.txt"
    chmod 644 "$d"/www/*.html "$d"/www/*/index.html "$d/www/big.txt"
    # the SSL_* environment as mod_ssl exports it, the session id reduced to its length
    cat >"$d/cgi/env.cgi" <<'EOF'
#!/bin/sh
echo "Content-Type: text/plain"
echo
env | grep -E '^(SSL_|HTTPS=)' | grep -vE '^SSL_(CLIENT|SERVER)_CERT(_CHAIN_[0-9]+)?=' | sort |
    sed -E 's/^(SSL_SESSION_ID=)(.+)$/\1(set)/'
for v in SSL_CLIENT_CERT SSL_SERVER_CERT SSL_CLIENT_CERT_CHAIN_0; do
    eval "val=\${$v:-}"
    [ -n "$val" ] && echo "$v=$(printf '%s\n' "$val" | md5sum | cut -c1-12)"
done
exit 0
EOF
    chmod 755 "$d/cgi/env.cgi"
    {
        cat <<EOF
ServerRoot "$d"
ServerName localhost
PidFile "$d/run/apache2.pid"
DefaultRuntimeDir "$d/run"
Mutex file:$d/run default
User www-data
Group www-data
Timeout 30
KeepAlive On
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule alias_module $MODS/mod_alias.so
LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock "$d/run/cgisock"
LoadModule headers_module $MODS/mod_headers.so
LoadModule socache_shmcb_module $MODS/mod_socache_shmcb.so
LoadModule ssl_module $MODS/mod_ssl.so
LoadModule http2_module $MODS/mod_http2.so
LoadModule proxy_module $MODS/mod_proxy.so
LoadModule proxy_http_module $MODS/mod_proxy_http.so
TypesConfig /etc/mime.types
ErrorLog "$d/error.log"
ErrorLogFormat "[%m:%l] %F: %E: %M"
LogLevel info ssl:debug
LogFormat "%h %{Host}i \"%r\" %>s %B proto=%{SSL_PROTOCOL}x cipher=%{SSL_CIPHER}x sni=%{SSL_TLS_SNI}x resumed=%{SSL_SESSION_RESUMED}x verify=%{SSL_CLIENT_VERIFY}x dn=%{SSL_CLIENT_S_DN}x" tls
CustomLog "$d/access.log" tls
DocumentRoot "$d/www"
DirectoryIndex index.html
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "$d/www">
    Require all granted
</Directory>
ScriptAlias /env "$d/cgi/env.cgi"
<Directory "$d/cgi">
    Require all granted
    SSLOptions +StdEnvVars +ExportCertData
</Directory>
# mods-available/ssl.conf
SSLRandomSeed startup builtin
SSLRandomSeed startup file:/dev/urandom 512
SSLRandomSeed connect builtin
SSLRandomSeed connect file:/dev/urandom 512
AddType application/x-x509-ca-cert .crt
AddType application/x-pkcs7-crl .crl
SSLPassPhraseDialog exec:$WORK/pass.sh
SSLSessionCache shmcb:$d/run/ssl_scache(512000)
SSLSessionCacheTimeout 300
SSLCipherSuite HIGH:!aNULL
SSLProtocol all -SSLv3
SSLUseStapling off
EOF
        cat
    } >"$d/apache2.conf"
}

# vhost PORT NAME CERT KEY [directives on stdin]: a TLS virtual host on 127.0.0.1:PORT
vhost() {
    echo "<VirtualHost 127.0.0.1:$1>"
    echo "    ServerName $2"
    echo "    SSLEngine on"
    echo "    SSLCertificateFile $3"
    echo "    SSLCertificateKeyFile $4"
    cat
    echo "</VirtualHost>"
}

# start NAME LIB PORT...: apache2 -X with $T/NAME/apache2.conf on LIB; waits for every PORT
start() {
    local name=$1 lib=$2 p i pid
    shift 2
    lib_env "$lib"
    : >"$T/$name/error.log"
    echo "+ [$name] apache2 on $lib"
    (cd "$T/$name" && exec timeout -k 5 "$SERVER_TIMEOUT" "${LIB_ENV[@]}" "$APACHE" -X -f "$T/$name/apache2.conf") \
        >"$T/$name.out" 2>&1 </dev/null &
    SERVER_PIDS+=($!)
    for p in "$@"; do
        if ! wait_listen "$p" "$!"; then
            sed 's/^/  log| /' "$T/$name/error.log" "$T/$name.out"
            fail "apache2 ($name, lib $lib) did not start: $(grep -vE '^\[[a-z_]*:(info|debug|notice)\]' "$T/$name/error.log" "$T/$name.out" | head -2 | tr '\n' ' ' | cut -c1-300)"
        fi
    done
    for i in $(seq 1 50); do [ -s "$T/$name/run/apache2.pid" ] && break; sleep 0.1; done
    pid=$(cat "$T/$name/run/apache2.pid" 2>/dev/null)
    [ -n "$pid" ] || fail "apache2 ($name) wrote no pid file"
    expect_mapped "$pid" "$lib"
}

client() { env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$@"; }

# record NAME TEXT...: appends to the run's transcript of what the clients saw
record() { printf '%s\n' "$@" >>"$T/$RUN.clients"; }

# cu NAME ARGS...: curl (system) trusting our root, every name resolving to 127.0.0.1.
# Body in $T/$RUN-NAME.body, -v in .err, exit code RC; the body, the exit code and the -v
# lines about TLS go to the transcript (not the close_notify alert, which curl sees or not
# depending on timing).
cu() {
    local name=$1 f=$T/$RUN-$1
    shift
    echo "+ [$RUN/$name] curl $*"
    client "$CURL" -q -sS -v --max-time 15 --cacert "$PKI/root.pem" --connect-to ::127.0.0.1: "$@" \
        >"$f.body" 2>"$f.err" </dev/null
    RC=$?
    echo "  exit code: $RC; body: $(head -c 300 "$f.body")"
    grep -E '^\* (SSL connection|ALPN| subject| issuer| subjectAltName|SSL certificate verify|TLSv1.[0-3] \(IN\), TLS alert)|^< HTTP|^curl:' "$f.err" | head -12 | sed 's/^/  | /'
    [ "$RC" -eq 124 ] && fail "curl ($name) hung"
    [ "$RC" -ge 125 ] && fail "curl ($name) crashed or could not start (exit $RC)"
    record "## curl $name: exit $RC"
    grep -E '^\* (SSL connection|ALPN| subject| issuer| subjectAltName|SSL certificate verify|TLSv1.[0-3] \(IN\), TLS alert)|^< HTTP|^curl:' "$f.err" |
        grep -v 'TLS alert, close notify' | sed -E 's/[0-9]+ (ms|milliseconds)/N ms/g' >>"$T/$RUN.clients"
    if [ "$(wc -c <"$f.body")" -gt 2000 ]; then
        record "body: $(wc -c <"$f.body") bytes md5 $(md5sum <"$f.body" | cut -c1-12)"
    else
        sed 's/^/body| /' "$f.body" >>"$T/$RUN.clients"
    fi
    return 0
}
rc_is() { [ "$RC" -eq "$1" ] || fail "$RUN/$2: curl exit code $RC, want $1 ($(grep '^curl:' "$T/$RUN-$2.err" | tail -1))"; }
body_is() { [ "$(cat "$T/$RUN-$1.body")" = "$2" ] || fail "$RUN/$1: body '$(head -c 200 "$T/$RUN-$1.body")', want '$2'"; }
body_has() { grep -qE -- "$2" "$T/$RUN-$1.body" || fail "$RUN/$1: body lacks /$2/: $(head -c 300 "$T/$RUN-$1.body" | tr '\n' ' ')"; }
err_has() { grep -qE -- "$2" "$T/$RUN-$1.err" || fail "$RUN/$1: curl -v output lacks /$2/: $(grep -E '^curl:|SSL connection' "$T/$RUN-$1.err" | head -2 | tr '\n' ' ')"; }

# sc NAME PORT ARGS...: openssl s_client (system), sends an HTTP/1.0 request for
# ${SC_PATH:-/} with Host ${SC_HOST:-localhost}; output
# $T/RUN-NAME.sc, exit code RC; the lines about the session go to the transcript.
SC_LINES='^(subject=|issuer=|Protocol|New,|Reused,|Verify return|Server public key|Peer signature type|Server Temp Key|ALPN|No ALPN|OCSP response|TLS session ticket lifetime hint|Max Early Data|Acceptable client certificate CA names|Client Certificate Types|Requested Signature Algorithms|Shared Requested Signature Algorithms|HTTP/|.*alert|.*:error:)|^    (Protocol|Cipher) *:|^/'
sc() {
    local name=$1 port=$2 f=$T/$RUN-$1.sc
    shift 2
    echo "+ [$RUN/$name] s_client -connect 127.0.0.1:$port $*"
    { printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "${SC_PATH:-/}" "${SC_HOST:-localhost}"; sleep 0.5; } |
        client "$OPENSSL" s_client -connect "127.0.0.1:$port" -CAfile "$PKI/root.pem" -ign_eof "$@" >"$f" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E "$SC_LINES" "$f" | head -20 | sed 's/^/  | /'
    record "## s_client $name: exit $RC"
    grep -E "$SC_LINES" "$f" | sed -E 's/^[0-9A-F]+:error:/TID:error:/; s/:[0-9]+:(SSL alert number)/:N:\1/' >>"$T/$RUN.clients"
    return 0
}
sc_has() { grep -qE -- "$2" "$T/$RUN-$1.sc" || fail "$RUN: s_client ($1) output lacks /$2/: $(grep -E '^(subject=|New,|.*error)' "$T/$RUN-$1.sc" | head -2 | tr '\n' ' ')"; }
sc_ok() { [ "$RC" -eq 0 ] && grep -q '^HTTP/1.1 200' "$T/$RUN-$1.sc" || fail "$RUN: s_client ($1): no 200 response (exit $RC): $(grep -iE 'error|alert' "$T/$RUN-$1.sc" | head -2 | tr '\n' ' ')"; }
sc_failed() {
    grep -q '^HTTP/1.1 200' "$T/$RUN-$1.sc" && fail "$RUN: s_client ($1): got a response; expected a handshake failure"
    [ "$RC" -ne 0 ] || fail "$RUN: s_client ($1) exit 0; expected a handshake failure"
}
log_has() { grep -qE -- "$1" "$T/$RUN/error.log" || fail "$RUN: error log lacks /$1/"; }

# shim_run: this run is apache2 on the library under test, which is not the system one
# (where a documented difference shows).
shim_run() { [ "$RUN" = lib ] && [ "$LIBDIR" != system ]; }

# normalized FILE: logs and transcripts with ports, pids, paths, times and ids masked
normalized() {
    sed -E -e "s#$T/(ref|lib)#RUNDIR#g" -e "s#$WORK#WORK#g" \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' -e 's/(localhost|second\.test|third\.test|wrong\.example):[0-9]+/\1:PORT/g' \
        -e 's/\b(pid|PID|child|process) [0-9]+/\1 N/g' -e 's/port [0-9]+/port N/g' \
        -e 's/\(0x[0-9a-f]+\)/(0xADDR)/g' -e 's/ 0x[0-9a-f]{6,}/ 0xADDR/g' \
        -e 's/(Session-ID|session id|Session ID)[: =]*[0-9A-F]{16,}/\1 HEX/g' \
        -e 's/[0-9]+ seconds? (since|until)/N seconds \1/g' \
        -e 's/^(body\| )?(SSL_CLIENT_V_REMAIN|SSL_SERVER_V_REMAIN)=.*/\1\2=N/' \
        -e 's/\[pid [0-9]+(:tid [0-9]+)?\]/[pid N]/g' -e 's/cgisock\.[0-9]+/cgisock.N/g' "$1"
}

# same WHAT REF GOT: the normalized files are equal line by line.
same() {
    local d first got doc=$T/documented.${1// /_}
    d=$(diff <(normalized "$2") <(normalized "$3"))
    if [ -z "$d" ]; then
        [ -s "$doc" ] && fail "$1: the documented difference no longer shows: remove it"
        return 0
    fi
    echo "$d" | head -80 | sed "s/^/  $1 diff| /"
    if [ -s "$doc" ]; then
        documented_diff "$1" "$doc" "$d"
        return 0
    fi
    first=$(echo "$d" | grep -m1 -E '^[<>]')
    got=$(echo "$d" | grep -m1 -E '^>')
    case $first in
        '<'*) fail "$1: system run has '$(echo "${first#< }" | cut -c1-220)'${got:+, the library run '$(echo "${got#> }" | cut -c1-220)'}" ;;
        *) fail "$1: a line the system run does not have: '$(echo "${first#> }" | cut -c1-220)'" ;;
    esac
}

# documented WHAT REASON <<'EOF': a difference between OpenSSL and the shim that rustls
# makes unavoidable, listed in the README: on the library under test (not with `system`),
# `same WHAT` (clients, error log or access log) accepts exactly the differing lines given
# on stdin, in diff's order: `< PATTERN` for a line of the system run, `> PATTERN` for one
# of the library run, each PATTERN an extended regular expression matched from the line's
# start (after normalization); nothing else may differ. Call it before `twice`.
documented() {
    local what=$1
    if [ "$LIBDIR" = system ]; then
        cat >/dev/null
        return 0
    fi
    echo "documented difference ($what): $2"
    cat >>"$T/documented.${what// /_}"
}

# documented_diff WHAT FILE DIFF: fails unless DIFF's differing lines match FILE's patterns
# one for one.
documented_diff() {
    local got want i n line pat
    mapfile -t got < <(echo "$3" | grep -E '^[<>] ')
    mapfile -t want < <(grep -vE '^[[:space:]]*(#|$)' "$2")
    n=${#want[@]}
    [ ${#got[@]} -gt $n ] && n=${#got[@]}
    for ((i = 0; i < n; i++)); do
        line=${got[i]:-(none)}
        pat=${want[i]:-}
        if [ -z "$pat" ] || ! printf '%s\n' "$line" | grep -qE -- "^$pat"; then
            fail "$1: differing line $((i + 1)) '$(echo "$line" | cut -c1-200)' is not the documented '${pat:-(none)}'"
        fi
    done
    echo "  $1: the differences are the documented ones"
}

# twice FUNC: FUNC with RUN=ref and LIB=system, then RUN=lib and LIB=LIBDIR (each
# starting and stopping its own apache2); then the transcripts, the error logs and the
# access logs are compared.
twice() {
    local f
    RUN=ref LIB=system
    : >"$T/ref.clients"
    echo "=== reference run: apache2 on the system library"
    "$1"
    stop_servers
    RUN=lib LIB=$LIBDIR
    : >"$T/lib.clients"
    echo "=== apache2 on $LIBDIR"
    "$1"
    stop_servers
    for f in ref lib; do
        echo "--- $f error log"
        sed 's/^/  | /' "$T/$f/error.log"
        echo "--- $f access log"
        sed 's/^/  | /' "$T/$f/access.log" 2>/dev/null
    done
    grep -qE 'panicked at' "$T/lib/error.log" "$T/lib.out" 2>/dev/null &&
        fail "Rust panic: $(grep -hm1 -A1 'panicked at' "$T/lib/error.log" "$T/lib.out" | tail -1)"
    same "clients" "$T/ref.clients" "$T/lib.clients"
    same "error log" "$T/ref/error.log" "$T/lib/error.log"
    same "access log" "$T/ref/access.log" "$T/lib/access.log"
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    basic sni protocol ciphers
    client_cert client_cert_optional client_cert_location
    session_cache session_tickets
    proxy proxy_verify
)

t_loaded_lib() {
    local p
    p=$(free_port)
    RUN=lib
    : >"$T/lib.clients"
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" </dev/null | conf lib
    echo "Listen 127.0.0.1:$p" >>"$T/lib/apache2.conf"
    start lib "$LIBDIR" "$p"
    cu index "https://localhost:$p/"
    rc_is 0 index
    body_is index "hello from apache"
}

# Debian's default-ssl site: the chain, an encrypted key unlocked by SSLPassPhraseDialog,
# TLS 1.3 by default, HTTP/2 through ALPN (Protocols h2 http/1.1), the SSL_* variables
# of a CGI, keep-alive, a 3 MB file, no OCSP stapling.
basic() {
    local p
    p=$(free_port)
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server-enc.key" <<EOF | conf "$RUN"
    Protocols h2 http/1.1
    SSLOptions +StdEnvVars
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu index "https://localhost:$p/" "https://localhost:$p/second/"
    rc_is 0 index
    err_has index '^\* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384'
    err_has index '^\* ALPN: server accepted h2'
    err_has index '^< HTTP/2 200'
    body_has index '^hello from apache$'
    body_has index '^second site$'
    cu env --http1.1 "https://localhost:$p/env"
    rc_is 0 env
    body_has env '^HTTPS=on$'
    body_has env '^SSL_PROTOCOL=TLSv1.3$'
    body_has env '^SSL_CIPHER=TLS_AES_256_GCM_SHA384$'
    body_has env '^SSL_TLS_SNI=localhost$'
    body_has env '^SSL_SERVER_S_DN_CN=localhost$'
    body_has env '^SSL_SERVER_I_DN_CN=Test Intermediate CA$'
    cu big --http1.1 "https://localhost:$p/big.txt"
    rc_is 0 big
    [ "$(wc -c <"$T/$RUN-big.body")" -eq 3000000 ] || fail "$RUN: big.txt came back with $(wc -c <"$T/$RUN-big.body") bytes"
    cu ip "https://127.0.0.1:$p/"
    rc_is 0 ip
    sc chain "$p" -servername localhost -showcerts -status -alpn http/1.1
    sc_ok chain
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/$RUN-chain.sc")" -eq 2 ] || fail "$RUN: apache sent $(grep -c 'BEGIN CERTIFICATE' "$T/$RUN-chain.sc") certificates, want 2"
    sc_has chain 'OCSP response: no response sent'
    sc_has chain 'ALPN protocol: http/1.1'
    sc_has chain 'Verify return code: 0 \(ok\)'
    log_has 'AH01887: Init: Initializing \(virtual\) servers for SSL'
}
t_basic() { twice basic; }

# Name-based virtual hosts on one port, chosen by SNI: an RSA chain for localhost (the
# default), ECDSA for second.test, a third with TLS 1.2 only and SSLStrictSNIVHostCheck;
# names that are not configured fall back to the first; an HTTP Host that does not match
# the SNI name is refused with 421.
sni() {
    local p
    p=$(free_port)
    {
        vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" </dev/null
        vhost "$p" second.test "$PKI/second.pem" "$PKI/second.key" <<EOF
    DocumentRoot "$T/$RUN/www/second"
EOF
        vhost "$p" third.test "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLStrictSNIVHostCheck on
    DocumentRoot "$T/$RUN/www/secure"
EOF
    } | conf "$RUN"
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu first "https://localhost:$p/"
    rc_is 0 first
    body_is first "hello from apache"
    err_has first '^\*  subject: CN=localhost'
    cu second "https://second.test:$p/"
    rc_is 0 second
    body_is second "second site"
    err_has second '^\*  subject: CN=second.test'
    cu second_env "https://second.test:$p/env"
    rc_is 0 second_env
    cu third "https://localhost:$p/" -H 'Host: third.test' --resolve "third.test:$p:127.0.0.1"
    cu mismatch --http1.1 "https://localhost:$p/" -H 'Host: second.test'
    rc_is 0 mismatch
    err_has mismatch '^< HTTP/1.1 421'
    SC_HOST=second.test sc s2 "$p" -servername second.test
    sc_ok s2
    sc_has s2 'subject=CN = second.test'
    sc_has s2 'Peer signature type: ECDSA'
    sc none "$p" -noservername
    sc_has none 'subject=CN = localhost'
    sc unknown "$p" -servername unknown.test
    sc_has unknown 'subject=CN = localhost'
}
t_sni() { twice sni; }

# SSLProtocol per port: TLS 1.2 only (and a TLS 1.3 client refused), TLS 1.3 only (and
# a TLS 1.2 client refused); the error log's reasons.
protocol() {
    local p12 p13
    p12=$(free_port); p13=$(free_port)
    {
        vhost "$p12" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLProtocol -all +TLSv1.2
EOF
        vhost "$p13" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLProtocol -all +TLSv1.3
EOF
    } | conf "$RUN"
    printf 'Listen 127.0.0.1:%s\nListen 127.0.0.1:%s\n' "$p12" "$p13" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p12" "$p13"
    cu v12 "https://localhost:$p12/"
    rc_is 0 v12
    err_has v12 '^\* SSL connection using TLSv1.2 / ECDHE-RSA-AES256-GCM-SHA384'
    cu v12_13 --tlsv1.3 "https://localhost:$p12/"
    [ "$RC" -ne 0 ] || fail "$RUN: a TLS 1.3-only client got an answer from a TLS 1.2-only server"
    err_has v12_13 'alert protocol version'
    cu v13 "https://localhost:$p13/"
    rc_is 0 v13
    err_has v13 '^\* SSL connection using TLSv1.3'
    cu v13_12 --tls-max 1.2 "https://localhost:$p13/"
    [ "$RC" -ne 0 ] || fail "$RUN: a TLS 1.2 client got an answer from a TLS 1.3-only server"
    err_has v13_12 'alert protocol version'
    sc s12 "$p12" -servername localhost -tls1_2
    sc_ok s12
    log_has 'SSL Library Error: error:0A000102:SSL routines::unsupported protocol'
}
t_protocol() { twice protocol; }

# SSLCipherSuite (TLS 1.2 suites, and the TLSv1.3 form for TLS 1.3 suites) with
# SSLHonorCipherOrder; a client offering nothing in the list is refused.
ciphers() {
    local p q
    p=$(free_port); q=$(free_port)
    {
        vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLProtocol -all +TLSv1.2
    SSLCipherSuite ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256
    SSLHonorCipherOrder on
EOF
        vhost "$q" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLCipherSuite TLSv1.3 TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256
    SSLHonorCipherOrder on
EOF
    } | conf "$RUN"
    printf 'Listen 127.0.0.1:%s\nListen 127.0.0.1:%s\n' "$p" "$q" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p" "$q"
    cu order "https://localhost:$p/"
    rc_is 0 order
    err_has order '^\* SSL connection using TLSv1.2 / ECDHE-RSA-CHACHA20-POLY1305'
    sc aes "$p" -servername localhost -cipher ECDHE-RSA-AES128-GCM-SHA256
    sc_ok aes
    sc_has aes 'Cipher is ECDHE-RSA-AES128-GCM-SHA256'
    sc none "$p" -servername localhost -cipher ECDHE-RSA-AES256-GCM-SHA384
    sc_failed none
    log_has 'no shared cipher'
    cu t13 "https://localhost:$q/"
    rc_is 0 t13
    err_has t13 '^\* SSL connection using TLSv1.3 / TLS_CHACHA20_POLY1305_SHA256'
    sc t13aes "$q" -servername localhost -ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256
    sc_ok t13aes
    sc_has t13aes 'Cipher is TLS_CHACHA20_POLY1305_SHA256'
    sc t13none "$q" -servername localhost -ciphersuites TLS_AES_256_GCM_SHA384
    sc_failed t13none
}
t_ciphers() { twice ciphers; }

# SSLVerifyClient require with SSLCACertificateFile: the client's DN in the CGI and the
# access log; refused without a certificate or with one of an unknown CA (TLS 1.3 and
# 1.2); the CA names the server advertises.
client_cert() {
    local p
    p=$(free_port)
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF | conf "$RUN"
    SSLCACertificateFile $PKI/root.pem
    SSLVerifyClient require
    SSLVerifyDepth 2
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu ok --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/env"
    rc_is 0 ok
    body_has ok '^SSL_CLIENT_S_DN=CN=testclient$'
    body_has ok '^SSL_CLIENT_VERIFY=SUCCESS$'
    body_has ok '^SSL_CLIENT_I_DN_CN=Test Root CA$'
    cu ok12 --tls-max 1.2 --cert "$PKI/client.pem" --key "$PKI/client.key" "https://localhost:$p/"
    rc_is 0 ok12
    err_has ok12 'SSL connection using TLSv1.2'
    cu nocert12 --tls-max 1.2 "https://localhost:$p/"
    [ "$RC" -ne 0 ] || fail "$RUN: a client without a certificate got an answer"
    err_has nocert12 'alert handshake failure'
    cu nocert "https://localhost:$p/"
    [ "$RC" -ne 0 ] || fail "$RUN: a TLS 1.3 client without a certificate got an answer"
    cu other12 --tls-max 1.2 --cert "$PKI/other-client.pem" --key "$PKI/other-client.key" "https://localhost:$p/"
    [ "$RC" -ne 0 ] || fail "$RUN: a client certificate of an unknown CA was accepted"
    err_has other12 'alert unknown ca'
    log_has 'Certificate Verification: Error \(20\): unable to get local issuer certificate'
    sc canames "$p" -servername localhost -tls1_2
    sc_has canames '^/O=rustls-libssl tests/CN=Test Root CA$|^O = rustls-libssl tests, CN = Test Root CA$'
}
t_client_cert() {
    # A TLS 1.2 server's CertificateRequest lists the certificate types and signature
    # schemes rustls implements: it has no DSA (OpenSSL lists "DSA sign" and DSA schemes)
    # and does not verify Ed448, RSA-PSS with PSS keys or SHA-224 signatures.
    documented clients "TLS 1.2 CertificateRequest: rustls's certificate types and schemes" <<'EOF'
< Client Certificate Types: RSA sign, DSA sign, ECDSA sign$
< Requested Signature Algorithms: ECDSA\+SHA256:ECDSA\+SHA384:ECDSA\+SHA512:ed25519:ed448:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:RSA-PSS\+SHA256:RSA-PSS\+SHA384:RSA-PSS\+SHA512:RSA\+SHA256:RSA\+SHA384:RSA\+SHA512:ECDSA\+SHA224:RSA\+SHA224:DSA\+SHA224:DSA\+SHA256:DSA\+SHA384:DSA\+SHA512$
< Shared Requested Signature Algorithms: ECDSA\+SHA256:ECDSA\+SHA384:ECDSA\+SHA512:ed25519:ed448:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:RSA-PSS\+SHA256:RSA-PSS\+SHA384:RSA-PSS\+SHA512:RSA\+SHA256:RSA\+SHA384:RSA\+SHA512:ECDSA\+SHA224:RSA\+SHA224:DSA\+SHA224:DSA\+SHA256:DSA\+SHA384:DSA\+SHA512$
> Client Certificate Types: RSA sign, ECDSA sign$
> Requested Signature Algorithms: ECDSA\+SHA256:ECDSA\+SHA384:ECDSA\+SHA512:ed25519:RSA-PSS\+SHA256:RSA-PSS\+SHA384:RSA-PSS\+SHA512:RSA\+SHA256:RSA\+SHA384:RSA\+SHA512$
> Shared Requested Signature Algorithms: ECDSA\+SHA256:ECDSA\+SHA384:ECDSA\+SHA512:ed25519:RSA-PSS\+SHA256:RSA-PSS\+SHA384:RSA-PSS\+SHA512:RSA\+SHA256:RSA\+SHA384:RSA\+SHA512$
EOF
    twice client_cert
}

# SSLVerifyClient optional and optional_no_ca: SSL_CLIENT_VERIFY is NONE, SUCCESS, or
# FAILED with OpenSSL's reason.
client_cert_optional() {
    local p q
    p=$(free_port); q=$(free_port)
    {
        vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLCACertificateFile $PKI/root.pem
    SSLVerifyClient optional
EOF
        vhost "$q" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF
    SSLCACertificateFile $PKI/root.pem
    SSLVerifyClient optional_no_ca
EOF
    } | conf "$RUN"
    printf 'Listen 127.0.0.1:%s\nListen 127.0.0.1:%s\n' "$p" "$q" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p" "$q"
    cu none "https://localhost:$p/env"
    rc_is 0 none
    body_has none '^SSL_CLIENT_VERIFY=NONE$'
    cu with "https://localhost:$p/env" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 with
    body_has with '^SSL_CLIENT_VERIFY=SUCCESS$'
    cu noca "https://localhost:$q/env" --cert "$PKI/other-client.pem" --key "$PKI/other-client.key"
    rc_is 0 noca
    body_has noca '^SSL_CLIENT_VERIFY=GENEROUS$|^SSL_CLIENT_VERIFY=FAILED'
    body_has noca '^SSL_CLIENT_S_DN_CN=otherclient$'
    cu noca_ok "https://localhost:$q/env" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 noca_ok
    body_has noca_ok '^SSL_CLIENT_VERIFY=SUCCESS$'
}
t_client_cert_optional() { twice client_cert_optional; }

# SSLVerifyClient require in a <Location> only: over TLS 1.3 mod_ssl asks for the
# certificate after the handshake (post-handshake authentication, which curl offers and
# s_client does not by default: 403 then); over TLS 1.2 it renegotiates.
client_cert_location() {
    local p
    p=$(free_port)
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF | conf "$RUN"
    SSLCACertificateFile $PKI/root.pem
    <Location /secure>
        SSLVerifyClient require
        SSLVerifyDepth 2
    </Location>
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu open --http1.1 "https://localhost:$p/" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 open
    body_is open "hello from apache"
    SC_PATH=/secure/ sc nopha "$p" -servername localhost -cert "$PKI/client.pem" -key "$PKI/client.key"
    sc_has nopha '^HTTP/1.1 403 Forbidden'
    log_has 'AH10158: cannot perform post-handshake authentication'
    log_has 'SSL Library Error: error:0A000117:SSL routines::extension not received'
    # On the shim each of these is refused with 403 (the documented difference, see
    # t_client_cert_location).
    cu pha --http1.1 "https://localhost:$p/secure/" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 pha
    if shim_run; then
        err_has pha '^< HTTP/1.1 403'
        body_has pha 'Cannot perform Post-Handshake Authentication'
    else
        body_is pha "secure area"
    fi
    cu pha_nocert --http1.1 "https://localhost:$p/secure/"
    if shim_run; then
        rc_is 0 pha_nocert
        err_has pha_nocert '^< HTTP/1.1 403'
    else
        [ "$RC" -ne 0 ] || grep -q '^< HTTP/1.1 403' "$T/$RUN-pha_nocert.err" || fail "$RUN: /secure without a certificate was served"
    fi
    cu reneg --http1.1 --tls-max 1.2 "https://localhost:$p/secure/" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 reneg
    if shim_run; then
        err_has reneg '^< HTTP/1.1 403'
    else
        body_is reneg "secure area"
    fi
}
t_client_cert_location() {
    # rustls does not renegotiate nor authenticate a client after the handshake. The shim
    # refuses them as OpenSSL does when they are unavailable: a TLS 1.3 client that
    # offered post-handshake authentication is refused as one that did not (the s_client
    # case above: mod_ssl's 403, "cannot perform post-handshake authentication", "extension
    # not received"), and SSL_renegotiate fails as with SSL_OP_NO_RENEGOTIATION, after
    # which mod_ssl finds no client certificate (403, "Client certificate missing").
    # Where OpenSSL serves /secure (pha, reneg) or its server fails the client without a
    # certificate with certificate_required (pha_nocert), the shim's Apache answers 403.
    documented clients "no post-handshake authentication or renegotiation: 403" <<'EOF'
< < HTTP/1.1 200 OK
< body[|] secure area
< ## curl pha_nocert: exit 56
> < HTTP/1.1 403 Forbidden
> body[|] <!DOCTYPE HTML PUBLIC
> body[|] <html><head>
> body[|] <title>403 Forbidden</title>
> body[|] </head><body>
> body[|] <h1>Forbidden</h1>
> body[|] <p>You don't have permission to access this resource.Reason: Cannot perform Post-Handshake Authentication.
> body[|] </body></html>
> ## curl pha_nocert: exit 0
< \* TLSv1.3 \(IN\), TLS alert, unknown \(628\):
< curl: \(56\) .*:tlsv13 alert certificate required
> < HTTP/1.1 403 Forbidden
> body[|] <!DOCTYPE HTML PUBLIC
> body[|] <html><head>
> body[|] <title>403 Forbidden</title>
> body[|] </head><body>
> body[|] <h1>Forbidden</h1>
> body[|] <p>You don't have permission to access this resource.Reason: Cannot perform Post-Handshake Authentication.
> body[|] </body></html>
< < HTTP/1.1 200 OK
< body[|] secure area
> < HTTP/1.1 403 Forbidden
> body[|] <!DOCTYPE HTML PUBLIC
> body[|] <html><head>
> body[|] <title>403 Forbidden</title>
> body[|] </head><body>
> body[|] <h1>Forbidden</h1>
> body[|] <p>You don't have permission to access this resource.</p>
> body[|] </body></html>
EOF
    documented "error log" "no post-handshake authentication or renegotiation: 403" <<'EOF'
< .*AH02275: Certificate Verification, depth 1,
< .*AH02275: Certificate Verification, depth 0,
> .*AH10158: cannot perform post-handshake authentication$
> .*SSL Library Error: error:0A000117:SSL routines::extension not received$
< .*AH02263: Re-negotiation handshake failed: Client certificate missing$
< .*AH02007: SSL handshake interrupted by system
< .*AH01998: Connection closed to child N with abortive shutdown
> .*AH10158: cannot perform post-handshake authentication$
> .*SSL Library Error: error:0A000117:SSL routines::extension not received$
> .*AH02001: Connection closed to child N with standard shutdown
< .*AH02041: Protocol: TLSv1.2, Cipher: ECDHE-RSA-AES256-GCM-SHA384
< .*AH02275: Certificate Verification, depth 1,
< .*AH02275: Certificate Verification, depth 0,
< .*AH02041: Protocol: TLSv1.2, Cipher: ECDHE-RSA-AES256-GCM-SHA384
> .*AH02263: Re-negotiation handshake failed: Client certificate missing$
EOF
    documented "access log" "no post-handshake authentication or renegotiation: 403" <<'EOF'
< .*"GET /secure/ HTTP/1.1" 200 12 proto=TLSv1.3 .* verify=SUCCESS dn=CN=testclient$
< .*"GET /secure/ HTTP/1.1" 403 [0-9]+ proto=- cipher=- sni=- resumed=- verify=- dn=-$
< .*"GET /secure/ HTTP/1.1" 200 12 proto=TLSv1.2 .* verify=SUCCESS dn=CN=testclient$
> .*"GET /secure/ HTTP/1.1" 403 [0-9]+ proto=TLSv1.3 .* verify=NONE dn=-$
> .*"GET /secure/ HTTP/1.1" 403 [0-9]+ proto=TLSv1.3 .* verify=NONE dn=-$
> .*"GET /secure/ HTTP/1.1" 403 [0-9]+ proto=TLSv1.2 .* verify=NONE dn=-$
EOF
    twice client_cert_location
}

# SSLSessionCache shmcb with SSLSessionTickets off: TLS 1.2 sessions resumed by id from
# the cache, TLS 1.3 resumption; SSL_SESSION_RESUMED and the ticket lifetime hint
# (SSLSessionCacheTimeout).
session_cache() {
    local p
    p=$(free_port)
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF | conf "$RUN"
    SSLSessionTickets off
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    sc new12 "$p" -servername localhost -tls1_2 -sess_out "$T/$RUN-s12"
    sc_ok new12
    sc_has new12 '^New, TLSv1.2'
    sc again12 "$p" -servername localhost -tls1_2 -sess_in "$T/$RUN-s12"
    sc_ok again12
    sc_has again12 '^Reused, TLSv1.2'
    sc new13 "$p" -servername localhost -sess_out "$T/$RUN-s13"
    sc_ok new13
    sc again13 "$p" -servername localhost -sess_in "$T/$RUN-s13"
    sc_ok again13
    sc_has again13 '^Reused, TLSv1.3'
    log_has 'AH02043: SSL virtual host for servername localhost found'
}
t_session_cache() { twice session_cache; }

# Session tickets (the default): TLS 1.2 and TLS 1.3 resumption with the server's
# tickets, the lifetime hint from SSLSessionCacheTimeout.
session_tickets() {
    local p
    p=$(free_port)
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" </dev/null | conf "$RUN"
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    sc new12 "$p" -servername localhost -tls1_2 -sess_out "$T/$RUN-s12"
    sc_ok new12
    sc_has new12 'TLS session ticket lifetime hint: 300'
    sc again12 "$p" -servername localhost -tls1_2 -sess_in "$T/$RUN-s12"
    sc_ok again12
    sc_has again12 '^Reused, TLSv1.2'
    sc new13 "$p" -servername localhost -sess_out "$T/$RUN-s13"
    sc_ok new13
    sc again13 "$p" -servername localhost -sess_in "$T/$RUN-s13"
    sc_ok again13
    sc_has again13 '^Reused, TLSv1.3'
    cu env_after --http1.1 "https://localhost:$p/env"
    rc_is 0 env_after
    body_has env_after '^SSL_SESSION_RESUMED=Initial$'
}
t_session_tickets() { twice session_tickets; }

# backend NAME CERT KEY [ARGS...]: openssl s_server -WWW (system) serving $T/file.txt on
# a free port of 127.0.0.1; sets BPORT.
backend() {
    local name=$1 cert=$2 key=$3
    shift 3
    echo "from the backend" >"$T/file.txt"
    BPORT=$(free_port)
    bg "$RUN-$name" env -u LD_LIBRARY_PATH "$OPENSSL" s_server -accept "127.0.0.1:$BPORT" -WWW \
        -cert "$PKI/$cert" -key "$PKI/$key" -quiet "$@"
    wait_listen "$BPORT" "$BG_PID" || { cat "$T/$RUN-$name.out"; fail "s_server backend did not listen"; }
}

# The client side of mod_ssl: SSLProxyEngine to an HTTPS backend (openssl s_server on the
# system library) verified against our root with the name checked, and with a client
# certificate (SSLProxyMachineCertificateFile in a <Proxy> section) for a backend that
# requires one.  The backends are addressed as localhost (mod_ssl checks DNS names only).
proxy() {
    local p
    p=$(free_port)
    backend be server.pem server.key -cert_chain "$PKI/inter.pem"
    local b1=$BPORT
    backend becc server.pem server.key -cert_chain "$PKI/inter.pem" -Verify 2 -CAfile "$PKI/root.pem"
    local b2=$BPORT
    cat "$PKI/client.pem" "$PKI/client.key" >"$T/proxy-client.pem"
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF | conf "$RUN"
    SSLProxyEngine on
    SSLProxyVerify require
    SSLProxyCACertificateFile $PKI/root.pem
    SSLProxyCheckPeerName on
    SSLProxyVerifyDepth 2
    SSLProxyProtocol all -SSLv3
    ProxyPass /be/ https://localhost:$b1/
    ProxyPass /becc/ https://localhost:$b2/
    <Proxy "https://localhost:$b2/">
        SSLProxyMachineCertificateFile $T/proxy-client.pem
    </Proxy>
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu be --http1.1 "https://localhost:$p/be/file.txt"
    rc_is 0 be
    body_is be "from the backend"
    cu becc --http1.1 "https://localhost:$p/becc/file.txt"
    rc_is 0 becc
    body_is becc "from the backend"
}
t_proxy() {
    # backends are started inside each run and stopped with its apache2
    twice proxy
}

# SSLProxyVerify failures: an untrusted backend, a backend whose name does not match:
# 500 (Proxy Error) with mod_ssl's reason in the error log; SSLProxyProtocol TLSv1.2 (in a <Proxy>
# section) to a TLS 1.3-only backend.
proxy_verify() {
    local p
    p=$(free_port)
    backend untrusted selfsigned.pem selfsigned.key
    local b1=$BPORT
    backend wrongname wrong.pem wrong.key
    local b2=$BPORT
    backend only13 server.pem server.key -cert_chain "$PKI/inter.pem" -tls1_3
    local b3=$BPORT
    vhost "$p" localhost "$PKI/server-chain.pem" "$PKI/server.key" <<EOF | conf "$RUN"
    SSLProxyEngine on
    SSLProxyVerify require
    SSLProxyCACertificateFile $PKI/root.pem
    SSLProxyCheckPeerName on
    SSLProxyVerifyDepth 2
    ProxyPass /untrusted/ https://localhost:$b1/
    ProxyPass /wrongname/ https://localhost:$b2/
    ProxyPass /only12/ https://localhost:$b3/
    <Proxy "https://localhost:$b3/">
        SSLProxyProtocol -all +TLSv1.2
    </Proxy>
EOF
    echo "Listen 127.0.0.1:$p" >>"$T/$RUN/apache2.conf"
    start "$RUN" "$LIB" "$p"
    cu untrusted --http1.1 "https://localhost:$p/untrusted/file.txt"
    rc_is 0 untrusted
    err_has untrusted '^< HTTP/1.1 500'
    log_has 'Certificate Verification: Error \(18\): self-signed certificate'
    cu wrongname --http1.1 "https://localhost:$p/wrongname/file.txt"
    rc_is 0 wrongname
    err_has wrongname '^< HTTP/1.1 500'
    log_has 'AH02411: SSL Proxy: Peer certificate CN mismatch|AH02005|does not match'
    cu only12 --http1.1 "https://localhost:$p/only12/file.txt"
    rc_is 0 only12
    err_has only12 '^< HTTP/1.1 500'
}
t_proxy_verify() { twice proxy_verify; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: beyond tests/curl/gen-certs.sh: an encrypted server key, an ECDSA
# certificate for second.test, a client certificate under another CA.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    $o pkey -in server.key -aes256 -passout pass:secret -out server-enc.key || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout second.key \
        -subj /CN=second.test -out second.csr || return 1
    printf 'subjectAltName=DNS:second.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >second.ext
    $o x509 -req -in second.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 \
        -extfile second.ext -out second.pem || return 1
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=otherclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
}

run_one() {
    T=$WORK/tests/$1
    mkdir -p "$T"
    chmod 755 "$T"
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    [ "$(id -u)" -eq 0 ] || { echo "run as root (apache2 binds, then runs as www-data)" >&2; exit 2; }
    local fresh=0
    dpkg-query -W -f='${Status}' apache2-bin 2>/dev/null | grep -q 'install ok installed' || fresh=1
    need apache2-bin curl openssl python3 procps ||
        { echo "apache2-bin, curl, openssl, python3 and procps are required" >&2; exit 2; }
    if [ $fresh = 1 ]; then
        # a package that starts the packaged service: these tests run their own apache2
        systemctl disable --now apache2 >/dev/null 2>&1
        service apache2 stop >/dev/null 2>&1
    fi
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-apache.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH OPENSSL_CONF; gen_extra "$PKI"); } \
        >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    chmod -R a+rX "$PKI"
    printf '#!/bin/sh\necho secret\n' >"$WORK/pass.sh"
    chmod 755 "$WORK/pass.sh"
    mkdir -p "$WORK/tests"
    chmod 755 "$WORK/tests"
    echo "# library: $LIBDIR; $("$APACHE" -v | sed -n 's/^Server version: //p'); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
