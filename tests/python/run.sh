#!/bin/bash
# Python ssl (Debian 12's python3.11 and its _ssl module) integration tests for rustls-libssl.
#
# usage: tests/python/run.sh LIBDIR|system [TEST...]
#        tests/python/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  Every scenario of probe.py has a
#           server half and a client half, two python3 processes: NAME_server puts the
#           server under test (LD_LIBRARY_PATH=LIBDIR) with the client on the system
#           OpenSSL, NAME_client the other way round.  The local tests (context,
#           cipher_strings, cert_loading) have no peer.  `system` runs everything on the
#           system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# Every test runs its scenario twice: once with both processes on the system OpenSSL (the
# reference), then with the library under test in the role the test names.  Each process
# prints its observations (protocol, cipher, ALPN, certificates, session reuse, exceptions
# with OpenSSL's library, reason and verify code...), one per line; besides the checks of the
# test, the stdout and stderr of both processes must equal those of the reference run line
# by line once ports and the temporary directory are masked, apart from the documented
# differences each test states line by line (see `differs`, and the cipher lists).
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
PROBE=$HERE/probe.py
OPENSSL=/usr/bin/openssl
CLIENT_TIMEOUT=60
SERVER_TIMEOUT=90
TEST_TIMEOUT=200

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF PYTHONPATH PYTHONHOME \
      PYTHONSTARTUP PYTHONWARNINGS PYTHONASYNCIODEBUG PYTHONDEVMODE \
      http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
export LC_ALL=C PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
stop_servers() { stop_pids 30 "${SERVER_PIDS[@]}"; SERVER_PIDS=(); }

note() { echo "note: $*"; echo "$*" >>"$T/note"; }

# lib_env LIB: the env(1) prefix that runs a process on LIB (a directory, or `system`).
# want_lib LIB ERRFILE WHO: the `libssl=` line probe.py printed names LIB's libssl.so.3.
want_lib() {
    local got want
    got=$(sed -n 's/^libssl=//p' "$2" | head -1)
    if [ "$1" = system ]; then
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    else
        want=$(readlink -f "$1/libssl.so.3")
    fi
    [ "$(readlink -f "${got:-none}")" = "$want" ] || fail "$3 mapped '$got', want $want"
}

# crashed RC ERRFILE WHO: fails when a probe did not exit 0 (a crash, a hang, or a Python
# exception the scenario did not expect).
crashed() {
    [ "$1" -eq 0 ] && return 0
    sed 's/^/  err| /' "$2" | tail -15
    if grep -qE 'panicked at' "$2"; then
        fail "$3: Rust panic: $(grep -E 'panicked at' -A1 "$2" | tail -1 | cut -c1-200)"
    fi
    [ "$1" -eq 124 ] && fail "$3 hung (killed after its timeout)"
    [ "$1" -gt 128 ] && fail "$3 crashed (signal $(($1 - 128)))"
    fail "$3 exited $1: $(grep -vE '^libssl=' "$2" | tail -1 | cut -c1-200)"
}

