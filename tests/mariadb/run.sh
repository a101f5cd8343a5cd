#!/bin/bash
# MariaDB (Debian 12's mariadb-server / mariadb-client 10.11) integration tests for
# rustls-libssl.
#
# usage: tests/mariadb/run.sh LIBDIR|system [TEST...]
#        tests/mariadb/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  srv_* tests run the server,
#           mariadbd, with LD_LIBRARY_PATH=LIBDIR and drive it with the `mariadb` client on
#           the system OpenSSL; cli_* tests run the `mariadb` client (which carries
#           Connector/C and links libssl.so.3 itself) on LIBDIR against a mariadbd on the
#           system OpenSSL.  `system` runs everything on the system OpenSSL, which must
#           pass 100%.
#   TEST    optional test names to run only those.
#
# Each test makes its own datadir with mariadb-install-db and starts a private mariadbd
# (as user mysql) on a free 127.0.0.1 port and a socket in the test's directory, with the
# test PKI as ssl_cert/ssl_key/ssl_ca.  Users: plain (no requirement), ssl (REQUIRE SSL),
# x509 (REQUIRE X509), subj (REQUIRE SUBJECT '/CN=testclient' AND ISSUER <root>); password
# `pw`.  Setup statements go over the socket with --skip-ssl, so they do not depend on TLS.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.  After each test the error log of a mariadbd under test is
# searched for [ERROR] and [Warning] lines; any but the baseline ones the same server logs
# on OpenSSL (LOG_BASELINE) and those the test expects (LOG_ALLOW) fail the test.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
MARIADBD=/usr/sbin/mariadbd
MARIADB=/usr/bin/mariadb
INSTALL_DB=/usr/bin/mariadb-install-db
PY=/usr/bin/python3
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=100
TEST_TIMEOUT=120

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF MYSQL_HOST MYSQL_TCP_PORT \
      MYSQL_UNIX_PORT MYSQL_PWD MARIADB_HOST MARIADB_TCP_PORT MARIADB_UNIX_PORT MARIADB_PWD
export LC_ALL=C

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
LOG_ALLOW='^$'   # regex of error-log lines the test expects from the mariadbd under test
# What mariadbd logs on every start with either library (install-db's root@hostname entry).
LOG_BASELINE="'(user|proxies_priv)' entry .* ignored in --skip-name-resolve mode"
UNDER_TEST_LOGS=()

note() { echo "note: $*"; echo "$*" >>"$T/note"; }

stop_servers() { stop_pids 100 "${SERVER_PIDS[@]}"; SERVER_PIDS=(); }

# libenv ROLE: env(1) arguments for a process on the library under test (ROLE=test) or on
# the system OpenSSL (ROLE=system).
libenv() {
    if [ "$1" = test ] && [ "$LIBDIR" != system ]; then
        echo "LD_LIBRARY_PATH=$LIBDIR"
    else
        echo "-u LD_LIBRARY_PATH"
    fi
}

# maps_lib PID ROLE: the process maps the library ROLE says.
maps_lib() {
    local got want
    got=$(grep -E 'libssl\.so' "/proc/$1/maps" 2>/dev/null | awk '{print $6}' | sort -u)
    if [ "$2" = test ] && [ "$LIBDIR" != system ]; then
        want=$(readlink -f "$LIBDIR/libssl.so.3")
    else
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    fi
    [ "$(readlink -f "${got:-none}")" = "$want" ] || fail "pid $1 maps '$got', want $want"
}

