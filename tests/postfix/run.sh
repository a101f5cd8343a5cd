#!/bin/bash
# Postfix (Debian 12's postfix 3.7) integration tests for rustls-libssl.
#
# usage: tests/postfix/run.sh LIBDIR|system [TEST...]
#        tests/postfix/run.sh --list
#
#   LIBDIR  directory holding the libssl.so.3 under test.  Each test runs a private Postfix
#           instance (its own config_directory, queue_directory and data_directory under the
#           test's directory, `master -d` in the foreground) on the library under test: the
#           master and every daemon it starts get LD_LIBRARY_PATH=LIBDIR (through
#           import_environment, as a user would configure it).  Its peers run on the system
#           OpenSSL: Debian's python3 (smtplib) as the client of smtpd, and an aiosmtpd sink
#           with STARTTLS (sink.py) as the server the smtp client delivers to.  `system` runs
#           everything on the system OpenSSL, which must pass 100%.
#   TEST    optional test names to run only those.
#
# smtpd_* tests drive smtpd's STARTTLS; the instance relays what it accepts to a sink
# without TLS, whose copy shows the Received: header smtpd wrote.  smtp_* tests submit a
# message over plain SMTP (smtpd without TLS) and check how the smtp client delivers it to
# the sink with smtp_tls_security_level may / encrypt / verify / dane: the instance's log
# ("Untrusted/Trusted/Verified TLS connection established to ..."), the queue, and the
# sink's own record of the session's TLS version and cipher.
#
# DANE on loopback: the instance runs in a private mount namespace whose /etc/resolv.conf
# points at dns.py on 127.53.x.y:53 ("options trust-ad"), a responder that serves the A and
# TLSA records of mx.dane.test with the AD bit set, as a validating resolver would.
#
# Output: one `ok NAME` / `FAIL NAME: why` / `skip NAME: why` line per test, then
# `N passed, N failed, N skipped`.  Exit status 1 if any test failed.  KEEP_LOGS=1 keeps
# the temporary directory.  After each test the instance's maillog is searched for
# warning/error/fatal/panic lines; any the test did not declare (LOG_ALLOW) fails it.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3           # Debian's: it has aiosmtpd, and links the system OpenSSL
POSTFIX=/usr/sbin/postfix
POSTCONF=/usr/sbin/postconf
POSTQUEUE=/usr/sbin/postqueue
MASTER=/usr/lib/postfix/sbin/master
OPENSSL=/usr/bin/openssl
CLIENT_TIMEOUT=30
SERVER_TIMEOUT=100
TEST_TIMEOUT=120

unset LD_PRELOAD SSLKEYLOGFILE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF MAIL_CONFIG MAIL_DEBUG PYTHONPATH
export LC_ALL=C

###########################################################################
# Helpers (a test runs in its own bash process with T=its directory)
###########################################################################

SERVER_PIDS=()
LOG_ALLOW='^$'   # regex of maillog warnings the test expects
PF_DIRS=()

note() { echo "note: $*"; echo "$*" >>"$T/note"; }

stop_servers() {
    local d
    for d in "${PF_DIRS[@]}"; do
        [ -f "$d/queue/pid/master.pid" ] && kill -TERM "$(tr -d ' ' <"$d/queue/pid/master.pid")" 2>/dev/null
    done
    stop_pids 50 "${SERVER_PIDS[@]}"
    SERVER_PIDS=()
    PF_DIRS=()
}