# run_pair RUN SCENARIO SRVLIB CLILIB: probe.py server and client of SCENARIO, the server
# on SRVLIB, the client on CLILIB.  Leaves $T/RUN.{srv,cli} (stdout) and
# $T/RUN.{srv,cli}.err (stderr); both exit 0 or the test fails.
run_pair() {
    local run=$1 scen=$2 slib=$3 clib=$4 port spid srv_rc cli_rc i
    mkdir -p "$T/$run"
    port=$(free_port)
    echo "+ [$run] $scen: server on $slib, client on $clib, port $port"
    lib_env "$slib"
    (cd "$T/$run" && exec timeout -k 3 "$SERVER_TIMEOUT" "${LIB_ENV[@]}" T="$T/$run" "$PY" "$PROBE" server "$scen" "$port") \
        >"$T/$run.srv" 2>"$T/$run.srv.err" </dev/null &
    spid=$!
    SERVER_PIDS+=("$spid")
    if ! wait_listen "$port" "$spid"; then
        sed 's/^/  srv| /' "$T/$run.srv" "$T/$run.srv.err"
        fail "$run: the $scen server did not listen on $port"
    fi
    lib_env "$clib"
    (cd "$T/$run" && exec timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" T="$T/$run" "$PY" "$PROBE" client "$scen" "$port") \
        >"$T/$run.cli" 2>"$T/$run.cli.err" </dev/null
    cli_rc=$?
    for i in $(seq 1 200); do
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$spid" 2>/dev/null; then
        stop_pids 10 "$spid"
        srv_rc=124
    else
        wait "$spid"
        srv_rc=$?
    fi
    for f in srv cli; do
        sed -i -E "s/\\b$port\\b/PORT/g; s#$WORK#WORK#g; s/ at 0x[0-9a-f]+>/ at 0xADDR>/g" "$T/$run.$f" "$T/$run.$f.err"
    done
    echo "  server exit $srv_rc, client exit $cli_rc"
    sed 's/^/  srv| /' "$T/$run.srv" | head -150
    sed 's/^/  cli| /' "$T/$run.cli" | head -150
    crashed "$srv_rc" "$T/$run.srv.err" "$run server"
    crashed "$cli_rc" "$T/$run.cli.err" "$run client"
    want_lib "$slib" "$T/$run.srv.err" "$run server"
    want_lib "$clib" "$T/$run.cli.err" "$run client"
}

# run_local RUN NAME LIB: probe.py local NAME on LIB; $T/RUN.loc and $T/RUN.loc.err.
run_local() {
    local run=$1 name=$2 lib=$3 rc
    mkdir -p "$T/$run"
    LIB_SIDE=loc
    lib_env "$lib"
    echo "+ [$run] local $name on $lib"
    (cd "$T/$run" && exec timeout -k 3 "$CLIENT_TIMEOUT" "${LIB_ENV[@]}" T="$T/$run" PKI="$PKI" "$PY" "$PROBE" local "$name") \
        >"$T/$run.loc" 2>"$T/$run.loc.err" </dev/null
    rc=$?
    sed -i -E "s#$WORK#WORK#g; s/ at 0x[0-9a-f]+>/ at 0xADDR>/g" "$T/$run.loc" "$T/$run.loc.err"
    echo "  exit $rc"
    crashed "$rc" "$T/$run.loc.err" "$run probe"
    want_lib "$lib" "$T/$run.loc.err" "$run probe"
}

# Documented differences (README, "What does not work yet (and differs from OpenSSL)").
#
# Lists of cipher suites: probe.py prints the suites rustls implements on one line, compared
# as any other, and the others on a line marked "(beyond rustls)": the library lists only
# the suites rustls implements, so these lines are left out of the comparison and, in the
# library run, must be empty lists.
#
# differs FILE WHY 'SYSTEM LINE' ['LIBRARY LINE'...]: where the reference run's FILE (srv,
# cli, loc, or their .err) has SYSTEM LINE, the library run prints the LIBRARY LINEs
# instead (none: the line is missing), for the reason WHY.  `same` compares the library
# run with the reference so amended, and fails if the reference lacks SYSTEM LINE: each
# difference is stated exactly, everything else is still compared.  With `system` as the
# library there are none.
differs() {
    local f=$1 why=$2 old=$3
    shift 3
    [ "$LIBDIR" = system ] && return 0 # no difference when both runs are OpenSSL
    mkdir -p "$T"
    echo "  documented difference in $f ($why): '$old' -> $(printf "'%s' " "$@")"
    {
        printf '%s\x1f%s' "$f" "$old"
        printf '\x1f%s' "$@"
        printf '\x1e'
    } >>"$T/differs"
}

# amended FILE: the reference run's FILE with the documented differences applied; a line
# the differences name and the reference lacks is reported as `MISSING: LINE`.
amended() {
    "$PY" - "$T/ref.$1" "$1" "$T/differs" <<'EOF_PY'
import os, sys
ref, key, table = sys.argv[1:4]
subs = {}
if os.path.exists(table):
    for rec in open(table, encoding="utf-8").read().split("\x1e"):
        if rec:
            f, old, *new = rec.split("\x1f")
            if f == key:
                subs[old] = new
seen = set()
for line in open(ref, encoding="utf-8").read().splitlines():
    if line in subs:
        seen.add(line)
        for new in subs[line]:
            print(new)
    else:
        print(line)
for old in subs:
    if old not in seen:
        print("MISSING: " + old)
EOF_PY
}

# same WHO FILE: the library run's FILE (lib.FILE) has exactly the lines of the reference
# run's (ref.FILE), amended by the documented differences; the `libssl=` line and the
# "(beyond rustls)" lines are left out, and the library's "(beyond rustls)" lists must be
# empty.  On a difference, fails naming the first differing line of each.
same() {
    local who=$1 f=$2 d first beyond
    # (LIB_SIDE: the output of the process on the library, set by scenario and run_local)
    if [ "$LIBDIR" != system ] && [ "${f%.err}" = "${LIB_SIDE:-}" ]; then
        beyond=$(grep -F '(beyond rustls)' "$T/lib.$f" | grep -vE '\(beyond rustls\)=\[\]$' | head -1)
        [ -z "$beyond" ] || fail "$who: the library listed a suite rustls lacks: '$(echo "$beyond" | cut -c1-200)'"
    fi
    d=$(diff <(amended "$f" | grep -v -e '^libssl=' -e '(beyond rustls)') \
             <(grep -v -e '^libssl=' -e '(beyond rustls)' "$T/lib.$f"))
    [ -z "$d" ] && return 0
    echo "$d" | head -60 | sed "s/^/  $who diff| /"
    first=$(echo "$d" | grep -m1 -E '^[<>]')
    case $first in
        '<'*)
            local got
            got=$(echo "$d" | grep -m1 -E '^>')
            fail "$who: system printed '$(echo "${first#< }" | cut -c1-200)'${got:+, the library '$(echo "${got#> }" | cut -c1-200)'}"
            ;;
        *) fail "$who: printed a line the system run does not: '$(echo "${first#> }" | cut -c1-200)'" ;;
    esac
}

# want WHO REGEX: both runs' WHO output (srv, cli or loc) has a line matching REGEX;
# want_ref: the reference run's only (the library differs there, as documented).
want() { want_in "ref lib" "$@"; }
want_ref() { want_in ref "$@"; }
want_in() {
    local run runs=$1
    shift
    for run in $runs; do
        [ -f "$T/$run.$1" ] || continue
        grep -qE -- "$2" "$T/$run.$1" ||
            fail "$([ $run = ref ] && echo "reference run" || echo "library run"): $1 output lacks /$2/"
    done
}

# scenario SCENARIO ROLE: the reference run and the run with ROLE (server|client) on LIBDIR.
scenario() {
    local slib=system clib=system
    case $2 in
        server) slib=$LIBDIR LIB_SIDE=srv ;;
        client) clib=$LIBDIR LIB_SIDE=cli ;;
        *) fail "bad role $2" ;;
    esac
    run_pair ref "$1" system system
    run_pair lib "$1" "$slib" "$clib"
}

