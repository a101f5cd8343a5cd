#!/bin/bash
# PostgreSQL 15 (Debian 12's postgresql-15 server and psql/libpq) integration tests for
# rustls-libssl.
#
# usage: tests/postgresql/run.sh LIBDIR|system [TEST...]
#        tests/postgresql/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  NAME_server runs the postgres
#           server (postmaster and the backends it forks) with LD_LIBRARY_PATH=LIBDIR and
#           drives it with psql on the system OpenSSL; NAME_client runs psql (libpq) on
#           LIBDIR against a server on the system OpenSSL.  `system` runs everything on the
#           system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test runs its scenario twice with the same configuration and the same psql
# commands: first everything on the system OpenSSL (the reference), then with the library
# under test in the role the test names.  Servers are private clusters (copies of one
# initdb made at the start, run as user postgres) on free 127.0.0.1 ports with a socket in
# the test's directory; ssl=on with the test PKI, log_connections on (which logs the
# protocol and cipher of every connection).  Besides the test's own checks, what psql
# printed (stdout and stderr, exit codes) and the server's log must equal the reference
# run's line by line once ports, paths, timestamps and pids are masked.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
PGBIN=/usr/lib/postgresql/15/bin
PSQL=$PGBIN/psql
OPENSSL=/usr/bin/openssl
PY=/usr/bin/python3
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=120
TEST_TIMEOUT=200

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF PGHOST PGHOSTADDR PGPORT \
      PGDATABASE PGUSER PGPASSWORD PGPASSFILE PGSERVICE PGSERVICEFILE PGSSLMODE PGSSLCERT PGSSLKEY \
      PGSSLROOTCERT PGSSLCRL PGSSLCRLDIR PGSSLSNI PGREQUIRESSL PGSSLCOMPRESSION PGGSSENCMODE \
      PGSSLMINPROTOCOLVERSION PGSSLMAXPROTOCOLVERSION PGOPTIONS PGAPPNAME PGCONNECT_TIMEOUT PGDATA \
      PSQLRC PSQL_HISTORY PAGER PSQL_PAGER
export LC_ALL=C PGCONNECT_TIMEOUT=15

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
DATADIRS=()

# stop_servers: pg_ctl stop (fast) for every cluster of the test, then the bg processes.
stop_servers() {
    local d
    for d in "${DATADIRS[@]}"; do
        [ -f "$d/postmaster.pid" ] &&
            runuser -u postgres -- timeout 20 "$PGBIN/pg_ctl" -D "$d" stop -m fast -w >/dev/null 2>&1
    done
    DATADIRS=()
    # runuser exits once postgres has: give it a moment before signalling it
    local pid i
    for pid in "${SERVER_PIDS[@]}"; do
        for i in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
    stop_pids 50 "${SERVER_PIDS[@]}"
    SERVER_PIDS=()
}

# lib_env LIB: the env(1) prefix for a process on LIB (a directory, or `system`).
# expect_mapped PID LIB WHO: PID has LIB's libssl.so.3 mapped, and no other.
expect_mapped() {
    local maps want
    maps=$(grep -E 'libssl\.so' "/proc/$1/maps" 2>/dev/null | awk '{print $6}' | sort -u)
    echo "$3 (pid $1) maps: $maps"
    [ -n "$maps" ] || fail "$3 maps no libssl"
    [ "$(echo "$maps" | wc -l)" -eq 1 ] || fail "$3 maps several libssl: $maps"
    if [ "$2" = system ]; then
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    else
        want=$(readlink -f "$2/libssl.so.3")
    fi
    [ "$(readlink -f "$maps")" = "$want" ] || fail "$3 maps $maps, not $want"
}