# db_start NAME ROLE [mariadbd OPTIONS...]: a private mariadbd on the library ROLE says,
# TLS on, the users above created; sets PORT and SOCK.
db_start() {
    local name=$1 role=$2 d=$T/$1 i
    shift 2
    mkdir -p "$d"
    chmod 755 "$T" "$d"
    chown mysql "$d"
    PORT=$(free_port)
    SOCK=$d/mysqld.sock
    echo "+ mariadb-install-db ($name)"
    timeout 60 env -u LD_LIBRARY_PATH "$INSTALL_DB" --no-defaults --datadir="$d/data" --user=mysql \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        --innodb-log-file-size=4M --innodb-buffer-pool-size=16M >"$d/install.log" 2>&1 ||
        { tail -5 "$d/install.log"; fail "mariadb-install-db failed"; }
    # shellcheck disable=SC2046
    bg "$name" env $(libenv "$role") "$MARIADBD" --no-defaults --datadir="$d/data" --user=mysql \
        --socket="$SOCK" --port="$PORT" --bind-address=127.0.0.1 --pid-file="$d/mysqld.pid" \
        --log-error="$d/error.log" --skip-name-resolve --innodb-buffer-pool-size=16M \
        --innodb-log-file-size=4M --max-connections=50 \
        --ssl-cert="$PKI/server-chain.pem" --ssl-key="$PKI/server.key" --ssl-ca="$PKI/root.pem" "$@"
    DB_PID=$BG_PID
    [ "$role" = test ] && UNDER_TEST_LOGS+=("$d/error.log")
    if ! wait_listen "$PORT" "$BG_PID"; then
        tail -20 "$d/error.log" "$T/$name.out" 2>/dev/null
        fail "mariadbd $name did not listen on $PORT"
    fi
    for i in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
    # mariadbd is the child of timeout(1)
    maps_lib "$(ps -o pid= --ppid "$DB_PID" | tr -d ' ' | head -1)" "$role"
    env -u LD_LIBRARY_PATH timeout 20 "$MARIADB" --no-defaults --skip-ssl -S "$SOCK" -u root >"$d/setup.out" 2>&1 <<EOF ||
CREATE DATABASE t;
CREATE USER 'plain'@'%' IDENTIFIED BY 'pw';
CREATE USER 'ssl'@'%' IDENTIFIED BY 'pw' REQUIRE SSL;
CREATE USER 'x509'@'%' IDENTIFIED BY 'pw' REQUIRE X509;
CREATE USER 'subj'@'%' IDENTIFIED BY 'pw' REQUIRE SUBJECT '/CN=testclient' AND ISSUER '/O=rustls-libssl tests/CN=Test Root CA';
GRANT ALL ON t.* TO 'plain'@'%', 'ssl'@'%', 'x509'@'%', 'subj'@'%';
EOF
        { cat "$d/setup.out"; fail "setting up users over the socket failed"; }
}

# root_sql SQL: a statement as root over the socket, without TLS (system client).
root_sql() {
    env -u LD_LIBRARY_PATH timeout 20 "$MARIADB" --no-defaults --skip-ssl -S "$SOCK" -u root -N -B -e "$1"
}

# my NAME ROLE USER [CLIENT OPTIONS...] -- SQL: the mariadb client over TCP to the server
# of the test, on the library ROLE says; stdout+stderr in $T/NAME.out, exit code RC.
my() {
    local name=$1 role=$2 user=$3 opts=()
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    echo "+ [$name, lib $role] mariadb -u $user ${opts[*]} -e \"$1\""
    # shellcheck disable=SC2046
    timeout -k 5 "$CLIENT_TIMEOUT" env $(libenv "$role") "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 \
        -P "$PORT" -u "$user" -ppw -N -B "${opts[@]}" -e "$1" >"$T/$name.out" 2>&1 </dev/null
    RC=$?
    echo "  exit code: $RC"
    head -c 2000 "$T/$name.out" | head -20 | sed 's/^/  | /'
    [ "$RC" -ge 124 ] && fail "mariadb client $name hung or crashed (exit $RC)"
    return 0
}

# The status query every connection check runs.
TLS_Q="SHOW STATUS LIKE 'Ssl_version'; SHOW STATUS LIKE 'Ssl_cipher'; SELECT CURRENT_USER()"

has() { grep -qE -- "$2" "$T/$1.out" || fail "$1: output lacks /$2/: $(head -c 300 "$T/$1.out")"; }
rc_is() { [ "$RC" -eq "$1" ] || fail "$2: exit code $RC, want $1: $(head -c 300 "$T/$2.out")"; }
# tls_is NAME VERSION CIPHER: a successful connection with this protocol and cipher
tls_is() {
    rc_is 0 "$1"
    has "$1" "^Ssl_version	$2\$"
    has "$1" "^Ssl_cipher	$3\$"
}

# check_logs: [ERROR]/[Warning] lines of a mariadbd under test beyond the baseline.
check_logs() {
    local f bad
    for f in "${UNDER_TEST_LOGS[@]}"; do
        [ -f "$f" ] || continue
        bad=$(grep -E '\[(ERROR|Warning)\]' "$f" | grep -vE -- "$LOG_BASELINE" | grep -vE -- "$LOG_ALLOW" | head -3)
        if [ -n "$bad" ]; then
            echo "$bad" | sed 's/^/  log| /'
            fail "$(basename "$(dirname "$f")")/error.log: $(echo "$bad" | head -1 | cut -d' ' -f3- | cut -c1-300)"
        fi
    done
}

ABORTED="Aborted connection [0-9]+ to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.1'"

###########################################################################
# Tests: srv_* put mariadbd under test, cli_* the mariadb client
###########################################################################