# compare: stdout and stderr of both processes as in the reference run.
compare() {
    same server srv
    same client cli
    same "server stderr" srv.err
    same "client stderr" cli.err
}

###########################################################################
# Tests
###########################################################################

TESTS=(
    loaded_lib
    context cipher_strings cert_loading
    basic_server basic_client
    https_server https_client
    asyncio_server asyncio_client
    versions_server versions_client
    ciphers_server ciphers_client
    alpn_server alpn_client
    resume_server resume_client
    client_cert_server client_cert_client
    pha_server pha_client
    crl_server crl_client
    keylog_server keylog_client
    sni_server sni_client
    verify_server verify_client
    nonblocking_server nonblocking_client
    memorybio_server memorybio_client
)

# Both processes on the library under test: each maps it, and 1 MiB goes each way intact.
t_loaded_lib() {
    run_pair lib basic "$LIBDIR" "$LIBDIR"
    grep -q '^c1 got back 1048576 bytes, intact=True$' "$T/lib.cli" || fail "1 MiB echo through both ends failed: $(grep -m1 error "$T/lib.cli" "$T/lib.srv")"
    grep -q '^s1 received 1048576 bytes, intact=True$' "$T/lib.srv" || fail "server did not receive 1 MiB intact"
}

# --- no peer: contexts, cipher strings, certificate and CA loading -----------------------

# Defaults of every kind of SSLContext, option/version/verify setters read back, a fresh
# SSLObject's getters, what a server does with plain HTTP, garbage or EOF.
t_context() {
    run_local ref context system
    run_local lib context "$LIBDIR"
    want loc '^client protocol=<_SSLMethod.PROTOCOL_TLS_CLIENT: 16>$'
    want loc '^default verify_mode=<VerifyMode.CERT_REQUIRED: 2> check_hostname=True'
    want loc "^plain HTTP to a TLS server: SSLError library=SSL reason=HTTP_REQUEST"
    same local loc
    same "local stderr" loc.err
}