# pg_start NAME LIB [postgresql.conf lines on stdin]: a cluster copied from the template in
# $T/NAME/data, ssl=on with the server certificate (unless the lines replace it), on a
# free port; the postmaster runs on LIB.  Sets PORT and PGDIR; the server log is
# $T/NAME/log (stderr).
pg_start() {
    local name=$1 lib=$2 d=$T/$1 pid
    mkdir -p "$d"
    chmod 755 "$T" "$d"
    chown postgres "$d"
    cp -a "$WORK/template/data" "$d/data"
    PGDIR=$d/data
    PORT=$(free_port)
    {
        cat <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$d'
log_destination = 'stderr'
logging_collector = off
log_line_prefix = ''
log_connections = on
log_checkpoints = off
log_min_messages = info
ssl = on
ssl_cert_file = '$PKI/server-chain.pem'
ssl_key_file = '$WORK/keys/server.key'
EOF
        cat
    } >>"$PGDIR/postgresql.conf"
    cat >"$PGDIR/pg_hba.conf" <<EOF
local   all  all                          trust
hostssl all  testclient     127.0.0.1/32  cert
hostssl all  revokedclient  127.0.0.1/32  cert
hostssl all  otherclient    127.0.0.1/32  cert
hostssl all  vca            127.0.0.1/32  trust clientcert=verify-ca
hostssl all  all            127.0.0.1/32  trust
host    all  all            127.0.0.1/32  reject
EOF
    chown postgres "$PGDIR/postgresql.conf" "$PGDIR/pg_hba.conf"
    lib_env "$lib"
    echo "+ [$name] postgres on $lib, port $PORT"
    (cd "$d" && exec timeout -k 5 "$SERVER_TIMEOUT" runuser -u postgres -- "${LIB_ENV[@]}" "$PGBIN/postgres" -D "$PGDIR") \
        >"$d/log" 2>&1 </dev/null &
    SERVER_PIDS+=($!)
    DATADIRS+=("$PGDIR")
    if ! wait_listen "$PORT" "$!"; then
        sed 's/^/  log| /' "$d/log"
        fail "postgres ($name, lib $lib) did not start: $(grep -E 'FATAL|ERROR|PANIC' "$d/log" | head -1)"
    fi
    for pid in $(seq 1 100); do
        grep -q 'database system is ready to accept connections' "$d/log" && break
        sleep 0.1
    done
    pid=$(head -1 "$PGDIR/postmaster.pid")
    expect_mapped "$pid" "$lib" "postmaster ($name)"
    SRV_NAME=$name
}

# admin SQL: a statement over the Unix socket as postgres (system psql, no TLS).
admin() {
    env -u LD_LIBRARY_PATH timeout 20 "$PSQL" -X -A -t -q -h "$T/$SRV_NAME" -p "$PORT" -U postgres -d postgres -c "$1"
}

# The connection parameters every psql of the tests has.
BASE="host=localhost hostaddr=127.0.0.1 dbname=postgres gssencmode=disable connect_timeout=15"

# What psql prints about the TLS connection: \conninfo, pg_stat_ssl, sslinfo.
Q_STAT="SELECT 'stat ssl=' || ssl || ' version=' || coalesce(version, '-') || ' cipher=' || coalesce(cipher, '-') || ' bits=' || coalesce(bits::text, '-') || ' client_dn=' || coalesce(client_dn, '-') || ' client_serial=' || coalesce(client_serial::text, '-') || ' issuer_dn=' || coalesce(issuer_dn, '-') FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
Q_INFO="SELECT 'sslinfo used=' || ssl_is_used() || ' version=' || coalesce(ssl_version(), '-') || ' cipher=' || coalesce(ssl_cipher(), '-') || ' cert=' || ssl_client_cert_present() || ' dn=' || coalesce(ssl_client_dn(), '-') || ' cn=' || coalesce(ssl_client_dn_field('commonName'), '-') || ' issuer=' || coalesce(ssl_issuer_dn(), '-') || ' issuer_cn=' || coalesce(ssl_issuer_field('commonName'), '-')"
Q_EXT="SELECT 'ext ' || name || '=' || value || ' critical=' || critical FROM ssl_extension_info() ORDER BY name"

# pq NAME CONNINFO [psql ARGS...]: psql on CLI_LIB with CONNINFO (after BASE and the
# port); its stdout and stderr go to $T/NAME.out and, with a header and the exit code,
# are appended to $T/$RUN.psql.  RC is its exit code.
pq() {
    local name=$1 conn=$2
    shift 2
    lib_env "$CLI_LIB"
    echo "+ [$RUN/$name, lib $CLI_LIB] psql '$conn' $*"
    HOME=$WORK/home timeout -k 5 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$PSQL" -X -A -t -v ON_ERROR_STOP=1 \
        "$BASE port=$PORT $conn" "$@" >"$T/$RUN-$name.out" 2>&1 </dev/null
    RC=$?
    sed -i -E "s#$WORK#WORK#g" "$T/$RUN-$name.out"
    sed 's/^/  | /' "$T/$RUN-$name.out" | head -30
    echo "  exit $RC"
    { echo "## $name"; cat "$T/$RUN-$name.out"; echo "## exit $RC"; } >>"$T/$RUN.psql"
    [ "$RC" -ge 124 ] && fail "psql ($RUN/$name) hung or crashed (exit $RC): $(tail -1 "$T/$RUN-$name.out")"
    return 0
}

