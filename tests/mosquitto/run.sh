#!/bin/bash
# mosquitto (broker, mosquitto_pub and mosquitto_sub) integration tests for rustls-libssl.
#
# usage: tests/mosquitto/run.sh LIBDIR|system [TEST...]
#        tests/mosquitto/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  In the broker_* tests Debian's
#           mosquitto 2.0 broker runs with LD_LIBRARY_PATH=LIBDIR and its clients
#           (mosquitto_pub/_sub, openssl s_client) on the system OpenSSL; in the client_*
#           tests mosquitto_pub and mosquitto_sub (libmosquitto) run on LIBDIR against a
#           broker on the system OpenSSL.  The literal word `system` runs everything on the
#           system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test runs its scenario twice with the same configuration and the same clients:
# first everything on the system library (the reference), then with the library under
# test in the role the test names.  Both runs must give the results the test expects
# (messages delivered, exit codes, the protocol and cipher s_client sees, who refuses
# what and with which message), and the broker's log (log_type all) and the clients'
# output (-d) must have the same lines in both runs, once timestamps and ports are masked.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
MOSQUITTO=/usr/sbin/mosquitto
PUB=/usr/bin/mosquitto_pub
SUB=/usr/bin/mosquitto_sub
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=60
TEST_TIMEOUT=100

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