TESTS=(
    srv_have_ssl srv_require_ssl srv_verify_server_cert srv_x509 srv_tls12 srv_tls_version
    srv_secure_transport srv_bulk srv_many_flush
    cli_basic cli_verify_server_cert cli_verify_fail cli_x509 cli_tls12 cli_bulk
)

# --- server under test ---------------------------------------------------------------------

# TLS is enabled (have_ssl=YES), a TCP client negotiates TLS 1.3 by default, and the
# socket connection of the default client is encrypted too.
t_srv_have_ssl() {
    db_start db test
    [ "$(root_sql "SELECT @@have_ssl")" = YES ] || fail "have_ssl is '$(root_sql "SELECT @@have_ssl")', want YES"
    my c system plain -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    has c '^plain@%$'
    echo "+ mariadb over the socket, TLS by default"
    env -u LD_LIBRARY_PATH timeout 20 "$MARIADB" --no-defaults -S "$SOCK" -u root -e status >"$T/sock.out" 2>&1 ||
        fail "socket connection failed: $(cat "$T/sock.out")"
    grep -q 'SSL:.*Cipher in use is TLS_AES_256_GCM_SHA384' "$T/sock.out" || fail "socket status: $(grep SSL "$T/sock.out")"
}

# REQUIRE SSL: TLS works; without TLS the server refuses with its usual error.
t_srv_require_ssl() {
    db_start db test
    my c system ssl --ssl -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my n system ssl --skip-ssl -- "SELECT 1"
    rc_is 1 n
    has n "^ERROR 1045 \\(28000\\).*: Access denied for user 'ssl'@'127.0.0.1' \\(using password: YES\\)"
    LOG_ALLOW="Access denied for user 'ssl'@'127.0.0.1'"
}

# --ssl-verify-server-cert: the server's chain verifies against the root (IP SAN); a
# client trusting another CA fails with OpenSSL's reason.
t_srv_verify_server_cert() {
    db_start db test
    my c system ssl --ssl-verify-server-cert --ssl-ca="$PKI/root.pem" -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my bad system ssl --ssl-verify-server-cert --ssl-ca="$PKI/selfsigned.pem" -- "SELECT 1"
    rc_is 1 bad
    has bad '^ERROR 2026 \(HY000\): TLS/SSL error: unable to get local issuer certificate'
    LOG_ALLOW="$ABORTED"
}

# REQUIRE X509 / SUBJECT+ISSUER: the client certificate is verified and its names matched.
t_srv_x509() {
    db_start db test
    my c system x509 --ssl-cert="$PKI/client.pem" --ssl-key="$PKI/client.key" -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my s system subj --ssl-cert="$PKI/client.pem" --ssl-key="$PKI/client.key" -- "$TLS_Q; SHOW STATUS LIKE 'Ssl_verify_mode'"
    tls_is s TLSv1.3 TLS_AES_256_GCM_SHA384
    has s '^subj@%$'
    my s12 system subj --tls-version=TLSv1.2 --ssl-cert="$PKI/client.pem" --ssl-key="$PKI/client.key" -- "$TLS_Q"
    tls_is s12 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
    my n system x509 --ssl -- "SELECT 1"
    rc_is 1 n
    has n "^ERROR 1045 \\(28000\\).*: Access denied for user 'x509'@'127.0.0.1'"
    LOG_ALLOW="Access denied for user 'x509'@'127.0.0.1'"
}

# A TLS 1.2 client: ECDHE-RSA suites, the one asked for with --ssl-cipher.
t_srv_tls12() {
    db_start db test
    my c system ssl --tls-version=TLSv1.2 -- "$TLS_Q"
    tls_is c TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
    my c128 system ssl --tls-version=TLSv1.2 --ssl-cipher=ECDHE-RSA-AES128-GCM-SHA256 -- "$TLS_Q"
    tls_is c128 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256
}

# The server's tls_version=TLSv1.2: clients get TLS 1.2; a TLS 1.3-only client is refused.
t_srv_tls_version() {
    db_start db test --tls-version=TLSv1.2
    [ "$(root_sql "SELECT @@tls_version")" = TLSv1.2 ] || fail "tls_version is $(root_sql "SELECT @@tls_version")"
    my c system ssl -- "$TLS_Q"
    tls_is c TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
    my c13 system ssl --tls-version=TLSv1.3 -- "SELECT 1"
    rc_is 1 c13
    has c13 '^ERROR 2026 \(HY000\): TLS/SSL error: .*(protocol version|unsupported protocol)'
    LOG_ALLOW="$ABORTED"
}