# pq_in NAME CONNINFO FILE [psql ARGS...]: pq with FILE on stdin
pq_in() {
    local name=$1 conn=$2 file=$3
    shift 3
    lib_env "$CLI_LIB"
    echo "+ [$RUN/$name, lib $CLI_LIB] psql '$conn' $* < $(basename "$file")"
    HOME=$WORK/home timeout -k 5 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" "$PSQL" -X -A -t -v ON_ERROR_STOP=1 \
        "$BASE port=$PORT $conn" "$@" >"$T/$RUN-$name.out" 2>&1 <"$file"
    RC=$?
    sed -i -E "s#$WORK#WORK#g" "$T/$RUN-$name.out"
    sed 's/^/  | /' "$T/$RUN-$name.out" | head -30
    echo "  exit $RC"
    { echo "## $name"; cat "$T/$RUN-$name.out"; echo "## exit $RC"; } >>"$T/$RUN.psql"
    [ "$RC" -ge 124 ] && fail "psql ($RUN/$name) hung or crashed (exit $RC): $(tail -1 "$T/$RUN-$name.out")"
    return 0
}

# Checks on the last pq: exit code, a line of its output, a line of the server log.
rc_is() { [ "$RC" -eq "$1" ] || fail "$RUN/$2: psql exit $RC, want $1: $(grep -m1 -E 'error|FATAL' "$T/$RUN-$2.out")"; }
has() { grep -qE -- "$2" "$T/$RUN-$1.out" || fail "$RUN/$1: psql output lacks /$2/: $(head -c 300 "$T/$RUN-$1.out" | tr '\n' ' ')"; }
log_has() { grep -qE -- "$1" "$T/$SRV_NAME/log" || fail "$RUN: server log ($SRV_NAME) lacks /$1/"; }

# The usual connection check: psql prints \conninfo, pg_stat_ssl and sslinfo.
conn_check() {
    pq "$@" -c '\conninfo' -c "$Q_STAT" -c "$Q_INFO"
}

# normalized FILE: log or psql output with ports, paths, timestamps and pids masked
normalized() {
    sed -E -e "s#$T/(ref|lib)[^ \"']*#RUNDIR#g" -e "s#$WORK#WORK#g" \
        -e 's/\b(port|PORT)=[0-9]+/\1=N/g' -e 's/\bport [0-9]+/port N/g' \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+( [A-Z]{3,4})?/TIMESTAMP/g' \
        -e 's/(PID|pid|process) [0-9]+/\1 N/g' -e 's/\.s\.PGSQL\.[0-9]+/.s.PGSQL.N/g' \
        -e 's/port "[0-9]+"/port "N"/g' -e 's/, port [0-9]+/, port N/g' "$1"
}

# same WHAT REF GOT: the normalized files are equal line by line.
same() {
    local d first got
    d=$(diff <(normalized "$2") <(normalized "$3"))
    [ -z "$d" ] && return 0
    echo "$d" | head -60 | sed "s/^/  $1 diff| /"
    first=$(echo "$d" | grep -m1 -E '^[<>]')
    got=$(echo "$d" | grep -m1 -E '^>')
    case $first in
        '<'*) fail "$1: system run has '$(echo "${first#< }" | cut -c1-200)'${got:+, the library run '$(echo "${got#> }" | cut -c1-200)'}" ;;
        *) fail "$1: a line the system run does not have: '$(echo "${first#> }" | cut -c1-200)'" ;;
    esac
}

# twice FUNC ROLE: FUNC with RUN=ref (everything on the system OpenSSL), then with RUN=lib
# and the library under test as ROLE (server|client); each run starts and stops its own
# servers (named ref*/lib*).  Then psql's output and every server log are compared.
twice() {
    local f n
    RUN=ref SRV_LIB=system CLI_LIB=system
    echo "=== reference run: everything on the system OpenSSL"
    : >"$T/ref.psql"
    "$1"
    stop_servers
    RUN=lib
    case $2 in
        server) SRV_LIB=$LIBDIR ;;
        client) CLI_LIB=$LIBDIR ;;
    esac
    echo "=== server on $SRV_LIB, psql on $CLI_LIB"
    : >"$T/lib.psql"
    "$1"
    stop_servers
    for f in "$T"/ref*/log; do
        n=$(basename "$(dirname "$f")")
        echo "--- server log $n"
        sed 's/^/  | /' "$f"
        echo "--- server log lib${n#ref}"
        sed 's/^/  | /' "$T/lib${n#ref}/log"
    done
    f=$(grep -lE 'panicked at' "$T"/*.out "$T"/lib*/log 2>/dev/null | head -1)
    [ -n "$f" ] && fail "Rust panic in $(basename "$f"): $(grep -m1 -A1 'panicked at' "$f" | tail -1)"
    same psql "$T/ref.psql" "$T/lib.psql"
    for f in "$T"/ref*/log; do
        n=$(basename "$(dirname "$f")")
        same "server log ($n)" "$f" "$T/lib${n#ref}/log"
    done
}