# expect_mapped PID LIB WHO: PID has LIB's libssl.so.3 mapped, and no other.
expect_mapped() {
    local maps want
    maps=$(mapped_libssl "$1")
    echo "$3 (pid $1) maps: $maps"
    [ -n "$maps" ] || fail "$3 maps no libssl"
    [ "$(echo "$maps" | wc -l)" -eq 1 ] || fail "$3 maps several libssl: $maps"
    if [ "$2" = system ]; then
        case $maps in /lib/*|/usr/lib/*) ;; *) fail "$3 should be on the system library but maps $maps" ;; esac
    else
        want=$(readlink -f "$2/libssl.so.3")
        [ "$(readlink -f "$maps")" = "$want" ] || fail "$3 maps $maps, not $want"
    fi
}

# conf PORT: writes $T/$RUN.conf: the broker settings every test shares (log everything
# on stderr, anonymous clients allowed, stay root so that the test's keys stay readable)
# and a TLS listener on 127.0.0.1:PORT whose options are stdin.
conf() {
    {
        cat <<EOF
user root
allow_anonymous true
log_dest stderr
log_type all
listener $1 127.0.0.1
EOF
        cat
    } >"$T/$RUN.conf"
}

# start_broker PORT: mosquitto on $BROKER_LIB with $T/$RUN.conf; its log is
# $T/$RUN-broker.out.
start_broker() {
    local pid
    lib_env "$BROKER_LIB"
    bg "$RUN-broker" "${LIB_ENV[@]}" "$MOSQUITTO" -c "$T/$RUN.conf"
    if ! wait_listen "$1" "$BG_PID"; then
        sed 's/^/  log| /' "$T/$RUN-broker.out"
        fail "mosquitto ($RUN, lib $BROKER_LIB) did not start: $(grep -iE 'error' "$T/$RUN-broker.out" | head -2 | cut -d' ' -f2- | tr '\n' ' ')"
    fi
    pid=$(ps -o pid= --ppid "$BG_PID" | tr -d ' ' | head -1)
    expect_mapped "$pid" "$BROKER_LIB" mosquitto
}

# broker PORT: conf (stdin) and start_broker. Not at the end of a pipeline: there the broker
# would start in a subshell, escape SERVER_PIDS and outlive the test (and a failure to start
# would not fail it), so a test that pipes its configuration calls `conf PORT` and then
# start_broker itself.
broker() {
    conf "$1"
    start_broker "$1"
}

# sub NAME PORT ARGS...: mosquitto_sub -d (client id NAME, topic t/NAME, one message) on
# $CLIENT_LIB in the background; returns once the broker has acknowledged its
# subscription (or it has exited).  Output: $T/$RUN-NAME.cli.
SUB_PIDS=()
sub() {
    local name=$1 port=$2 i
    shift 2
    lib_env "$CLIENT_LIB"
    echo "+ [$RUN] mosquitto_sub -i $name -p $port $* (lib $CLIENT_LIB)"
    timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$SUB" -d -i "$name" -h localhost -p "$port" \
        -t "t/$name" -C 1 -W 15 "$@" >"$T/$RUN-$name.cli" 2>&1 </dev/null &
    SUB_PIDS+=("$name:$!")
    for i in $(seq 1 100); do
        grep -q "Sending SUBACK to $name\$" "$T/$RUN-broker.out" && return 0
        kill -0 $! 2>/dev/null || return 0
        sleep 0.1
    done
    return 0
}

# sub_got NAME MESSAGE: subscriber NAME exited 0 having printed MESSAGE
sub_got() {
    local entry pid rc
    for entry in "${SUB_PIDS[@]}"; do
        [ "${entry%%:*}" = "$1" ] && pid=${entry#*:}
    done
    wait "$pid"
    rc=$?
    echo "  sub $1 exit code: $rc"
    sed 's/^/  | /' "$T/$RUN-$1.cli" | head -12
    [ "$rc" -eq 0 ] || fail "mosquitto_sub $1 ($RUN) exited $rc: $(grep -E '^(Error|OpenSSL)' "$T/$RUN-$1.cli" | head -2 | tr '\n' ' ')"
    grep -qxF -- "$2" "$T/$RUN-$1.cli" || fail "mosquitto_sub $1 ($RUN) did not print '$2'"
}

# pub NAME PORT ARGS...: mosquitto_pub -d (client id NAME, topic t/NAME unless ARGS name
# one) on $CLIENT_LIB; output $T/$RUN-NAME.cli, exit code RC.
pub() {
    local name=$1 port=$2
    shift 2
    lib_env "$CLIENT_LIB"
    echo "+ [$RUN] mosquitto_pub -i $name -p $port $* (lib $CLIENT_LIB)"
    timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$PUB" -d -i "$name" -h localhost -p "$port" \
        "$@" >"$T/$RUN-$name.cli" 2>&1 </dev/null
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$RUN-$name.cli" | head -12
    [ "$RC" -ge 124 ] && fail "mosquitto_pub $name hung or crashed (exit $RC)"
    return 0
}
pub_ok() { [ "$RC" -eq 0 ] || fail "mosquitto_pub $1 ($RUN) exited $RC: $(grep -E '^(Error|OpenSSL)' "$T/$RUN-$1.cli" | head -2 | tr '\n' ' ')"; }
# pub_failed NAME: the connection failed with a TLS error (exit code 8, or 1 when
# mosquitto_connect itself saw it) and nothing was published
pub_failed() {
    case $RC in 1|8) ;; *) fail "mosquitto_pub $1 ($RUN) exited $RC, want 8 or 1: $(grep -E '^(Error|OpenSSL)' "$T/$RUN-$1.cli" | head -2 | tr '\n' ' ')" ;; esac
    grep -qE '^(Error: |Unable to connect \()A TLS error occurred\.' "$T/$RUN-$1.cli" ||
        fail "mosquitto_pub $1 ($RUN) did not report a TLS error: $(grep -E '^(Error|OpenSSL|Unable)' "$T/$RUN-$1.cli" | head -2 | tr '\n' ' ')"
    grep -q 'sending PUBLISH' "$T/$RUN-$1.cli" && fail "mosquitto_pub $1 ($RUN) published over a connection that should have failed"
    return 0
}
cli_has() { grep -qF -- "$2" "$T/$RUN-$1.cli" || fail "mosquitto_pub/sub $1 ($RUN) did not print '$2': $(grep -E '^(Error|OpenSSL)' "$T/$RUN-$1.cli" | head -2 | tr '\n' ' ')"; }

# sc NAME PORT ARGS...: openssl s_client (system) handshake only; output $T/$RUN-NAME.sc
sc() {
    local name=$1 port=$2
    shift 2
    echo "+ [$RUN] s_client -connect 127.0.0.1:$port $*"
    env -u LD_LIBRARY_PATH timeout -k 3 "$CLIENT_TIMEOUT" "$OPENSSL" s_client -connect "127.0.0.1:$port" \
        -servername localhost -CAfile "$PKI/root.pem" "$@" </dev/null >"$T/$RUN-$name.sc" 2>&1
    RC=$?
    echo "  exit code: $RC"
    grep -E '^(Protocol|New,|Verify return|Server public key|.*alert|.*error)' "$T/$RUN-$name.sc" | head -8 | sed 's/^/  | /'
    return 0
}
sc_has() { grep -qF -- "$2" "$T/$RUN-$1.sc" || fail "s_client $1 ($RUN) output lacks '$2': $(grep -E '^(New,|.*error)' "$T/$RUN-$1.sc" | head -2 | tr '\n' ' ')"; }

# broker_has REGEX: the broker's log of this run must match; checked once it stopped.
# TLSERR: the start of the line that reports a failed handshake (see normalized).
TLSERR='(OpenSSL Error\[0\]: |Client connection from 127\.0\.0\.1 failed: )'
LOG_WANT=()
broker_has() { LOG_WANT+=("$1"); }
check_logs() {
    local re
    for re in "${LOG_WANT[@]}"; do
        grep -qE -- "$re" "$T/$RUN-broker.out" || fail "broker log ($RUN) lacks /$re/"
    done
    LOG_WANT=()
}

# no_panic FILE...: no Rust panic or backtrace in any of them
no_panic() {
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        if grep -qE "panicked at|stack backtrace|RUST_BACKTRACE" "$f"; then
            grep -E -A3 "panicked at" "$f" | head -8 | sed 's/^/  panic| /'
            fail "$(basename "$f"): Rust panic: $(grep -E 'panicked at' -A1 "$f" | tail -1 | cut -c1-200)"
        fi
    done
    return 0
}

# normalized FILE: log lines without the broker's timestamps, with ports masked and the
# config file's name made the same for both runs.  A failed handshake is reported in one
# of two ways depending on timing, by the broker (at accept: "Client connection from ...
# failed: ERR.", or on the next read: "OpenSSL Error[0]: ERR" and "disconnected: Protocol
# error.") as by the clients (inside mosquitto_connect: "Unable to connect (...)." and exit
# code 1, or in the network loop after "sending CONNECT": "Error: ..." and exit code 8):
# both forms read the same.
normalized() {
    local tls_failed=
    grep -q 'A TLS error occurred' "$1" && tls_failed='/^Client [^ ]+ sending CONNECT$/d'
    sed -E -e 's/^[0-9]{9,}: //' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
        -e 's/on port [0-9]+/on port PORT/' \
        -e 's#/(ref|lib)\.conf#/RUN.conf#' \
        -e 's/^Client connection from 127\.0\.0\.1 failed: (.*)\.$/TLS error: \1/' \
        -e 's/^OpenSSL Error\[0\]: /TLS error: /' \
        -e '/^Client <unknown> disconnected: Protocol error\.$/d' \
        -e 's/^Unable to connect \((.*)\)\.$/Error: \1/' \
        -e "$tls_failed" "$1" | sort -u
}

# same_log WHO REF GOT
same_log() {
    local extra missing
    extra=$(comm -13 <(normalized "$2") <(normalized "$3"))
    missing=$(comm -23 <(normalized "$2") <(normalized "$3"))
    [ -n "$extra" ] && echo "$extra" | sed "s/^/  $1 extra| /"
    [ -n "$missing" ] && echo "$missing" | sed "s/^/  $1 missing| /"
    [ -n "$extra" ] && fail "$1 printed a line the system run does not: $(echo "$extra" | head -1 | cut -c1-220)"
    [ -n "$missing" ] && fail "$1 lacks a line the system run prints: $(echo "$missing" | head -1 | cut -c1-220)"
    return 0
}

# quiet FILE: wait (<= 5 s) until FILE has not grown for half a second: the server has
# logged what the last client's exchange makes it log before it is stopped.
quiet() {
    local i last=-1 size same=0
    for i in $(seq 1 50); do
        size=$(stat -c %s "$1" 2>/dev/null || echo 0)
        if [ "$size" = "$last" ]; then
            same=$((same + 1))
            [ $same -ge 5 ] && return 0
        else
            same=0
        fi
        last=$size
        sleep 0.1
    done
    return 0
}

# twice ROLE FUNC: runs `FUNC` with RUN=ref and everything on the system library, then
# with RUN=lib and the library under test as ROLE (broker|clients), each run starting and
# stopping its own broker; then compares the broker's logs and every client's output.
twice() {
    local role=$1 f
    RUN=ref BROKER_LIB=system CLIENT_LIB=system
    echo "=== reference run: everything on the system library"
    "$2"
    quiet "$T/$RUN-broker.out"
    stop_servers
    check_logs
    RUN=lib
    case $role in
        broker) BROKER_LIB=$LIBDIR ;;
        clients) CLIENT_LIB=$LIBDIR ;;
        *) fail "bad role $role" ;;
    esac
    echo "=== $role on $LIBDIR"
    "$2"
    quiet "$T/$RUN-broker.out"
    stop_servers
    check_logs
    no_panic "$T"/*.out "$T"/*.cli
    same_log broker "$T/ref-broker.out" "$T/lib-broker.out"
    for f in "$T"/ref-*.cli; do
        f=$(basename "$f" .cli)
        f=${f#ref-}
        same_log "client $f" "$T/ref-$f.cli" "$T/lib-$f.cli"
    done
    return 0
}

# The listener options of most tests: our server certificate, CA file for clients
tls_listener() {
    cat <<EOF
cafile $PKI/root.pem
certfile $PKI/server-chain.pem
keyfile $PKI/server.key
EOF
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    broker_pubsub broker_require_cert broker_identity_optional broker_tls_version
    broker_ciphers broker_ciphers_tls13 broker_ecdsa
    client_pubsub client_cert client_wrong_ca client_hostname client_capath
    client_tls_version client_ciphers
)

# Broker and both clients on the library under test: each maps it, the message arrives.
t_loaded_lib() {
    local port pid entry
    port=$(free_port)
    RUN=lib BROKER_LIB=$LIBDIR CLIENT_LIB=$LIBDIR
    tls_listener | conf "$port"
    start_broker "$port"
    sub s1 "$port" --cafile "$PKI/root.pem"
    entry=${SUB_PIDS[0]#*:}
    pid=$(ps -o pid= --ppid "$entry" | tr -d ' ' | head -1)
    [ -n "$pid" ] || { cat "$T/lib-s1.cli"; fail "mosquitto_sub is not running"; }
    expect_mapped "$pid" "$LIBDIR" mosquitto_sub
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/s1 -m hello
    pub_ok p1
    sub_got s1 hello
    no_panic "$T"/*.out "$T"/*.cli
}

# A TLS listener with cafile/certfile/keyfile: a message goes from mosquitto_pub to
# mosquitto_sub; s_client sees TLS 1.3 and TLS 1.2 with the usual suites.
broker_pubsub() {
    local port
    port=$(free_port)
    tls_listener | conf "$port"
    start_broker "$port"
    sub s1 "$port" --cafile "$PKI/root.pem"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/s1 -m "hello over tls"
    pub_ok p1
    sub_got s1 "hello over tls"
    sc t13 "$port"
    sc_has t13 "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
    sc_has t13 "Verify return code: 0 (ok)"
    sc t12 "$port" -tls1_2
    sc_has t12 "New, TLSv1.2, Cipher is ECDHE-RSA-AES256-GCM-SHA384"
    broker_has "New client connected from 127\.0\.0\.1:[0-9]+ as s1 \(p2, c1, k60\)\."
    broker_has "Sending PUBLISH to s1 \(d0, q0, r0, m0, 't/s1', \.\.\. \(14 bytes\)\)"
}
t_broker_pubsub() { twice broker broker_pubsub; }

# require_certificate true with use_identity_as_username: our client's certificate is
# accepted and its CN becomes the user name; no certificate, or one from another CA, is
# refused with OpenSSL's message in the broker's log.
broker_require_cert() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "require_certificate true"
        echo "use_identity_as_username true"
    } | conf "$port"
    start_broker "$port"
    sub s1 "$port" --cafile "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    pub p1 "$port" --cafile "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" -t t/s1 -m hi
    pub_ok p1
    sub_got s1 hi
    broker_has "New client connected from 127\.0\.0\.1:[0-9]+ as p1 \(p2, c1, k60, u'testclient'\)\."
    sc nocert12 "$port" -tls1_2
    sc_has nocert12 "alert handshake failure"
    sc other12 "$port" -tls1_2 -cert "$PKI/other-client.pem" -key "$PKI/other-client.key"
    sc_has other12 "alert unknown ca"
    broker_has "${TLSERR}error:0A0000C7:SSL routines::peer did not return a certificate"
    broker_has "${TLSERR}error:0A000086:SSL routines::certificate verify failed"
}
t_broker_require_cert() { twice broker broker_require_cert; }

# require_certificate false: clients with and without a certificate are let in
broker_identity_optional() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "require_certificate false"
    } | conf "$port"
    start_broker "$port"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_ok p1
    pub p2 "$port" --cafile "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" -t t/x -m hi
    pub_ok p2
}
t_broker_identity_optional() { twice broker broker_identity_optional; }

# tls_version tlsv1.3 (the lowest version the listener accepts): a TLS 1.2 client is
# refused with "unsupported protocol"
broker_tls_version() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "tls_version tlsv1.3"
    } | conf "$port"
    start_broker "$port"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_ok p1
    sc t12 "$port" -tls1_2
    sc_has t12 "alert protocol version"
    broker_has "${TLSERR}error:0A000102:SSL routines::unsupported protocol"
}
t_broker_tls_version() { twice broker broker_tls_version; }

# ciphers (TLS 1.2 cipher list): the listed suite is used, a client without it refused
broker_ciphers() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "ciphers ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"
    } | conf "$port"
    start_broker "$port"
    sc t12 "$port" -tls1_2
    sc_has t12 "New, TLSv1.2, Cipher is ECDHE-RSA-CHACHA20-POLY1305"
    sc other "$port" -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
    sc_has other "alert handshake failure"
    broker_has "${TLSERR}error:0A0000C1:SSL routines::no shared cipher"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_ok p1
}
t_broker_ciphers() { twice broker broker_ciphers; }

# ciphers_tls1.3
broker_ciphers_tls13() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "ciphers_tls1.3 TLS_CHACHA20_POLY1305_SHA256"
    } | conf "$port"
    start_broker "$port"
    sc t13 "$port"
    sc_has t13 "New, TLSv1.3, Cipher is TLS_CHACHA20_POLY1305_SHA256"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_ok p1
}
t_broker_ciphers_tls13() { twice broker broker_ciphers_tls13; }

# An ECDSA certificate on a second listener (per_listener_settings)
broker_ecdsa() {
    local port port2
    port=$(free_port); port2=$(free_port)
    {
        tls_listener
        echo "listener $port2 127.0.0.1"
        echo "cafile $PKI/root.pem"
        echo "certfile $PKI/ec.pem"
        echo "keyfile $PKI/ec.key"
    } | conf "$port"
    start_broker "$port"
    wait_listen "$port2" "$BG_PID" || fail "second listener did not start"
    sc ec "$port2"
    sc_has ec "Server public key is 256 bit"
    sc_has ec "Verify return code: 0 (ok)"
    sc ec12 "$port2" -tls1_2
    sc_has ec12 "New, TLSv1.2, Cipher is ECDHE-ECDSA-AES256-GCM-SHA384"
    sc rsa "$port"
    sc_has rsa "Server public key is 2048 bit"
    pub p1 "$port2" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_ok p1
}
t_broker_ecdsa() { twice broker broker_ecdsa; }

# mosquitto_pub and mosquitto_sub on the library under test, --cafile
client_pubsub() {
    local port
    port=$(free_port)
    tls_listener | conf "$port"
    start_broker "$port"
    sub s1 "$port" --cafile "$PKI/root.pem"
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/s1 -m "hello from the clients"
    pub_ok p1
    sub_got s1 "hello from the clients"
    broker_has "Received PUBLISH from p1 \(d0, q0, r0, m0, 't/s1', \.\.\. \(22 bytes\)\)"
}
t_client_pubsub() { twice clients client_pubsub; }

# --cert/--key against a broker that requires certificates; without them: refused
client_cert() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "require_certificate true"
        echo "use_identity_as_username true"
    } | conf "$port"
    start_broker "$port"
    sub s1 "$port" --cafile "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    pub p1 "$port" --cafile "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key" -t t/s1 -m hi
    pub_ok p1
    sub_got s1 hi
    broker_has "New client connected from 127\.0\.0\.1:[0-9]+ as s1 \(p2, c1, k60, u'testclient'\)\."
    broker_has "New client connected from 127\.0\.0\.1:[0-9]+ as p1 \(p2, c1, k60, u'testclient'\)\."
}
t_client_cert() { twice clients client_cert; }

# --cafile that does not hold the broker's root: "certificate verify failed", exit 8
client_wrong_ca() {
    local port
    port=$(free_port)
    tls_listener | conf "$port"
    start_broker "$port"
    pub p1 "$port" --cafile "$PKI/selfsigned.pem" -t t/x -m hi
    pub_failed p1
    cli_has p1 "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
    broker_has "${TLSERR}error:0A000418:SSL routines::tlsv1 alert unknown ca"
}
t_client_wrong_ca() { twice clients client_wrong_ca; }

# The broker's certificate names wrong.example: libmosquitto's host name check fails
# (unless --insecure)
client_hostname() {
    local port
    port=$(free_port)
    broker "$port" <<EOF
cafile $PKI/root.pem
certfile $PKI/wrong.pem
keyfile $PKI/wrong.key
EOF
    pub p1 "$port" --cafile "$PKI/root.pem" -t t/x -m hi
    pub_failed p1
    cli_has p1 "Error: host name verification failed."
    cli_has p1 "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
    pub p2 "$port" --cafile "$PKI/root.pem" --insecure -t t/x -m hi
    pub_ok p2
}
t_client_hostname() { twice clients client_hostname; }

# --capath: a hashed CA directory (SSL_CTX_load_verify_dir)
client_capath() {
    local port
    port=$(free_port)
    tls_listener | conf "$port"
    start_broker "$port"
    pub p1 "$port" --capath "$PKI/hashdir" -t t/x -m hi
    pub_ok p1
    pub p2 "$port" --capath "$PKI/pki-empty" -t t/x -m hi
    pub_failed p2
    cli_has p2 "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"
}
t_client_capath() { twice clients client_capath; }

# --tls-version (the lowest version libmosquitto accepts): tlsv1.3 and tlsv1.2 both
# connect to a broker that offers TLS 1.3, and s_client sees what the broker negotiates
client_tls_version() {
    local port
    port=$(free_port)
    tls_listener | conf "$port"
    start_broker "$port"
    pub p1 "$port" --cafile "$PKI/root.pem" --tls-version tlsv1.3 -t t/x -m hi
    pub_ok p1
    pub p2 "$port" --cafile "$PKI/root.pem" --tls-version tlsv1.2 -t t/x -m hi
    pub_ok p2
}
t_client_tls_version() { twice clients client_tls_version; }

# --ciphers: a TLS 1.2 list the broker shares works, one it does not share fails with
# the handshake_failure alert
client_ciphers() {
    local port
    port=$(free_port)
    {
        tls_listener
        echo "ciphers ECDHE-RSA-AES128-GCM-SHA256"
        echo "ciphers_tls1.3 TLS_AES_128_GCM_SHA256"
    } | conf "$port"
    start_broker "$port"
    pub p1 "$port" --cafile "$PKI/root.pem" --ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305 -t t/x -m hi
    pub_ok p1
    pub p2 "$port" --cafile "$PKI/root.pem" --ciphers ECDHE-RSA-CHACHA20-POLY1305 -t t/x -m hi
    pub_ok p2
    sc t13 "$port"
    sc_has t13 "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"
}
t_client_ciphers() { twice clients client_ciphers; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: a client certificate under an unrelated CA, an empty CA directory.
# Uses the root of tests/curl/gen-certs.sh.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    mkdir -p pki-empty
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=otherclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
}

# show_logs: the broker's log and the clients' output, into the test's log
show_logs() {
    local f
    for f in "$T"/*.out "$T"/*.cli; do
        [ -f "$f" ] && sed "s#^#  $(basename "$f")| #" "$f"
    done
    return 0
}

# need_quiet SERVICE PKG...: `need` PKG...; when this run installed SERVICE's package (the
# first PKG), stop and disable the service Debian started on install: the tests run their
# own instances, and a service that was there before is left alone.
need_quiet() {
    local service=$1 fresh=0
    shift
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || fresh=1
    need "$@" || return 1
    if [ $fresh = 1 ]; then
        systemctl disable --now "$service" >/dev/null 2>&1
        service "$service" stop >/dev/null 2>&1
    fi
    return 0
}

run_one() {
    T=$WORK/tests/$1
    trap 'stop_servers; show_logs' EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    need_quiet mosquitto mosquitto mosquitto-clients openssl python3 procps ||
        { echo "mosquitto, mosquitto-clients, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || PY=$(command -v python3)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-mosquitto.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH; gen_extra "$PKI"); } >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$MOSQUITTO" -h 2>&1 | grep -m1 'version' | cut -d' ' -f1,3); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
