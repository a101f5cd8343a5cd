#!/bin/bash
# Helpers shared by the test suites (tests/curl, tests/nginx, tests/ntpd): package
# installation and, for suites that run one test per process with T=its directory,
# logging, fail/skip, free ports and background servers. Sourced by each run.sh, which
# defines SERVER_PIDS, SERVER_TIMEOUT and T before using them; a suite may redefine any
# of these after sourcing.

# need PKG...: apt-get install the Debian packages that are missing, only when
# running as root.  Returns non-zero if something is still missing afterwards.
need() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "note: missing Debian packages (not root, not installing): ${missing[*]}" >&2
        return 1
    fi
    echo "note: installing missing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
        apt-get update -q >/dev/null 2>&1
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1
    fi
    for p in "${missing[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || return 1
    done
}

# stop_pids STEPS PID...: SIGTERM to each, then up to STEPS tenths of a second for each to
# exit before SIGKILL; reaps them (they are children of this shell).
stop_pids() {
    local steps=$1 pid i
    shift
    for pid in "$@"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "$@"; do
        for i in $(seq 1 "$steps"); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
}

log() { echo "# $*"; }

fail() {
    echo "$*" >"$T/reason"
    echo "FAIL: $*"
    exit 1
}

skip() {
    echo "$*" >"$T/reason"
    echo "SKIP: $*"
    exit 77
}

free_port() {
    "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# is_listening PORT: a LISTEN socket on 127.0.0.1:PORT or *:PORT exists
# (read from /proc so that probing does not consume a connection).
is_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    grep -qE "^ *[0-9]+: (0100007F|00000000):$hex 00000000:0000 0A " /proc/net/tcp 2>/dev/null
}

# bg NAME CMD...: start a server in the background (cwd $T, output in
# $T/NAME.out), bounded by SERVER_TIMEOUT; remembers it for stop_servers.
# Sets BG_PID.
bg() {
    local name=$1
    shift
    echo "+ [$name] $*"
    (cd "$T" && exec timeout -k 3 "$SERVER_TIMEOUT" "$@") >"$T/$name.out" 2>&1 </dev/null &
    BG_PID=$!
    SERVER_PIDS+=("$BG_PID")
}

# wait_listen PORT PID: wait (<= 10 s) until PORT listens; 1 if PID died first.
wait_listen() {
    local i
    for i in $(seq 1 100); do
        is_listening "$1" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# suite_args "$@": the command line every suite takes, `run.sh LIBDIR|system [TEST...]`.
# `--one NAME` (how the runner starts each test) calls the suite's run_one and exits;
# `--list` prints TESTS. Otherwise sets LIBDIR (absolute, or `system`) and SELECTED (the
# tests asked for, all of TESTS by default), and unsets LD_LIBRARY_PATH.
suite_args() {
    if [ "${1:-}" = --one ]; then
        shift
        run_one "$@"
        exit $?
    fi
    if [ "${1:-}" = --list ] || [ "${2:-}" = --list ]; then
        printf '%s\n' "${TESTS[@]}"
        exit 0
    fi
    if [ $# -lt 1 ]; then
        echo "usage: $0 LIBDIR|system [TEST...]" >&2
        exit 2
    fi
    LIBDIR=$1
    shift
    if [ "$LIBDIR" != system ]; then
        local given=$LIBDIR
        LIBDIR=$(cd "$given" 2>/dev/null && pwd) || { echo "no such directory: $given" >&2; exit 2; }
        [ -e "$LIBDIR/libssl.so.3" ] || { echo "$LIBDIR has no libssl.so.3" >&2; exit 2; }
    fi
    unset LD_LIBRARY_PATH
    SELECTED=("$@")
    [ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${TESTS[@]}")
    local t
    for t in "${SELECTED[@]}"; do
        declare -F "t_$t" >/dev/null || { echo "unknown test: $t" >&2; exit 2; }
    done
}

# run_tests: runs each of SELECTED as `run.sh --one NAME` under a watchdog, with its log
# in $WORK/tests/NAME; prints `ok`/`skip`/`FAIL` lines (and a failed test's log), then
# `N passed, N failed, N skipped`. Returns 1 if any test failed; keeps $WORK only then
# (or with KEEP_LOGS=1).
run_tests() {
    local passed=0 failed=0 skipped=0 rc reason tdir t
    for t in "${SELECTED[@]}"; do
        tdir=$WORK/tests/$t
        mkdir -p "$tdir"
        timeout -k 10 "$TEST_TIMEOUT" bash "$SELF" --one "$t" >"$tdir/log" 2>&1
        rc=$?
        reason=$(cat "$tdir/reason" 2>/dev/null)
        case $rc in
            0)
                passed=$((passed + 1))
                echo "ok $t"
                [ -s "$tdir/note" ] && sed "s/^/# $t: /" "$tdir/note"
                ;;
            77)
                skipped=$((skipped + 1))
                echo "skip $t: ${reason:-skipped}"
                ;;
            *)
                failed=$((failed + 1))
                [ $rc -eq 124 ] && [ -z "$reason" ] && reason="test timed out after ${TEST_TIMEOUT}s"
                echo "FAIL $t: ${reason:-test exited with status $rc}"
                sed 's/^/    | /' "$tdir/log"
                ;;
        esac
    done
    if [ $failed -eq 0 ] && [ "${KEEP_LOGS:-0}" != 1 ]; then
        rm -rf "$WORK"
    else
        echo "# logs kept in $WORK"
    fi
    echo "$passed passed, $failed failed, $skipped skipped"
    [ $failed -eq 0 ]
}

# The servers a suite started (add each PID to SERVER_PIDS): stop_servers ends them all.
SERVER_PIDS=()
stop_servers() {
    stop_pids 30 "${SERVER_PIDS[@]}"
    SERVER_PIDS=()
}

# lib_env LIB: LIB_ENV, the env(1) prefix that runs a program on LIB (a directory holding
# the libssl.so.3 under test) or, for `system`, on the system library.
lib_env() {
    if [ "$1" = system ]; then
        LIB_ENV=(env -u LD_LIBRARY_PATH)
    else
        LIB_ENV=(env "LD_LIBRARY_PATH=$1")
    fi
}

# mapped_libssl PID: the libssl files process PID has mapped.
mapped_libssl() { grep -E 'libssl\.so' "/proc/$1/maps" 2>/dev/null | awk '{print $6}' | sort -u; }

# expect_mapped PID LIB: PROGRAM_NAME's process PID has LIB's libssl.so.3 mapped, and no
# other.
expect_mapped() {
    local maps want
    maps=$(mapped_libssl "$1")
    echo "$PROGRAM_NAME (pid $1) maps: $maps"
    [ -n "$maps" ] || fail "$PROGRAM_NAME maps no libssl"
    [ "$(echo "$maps" | wc -l)" -eq 1 ] || fail "$PROGRAM_NAME maps several libssl: $maps"
    if [ "$2" = system ]; then
        case $maps in /lib/*|/usr/lib/*) ;; *) fail "$PROGRAM_NAME should be on the system library but maps $maps" ;; esac
    else
        want=$(readlink -f "$2/libssl.so.3")
        [ "$(readlink -f "$maps")" = "$want" ] || fail "$PROGRAM_NAME maps $maps, not $want"
    fi
}