###########################################################################
# Scenarios (each runs with RUN, SRV_LIB and CLI_LIB set by twice)
###########################################################################

TESTS=(
    loaded_lib
    sslmode_server sslmode_client
    verify_server verify_client
    client_cert_server client_cert_client
    protocol_server protocol_client
    crl_server crl_client
    reload_server reload_client
    bulk_server bulk_client
)

# Both ends on the library under test: the postmaster, a backend and psql map it.
t_loaded_lib() {
    RUN=lib SRV_LIB=$LIBDIR CLI_LIB=$LIBDIR
    pg_start lib "$LIBDIR" </dev/null
    pq check "user=postgres sslmode=require" -c '\conninfo' -c "$Q_STAT" \
        -c '\! grep -E "libssl\\.so" /proc/$PPID/maps | awk "{print \"psql maps \" \$6}" | sort -u' \
        -c "SELECT 'backend maps ' || pg_backend_pid()"
    rc_is 0 check
    has check '^SSL connection \(protocol: TLSv1.3'
    local want bpid
    want=$(readlink -f "$LIBDIR/libssl.so.3")
    [ "$LIBDIR" = system ] && want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    grep -q "^psql maps " "$T/lib-check.out" || fail "psql printed no mapping"
    [ "$(readlink -f "$(sed -n 's/^psql maps //p' "$T/lib-check.out" | head -1)")" = "$want" ] ||
        fail "psql maps $(sed -n 's/^psql maps //p' "$T/lib-check.out"), want $want"
    # a backend stays while this psql sleeps: check its maps
    lib_env "$LIBDIR"
    HOME=$WORK/home timeout 20 "${LIB_ENV[@]}" "$PSQL" -X -A -t "$BASE port=$PORT user=postgres sslmode=require" \
        -c "SELECT pg_backend_pid()" -c "SELECT pg_sleep(3)" >"$T/sleep.out" 2>&1 &
    local qpid=$!
    sleep 1.5
    bpid=$(head -1 "$T/sleep.out" | tr -d ' ')
    [ -n "$bpid" ] || fail "no backend pid: $(cat "$T/sleep.out")"
    expect_mapped "$bpid" "$LIBDIR" "backend"
    wait "$qpid"
}

# sslmode: require, prefer, allow (a plain attempt refused by pg_hba.conf, then TLS),
# disable (refused); pg_stat_ssl and sslinfo on the server, \conninfo on psql, the
# connection lines of the server log (protocol, cipher, bits).
sslmode() {
    pg_start "$RUN" "$SRV_LIB" </dev/null
    conn_check require "user=postgres sslmode=require"
    rc_is 0 require
    has require '^SSL connection \(protocol: TLSv1.3, cipher: TLS_AES_256_GCM_SHA384, compression: off\)$'
    has require '^stat ssl=true version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 client_dn=- '
    has require '^sslinfo used=true version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 cert=false '
    log_has 'connection authorized: user=postgres database=postgres application_name=psql SSL enabled \(protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256\)'
    conn_check prefer "user=postgres sslmode=prefer"
    rc_is 0 prefer
    has prefer '^SSL connection \(protocol: TLSv1.3'
    conn_check allow "user=postgres sslmode=allow"
    rc_is 0 allow
    has allow '^SSL connection \(protocol: TLSv1.3'
    pq disable "user=postgres sslmode=disable" -c 'SELECT 1'
    rc_is 2 disable
    has disable 'pg_hba.conf rejects connection for host "127.0.0.1", user "postgres", database "postgres", no encryption'
    # the default sslmode (prefer), and a non-default application name and sslsni=0
    conn_check default "user=postgres application_name=tlstest sslsni=0"
    rc_is 0 default
    has default '^SSL connection \(protocol: TLSv1.3'
}
t_sslmode_server() { twice sslmode server; }
t_sslmode_client() { twice sslmode client; }

