#!/bin/bash
# Dovecot (IMAP) integration tests for rustls-libssl.
#
# usage: tests/dovecot/run.sh LIBDIR|system [TEST...]
#        tests/dovecot/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test; Debian's dovecot 2.3
#           (dovecot-imapd) runs with LD_LIBRARY_PATH=LIBDIR.  The literal word `system`
#           runs it on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test starts a private dovecot (`dovecot -F -c CONF`: its own base_dir, state_dir,
# log file, a passwd-file user and a Maildir in the test directory, IMAP and IMAPS
# listeners on free ports of 127.0.0.1).  Dovecot clears the environment of the processes
# it starts, and its imap-login processes are the ones doing TLS: the configuration lets
# LD_LIBRARY_PATH through (import_environment), as a user running it on the shim would.
# The client is python3's imaplib with the ssl module of /usr/bin/python3 (system OpenSSL).
#
# Every test runs its scenario twice: first dovecot on the system library (the reference),
# then on the library under test.  Both runs must give the answers the test expects, and
# dovecot's log must have the same lines in both once timestamps, pids and session ids are
# masked (and without the lines about which helper processes SIGTERM reached at shutdown,
# which depend on timing only).
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  KEEP_LOGS=1 keeps the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
DOVECOT=/usr/sbin/dovecot
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=20
SERVER_TIMEOUT=60
TEST_TIMEOUT=100

unset LD_PRELOAD OPENSSL_CONF SSL_CERT_FILE SSL_CERT_DIR SSLKEYLOGFILE
export LC_ALL=C

# Log lines that depend on timing only: which helper processes were running at shutdown.
VOLATILE='Warning: Killed with signal 15|Warning: Shutting down logging for'

###########################################################################
# Helpers used inside tests (T = the test's directory)
###########################################################################

# stop_servers: SIGTERM to the dovecot master alone (it stops its processes in order; a
# signal to the whole group makes them log each other's disappearance), then whatever is
# left of the background jobs.
SERVER_PIDS=()
MASTER=
stop_servers() {
    local i
    if [ -n "$MASTER" ] && kill -TERM "$MASTER" 2>/dev/null; then
        for i in $(seq 1 50); do
            kill -0 "$MASTER" 2>/dev/null || break
            sleep 0.1
        done
    fi
    MASTER=
    stop_pids 50 "${SERVER_PIDS[@]}"
    SERVER_PIDS=()
}

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

# conf NAME: writes the private instance $T/NAME (config, passwd-file, a Maildir with one
# message) and sets IMAP_PORT and IMAPS_PORT; stdin adds settings.
conf() {
    local d=$T/$1
    IMAP_PORT=$(free_port)
    IMAPS_PORT=$(free_port)
    mkdir -p "$d/run" "$d/state" "$d/home/testclient/Maildir/new" "$d/home/testclient/Maildir/cur" \
        "$d/home/testclient/Maildir/tmp"
    printf 'testclient:{PLAIN}secret::::::\n' >"$d/passwd"
    printf 'From: sender@example.org\r\nTo: testclient@example.org\r\nSubject: hello over TLS\r\n\r\nThe body of the test message.\r\n' \
        >"$d/home/testclient/Maildir/new/1000000000.M1P1.test"
    cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = dovecot
default_login_user = dovenull
import_environment = TZ CORE_OUTOFMEM CORE_ERROR LD_LIBRARY_PATH RUSTLS_LIBSSL_DEBUG
ssl = yes
ssl_cert = <$PKI/server-chain.pem
ssl_key = <$PKI/server.key
ssl_dh = </usr/share/dovecot/dh.pem
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = $d/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
EOF
    cat >>"$d/dovecot.conf"
    chown -R nobody:nogroup "$d/home"
    chmod 755 "$T" "$d"
}

# start NAME LIB: `dovecot -F` with $T/NAME/dovecot.conf on LIB; waits for both ports.
start() {
    local name=$1 lib=$2 p out
    if ! out=$(env -u LD_LIBRARY_PATH "$DOVECOT" -n -c "$T/$name/dovecot.conf" 2>&1 >/dev/null); then
        fail "doveconf rejected the configuration: $out"
    fi
    lib_env "$lib"
    bg "$name" "${LIB_ENV[@]}" "$DOVECOT" -F -c "$T/$name/dovecot.conf"
    for p in "$IMAP_PORT" "$IMAPS_PORT"; do
        if ! wait_listen "$p" "$BG_PID"; then
            sed 's/^/  log| /' "$T/$name/dovecot.log" "$T/$name.out" 2>/dev/null
            fail "dovecot ($name, lib $lib) did not start: $(grep -iE 'fatal|error' "$T/$name/dovecot.log" "$T/$name.out" 2>/dev/null | head -2 | tr '\n' ' ')"
        fi
    done
    MASTER=$(ps -o pid= --ppid "$BG_PID" | tr -d ' ' | head -1)
}