# pf_start NAME ROLE [PARAM=VALUE...]: a Postfix instance on the library ROLE says, smtpd on
# a free port (PF_PORT), relaying everything to 127.0.0.1:SINK_PORT; PARAMs are set with
# postconf -e after the defaults.  With PF_DNS=ADDR the instance runs in a mount namespace
# whose resolv.conf points at ADDR.
pf_start() {
    local name=$1 role=$2 d=$T/$1 env_lib=() import="MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME"
    shift 2
    PF_PORT=$(free_port)
    mkdir -p "$d/etc" "$d/data"
    # The queue tree `postfix check` made once (main); copying it takes no time.
    cp -a "$WORK/pf-template/queue" "$d/queue" || fail "no queue template"
    chmod 755 "$T" "$d"
    chown postfix "$d/data"
    if [ "$role" = test ] && [ "$LIBDIR" != system ]; then
        import="$import LD_LIBRARY_PATH=$LIBDIR"
        env_lib=(env "LD_LIBRARY_PATH=$LIBDIR")
    else
        env_lib=(env -u LD_LIBRARY_PATH)
    fi
    cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = pf.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
maillog_file = $d/maillog
maillog_file_prefixes = $d
import_environment = $import
alias_maps =
alias_database =
biff = no
smtputf8_enable = no
relayhost = [127.0.0.1]:${SINK_PORT:-25}
smtp_host_lookup = native
smtpd_tls_cert_file = $PKI/server-chain.pem
smtpd_tls_key_file = $PKI/server.key
smtpd_tls_security_level = none
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtp_tls_security_level = none
smtp_tls_loglevel = 1
EOF
    cat >"$d/etc/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    [ $# -gt 0 ] && { env -u LD_LIBRARY_PATH "$POSTCONF" -c "$d/etc" -e "$@" || fail "postconf -e $* failed"; }
    PF_DIRS+=("$d")
    if [ -n "${PF_DNS:-}" ]; then
        printf 'nameserver %s\noptions trust-ad timeout:2 attempts:2\n' "$PF_DNS" >"$d/resolv.conf"
        # shellcheck disable=SC2016
        bg "$name" "${env_lib[@]}" unshare -m --propagation private sh -c \
            'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$d/resolv.conf" setsid "$MASTER" -c "$d/etc" -d
    else
        bg "$name" "${env_lib[@]}" setsid "$MASTER" -c "$d/etc" -d
    fi
    wait_listen "$PF_PORT" "$BG_PID" || { cat "$T/$name.out" "$d/maillog" 2>/dev/null; fail "postfix $name did not listen on $PF_PORT"; }
    PF_NAME=$name
    PF_ROLE=$role
}

# pf_maps PROGRAM: the running PROGRAM processes of this instance (children of its master)
# map the intended libssl (daemons stay for max_idle after their work).
pf_maps() {
    local p pp got want found=0
    if [ "$PF_ROLE" = test ] && [ "$LIBDIR" != system ]; then
        want=$(readlink -f "$LIBDIR/libssl.so.3")
    else
        want=$(readlink -f /lib/x86_64-linux-gnu/libssl.so.3)
    fi
    for p in $(pgrep -x "$1"); do
        pp=$(ps -o ppid= -p "$p" | tr -d ' ')
        tr '\0' ' ' <"/proc/$pp/cmdline" 2>/dev/null | grep -qF -- "-c $T/$PF_NAME/etc" || continue
        got=$(grep -E 'libssl\.so' "/proc/$p/maps" 2>/dev/null | awk '{print $6}' | sort -u)
        echo "  $1 pid $p maps ${got:-no libssl}"
        [ "$(readlink -f "${got:-none}")" = "$want" ] || fail "$1 pid $p maps '$got', want $want"
        found=1
    done
    [ $found -eq 1 ] || fail "no $1 process of this instance found"
}

# sink NAME [sink.py OPTIONS...]: the SMTP sink on the system OpenSSL; sets SINK_PORT and
# SINK_DIR (one N.eml per message).
sink() {
    local name=$1 cert=server-chain key=server
    shift
    [ "${1:-}" = --cert ] && { cert=$2; key=$3; shift 3; }
    SINK_PORT=$(free_port)
    SINK_DIR=$T/$name.mail
    bg "$name" env -u LD_LIBRARY_PATH "$PY" "$HERE/sink.py" "$SINK_PORT" "$PKI/$cert.pem" "$PKI/$key.key" "$SINK_DIR" "$@"
    wait_listen "$SINK_PORT" "$BG_PID" || { cat "$T/$name.out"; fail "sink did not start"; }
}

# dns RECORDS...: dns.py on a free 127.53.x.y with the given record lines; sets PF_DNS.
dns() {
    local i a
    printf '%s\n' "$@" >"$T/records"
    for i in 1 2 3 4 5; do
        a=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
        bg dns env -u LD_LIBRARY_PATH "$PY" "$HERE/dns.py" "$a" "$T/records"
        for _ in $(seq 1 30); do
            grep -q 'dns listening' "$T/dns.out" 2>/dev/null && { PF_DNS=$a; return 0; }
            kill -0 "$BG_PID" 2>/dev/null || break
            sleep 0.1
        done
    done
    cat "$T/dns.out"
    fail "dns.py did not start"
}