# Server authentication: verify-ca, verify-full by name and by IP address, a wrong host
# name (libpq's own message), an untrusted root, a missing root file; an expired server
# certificate on a second server.
verify() {
    pg_start "$RUN" "$SRV_LIB" </dev/null
    conn_check ca "user=postgres sslmode=verify-ca sslrootcert=$PKI/root.pem"
    rc_is 0 ca
    has ca '^SSL connection \(protocol: TLSv1.3'
    conn_check full "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem"
    rc_is 0 full
    pq full_ip "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem host=127.0.0.1" -c '\conninfo'
    rc_is 0 full_ip
    pq wronghost "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem host=wrong.example" -c 'SELECT 1'
    rc_is 2 wronghost
    has wronghost 'server certificate for "localhost" \(and 1 other name\) does not match host name "wrong.example"'
    pq wrongip "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem host=127.0.0.2" -c 'SELECT 1'
    rc_is 2 wrongip
    pq untrusted "user=postgres sslmode=verify-ca sslrootcert=$PKI/selfsigned.pem" -c 'SELECT 1'
    rc_is 2 untrusted
    has untrusted 'SSL error: certificate verify failed'
    pq noroot "user=postgres sslmode=verify-ca sslrootcert=$PKI/nonexistent.pem" -c 'SELECT 1'
    rc_is 2 noroot
    has noroot 'root certificate file ".*nonexistent.pem" does not exist'
    # verify-ca is not verify-full: the wrong name is accepted
    pq caonly "user=postgres sslmode=verify-ca sslrootcert=$PKI/root.pem host=wrong.example" -c '\conninfo'
    rc_is 0 caonly
    # a second server with an expired certificate
    pg_start "${RUN}exp" "$SRV_LIB" <<EOF
ssl_cert_file = '$PKI/expired.pem'
ssl_key_file = '$WORK/keys/expired.key'
EOF
    pq expired "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem" -c 'SELECT 1'
    rc_is 2 expired
    has expired 'SSL error: certificate verify failed'
    pq expired_require "user=postgres sslmode=require" -c '\conninfo'
    rc_is 0 expired_require
}
t_verify_server() { twice verify server; }
t_verify_client() { twice verify client; }

# Client certificates: cert authentication (user testclient), clientcert=verify-ca (user
# vca), an encrypted key with sslpassword and a wrong one, no certificate, a certificate of
# an unknown CA (over TLS 1.3 and 1.2), the extensions sslinfo sees.
client_cert() {
    pg_start "$RUN" "$SRV_LIB" <<EOF
ssl_ca_file = '$PKI/root.pem'
EOF
    local cc="sslcert=$PKI/client.pem sslkey=$WORK/keys/client.key sslrootcert=$PKI/root.pem"
    conn_check cert "user=testclient sslmode=verify-full $cc" -c "$Q_EXT"
    rc_is 0 cert
    has cert '^stat ssl=true version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 client_dn=/CN=testclient client_serial=[0-9]+ issuer_dn=/O=rustls-libssl tests/CN=Test Root CA$'
    has cert ' cert=true dn=/CN=testclient cn=testclient issuer=/O=rustls-libssl tests/CN=Test Root CA issuer_cn=Test Root CA$'
    has cert '^ext extendedKeyUsage=TLS Web Client Authentication critical=false$'
    conn_check cert12 "user=testclient sslmode=verify-full $cc ssl_max_protocol_version=TLSv1.2"
    rc_is 0 cert12
    has cert12 '^stat ssl=true version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 client_dn=/CN=testclient'
    conn_check enc "user=testclient sslmode=verify-full sslrootcert=$PKI/root.pem sslcert=$PKI/client.pem sslkey=$WORK/keys/client-enc.key sslpassword=secret"
    rc_is 0 enc
    has enc 'client_dn=/CN=testclient'
    pq enc_wrong "user=testclient sslmode=verify-full sslrootcert=$PKI/root.pem sslcert=$PKI/client.pem sslkey=$WORK/keys/client-enc.key sslpassword=wrong" -c 'SELECT 1'
    rc_is 2 enc_wrong
    has enc_wrong 'could not load private key file'
    pq nocert "user=testclient sslmode=require" -c 'SELECT 1'
    rc_is 2 nocert
    has nocert 'connection requires a valid client certificate'
    conn_check vca "user=vca sslmode=require sslcert=$PKI/client.pem sslkey=$WORK/keys/client.key"
    rc_is 0 vca
    pq vca_nocert "user=vca sslmode=require" -c 'SELECT 1'
    rc_is 2 vca_nocert
    has vca_nocert 'connection requires a valid client certificate'
    pq otherca "user=otherclient sslmode=require sslcert=$PKI/other-client.pem sslkey=$WORK/keys/other-client.key" -c 'SELECT 1'
    rc_is 2 otherca
    has otherca 'SSL error: tlsv1 alert unknown ca|server closed the connection unexpectedly|SSL SYSCALL error'
    log_has 'could not accept SSL connection: certificate verify failed'
    pq otherca12 "user=otherclient sslmode=require sslcert=$PKI/other-client.pem sslkey=$WORK/keys/other-client.key ssl_max_protocol_version=TLSv1.2" -c 'SELECT 1'
    rc_is 2 otherca12
    has otherca12 'SSL error: tlsv1 alert unknown ca'
    # a certificate whose CN is not the user name
    pq cnmismatch "user=postgres sslmode=require sslcert=$PKI/client.pem sslkey=$WORK/keys/client.key" -c "$Q_STAT"
    rc_is 0 cnmismatch
    pq wronguser "user=vca sslmode=require sslcert=$PKI/client.pem sslkey=$WORK/keys/client.key" -c 'SELECT current_user'
    rc_is 0 wronguser
}
t_client_cert_server() { twice client_cert server; }
t_client_cert_client() { twice client_cert client; }