# require_secure_transport=ON: TCP without TLS is refused (MariaDB 10.11 reports it as
# access denied), the same user over TLS gets in.
t_srv_secure_transport() {
    db_start db test --require-secure-transport=ON
    my c system plain -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my n system plain --skip-ssl -- "SELECT 1"
    rc_is 1 n
    has n "^ERROR 1045 \\(28000\\).*: Access denied for user 'plain'@'127.0.0.1' \\(using password: YES\\)"
    LOG_ALLOW="Access denied for user 'plain'@'127.0.0.1'"
}

# 4 MB up (one INSERT) and down (one row), and 2,000 small rows: digests match.
t_srv_bulk() {
    bulk system test
}

# 30 connections in a row, Ssl_accepts/Ssl_finished_accepts count them, FLUSH SSL reloads
# the certificates and new connections still work.
t_srv_many_flush() {
    local i n
    db_start db test
    for i in $(seq 1 30); do
        env -u LD_LIBRARY_PATH timeout 10 "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PORT" \
            -u ssl -ppw -N -B -e "SHOW STATUS LIKE 'Ssl_version'" >>"$T/loop.out" 2>&1 || fail "connection $i failed: $(tail -1 "$T/loop.out")"
    done
    n=$(grep -c 'Ssl_version	TLSv1.3' "$T/loop.out")
    [ "$n" -eq 30 ] || fail "$n of 30 connections used TLS 1.3"
    root_sql "SHOW GLOBAL STATUS LIKE 'Ssl_%accepts'" >"$T/accepts.out"
    sed 's/^/  | /' "$T/accepts.out"
    n=$(awk '$1 == "Ssl_finished_accepts" {print $2}' "$T/accepts.out")
    [ "${n:-0}" -ge 30 ] || fail "Ssl_finished_accepts is '$n' after 30 TLS connections"
    n=$(awk '$1 == "Ssl_accepts" {print $2}' "$T/accepts.out")
    [ "${n:-0}" -ge 30 ] || fail "Ssl_accepts is '$n' after 30 TLS connections"
    root_sql "FLUSH SSL" >"$T/flush.out" 2>&1 || fail "FLUSH SSL failed: $(cat "$T/flush.out")"
    my c system ssl --ssl-verify-server-cert --ssl-ca="$PKI/root.pem" -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
}

# bulk CLIENT_ROLE SERVER_ROLE: big values both ways over TLS.
bulk() {
    local want got
    db_start db "$2"
    "$PY" -c 'import sys
sys.stdout.write("INSERT INTO t.big VALUES (1, \x27" + "0123456789abcdef" * 262144 + "\x27);\n")' >"$T/insert.sql"
    root_sql "CREATE TABLE t.big (id INT PRIMARY KEY, b LONGBLOB); CREATE TABLE t.small (id INT PRIMARY KEY, v VARCHAR(64))"
    echo "+ [insert, lib $1] 4 MiB INSERT"
    # shellcheck disable=SC2046
    timeout 30 env $(libenv "$1") "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PORT" -u ssl -ppw \
        --max-allowed-packet=64M <"$T/insert.sql" >"$T/insert.out" 2>&1 || fail "INSERT of 4 MiB failed: $(cat "$T/insert.out")"
    want=$(head -c 4194304 < <(yes 0123456789abcdef | tr -d '\n') | md5sum | cut -d' ' -f1)
    my sum "$1" ssl -- "SELECT LENGTH(b), MD5(b) FROM t.big"
    rc_is 0 sum
    has sum "^4194304	$want\$"
    echo "+ [select, lib $1] 4 MiB SELECT"
    # shellcheck disable=SC2046
    timeout 30 env $(libenv "$1") "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PORT" -u ssl -ppw -N -B \
        --max-allowed-packet=64M -e "SELECT b FROM t.big" 2>"$T/select.err" | tr -d '\n' >"$T/select.out"
    got=$(md5sum <"$T/select.out" | cut -d' ' -f1)
    [ "$got" = "$want" ] || fail "SELECT of 4 MiB returned $(wc -c <"$T/select.out") bytes, md5 $got: $(head -c 200 "$T/select.err")"
    "$PY" -c 'import sys
print("INSERT INTO t.small VALUES " + ",".join("(%d, \x27row-%d\x27)" % (i, i) for i in range(2000)) + ";")' >"$T/small.sql"
    # shellcheck disable=SC2046
    timeout 30 env $(libenv "$1") "$MARIADB" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$PORT" -u ssl -ppw \
        <"$T/small.sql" >"$T/small.out" 2>&1 || fail "INSERT of 2000 rows failed: $(cat "$T/small.out")"
    my rows "$1" ssl -- "SELECT id, v FROM t.small ORDER BY id"
    rc_is 0 rows
    [ "$(wc -l <"$T/rows.out")" -eq 2000 ] && [ "$(tail -1 "$T/rows.out")" = "1999	row-1999" ] ||
        fail "SELECT of 2000 rows: $(wc -l <"$T/rows.out") lines, last '$(tail -1 "$T/rows.out")'"
}