# imap NAME MODE [ARGS...]: the python client (system OpenSSL): MODE imaps or starttls;
# ARGS as KEY=VALUE: user, password, cert, key, maxver (TLSv1_2...).  Logs in, selects
# INBOX, fetches the message's subject and body, logs out.  Output $T/NAME.imap, exit RC.
imap() {
    local name=$1
    shift
    echo "+ imap $*"
    env -u LD_LIBRARY_PATH timeout -k 5 "$CLIENT_TIMEOUT" "$PY" "$WORK/imap.py" \
        "$IMAP_PORT" "$IMAPS_PORT" "$PKI/root.pem" "$@" >"$T/$name.imap" 2>&1
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$name.imap" | head -20
    [ "$RC" -eq 124 ] && fail "imap client ($name) hung"
    return 0
}
imap_has() { grep -qF -- "$2" "$T/$1.imap" || fail "imap client ($1) lacks '$2': $(grep -E '^(error|login|tls)' "$T/$1.imap" | head -2 | tr '\n' ' ')"; }
imap_ok() {
    [ "$RC" -eq 0 ] || fail "imap client ($1) failed (exit $RC): $(grep -E '^(error|login)' "$T/$1.imap" | head -1 | cut -c1-250)"
    imap_has "$1" "login: OK"
    imap_has "$1" "subject: hello over TLS"
    imap_has "$1" "body: The body of the test message."
}

# log_has REGEX: dovecot's log of the run in progress has a matching line
log_has() {
    grep -qE -- "$1" "$T/$RUN/dovecot.log" ||
        fail "dovecot log ($RUN) lacks /$1/: $(grep -vE 'Info: Dovecot|Killed with' "$T/$RUN/dovecot.log" | tail -2 | cut -c17- | tr '\n' ' ')"
}

# imap_login_pids: the imap-login processes of the running master
imap_login_pids() { ps -o pid=,comm= --ppid "$MASTER" | awk '$2 == "imap-login" {print $1}'; }

# normalized FILE: the log without timestamps, with pids and session ids masked, and the
# byte count sent by imap (its "Select completed (0.001 + 0.000 secs)" has timings in it);
# the imap process's "user<pid><session>" log prefix is not always set up in time for its
# last line, so it is left out.
normalized() {
    sed -E -e 's/^[A-Z][a-z]{2} [0-9 ][0-9] [0-9:]{8} //' \
        -e 's/\(([0-9]+)\)/(PID)/g; s/<[0-9]+>/<PID>/g; s/mpid=[0-9]+/mpid=N/g' \
        -e 's/session=<[^>]*>/session=<X>/g; s/<PID><[A-Za-z0-9+\/]+>/<PID><X>/g; s/by pid=[0-9]+/by pid=N/g' \
        -e 's/ out=[0-9]+ / out=N /' \
        -e 's/^imap\(testclient\)<PID><X>: /imap: /' "$1" |
        grep -vE -- "$VOLATILE" | sort -u
}

# twice FUNC: FUNC with RUN=ref, LIB=system, then with RUN=lib, LIB=LIBDIR (each starts and
# stops its own dovecot); then compares their logs.
twice() {
    local extra missing
    RUN=ref LIB=system
    echo "=== reference run: dovecot on the system library"
    "$1"
    stop_servers
    RUN=lib LIB=$LIBDIR
    echo "=== dovecot on $LIBDIR"
    "$1"
    stop_servers
    extra=$(comm -13 <(normalized "$T/ref/dovecot.log") <(normalized "$T/lib/dovecot.log"))
    missing=$(comm -23 <(normalized "$T/ref/dovecot.log") <(normalized "$T/lib/dovecot.log"))
    [ -n "$extra" ] && fail "dovecot log has a line the system run does not: $(echo "$extra" | head -1 | cut -c1-300)"
    [ -n "$missing" ] && fail "dovecot log lacks a line the system run has: $(echo "$missing" | head -1 | cut -c1-300)"
    return 0
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    imaps_login starttls_login imaps_tls12
    client_cert_required client_cert_username client_cert_wrong_ca
    min_protocol
)