# get_ciphers() for Python's default list and for every cipher (all fields, descriptions
# included); set_ciphers with OpenSSL cipher strings, and the error for impossible ones.
t_cipher_strings() {
    run_local ref cipher_strings system
    run_local lib cipher_strings "$LIBDIR"
    want loc "^set_ciphers\('nonsense'\) error SSLError .*No cipher can be selected"
    same local loc
    same "local stderr" loc.err
}

# load_cert_chain (password as str, bytes, callback; wrong passwords, mismatched key,
# missing files), load_verify_locations (cafile, capath, cadata PEM and DER, CRLs),
# get_ca_certs, cert_store_stats, set_default_verify_paths with SSL_CERT_FILE/SSL_CERT_DIR.
t_cert_loading() {
    run_local ref cert_loading system
    run_local lib cert_loading "$LIBDIR"
    want loc "^load_cert_chain encrypted, callback: ok calls=\['ok'\]$"
    want loc "^load_cert_chain key mismatch: calls=\[\] SSLError library=X509 reason=KEY_VALUES_MISMATCH"
    want loc "^set_default_verify_paths \(SSL_CERT_FILE\): \{'x509': 1, 'crl': 0, 'x509_ca': 1\}$"
    same local loc
    same "local stderr" loc.err
}

# --- client and server ---------------------------------------------------------------------

# Defaults: TLS 1.3, TLS_AES_256_GCM_SHA384, the peer's certificate as dict and DER, the
# verified and unverified chains, tls-unique channel binding equal on both ends, 1 MiB each
# way, unwrap() (close_notify both ways) and plain text after it.
basic() {
    scenario basic "$1"
    want cli '^c1 version=TLSv1.3$'
    want cli "^c1 cipher=\('TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256\)$"
    want srv '^s1 tls-unique matches client.s: True \(len 48\)$'
    want cli '^c1 got back 1048576 bytes, intact=True$'
    want srv "^s1 plaintext got b'plain\\\\n'$"
    want cli "^c1 plaintext got b'plain back\\\\n'$"
    compare
}
t_basic_server() { basic server; }
t_basic_client() { basic client; }

# http.server with an encrypted key (password callback), create_default_context() on the
# client with the CA from SSL_CERT_FILE, then SSL_CERT_DIR; http.client (keep-alive, POST),
# urllib, get_server_certificate, an untrusted server, a wrong host name.
https() {
    scenario https "$1"
    want srv '^s password callback calls=1$'
    want cli "^c http.client /two status=200 body=b'path=/two version=TLSv1.3"
    want cli "^c urllib status=200 body=b'path=/urllib"
    want cli "^c dir status=200"
    want cli '^c untrusted error URLError\(SSLCertVerificationError library=SSL reason=CERTIFICATE_VERIFY_FAILED verify_code=20 '
    want cli "^c wrongname error SSLCertVerificationError .*verify_code=62 verify_message=Hostname mismatch, certificate is not valid for 'other.example'."
    compare
}
t_https_server() { https server; }
t_https_client() { https client; }

# asyncio streams over TLS (SSLObject and MemoryBIO in asyncio's sslproto): ALPN, 1 MiB
# each way, TLS 1.2, verification failures raised from open_connection.
asyncio_t() {
    scenario asyncio "$1"
    want cli '^c1 alpn=h2$'
    want cli '^c2 bulk digest ok=True back intact=True$'
    want cli '^c3 version=TLSv1.2$'
    want cli '^c4 connect error SSLCertVerificationError .*verify_code=20 '
    want cli '^c6 got'
    compare
}
t_asyncio_server() { asyncio_t server; }
t_asyncio_client() { asyncio_t client; }