# --- client under test ---------------------------------------------------------------------

t_cli_basic() {
    db_start db system
    my c test plain -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my s test ssl --ssl -- "$TLS_Q"
    tls_is s TLSv1.3 TLS_AES_256_GCM_SHA384
    echo "+ mariadb (lib test) over the socket, TLS by default"
    # shellcheck disable=SC2046
    timeout 20 env $(libenv test) "$MARIADB" --no-defaults -S "$SOCK" -u root -e status >"$T/sock.out" 2>&1 ||
        fail "socket connection failed: $(cat "$T/sock.out")"
    grep -q 'SSL:.*Cipher in use is TLS_AES_256_GCM_SHA384' "$T/sock.out" || fail "socket status: $(grep SSL "$T/sock.out")"
}

t_cli_verify_server_cert() {
    db_start db system
    my c test ssl --ssl-verify-server-cert --ssl-ca="$PKI/root.pem" -- "$TLS_Q"
    tls_is c TLSv1.3 TLS_AES_256_GCM_SHA384
    my h test ssl --ssl-verify-server-cert --ssl-capath="$PKI/hashdir" -- "$TLS_Q"
    tls_is h TLSv1.3 TLS_AES_256_GCM_SHA384
}

# Verification failures: an unknown CA, and a certificate for another name.
t_cli_verify_fail() {
    db_start db system
    my ca test ssl --ssl-verify-server-cert --ssl-ca="$PKI/selfsigned.pem" -- "SELECT 1"
    rc_is 1 ca
    has ca '^ERROR 2026 \(HY000\): TLS/SSL error: unable to get local issuer certificate'
    stop_servers
    db_start wrong system --ssl-cert="$PKI/wrong.pem" --ssl-key="$PKI/wrong.key"
    my name test ssl --ssl-verify-server-cert --ssl-ca="$PKI/root.pem" -- "SELECT 1"
    rc_is 1 name
    has name '^ERROR 2026 \(HY000\): TLS/SSL error: Validation of SSL server certificate failed'
}

t_cli_x509() {
    db_start db system
    my s test subj --ssl-cert="$PKI/client.pem" --ssl-key="$PKI/client.key" -- "$TLS_Q"
    tls_is s TLSv1.3 TLS_AES_256_GCM_SHA384
    has s '^subj@%$'
    my s12 test subj --tls-version=TLSv1.2 --ssl-cert="$PKI/client.pem" --ssl-key="$PKI/client.key" -- "$TLS_Q"
    tls_is s12 TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
}

t_cli_tls12() {
    db_start db system
    my c test ssl --tls-version=TLSv1.2 -- "$TLS_Q"
    tls_is c TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384
    my c128 test ssl --tls-version=TLSv1.2 --ssl-cipher=ECDHE-RSA-AES128-GCM-SHA256 -- "$TLS_Q"
    tls_is c128 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256
}

t_cli_bulk() {
    bulk test system
}

###########################################################################
# Driver
###########################################################################

run_one() {
    local name=$1
    T=$WORK/tests/$name
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$name"
    stop_servers
    check_logs
}

main() {
    suite_args "$@"
    [ "$(id -u)" -eq 0 ] || { echo "run as root (mariadbd runs as user mysql in private datadirs)" >&2; exit 2; }
    need mariadb-server mariadb-client openssl python3 procps ||
        { echo "mariadb-server, mariadb-client, openssl, python3 and procps are required" >&2; exit 2; }
    # Debian starts the packaged server on install; it would hold port 3306 and the default
    # socket, which these tests never use, but should not run beside them.
    if [ -e /run/mysqld/mysqld.pid ] && kill -0 "$(cat /run/mysqld/mysqld.pid)" 2>/dev/null; then
        echo "note: stopping the system mariadb service" >&2
        service mariadb stop >/dev/null 2>&1 || service mysql stop >/dev/null 2>&1 || true
    fi
    systemctl disable mariadb >/dev/null 2>&1 || true
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-mariadb.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    # mariadbd runs as mysql: the (throw-away) test PKI must be readable.
    chmod -R a+rX "$PKI"
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$MARIADBD" --version 2>/dev/null); logs: $WORK"
    run_tests
}

main "$@"