# The imap-login process that handles a TLS connection maps the library under test.
t_loaded_lib() {
    local cpid pid n=0
    RUN=lib
    conf lib </dev/null
    start lib "$LIBDIR"
    env -u LD_LIBRARY_PATH timeout 10 "$PY" -c '
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
print(s.recv(200))
time.sleep(3)' "$IMAPS_PORT" "$PKI/root.pem" >"$T/hold.out" 2>&1 &
    cpid=$!
    sleep 1.5
    for pid in $(imap_login_pids); do
        expect_mapped "$pid" "$LIBDIR" "imap-login"
        n=$((n + 1))
    done
    wait "$cpid"
    cat "$T/hold.out"
    [ "$n" -gt 0 ] || fail "no imap-login process found under dovecot $MASTER"
    grep -q 'OK \[CAPABILITY' "$T/hold.out" || fail "no IMAP greeting over TLS: $(head -c 200 "$T/hold.out")"
}

# IMAPS (TLS from the first byte): login, SELECT, FETCH.
imaps_login() {
    conf "$RUN" </dev/null
    start "$RUN" "$LIB"
    imap s imaps
    imap_ok s
    imap_has s "tls: TLSv1.3 TLS_AES_256_GCM_SHA384"
    log_has 'imap-login: Info: Login: user=<testclient>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=[0-9]+, TLS, session='
    log_has 'imap\(testclient\).*Disconnected: Logged out'
}
t_imaps_login() { twice imaps_login; }

# IMAP with STARTTLS: the capability is offered in clear text; login after STARTTLS.
starttls_login() {
    conf "$RUN" </dev/null
    start "$RUN" "$LIB"
    imap st starttls
    imap_ok st
    imap_has st "capabilities before: "
    imap_has st " STARTTLS"
    imap_has st "tls: TLSv1.3 TLS_AES_256_GCM_SHA384"
    log_has 'imap-login: Info: Login: user=<testclient>, method=PLAIN, .*, TLS, session='
}
t_starttls_login() { twice starttls_login; }

# A TLS 1.2 client, over IMAPS and STARTTLS.
imaps_tls12() {
    conf "$RUN" </dev/null
    start "$RUN" "$LIB"
    imap s12 imaps maxver=TLSv1_2
    imap_ok s12
    imap_has s12 "tls: TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"
    imap st12 starttls maxver=TLSv1_2
    imap_ok st12
    imap_has st12 "tls: TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"
}
t_imaps_tls12() { twice imaps_tls12; }

# ssl_verify_client_cert with ssl_ca (the root and its CRL: dovecot's ssl_require_crl is on
# by default), and auth_ssl_require_client_cert: a client with our client certificate logs
# in; one without is refused at login.
client_cert_required() {
    conf "$RUN" <<EOF
ssl_ca = <$PKI/root-crl.pem
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
EOF
    start "$RUN" "$LIB"
    imap c imaps "cert=$PKI/client.pem" "key=$PKI/client.key"
    imap_ok c
    imap c12 imaps "cert=$PKI/client.pem" "key=$PKI/client.key" maxver=TLSv1_2
    imap_ok c12
    imap cst starttls "cert=$PKI/client.pem" "key=$PKI/client.key"
    imap_ok cst
    imap none imaps
    imap_has none "login: NO"
    imap_has none "Client didn't present valid SSL certificate"
    log_has 'imap-login: Info: Disconnected: Connection closed \(no auth attempts in 0 secs\)|imap-login: Info: .*client didn.t send a cert'
    log_has 'Login: user=<testclient>, method=PLAIN, .*, TLS, session='
}
t_client_cert_required() { twice client_cert_required; }

# auth_ssl_username_from_cert: the user name comes from the certificate's CN, whatever
# the client typed.
client_cert_username() {
    conf "$RUN" <<EOF
ssl_ca = <$PKI/root-crl.pem
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
auth_ssl_username_from_cert = yes
EOF
    start "$RUN" "$LIB"
    imap u imaps "cert=$PKI/client.pem" "key=$PKI/client.key" user=someone.else
    imap_ok u
    log_has 'Login: user=<testclient>'
}
t_client_cert_username() { twice client_cert_username; }