# ssl_min/max_protocol_version and ssl_ciphers on either side: TLS 1.2 on demand, a
# server limited to TLS 1.2 with one cipher suite, refusals with OpenSSL's messages.
protocol() {
    pg_start "$RUN" "$SRV_LIB" <<EOF
ssl_min_protocol_version = 'TLSv1.2'
EOF
    conn_check max12 "user=postgres sslmode=require ssl_max_protocol_version=TLSv1.2"
    rc_is 0 max12
    has max12 '^SSL connection \(protocol: TLSv1.2, cipher: ECDHE-RSA-AES256-GCM-SHA384, compression: off\)$'
    conn_check min13 "user=postgres sslmode=require ssl_min_protocol_version=TLSv1.3"
    rc_is 0 min13
    has min13 '^SSL connection \(protocol: TLSv1.3'
    pq bad "user=postgres sslmode=require ssl_min_protocol_version=TLSv1.4" -c 'SELECT 1'
    rc_is 2 bad
    pq inverted "user=postgres sslmode=require ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2" -c 'SELECT 1'
    rc_is 2 inverted
    # TLS 1.2 only, one cipher suite, the server's order
    pg_start "${RUN}12" "$SRV_LIB" <<EOF
ssl_max_protocol_version = 'TLSv1.2'
ssl_ciphers = 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256'
ssl_prefer_server_ciphers = on
ssl_ecdh_curve = 'prime256v1'
EOF
    conn_check chacha "user=postgres sslmode=require"
    rc_is 0 chacha
    has chacha '^SSL connection \(protocol: TLSv1.2, cipher: ECDHE-RSA-CHACHA20-POLY1305, compression: off\)$'
    pq min13_vs_12 "user=postgres sslmode=require ssl_min_protocol_version=TLSv1.3" -c 'SELECT 1'
    rc_is 2 min13_vs_12
    has min13_vs_12 'SSL error: tlsv1 alert protocol version'
    log_has 'could not accept SSL connection: unsupported protocol'
    # TLS 1.3 only on the server
    pg_start "${RUN}13" "$SRV_LIB" <<EOF
ssl_min_protocol_version = 'TLSv1.3'
EOF
    pq max12_vs_13 "user=postgres sslmode=require ssl_max_protocol_version=TLSv1.2" -c 'SELECT 1'
    rc_is 2 max12_vs_13
    has max12_vs_13 'SSL error: tlsv1 alert protocol version'
    pq max12_prefer "user=postgres sslmode=prefer ssl_max_protocol_version=TLSv1.2" -c 'SELECT 1'
    rc_is 2 max12_prefer
    conn_check ok13 "user=postgres sslmode=require"
    rc_is 0 ok13
}
t_protocol_server() { twice protocol server; }
t_protocol_client() { twice protocol client; }

# CRLs: ssl_crl_file on the server (a revoked client certificate is refused), sslcrl on
# the client (a server with a revoked certificate is refused).
crl() {
    pg_start "$RUN" "$SRV_LIB" <<EOF
ssl_ca_file = '$PKI/root.pem'
ssl_crl_file = '$PKI/root-client.crl.pem'
EOF
    conn_check good "user=testclient sslmode=require sslcert=$PKI/client.pem sslkey=$WORK/keys/client.key"
    rc_is 0 good
    has good 'client_dn=/CN=testclient'
    pq revoked "user=revokedclient sslmode=require sslcert=$PKI/revoked-client.pem sslkey=$WORK/keys/revoked-client.key ssl_max_protocol_version=TLSv1.2" -c 'SELECT 1'
    rc_is 2 revoked
    has revoked 'SSL error: sslv3 alert certificate revoked'
    log_has 'could not accept SSL connection: certificate verify failed'
    pq revoked13 "user=revokedclient sslmode=require sslcert=$PKI/revoked-client.pem sslkey=$WORK/keys/revoked-client.key" -c 'SELECT 1'
    rc_is 2 revoked13
    # the server presents a revoked certificate
    pg_start "${RUN}rev" "$SRV_LIB" <<EOF
ssl_cert_file = '$PKI/revoked.pem'
ssl_key_file = '$WORK/keys/revoked.key'
EOF
    pq srvrevoked "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem sslcrl=$PKI/root.crl.pem" -c 'SELECT 1'
    rc_is 2 srvrevoked
    has srvrevoked 'SSL error: certificate verify failed'
    pq srvrevoked_nocrl "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem" -c '\conninfo'
    rc_is 0 srvrevoked_nocrl
    pq crldir "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem sslcrldir=$PKI/crldir" -c 'SELECT 1'
    rc_is 2 crldir
}
t_crl_server() { twice crl server; }
t_crl_client() { twice crl client; }