# minimum_version / maximum_version on either end, mismatches with OpenSSL's reasons, a
# client limited to TLS 1.1 (the server would speak it, and its security level then fails
# the handshake: TLS 1.1 signs with SHA-1), the deprecated PROTOCOL_TLSv1_2.
versions() {
    if [ "$1" = client ]; then
        # rustls has no TLS 1.1: the library's client fails at once, sending nothing.
        differs cli "a client cannot offer TLS 1.0/1.1" \
            "c6 error SSLError library=SSL reason=TLSV1_ALERT_INTERNAL_ERROR str=[SSL: TLSV1_ALERT_INTERNAL_ERROR] tlsv1 alert internal error (_ssl.c:992)" \
            "c6 error SSLError library=SSL reason=NO_PROTOCOLS_AVAILABLE str=[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available (_ssl.c:992)"
        differs srv "a client cannot offer TLS 1.0/1.1" \
            "s6 error SSLError library=SSL reason=NO_SUITABLE_SIGNATURE_ALGORITHM str=[SSL: NO_SUITABLE_SIGNATURE_ALGORITHM] no suitable signature algorithm (_ssl.c:992)" \
            "s6 error SSLZeroReturnError library=None reason=None str=TLS/SSL connection has been closed (EOF) (_ssl.c:992)"
    fi
    scenario versions "$1"
    want cli '^c1 version=TLSv1.2$'
    want cli '^c2 version=TLSv1.2$'
    want cli '^c3 error SSLError library=SSL reason=TLSV1_ALERT_PROTOCOL_VERSION'
    want srv '^s3 error SSLError library=SSL reason=UNSUPPORTED_PROTOCOL'
    want cli '^c5 version=TLSv1.3$'
    want_ref srv '^s6 error SSLError library=SSL reason=NO_SUITABLE_SIGNATURE_ALGORITHM'
    want_ref cli '^c6 error SSLError library=SSL reason=TLSV1_ALERT_INTERNAL_ERROR'
    want cli '^c7 version=TLSv1.2$'
    compare
}
t_versions_server() { versions server; }
t_versions_client() { versions client; }

# set_ciphers on either end (TLS 1.2), shared_ciphers(), no shared cipher, ECDSA.
ciphers() {
    scenario ciphers "$1"
    want cli "^c1 cipher=\('ECDHE-RSA-CHACHA20-POLY1305', 'TLSv1.2', 256\)$"
    want cli "^c2 cipher=\('ECDHE-RSA-AES256-GCM-SHA384', 'TLSv1.2', 256\)$|^c2 cipher=\('ECDHE-RSA-AES128-GCM-SHA256', 'TLSv1.2', 128\)$"
    want srv '^s3 error SSLError library=SSL reason=NO_SHARED_CIPHER'
    want cli '^c3 error SSLError library=SSL reason=SSLV3_ALERT_HANDSHAKE_FAILURE'
    want cli "^c4 cipher=\('ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 256\)$"
    compare
}
t_ciphers_server() { ciphers server; }
t_ciphers_client() { ciphers client; }

# set_alpn_protocols: the server's preference, no overlap, TLS 1.2, a server without ALPN.
alpn() {
    scenario alpn "$1"
    want cli '^c1 alpn=h2$'
    want srv '^s1 alpn=h2$'
    want cli '^c2 alpn=http/1.1$'
    want cli '^c3 alpn=None$'
    want cli '^c5 alpn=None$'
    compare
}
t_alpn_server() { alpn server; }
t_alpn_client() { alpn client; }

# Sessions: TLS 1.3 tickets, TLS 1.2 tickets and session ids (OP_NO_TICKET), session
# attributes, session_reused on both ends, session_stats() counters.
resume() {
    scenario resume "$1"
    want cli '^c2 version=TLSv1.3 session_reused=True$'
    want srv '^s2 version=TLSv1.3 session_reused=True$'
    want cli '^c3 version=TLSv1.3 session_reused=False$'
    want cli '^c5 version=TLSv1.2 session_reused=True$'
    want cli '^c8 version=TLSv1.2 session_reused=False$'
    want cli '^c11 version=TLSv1.2 session_reused=True$'
    want cli '^c11 same session id as c10: True$'
    compare
}
t_resume_server() { resume server; }
t_resume_client() { resume client; }

# Client certificates: required (TLS 1.3 and 1.2), from an encrypted key, missing, from an
# unknown CA, optional.
client_cert() {
    scenario client_cert "$1"
    want srv "^s1 peercert=\{.*subject=\(\(\('commonName', 'testclient'\),\),\)"
    want srv '^s3 error SSLError library=SSL reason=PEER_DID_NOT_RETURN_A_CERTIFICATE'
    want cli '^c3 read error SSLError library=SSL reason=TLSV13_ALERT_CERTIFICATE_REQUIRED'
    want srv '^s5 error SSLCertVerificationError library=SSL reason=CERTIFICATE_VERIFY_FAILED'
    want srv '^s7 peercert=None$|^s7 peercert=\{\}$'
    compare
}
t_client_cert_server() { client_cert server; }
t_client_cert_client() { client_cert client; }