# send NAME PORT [client.py OPTIONS...]: client.py (system OpenSSL) to PORT; $T/NAME.out, RC.
send() {
    local name=$1 port=$2
    shift 2
    echo "+ [$name] client.py $port $*"
    timeout -k 5 "$CLIENT_TIMEOUT" env -u LD_LIBRARY_PATH "$PY" "$HERE/client.py" "$port" "$@" >"$T/$name.out" 2>&1
    RC=$?
    echo "  exit code: $RC"
    sed 's/^/  | /' "$T/$name.out"
}
has() { grep -qE -- "$2" "$T/$1.out" || fail "$1: output lacks /$2/: $(grep -m1 '^error' "$T/$1.out")"; }
rc_is() { [ "$RC" -eq "$1" ] || fail "$2: exit code $RC, want $1: $(grep -m1 '^error' "$T/$2.out")"; }

# wait_log REGEX [SECONDS]: the instance's maillog gets a matching line (default 20 s).
wait_log() {
    local _ n=$((${2:-20} * 10))
    for _ in $(seq 1 "$n"); do
        grep -qE -- "$1" "$T/$PF_NAME/maillog" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "--- maillog:"; sed 's/^/  | /' "$T/$PF_NAME/maillog" 2>/dev/null | tail -20
    fail "maillog lacks /$1/ after ${2:-20}s: $(grep -E 'warning|error|fatal|status=' "$T/$PF_NAME/maillog" 2>/dev/null | tail -1 | cut -d' ' -f5- | cut -c1-300)"
}
# log_has REGEX: the maillog has a matching line; the failure names the delivery status and
# the first warning, which usually say why.
log_has() {
    grep -qE -- "$1" "$T/$PF_NAME/maillog" && return 0
    sed 's/^/  | /' "$T/$PF_NAME/maillog" | cut -c1-400 | tail -25
    fail "maillog lacks /$1/; $(grep -oE 'status=.*' "$T/$PF_NAME/maillog" | tail -1)$(grep -m1 -oE '(warning|fatal): .*' "$T/$PF_NAME/maillog" | sed 's/^/; /' | cut -c1-200)"
}
log_lacks() {
    ! grep -qE -- "$1" "$T/$PF_NAME/maillog" ||
        fail "maillog has /$1/: $(grep -m1 -E -- "$1" "$T/$PF_NAME/maillog" | cut -d' ' -f5- | cut -c1-300)"
}

# sink_msg N: the sink's message N (waits up to 15 s for it).
sink_msg() {
    local _
    for _ in $(seq 1 150); do
        [ -s "$SINK_DIR/$1.eml" ] && { MSG=$SINK_DIR/$1.eml; return 0; }
        sleep 0.1
    done
    fail "the sink got no message $1 (maillog: $(grep -E 'status=|warning' "$T/$PF_NAME/maillog" | tail -1 | cut -d' ' -f5- | cut -c1-300))"
}
msg_has() { tr -d '\r' <"$MSG" | grep -qE -- "$1" || fail "message $(basename "$MSG") lacks /$1/: $(grep -m3 -E '^(X-Sink|Received|	)' "$MSG" | tr '\n' ' ' | cut -c1-400)"; }
no_sink_msg() { [ ! -e "$SINK_DIR/1.eml" ] || fail "the sink got a message: $(head -1 "$SINK_DIR/1.eml")"; }

# queue_has ID-less: the instance's queue holds one deferred message.
queue_deferred() {
    env -u LD_LIBRARY_PATH "$POSTQUEUE" -c "$T/$PF_NAME/etc" -p >"$T/queue.out" 2>&1
    sed 's/^/  q| /' "$T/queue.out"
    grep -qE '^[0-9A-F]+ +[0-9]+ ' "$T/queue.out" || fail "no message left in the queue: $(head -2 "$T/queue.out")"
}