# An encrypted key with ssl_passphrase_command, then pg_reload_conf() switching to an
# ECDSA certificate: the server's TLS context is rebuilt, the same postmaster serves the
# new certificate (TLS 1.2 shows it in the cipher); a reload with a broken key keeps the
# old context.
reload() {
    pg_start "$RUN" "$SRV_LIB" <<EOF
ssl_key_file = '$WORK/keys/server-enc.key'
ssl_passphrase_command = 'echo secret'
ssl_passphrase_command_supports_reload = on
EOF
    conn_check first "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem ssl_max_protocol_version=TLSv1.2"
    rc_is 0 first
    has first 'cipher: ECDHE-RSA-AES256-GCM-SHA384'
    admin "ALTER SYSTEM SET ssl_cert_file = '$PKI/ec.pem'" >/dev/null
    admin "ALTER SYSTEM SET ssl_key_file = '$WORK/keys/ec.key'" >/dev/null
    admin "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    conn_check ec "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem ssl_max_protocol_version=TLSv1.2"
    rc_is 0 ec
    has ec 'cipher: ECDHE-ECDSA-AES256-GCM-SHA384'
    conn_check ec13 "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem"
    rc_is 0 ec13
    # a key that does not match: the reload is refused (OpenSSL drops the certificate
    # when the key does not match it, so the check says "no certificate assigned"), the
    # ECDSA context stays
    admin "ALTER SYSTEM SET ssl_key_file = '$WORK/keys/server.key'" >/dev/null
    admin "SELECT pg_reload_conf()" >/dev/null
    sleep 1
    conn_check still_ec "user=postgres sslmode=verify-full sslrootcert=$PKI/root.pem ssl_max_protocol_version=TLSv1.2"
    rc_is 0 still_ec
    has still_ec 'cipher: ECDHE-ECDSA-AES256-GCM-SHA384'
    log_has 'SSL configuration was not reloaded'
}
t_reload_server() { twice reload server; }
t_reload_client() { twice reload client; }