# TLS 1.3 post-handshake authentication (verify_client_post_handshake, post_handshake_auth):
# the server asks for no certificate in the handshake, then for one after it (s1, s3).
#
# Documented difference: rustls does no post-handshake authentication.  The library's
# server asks for no certificate in the handshake either (as OpenSSL), and then refuses
# verify_client_post_handshake as OpenSSL refuses it for a client that did not offer it
# ("extension not received"); its client does not offer it, so the server's call fails the
# same way.  Either way the client never sends its certificate, and a client without one is
# not failed.
pha() {
    local refused="verify_client_post_handshake error SSLError library=SSL reason=EXTENSION_NOT_RECEIVED str=[SSL: EXTENSION_NOT_RECEIVED] extension not received (_ssl.c:2747)"
    local why="no post-handshake authentication in rustls"
    differs srv "$why" "s1 command PHA" "s1 command PHA" "s1 $refused"
    differs srv "$why" "s1 peer cn=testclient" "s1 peer cn=None"
    differs srv "$why" \
        "s3 error SSLError library=SSL reason=PEER_DID_NOT_RETURN_A_CERTIFICATE str=[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate (_ssl.c:2546)" \
        "s3 $refused" "s3 eof"
    differs cli "$why" "c1 PHA -> b'OK\\n'" "c1 PHA -> b'ERR\\n'"
    differs cli "$why" "c1 HASCERT -> b'TRUE\\n'" "c1 HASCERT -> b'FALSE\\n'"
    differs cli "$why" "c3 PHA -> b'OK\\n'" "c3 PHA -> b'ERR\\n'"
    differs cli "$why" \
        "c3 READ error SSLError library=SSL reason=TLSV13_ALERT_CERTIFICATE_REQUIRED str=[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2546)" \
        "c3 READ skipped: the server did not ask"
    scenario pha "$1"
    want srv '^s1 peer cn=None$'
    want_ref srv '^s1 peer cn=testclient$'
    want_ref cli "^c1 HASCERT -> b'TRUE\\\\n'$"
    want srv '^s2 verify_client_post_handshake error SSLError library=SSL reason=EXTENSION_NOT_RECEIVED'
    want_ref srv '^s3 error SSLError library=SSL reason=PEER_DID_NOT_RETURN_A_CERTIFICATE'
    want srv '^s4 verify_client_post_handshake error SSLError library=SSL reason=WRONG_SSL_VERSION'
    compare
}
t_pha_server() { pha server; }
t_pha_client() { pha client; }

# verify_flags VERIFY_CRL_CHECK_LEAF with a CRL from load_verify_locations: revoked, good,
# CRL missing, and the same on the server for client certificates.
crl() {
    scenario crl "$1"
    want cli '^c1 error SSLCertVerificationError library=SSL reason=CERTIFICATE_VERIFY_FAILED verify_code=23 verify_message=certificate revoked'
    want cli '^c2 version=TLSv1.3$'
    want cli '^c3 error SSLCertVerificationError .*verify_code=3 '
    want cli '^c5 version=TLSv1.3$'
    want srv '^s7 error SSLCertVerificationError .*verify_code=23 '
    compare
}
t_crl_server() { crl server; }
t_crl_client() { crl client; }

# keylog_filename: the labels OpenSSL writes (TLS 1.3 secrets, CLIENT_RANDOM for TLS 1.2),
# and both ends' files agree line for line (same secrets).
keylog() {
    local run f
    scenario keylog "$1"
    want cli "^c1 labels=\['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0', 'comment'\]$"
    want cli "^c2 labels=\['CLIENT_RANDOM', 'comment'\]$"
    for run in ref lib; do
        for f in keylog keylog12; do
            [ "$(grep -v '^#' "$T/$run/$f.srv" | sort)" = "$(grep -v '^#' "$T/$run/$f.cli" | sort)" ] ||
                fail "$run: $f: the client's and the server's key logs differ"
        done
    done
    compare
}
t_keylog_server() { keylog server; }
t_keylog_client() { keylog client; }