check_logs() {
    local d bad
    for d in "$T"/*/maillog; do
        [ -f "$d" ] || continue
        bad=$(grep -E 'postfix/[a-z/-]+\[[0-9]+\]: (warning|error|fatal|panic): ' "$d" | grep -vE -- "$LOG_ALLOW" | head -5)
        if [ -n "$bad" ]; then
            echo "$bad" | sed 's/^/  log| /'
            fail "$(basename "$(dirname "$d")")/maillog: $(echo "$bad" | head -1 | cut -d' ' -f5- | cut -c1-300)"
        fi
    done
}

# What Postfix logs (and writes into Received:) for the sessions of these tests on OpenSSL.
TLS13='TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 \(256/256 bits\) key-exchange X25519 server-signature RSA-PSS \(2048 bits\) server-digest SHA256'
TLS12='TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 \(256/256 bits\)'
RCVD13_1='^	\(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 \(256/256 bits\)$'
RCVD13_2='^	 key-exchange X25519 server-signature RSA-PSS \(2048 bits\) server-digest SHA256\)?$'

###########################################################################
# Tests
###########################################################################

TESTS=(
    smtpd_starttls smtpd_tls12 smtpd_client_cert smtpd_encrypt_required smtpd_chain_resume
    smtpd_resume_tlsmgr
    smtp_may smtp_may_trusted smtp_may_cleartext smtp_encrypt smtp_encrypt_not_offered smtp_verify
    smtp_verify_fail smtp_dane smtp_dane_mismatch
)

# --- smtpd under test ----------------------------------------------------------------------

# STARTTLS with a verifying client: TLS 1.3, mail accepted, smtpd logs the TLS session and
# writes it into the Received: header the sink gets.
t_smtpd_starttls() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=may
    send c "$PF_PORT" --starttls --ca "$PKI/root.pem"
    rc_is 0 c
    has c '^ehlo: 250 .*STARTTLS'
    has c '^tls: TLSv1.3 TLS_AES_256_GCM_SHA384$'
    has c '^result: accepted'
    wait_log 'disconnect from localhost\[127.0.0.1\] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7'
    log_has "postfix/smtpd\\[[0-9]+\\]: Anonymous TLS connection established from localhost\\[127.0.0.1\\]: $TLS13\$"
    pf_maps smtpd
    sink_msg 1
    msg_has '^X-Sink-TLS: none$'
    msg_has "$RCVD13_1"
    msg_has "$RCVD13_2"
    msg_has 'with ESMTPS id'
}

t_smtpd_tls12() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=may
    send c "$PF_PORT" --starttls --ca "$PKI/root.pem" --tls12
    rc_is 0 c
    has c '^tls: TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384$'
    wait_log 'disconnect from localhost\[127.0.0.1\] ehlo=2 starttls=1 '
    log_has "Anonymous TLS connection established from localhost\\[127.0.0.1\\]: $TLS12\$"
    sink_msg 1
    msg_has "^	\\(using $TLS12\\)\$"
}

# smtpd_tls_ask_ccert with the root as CA: a client certificate is verified and recorded.
t_smtpd_client_cert() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=may smtpd_tls_ask_ccert=yes smtpd_tls_CAfile="$PKI/root.pem"
    send c "$PF_PORT" --starttls --ca "$PKI/root.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
    rc_is 0 c
    has c '^result: accepted'
    wait_log 'disconnect from localhost\[127.0.0.1\] ehlo=2 starttls=1 '
    log_has "Trusted TLS connection established from localhost\\[127.0.0.1\\]: $TLS13 client-signature RSA-PSS \\(2048 bits\\) client-digest SHA256\$"
    sink_msg 1
    msg_has '\(Client CN "testclient", Issuer "Test Root CA" \(verified OK\)\)'
    send n "$PF_PORT" --starttls --ca "$PKI/root.pem"
    rc_is 0 n
    sink_msg 2
    msg_has '\(Client did not present a certificate\)'
}

# smtpd_tls_security_level=encrypt: no mail without STARTTLS, mail after it.
t_smtpd_encrypt_required() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=encrypt
    send c "$PF_PORT" --mail-first --starttls --ca "$PKI/root.pem"
    rc_is 0 c
    has c '^mail-first: 530 5.7.0 Must issue a STARTTLS command first'
    has c '^tls: TLSv1.3 '
    has c '^result: accepted'
    sink_msg 1
    msg_has "$RCVD13_1"
}

# openssl s_client -starttls smtp: the chain (leaf + intermediate) verifies; a session saved
# from one connection resumes the next (smtpd's session tickets).
t_smtpd_chain_resume() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=may
    echo "+ s_client -starttls smtp (x2, -sess_out / -sess_in)"
    echo QUIT | env -u LD_LIBRARY_PATH timeout 15 "$OPENSSL" s_client -starttls smtp -connect "127.0.0.1:$PF_PORT" \
        -servername localhost -CAfile "$PKI/root.pem" -verify_return_error -showcerts -sess_out "$T/sess" -ign_eof >"$T/s1.out" 2>&1
    grep -E '^(New|Reused|Verify return)|^221' "$T/s1.out" | sed 's/^/  | /'
    [ "$(grep -c 'BEGIN CERTIFICATE' "$T/s1.out")" -eq 2 ] || fail "smtpd sent $(grep -c 'BEGIN CERTIFICATE' "$T/s1.out") certificates, want 2"
    has s1 'Verify return code: 0 \(ok\)'
    has s1 '^221 2.0.0 Bye'
    echo QUIT | env -u LD_LIBRARY_PATH timeout 15 "$OPENSSL" s_client -starttls smtp -connect "127.0.0.1:$PF_PORT" \
        -servername localhost -CAfile "$PKI/root.pem" -sess_in "$T/sess" -ign_eof >"$T/s2.out" 2>&1
    grep -E '^(New|Reused|Verify return)|^221' "$T/s2.out" | sed 's/^/  | /'
    has s2 '^Reused, TLSv1.3'
    has s2 '^221 2.0.0 Bye'
    wait_log 'disconnect from localhost\[127.0.0.1\] ehlo=1 starttls=1 quit=1 commands=3'
}

# Resumption across smtpd processes (max_use=1: one connection per process): the session
# ticket keys come from tlsmgr through SSL_CTX_set_tlsext_ticket_key_evp_cb, so a ticket
# from one process is good in the next.
t_smtpd_resume_tlsmgr() {
    sink sink --no-starttls
    pf_start pf test smtpd_tls_security_level=may max_use=1
    echo "+ s_client -starttls smtp (x2, -sess_out / -sess_in, different smtpd processes)"
    echo QUIT | env -u LD_LIBRARY_PATH timeout 15 "$OPENSSL" s_client -starttls smtp -connect "127.0.0.1:$PF_PORT" \
        -servername localhost -CAfile "$PKI/root.pem" -sess_out "$T/sess" -ign_eof >"$T/s1.out" 2>&1
    wait_log 'disconnect from localhost\[127.0.0.1\] ehlo=1 starttls=1 quit=1 commands=3'
    sleep 0.5
    echo QUIT | env -u LD_LIBRARY_PATH timeout 15 "$OPENSSL" s_client -starttls smtp -connect "127.0.0.1:$PF_PORT" \
        -servername localhost -CAfile "$PKI/root.pem" -sess_in "$T/sess" -ign_eof >"$T/s2.out" 2>&1
    grep -E '^(New|Reused)' "$T/s1.out" "$T/s2.out" | sed 's/^/  | /'
    has s1 '^New, TLSv1.3'
    has s2 '^Reused, TLSv1.3'
    [ "$(grep -oE 'postfix/smtpd\[[0-9]+\]: connect' "$T/pf/maillog" | sort -u | wc -l)" -eq 2 ] ||
        fail "both connections went to one smtpd process (max_use=1 not in effect)"
}

# --- smtp client under test ----------------------------------------------------------------

# submit: one message into the instance over plain SMTP, then wait until the smtp client
# has dealt with it (sent, deferred or bounced).
submit() {
    send sub "$PF_PORT" --subject "relay test"
    rc_is 0 sub
    wait_log 'postfix/smtp\[[0-9]+\]: [0-9A-F]+: to=<.*status=(sent|deferred|bounced)'
}

# may, with a sink offering STARTTLS: delivered encrypted; without a CA file the log says
# Untrusted.
t_smtp_may() {
    sink sink
    pf_start pf test smtp_tls_security_level=may
    submit
    log_has "postfix/smtp\\[[0-9]+\\]: Untrusted TLS connection established to 127.0.0.1\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    log_has "relay=127.0.0.1\\[127.0.0.1\\]:$SINK_PORT, .*status=sent \\(250 OK sink message 1\\)"
    pf_maps smtp
    sink_msg 1
    msg_has '^X-Sink-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384$'
}

# may with smtp_tls_CAfile: the chain is checked and the log says Trusted.
t_smtp_may_trusted() {
    sink sink
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=may
    submit
    log_has "postfix/smtp\\[[0-9]+\\]: Trusted TLS connection established to 127.0.0.1\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    log_has 'status=sent \(250 OK sink message 1\)'
    sink_msg 1
    msg_has '^X-Sink-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384$'
}

# may, with a sink without STARTTLS: delivered in clear (the same with either library).
t_smtp_may_cleartext() {
    sink sink --no-starttls
    pf_start pf test smtp_tls_security_level=may
    submit
    log_has 'status=sent \(250 OK sink message 1\)'
    sink_msg 1
    msg_has '^X-Sink-TLS: none$'
    log_lacks 'TLS connection established'
}

# encrypt: TLS mandatory; with smtp_tls_CAfile the chain is checked (Trusted), not the name.
t_smtp_encrypt() {
    sink sink
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=encrypt
    submit
    log_has "Trusted TLS connection established to 127.0.0.1\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    log_has 'status=sent \(250 OK sink message 1\)'
    sink_msg 1
    msg_has '^X-Sink-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384$'
}

# encrypt against a sink without STARTTLS: deferred, never sent in clear.
t_smtp_encrypt_not_offered() {
    sink sink --no-starttls
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=encrypt
    submit
    log_has 'status=deferred \(TLS is required, but was not offered by host 127.0.0.1\[127.0.0.1\]\)'
    sleep 0.3
    no_sink_msg
    queue_deferred
}

# verify with the next-hop name: localhost matches the sink's certificate.
t_smtp_verify() {
    sink sink
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=verify smtp_tls_verify_cert_match=nexthop \
        "relayhost=[localhost]:$SINK_PORT"
    submit
    log_has "Verified TLS connection established to localhost\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    log_has 'status=sent \(250 OK sink message 1\)'
    sink_msg 1
    msg_has '^X-Sink-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384$'
}

# verify against a certificate for another name: deferred with Postfix's reason.
t_smtp_verify_fail() {
    sink sink --cert wrong wrong
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=verify smtp_tls_verify_cert_match=nexthop \
        "relayhost=[localhost]:$SINK_PORT"
    submit
    log_has 'status=deferred \(Server certificate not verified\)'
    log_has "server certificate verification failed for localhost\\[127.0.0.1\\]:$SINK_PORT: num=62:hostname mismatch"
    sleep 0.3
    no_sink_msg
    queue_deferred
}

# spki_sha256 PEM: the SHA-256 of the certificate's SubjectPublicKeyInfo (TLSA 3 1 1).
spki_sha256() {
    env -u LD_LIBRARY_PATH "$OPENSSL" x509 -in "$1" -noout -pubkey |
        env -u LD_LIBRARY_PATH "$OPENSSL" pkey -pubin -outform DER |
        env -u LD_LIBRARY_PATH "$OPENSSL" dgst -sha256 -r | cut -d' ' -f1
}

# dane with a DNSSEC-"validated" TLSA 3 1 1 record of the sink's key: Verified, delivered.
t_smtp_dane() {
    sink sink
    dns "mx.dane.test A 127.0.0.1" "_$SINK_PORT._tcp.mx.dane.test TLSA 3 1 1 $(spki_sha256 "$PKI/server.pem")"
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=dane smtp_dns_support_level=dnssec \
        smtp_host_lookup=dns "relayhost=[mx.dane.test]:$SINK_PORT"
    submit
    log_has "Verified TLS connection established to mx.dane.test\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    log_has 'status=sent \(250 OK sink message 1\)'
    sink_msg 1
    msg_has '^X-Sink-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384$'
    grep -q "query _$SINK_PORT._tcp.mx.dane.test type 52" "$T/dns.out" || fail "Postfix never asked for the TLSA record"
}

# dane with a TLSA record that does not match: deferred, nothing in clear.
t_smtp_dane_mismatch() {
    sink sink
    dns "mx.dane.test A 127.0.0.1" "_$SINK_PORT._tcp.mx.dane.test TLSA 3 1 1 $(spki_sha256 "$PKI/wrong.pem")"
    pf_start pf test smtp_tls_CAfile="$PKI/root.pem" smtp_tls_security_level=dane smtp_dns_support_level=dnssec \
        smtp_host_lookup=dns "relayhost=[mx.dane.test]:$SINK_PORT"
    submit
    log_has 'status=deferred \(Server certificate not verified\)'
    log_has "server certificate verification failed for mx.dane.test\\[127.0.0.1\\]:$SINK_PORT: num=65:no matching DANE TLSA records"
    log_has "Untrusted TLS connection established to mx.dane.test\\[127.0.0.1\\]:$SINK_PORT: $TLS13\$"
    sleep 0.3
    no_sink_msg
    queue_deferred
}

###########################################################################
# Driver
###########################################################################

run_one() {
    local name=$1
    T=$WORK/tests/$name
    mkdir -p "$T"
    trap stop_servers EXIT
    trap 'echo "killed by watchdog"; exit 124' TERM
    "t_$name"
    stop_servers
    check_logs
}

# The packaged Postfix is not used, but Debian enables and starts it on install: stop it so
# that nothing holds port 25 or runs a second master beside the tests.
stop_system_postfix() {
    systemctl disable --now postfix >/dev/null 2>&1 || true
    if [ -f /var/spool/postfix/pid/master.pid ] && kill -0 "$(tr -d ' ' </var/spool/postfix/pid/master.pid)" 2>/dev/null; then
        echo "note: stopping the system postfix" >&2
        postfix stop >/dev/null 2>&1 || service postfix stop >/dev/null 2>&1 || true
    fi
}

# pf_template: $WORK/pf-template/queue, the queue tree with Postfix's owners and modes, made
# once by `postfix check` (which takes seconds) for every instance to copy.
pf_template() {
    local d=$WORK/pf-template
    mkdir -p "$d/etc" "$d/queue" "$d/data"
    chown postfix "$d/data"
    printf 'compatibility_level = 3.6\nqueue_directory = %s\ndata_directory = %s\nmaillog_file = %s\nmaillog_file_prefixes = %s\n' \
        "$d/queue" "$d/data" "$d/maillog" "$d" >"$d/etc/main.cf"
    cp /etc/postfix/master.cf "$d/etc/master.cf" 2>/dev/null || : >"$d/etc/master.cf"
    env -u LD_LIBRARY_PATH "$POSTFIX" -c "$d/etc" check >"$d/check.out" 2>&1 ||
        { cat "$d/check.out" "$d/maillog" 2>/dev/null; echo "postfix check failed" >&2; return 1; }
    [ -d "$d/queue/maildrop" ] || { echo "postfix check made no queue tree in $d/queue" >&2; return 1; }
}

main() {
    suite_args "$@"
    [ "$(id -u)" -eq 0 ] || { echo "run as root (Postfix instances need root to start)" >&2; exit 2; }
    # Answer Debian's configuration question: no system mail configuration.
    if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'install ok installed'; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null
    fi
    need postfix python3 python3-aiosmtpd openssl procps util-linux ||
        { echo "postfix, python3-aiosmtpd, openssl, procps and util-linux are required" >&2; exit 2; }
    stop_system_postfix
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/rustls-libssl-postfix.XXXXXX")
    chmod 755 "$WORK"
    PKI=$WORK/pki
    export LIBDIR WORK PKI PY
    if ! "$HERE/../curl/gen-certs.sh" "$PKI" >"$WORK/gen-certs.log" 2>&1; then
        cat "$WORK/gen-certs.log" "$PKI/gen.log" 2>/dev/null
        echo "certificate generation failed" >&2
        exit 2
    fi
    # Postfix daemons run as postfix: the (throw-away) test PKI must be readable.
    chmod -R a+rX "$PKI"
    mkdir -p "$WORK/tests"
    pf_template || exit 2
    echo "# library: $LIBDIR; postfix $("$POSTCONF" -d -h mail_version 2>/dev/null); logs: $WORK"
    run_tests
}

main "$@"