# Bulk transfer both ways: COPY of 200000 rows out (about 8 MB, checked by digest), a
# 4 MB COPY in, summed by the server.
bulk() {
    pg_start "$RUN" "$SRV_LIB" </dev/null
    pq down "user=postgres sslmode=require" -c "COPY (SELECT i, md5(i::text) FROM generate_series(1, 200000) i) TO STDOUT"
    rc_is 0 down
    local want got
    want=$(seq 1 200000 | "$PY" -c 'import sys, hashlib
for l in sys.stdin:
    i = l.strip(); print("%s\t%s" % (i, hashlib.md5(i.encode()).hexdigest()))' | md5sum | cut -d' ' -f1)
    got=$(md5sum <"$T/$RUN-down.out" | cut -d' ' -f1)
    [ "$want" = "$got" ] || fail "$RUN: COPY TO STDOUT came back different ($(wc -c <"$T/$RUN-down.out") bytes)"
    # keep the 8 MB out of the compared transcript
    sed -i '/^## down$/,/^## exit/{/^##/!d}' "$T/$RUN.psql"
    echo "down: $(wc -c <"$T/$RUN-down.out") bytes, md5 $got" >>"$T/$RUN.psql"
    pq_in up "user=postgres sslmode=require" "$WORK/upload.txt" \
        -c "CREATE TEMP TABLE u (a text)" -c "COPY u FROM STDIN" \
        -c "SELECT count(*) || ' ' || sum(length(a)) || ' ' || md5(string_agg(a, ',' ORDER BY a)) FROM u"
    rc_is 0 up
    has up "^$UPLOAD_SUMMARY\$"
    conn_check after "user=postgres sslmode=require"
    rc_is 0 after
}
t_bulk_server() { twice bulk server; }
t_bulk_client() { twice bulk client; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: beyond tests/curl/gen-certs.sh: an encrypted server key, a client
# certificate under another CA, a revoked client certificate with the root's CRL listing
# it, a hashed CRL directory.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    $o pkey -in server.key -aes256 -passout pass:secret -out server-enc.key || return 1
    $o req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key \
        -subj "/CN=Other CA" -days 30 -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign -out other-ca.pem || return 1
    $o req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-client.key \
        -subj /CN=otherclient -out other-client.csr || return 1
    printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >other-client.ext
    $o x509 -req -in other-client.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
        -extfile other-client.ext -out other-client.pem || return 1
    $o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out revoked-client.key || return 1
    $o req -new -config ca.cnf -key revoked-client.key -subj /CN=revokedclient -out revoked-client.csr || return 1
    $o ca -batch -config ca.cnf -notext -extensions v3_client -in revoked-client.csr -out revoked-client.pem || return 1
    $o ca -batch -config ca.cnf -revoke revoked-client.pem -crl_reason keyCompromise || return 1
    $o ca -batch -config ca.cnf -gencrl -out root-client.crl.pem || return 1
    mkdir -p crldir && cp root.crl.pem crldir/ && $o rehash crldir >/dev/null || return 1
}

# make_template: one initdb (as postgres), with the roles and the sslinfo extension the
# tests use; every server of the tests is a copy of it.
make_template() {
    local d=$WORK/template i
    mkdir -p "$d" && chown postgres "$d"
    runuser -u postgres -- env -u LD_LIBRARY_PATH "$PGBIN/initdb" -D "$d/data" -U postgres --auth=trust \
        -E UTF8 --locale=C >"$d/initdb.log" 2>&1 || { cat "$d/initdb.log"; return 1; }
    runuser -u postgres -- env -u LD_LIBRARY_PATH "$PGBIN/pg_ctl" -D "$d/data" -w -t 30 -l "$d/log" \
        -o "-c listen_addresses='' -c unix_socket_directories='$d'" start >/dev/null || { cat "$d/log"; return 1; }
    env -u LD_LIBRARY_PATH "$PSQL" -X -q -h "$d" -U postgres -d postgres -v ON_ERROR_STOP=1 >"$d/setup.log" 2>&1 <<EOF
CREATE ROLE testclient LOGIN;
CREATE ROLE revokedclient LOGIN;
CREATE ROLE otherclient LOGIN;
CREATE ROLE vca LOGIN;
CREATE EXTENSION sslinfo;
EOF
    i=$?
    runuser -u postgres -- env -u LD_LIBRARY_PATH "$PGBIN/pg_ctl" -D "$d/data" -w -m fast stop >/dev/null
    [ $i -eq 0 ] || { cat "$d/setup.log"; return 1; }
}

run_one() {
    T=$WORK/tests/$1
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$1"
}

main() {
    suite_args "$@"
    [ "$(id -u)" -eq 0 ] || { echo "run as root (the servers run as user postgres)" >&2; exit 2; }
    local fresh=0
    dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null | grep -q 'install ok installed' || fresh=1
    need postgresql-15 postgresql-client-15 openssl python3 procps util-linux ||
        { echo "postgresql-15, postgresql-client-15, openssl, python3 and procps are required" >&2; exit 2; }
    if [ $fresh = 1 ]; then
        # Debian starts the packaged cluster on install: these tests run their own.
        service postgresql stop >/dev/null 2>&1
    fi
    systemctl disable postgresql >/dev/null 2>&1 || true
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-postgresql.XXXXXX")
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
    # keys: the server's owned by postgres (0600), the client's by root (0600), as both
    # sides require
    mkdir -p "$WORK/keys" "$WORK/home"
    cp "$PKI"/{server,server-enc,ec,expired,revoked,client,client-enc,other-client,revoked-client}.key "$WORK/keys/"
    chmod 600 "$WORK"/keys/*.key
    chown postgres "$WORK"/keys/{server,server-enc,ec,expired,revoked}.key
    chmod 755 "$WORK/keys"
    seq 1 300000 | sed 's/$/-upload-line-of-text/' >"$WORK/upload.txt"
    UPLOAD_SUMMARY="$(wc -l <"$WORK/upload.txt") $(($(wc -c <"$WORK/upload.txt") - $(wc -l <"$WORK/upload.txt"))) $(sort "$WORK/upload.txt" | paste -sd, | tr -d '\n' | md5sum | cut -d' ' -f1)"
    export UPLOAD_SUMMARY
    if ! make_template >"$WORK/template.log" 2>&1; then
        cat "$WORK/template.log"
        echo "initdb of the template cluster failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$PGBIN/postgres" --version); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