# SNI: sni_callback sees the name, switches the context (other certificate and ALPN),
# rejects with an alert, raises; no SNI without a name or for an IP address.
sni() {
    scenario sni "$1"
    want srv "^s sni_callback name='second.test'"
    want cli '^c2 version=TLSv1.3 peer cn=second.test alpn=second$'
    want srv "^s sni_callback name=None"
    want cli '^c5 error SSLError library=SSL reason=TLSV1_UNRECOGNIZED_NAME'
    want cli '^c7 version=TLSv1.2 peer cn=second.test'
    compare
}
t_sni_server() { sni server; }
t_sni_client() { sni client; }

# Verification failures on the client: self-signed, expired, wrong name, missing
# intermediate, unknown CA, IP mismatch, CERT_NONE, CERT_OPTIONAL; the alerts the server sees.
verify() {
    scenario verify "$1"
    want cli '^c1 error SSLCertVerificationError library=SSL reason=CERTIFICATE_VERIFY_FAILED verify_code=18 verify_message=self-signed certificate'
    want cli '^c2 error SSLCertVerificationError .*verify_code=10 verify_message=certificate has expired'
    want cli "^c3 error SSLCertVerificationError .*verify_code=62 verify_message=Hostname mismatch, certificate is not valid for 'localhost'."
    want cli '^c4 error SSLCertVerificationError .*verify_code=20 '
    want cli "^c6 error SSLCertVerificationError .*verify_code=64 verify_message=IP address mismatch, certificate is not valid for '127.0.0.2'."
    want cli '^c7 peercert=\{\}$'
    want cli '^c9 version=TLSv1.3$'
    compare
}
t_verify_server() { verify server; }
t_verify_client() { verify client; }

# Non-blocking sockets: do_handshake with SSLWantReadError, 1 MiB each way with select.
nonblocking() {
    scenario nonblocking "$1"
    want cli '^c1 handshake waited for reading: True$'
    want cli '^c1 got back 1048576 intact=True$'
    want srv '^s1 recv before data: SSLWantReadError'
    want srv '^s1 received 1048576 intact=True$'
    compare
}
t_nonblocking_server() { nonblocking server; }
t_nonblocking_client() { nonblocking client; }

# SSLObject over MemoryBIOs pumped by hand: the first do_handshake queues the
# ClientHello, ALPN, read/write, unwrap with close_notify both ways.
memorybio() {
    scenario memorybio "$1"
    want cli '^c1 first do_handshake: SSLWantReadError .*ClientHello queued: True$'
    want cli '^c1 alpn=x$'
    want srv "^s1 read b'hello bio\\\\n'$"
    want cli "^c1 read b'reply\\\\n'$"
    compare
}
t_memorybio_server() { memorybio server; }
t_memorybio_client() { memorybio client; }

###########################################################################
# Driver
###########################################################################

# gen_extra DIR: what the Python tests need beyond tests/curl/gen-certs.sh: an encrypted
# server key, an ECDSA certificate for second.test, a client certificate under another CA,
# a revoked client certificate with the root's CRL listing it, DH parameters.
gen_extra() {
    local d=$1 o=$OPENSSL
    cd "$d" || return 1
    cat server-chain.pem server.key >server-combined.pem
    : >empty.pem
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
    $o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out revoked-client.key || return 1
    $o req -new -config ca.cnf -key revoked-client.key -subj /CN=revokedclient -out revoked-client.csr || return 1
    $o ca -batch -config ca.cnf -notext -extensions v3_client -in revoked-client.csr -out revoked-client.pem || return 1
    $o ca -batch -config ca.cnf -revoke revoked-client.pem -crl_reason keyCompromise || return 1
    $o ca -batch -config ca.cnf -gencrl -out root-client.crl.pem || return 1
    $o genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh.pem || return 1
}

run_one() {
    T=$WORK/tests/$1
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    export T
    "t_$1"
}

main() {
    suite_args "$@"
    need python3 openssl procps || { echo "python3, openssl and procps are required" >&2; exit 2; }
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-python.XXXXXX")
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! { "$HERE/../curl/gen-certs.sh" "$PKI" && (unset LD_LIBRARY_PATH OPENSSL_CONF; gen_extra "$PKI"); } \
        >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    mkdir -p "$WORK/tests"
    echo "# library: $LIBDIR; $("$PY" -c 'import ssl, sys; print("Python", sys.version.split()[0], "/", ssl.OPENSSL_VERSION)'); logs: $WORK"
    run_tests
}

{ main "$@"; exit $?; }