# A client certificate from an unrelated CA: the handshake completes (dovecot's verify
# callback records the failure) and the login is refused.
client_cert_wrong_ca() {
    conf "$RUN" <<EOF
ssl_ca = <$PKI/root-crl.pem
ssl_verify_client_cert = yes
auth_ssl_require_client_cert = yes
EOF
    start "$RUN" "$LIB"
    imap w imaps "cert=$PKI/other-client.pem" "key=$PKI/other-client.key" maxver=TLSv1_2
    [ "$RC" -ne 0 ] || fail "a client certificate of an unknown CA was accepted"
    imap_has w "login: NO"
    imap_has w "Client didn't present valid SSL certificate"
    imap w13 imaps "cert=$PKI/other-client.pem" "key=$PKI/other-client.key"
    [ "$RC" -ne 0 ] || fail "a client certificate of an unknown CA was accepted (TLS 1.3)"
    imap_has w13 "Client didn't present valid SSL certificate"
    log_has 'imap-login: Info: Disconnected: Connection closed \(client sent an invalid cert\)'
    imap ok imaps "cert=$PKI/client.pem" "key=$PKI/client.key"
    imap_ok ok
}
t_client_cert_wrong_ca() { twice client_cert_wrong_ca; }

# ssl_min_protocol = TLSv1.3 and a cipher list (ssl_cipher_list): a TLS 1.2 client is
# refused, a TLS 1.3 one served.
min_protocol() {
    conf "$RUN" <<EOF
ssl_min_protocol = TLSv1.3
ssl_cipher_list = ECDHE+AESGCM
ssl_prefer_server_ciphers = yes
EOF
    start "$RUN" "$LIB"
    imap old imaps maxver=TLSv1_2
    [ "$RC" -ne 0 ] || fail "a TLS 1.2 client was served with ssl_min_protocol = TLSv1.3"
    imap_has old "error: "
    imap new imaps
    imap_ok new
    imap_has new "tls: TLSv1.3"
}
t_min_protocol() { twice min_protocol; }

###########################################################################
# Driver
###########################################################################

# The IMAP client: python3 imaplib over the system OpenSSL.
write_client() {
    cat >"$1" <<'EOF'
import imaplib, ssl, sys
imap_port, imaps_port, cafile, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
opt = dict(a.split("=", 1) for a in sys.argv[5:])
ctx = ssl.create_default_context(cafile=cafile)
if "cert" in opt:
    ctx.load_cert_chain(opt["cert"], opt["key"])
if "maxver" in opt:
    ctx.maximum_version = getattr(ssl.TLSVersion, opt["maxver"])
try:
    if mode == "imaps":
        m = imaplib.IMAP4_SSL("localhost", imaps_port, ssl_context=ctx, timeout=10)
    else:
        m = imaplib.IMAP4("localhost", imap_port, timeout=10)
        print("capabilities before:", " ".join(m.capabilities))
        m.starttls(ctx)
    print("tls:", m.sock.version(), m.sock.cipher()[0])
    try:
        typ, data = m.login(opt.get("user", "testclient"), opt.get("password", "secret"))
        print("login:", typ, data[0].decode())
    except imaplib.IMAP4.error as e:
        print("login: NO", e)
        sys.exit(3)
    typ, data = m.select("INBOX")
    print("select:", typ, data[0].decode())
    typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])")
    parts = [p for p in data if isinstance(p, tuple)]
    print("subject:", parts[0][1].decode().strip().replace("Subject: ", ""))
    print("body:", parts[1][1].decode().strip())
    typ, data = m.logout()
    print("logout:", typ)
except (OSError, ssl.SSLError, imaplib.IMAP4.abort, imaplib.IMAP4.error) as e:
    print("error:", type(e).__name__, e)
    sys.exit(2)
EOF
}

# gen_extra DIR: a client certificate under an unrelated CA.
gen_extra() {
    local o=$OPENSSL
    cd "$1" || return 1
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=testclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
    cat root.pem root.crl.pem >root-crl.pem
}

# show_logs: every dovecot log of the test, into the test's log
show_logs() {
    local f
    for f in "$T"/*/dovecot.log; do
        [ -f "$f" ] && sed "s#^#  $(basename "$(dirname "$f")") log| #" "$f"
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
    [ "$(id -u)" -eq 0 ] || { echo "must run as root (dovecot's master starts its login processes as dovenull)" >&2; exit 2; }
    need_quiet dovecot dovecot-core dovecot-imapd openssl python3 procps ||
        { echo "dovecot-core, dovecot-imapd, openssl, python3 and procps are required" >&2; exit 2; }
    [ -x "$PY" ] || { echo "$PY (Debian's python3, on the system OpenSSL) is required" >&2; exit 2; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-dovecot.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH; gen_extra "$PKI"); } >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    chmod -R a+rX "$PKI"
    write_client "$WORK/imap.py"
    mkdir -p "$WORK/tests"
    chmod 755 "$WORK/tests"
    echo "# library: $LIBDIR; dovecot $("$DOVECOT" --version | cut -d' ' -f1); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
