#!/usr/bin/env python3
"""Benchmarks of rustls-libssl against the system OpenSSL libssl.so.3.

usage: bench/run.py [--shim DIR] [--short] [--only mem,hs,bulk,nginx,h2load,certcomp,oneshot] [--out FILE] [--append]

Compiles bench/tlsbench.c against the system OpenSSL headers, makes a throw-away PKI with the
openssl CLI, then runs every benchmark on both libraries, interleaved (OpenSSL, shim, OpenSSL,
shim, ...) for R rounds, and prints a Markdown table (median and range of each figure per
library, and the ratio of the medians) which also goes to --out with a header describing the
machine and the commit.  Exits 1 if any run failed (a crash, a failed handshake, a resumption
that did not happen, the wrong library mapped); never because of a figure's value.
See bench/README.md for what each figure measures.
"""

import argparse
import datetime
import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SYSTEM_LIBSSL = "/usr/lib/x86_64-linux-gnu/libssl.so.3"
# The system's CA store; `bundle.pem` in the certificate directory is it plus the test CA.
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PARTS = ("mem", "hs", "sign", "bulk", "nginx", "h2load", "certcomp", "oneshot")

# Sizes per mode.  `short` is what CI runs (`make bench BENCH_FLAGS=--short`, a few minutes on
# two cores); `full` is for runs by hand.
SIZES = {
    "short": {"rounds": 3, "mem_n": 1000, "hs_n": 300, "bulk_mb": 64, "ctx_n": 20, "oneshot_reps": 5, "sign_n": 300,
              "h2_conns": 1000, "h2_reqs": 100000, "run_timeout": 180, "nginx_timeout": 900},
    "full": {"rounds": 5, "mem_n": 10000, "hs_n": 3000, "bulk_mb": 1024, "ctx_n": 100, "oneshot_reps": 11,
             "sign_n": 5000, "h2_conns": 1000, "h2_reqs": 400000, "run_timeout": 1800, "nginx_timeout": 7200},
}

CIPHERS = (
    ("TLS_AES_128_GCM_SHA256", "AES-128-GCM"),
    ("TLS_AES_256_GCM_SHA384", "AES-256-GCM"),
    ("TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305"),
)


class Figure:
    """One row of the table: `key` of a run's output, shown as `label` in `unit`."""

    def __init__(self, key, label, unit, better, scale=1.0, ratio=True):
        self.key, self.label, self.unit, self.better = key, label, unit, better
        self.scale, self.ratio = scale, ratio


class Bench:
    """One benchmark configuration: a command run once per library and round."""

    def __init__(self, part, title, args, figures, first_round_only=False):
        self.part, self.title, self.args, self.figures = part, title, args, figures
        self.first_round_only = first_round_only


class RunFailed(Exception):
    pass


def benches(mode, sizes):
    """The benchmark list, in table order."""
    out = []
    mem_figs = [
        Figure("rss_base_kb", "process RSS after setup (2 contexts, 1 connection)", "MiB", "lower", 1 / 1024),
        Figure("heap_base", "heap after setup (2 contexts, 1 connection)", "KiB", "lower", 1 / 1024),
        Figure("peak_rss_per_pair", "peak RSS per connection pair", "KiB", "lower", 1 / 1024),
        Figure("heap_per_pair", "heap per connection pair, idle after 1 KiB each way", "KiB", "lower", 1 / 1024),
        Figure("heap_per_server", "heap per server connection (clients freed)", "KiB", "lower", 1 / 1024),
        Figure("heap_left_per_pair", "heap left per pair after freeing all", "B", "lower", ratio=False),
    ]
    for tls, key in (("1.3", "ec"), ("1.2", "ec"), ("1.3", "rsa")):
        out.append(Bench("mem", "mem TLS %s %s" % (tls, keyname(key)),
                         ["mem", "--n", str(sizes["mem_n"]), "--tls", tls, "--key", key], mem_figs))
    hs_figs = [
        Figure("hs_per_s", "handshakes/s (wall, both sides in one thread)", "1/s", "higher"),
        Figure("client_us_per_hs", "client CPU per handshake", "us", "lower"),
        Figure("server_us_per_hs", "server CPU per handshake", "us", "lower"),
    ]
    for tls, key, resume, what in (
        ("1.3", "ec", 0, "full"),
        # TLS 1.3 tickets are single use in rustls (RFC 8446 C.4), so a client resumes with
        # the newest ticket, as curl and browsers do.
        ("1.3", "ec", 2, "resumed, newest ticket"),
        ("1.2", "ec", 0, "full"),
        ("1.2", "ec", 1, "resumed (ticket)"),
        ("1.3", "rsa", 0, "full"),
        ("1.2", "rsa", 0, "full"),
    ):
        out.append(Bench("hs", "hs TLS %s %s %s" % (tls, keyname(key), what),
                         ["hs", "--n", str(sizes["hs_n"]), "--tls", tls, "--key", key, "--resume", str(resume)],
                         hs_figs))
    # Like for like: X25519 on both sides (the shim's default, X25519MLKEM768 between two shim
    # peers, costs an ML-KEM key generation and decapsulation more).
    out.append(Bench("hs", "hs TLS 1.3 ECDSA full, X25519 (no post-quantum share)",
                     ["hs", "--n", str(sizes["hs_n"]), "--tls", "1.3", "--key", "ec", "--resume", "0",
                      "--groups", "X25519"], hs_figs))
    # The client verifies against a real-sized store: the system's CAs plus the test CA.
    out.append(Bench("hs", "hs TLS 1.3 ECDSA full, client store of %s CAs" % bundle_size(),
                     ["hs", "--n", str(sizes["hs_n"]), "--tls", "1.3", "--key", "ec", "--resume", "0",
                      "--cafile", "{certdir}/bundle.pem"], hs_figs))
    # Signing alone: OpenSSL's libcrypto (tlsbench sign) against aws-lc (examples/sign_speed.rs),
    # the cost a server handshake cannot go below.
    for key in ("rsa", "ec"):
        out.append(Bench("sign", "sign %s, one signature as a TLS 1.3 server makes it (libcrypto / aws-lc alone)"
                         % {"rsa": "RSA-2048 PSS-SHA256", "ec": "ECDSA P-256 SHA-256"}[key],
                         ["sign", "--n", str(sizes["sign_n"]), "--key", key],
                         [Figure("us_per_sign", "wall time per signature", "us", "lower")]))
    bulk_figs = [
        Figure("mb_per_s", "throughput (wall, both sides in one thread)", "MB/s", "higher"),
        Figure("sender_cpu_s_per_gb", "sender CPU per GB", "s/GB", "lower"),
        Figure("receiver_cpu_s_per_gb", "receiver CPU per GB", "s/GB", "lower"),
    ]
    for cipher, name in CIPHERS:
        for direction in ("c2s", "s2c"):
            out.append(Bench("bulk", "bulk TLS 1.3 %s %s" % (name, direction),
                             ["bulk", "--mb", str(sizes["bulk_mb"]), "--tls", "1.3", "--cipher", cipher,
                              "--dir", direction], bulk_figs))
    ngx_figs = [
        Figure("hs_worker_cpu_us", "worker CPU per full TLS 1.3 handshake (+ 1 request)", "us", "lower"),
        Figure("hs_per_s", "handshakes/s (load client on OpenSSL)", "1/s", "higher"),
        Figure("hs_resumed_worker_cpu_us", "worker CPU per resumed TLS 1.3 handshake, newest ticket (+ 1 request)",
               "us", "lower"),
        Figure("hs_resumed_per_s", "resumed handshakes/s (load client on OpenSSL)", "1/s", "higher"),
        Figure("hs_rsa_worker_cpu_us", "worker CPU per full TLS 1.3 handshake, RSA-2048 certificate (+ 1 request)",
               "us", "lower"),
        Figure("hs_rsa_per_s", "RSA handshakes/s (load client on OpenSSL)", "1/s", "higher"),
        Figure("idle_bytes_per_conn", "worker RSS per idle keep-alive connection", "KiB", "lower", 1 / 1024),
    ]
    for cipher, name in CIPHERS:
        short = cipher[4:].rsplit("_", 1)[0].lower()
        ngx_figs.append(Figure("dl_%s_cpu_s_per_gb" % short, "worker CPU per GB downloaded, %s" % name, "s/GB",
                               "lower"))
        ngx_figs.append(Figure("dl_%s_mb_per_s" % short, "download rate, %s" % name, "MB/s", "higher"))
    flag = ["--short"] if mode == "short" else []
    out.append(Bench("nginx", "nginx", flag, ngx_figs))
    k1, k2 = ("5000", "50000") if mode == "short" else ("10000", "1000000")
    out.append(Bench("nginx", "nginx stability", flag + ["--stability"], [
        Figure("rss_k1_kb", "worker RSS after %s handshakes" % k1, "MiB", "lower", 1 / 1024),
        Figure("rss_k2_kb", "worker RSS after %s handshakes" % k2, "MiB", "lower", 1 / 1024),
        Figure("rss_growth_kb", "worker RSS growth %s -> %s" % (k1, k2), "KiB", "lower", ratio=False),
    ], first_round_only=True))
    conns, reqs = sizes["h2_conns"], sizes["h2_reqs"]
    h2_args = flag + ["--conns", str(conns), "--requests", str(reqs)]
    out.append(Bench("h2load", "h2load: HTTP/2, %d connections x %d requests, 1 KiB file" % (conns, reqs // conns),
                     h2_args, [
                         Figure("cpu_us_per_req", "worker CPU per request (the %d handshakes included)" % conns, "us",
                                "lower"),
                         Figure("req_per_s", "requests/s (h2load on OpenSSL)", "1/s", "higher"),
                         Figure("rss_peak_kb", "worker peak RSS (VmHWM) during the run", "MiB", "lower", 1 / 1024),
                         Figure("peak_bytes_per_conn", "worker peak RSS growth per connection", "KiB", "lower",
                                1 / 1024),
                     ]))
    # Bytes on the wire do not vary between rounds.
    out.append(Bench("certcomp", "certcomp: nginx's TLS 1.3 first flight, RSA-2048 leaf + intermediate, X25519", [], [
        Figure("cert_msg_bytes", "certificate message (compressed on the shim: RFC 8879)", "B", "lower"),
        Figure("first_flight_bytes", "bytes the client reads up to the end of the handshake", "B", "lower"),
    ], first_round_only=True))
    curl_figs = []
    for cmd, what in (("version", "curl --version (libraries loaded, no TLS)"),
                      ("one", "curl GET, --cacert one CA"),
                      ("bundle", "curl GET, --cacert system store + CA (%s CAs)" % bundle_size())):
        curl_figs += [
            Figure("%s_wall_ms" % cmd, "%s: wall" % what, "ms", "lower"),
            Figure("%s_cpu_ms" % cmd, "%s: CPU (user+sys)" % what, "ms", "lower"),
            Figure("%s_rss_kb" % cmd, "%s: peak RSS" % what, "MiB", "lower", 1 / 1024),
        ]
    out.append(Bench("oneshot", "oneshot /usr/bin/curl", ["--reps", str(sizes["oneshot_reps"])], curl_figs))
    out.append(Bench("oneshot", "oneshot SSL_CTX_new + load_verify_locations(%s CAs)" % bundle_size(),
                     ["ctx", "--n", str(sizes["ctx_n"]), "--cafile", "{certdir}/bundle.pem"], [
                         Figure("first_wall_ms", "first context in the process (library init included): wall", "ms",
                                "lower"),
                         Figure("first_cpu_ms", "first context: CPU", "ms", "lower"),
                         Figure("next_cpu_ms", "each later context: CPU", "ms", "lower"),
                         Figure("rss_start_kb", "process RSS at start of main (libraries loaded)", "MiB", "lower",
                                1 / 1024),
                         Figure("rss_first_kb", "process RSS after the first context", "MiB", "lower", 1 / 1024),
                         Figure("rss_added_kb", "RSS added by the first context", "MiB", "lower", 1 / 1024),
                     ]))
    return out


_BUNDLE_SIZE = []


def bundle_size():
    """The number of certificates in the system store plus the test CA (for the titles)."""
    if not _BUNDLE_SIZE:
        try:
            with open(SYSTEM_BUNDLE) as f:
                _BUNDLE_SIZE.append(str(f.read().count("-----BEGIN CERTIFICATE-----") + 1))
        except OSError:
            _BUNDLE_SIZE.append("?")
    return _BUNDLE_SIZE[0]


def keyname(key):
    return "ECDSA" if key == "ec" else "RSA"


# ---------------------------------------------------------------------------------------------
# Running things
# ---------------------------------------------------------------------------------------------

def run(argv, env, timeout, what):
    """Runs argv in its own process group; returns stdout.  On a timeout or an interrupt the
    group gets SIGTERM (nginx.sh stops nginx on it), then SIGKILL."""
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(proc)
        raise RunFailed("%s: timed out after %d s" % (what, timeout))
    except BaseException:
        stop_group(proc)
        raise
    if proc.returncode != 0:
        tail = "\n".join(("    | " + line) for line in err.strip().splitlines()[-12:])
        raise RunFailed("%s: exit status %d\n%s" % (what, proc.returncode, tail))
    return out


def stop_group(proc):
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.communicate(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def lib_env(lib):
    env = dict(os.environ)
    for var in ("LD_LIBRARY_PATH", "LD_PRELOAD", "OPENSSL_CONF", "SSLKEYLOGFILE"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    if lib != "system":
        env["LD_LIBRARY_PATH"] = lib
    return env


def parse_kv(out, what):
    lines = [line for line in out.splitlines() if "=" in line]
    if not lines:
        raise RunFailed("%s: no key=value line in the output: %r" % (what, out[-300:]))
    values = {}
    for item in lines[-1].split():
        key, _, value = item.partition("=")
        values[key] = value
    return values


def build(workdir):
    """Compiles tlsbench and makes the PKI; returns (tlsbench path, certificate directory)."""
    env = lib_env("system")
    exe = os.path.join(workdir, "tlsbench")
    cc = os.environ.get("CC", "cc")
    res = subprocess.run([cc, "-O2", "-Wall", "-Wextra", "-o", exe, os.path.join(HERE, "tlsbench.c"),
                          "-lssl", "-lcrypto"], env=env, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        sys.exit("compiling tlsbench.c failed:\n" + res.stderr)
    if res.stderr.strip():
        print(res.stderr, file=sys.stderr)
    certdir = os.path.join(workdir, "certs")
    os.mkdir(certdir)
    make_pki(certdir, env)
    return exe, certdir


SIGN_SPEED = os.path.join(REPO, "target", "release", "examples", "sign_speed")


def build_sign_speed():
    """Builds rustls-libssl/examples/sign_speed.rs (aws-lc's signing alone, for the sign part)."""
    res = subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "rustls-libssl", "--example", "sign_speed"],
                         cwd=REPO, capture_output=True, text=True, timeout=1800)
    if res.returncode != 0 or not os.path.exists(SIGN_SPEED):
        sys.exit("building examples/sign_speed.rs failed:\n" + res.stderr)


def make_pki(d, env):
    """A CA (ECDSA P-256) and two leaves for localhost / 127.0.0.1 signed by it: ec.pem/ec.key
    (ECDSA P-256) and rsa.pem/rsa.key (RSA 2048)."""
    ext = os.path.join(d, "leaf.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                "basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth\n")

    def openssl(*args):
        res = subprocess.run(["openssl"] + list(args), cwd=d, env=env, capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            sys.exit("openssl %s failed:\n%s" % (" ".join(args), res.stderr))

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "3650", "-subj", "/CN=tlsbench CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, newkey in (("ec", ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]), ("rsa", ["rsa:2048"])):
        openssl("req", "-new", "-newkey", *newkey, "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "825", "-out", name + ".pem", "-extfile", "leaf.ext")
    with open(os.path.join(d, "bundle.pem"), "w") as out:
        for path in (SYSTEM_BUNDLE, os.path.join(d, "ca.pem")):
            with open(path) as f:
                out.write(f.read())
    for name in os.listdir(d):
        os.chmod(os.path.join(d, name), 0o644)
    os.chmod(d, 0o755)


class Runner:
    def __init__(self, args, sizes, exe, certdir, shim):
        self.args, self.sizes, self.exe, self.certdir, self.shim = args, sizes, exe, certdir, shim
        self.expect = {"system": os.path.realpath(SYSTEM_LIBSSL),
                       shim: os.path.realpath(os.path.join(shim, "libssl.so.3"))}

    def once(self, bench, lib, rnd):
        what = "%s [%s, round %d]" % (bench.title, "OpenSSL" if lib == "system" else "shim", rnd + 1)
        if bench.part == "certcomp":
            argv = ["bash", os.path.join(HERE, "certcomp.sh"), "--lib", lib]
            out = run(argv, lib_env("system"), self.sizes["run_timeout"], what)
            values = parse_kv(out, what)
            mapped = values.get("libssl", "")
        elif bench.part == "oneshot" and bench.args[0] != "ctx":
            argv = ["bash", os.path.join(HERE, "oneshot.sh"), "--lib", lib, "--tlsbench", self.exe,
                    "--certdir", self.certdir] + bench.args
            out = run(argv, lib_env("system"), self.sizes["run_timeout"], what)
            values = parse_kv(out, what)
            mapped = values.get("libssl", "")
        elif bench.part in ("nginx", "h2load"):
            argv = ["bash", os.path.join(HERE, bench.part + ".sh"), "--lib", lib, "--certdir", self.certdir]
            if bench.part == "nginx":
                argv += ["--tlsbench", self.exe]
            argv += bench.args
            out = run(argv, lib_env("system"), self.sizes["nginx_timeout"], what)
            values = parse_kv(out, what)
            mapped = values.get("worker_libssl", "")
        elif bench.part == "sign" and lib != "system":
            key = os.path.join(self.certdir, bench.args[-1] + ".key")
            argv = [SIGN_SPEED, key, bench.args[2]]
            out = run(argv, lib_env("system"), self.sizes["run_timeout"], what)
            values = parse_kv(out, what)
            mapped = self.expect[lib] if values.get("libssl") == "aws-lc" else values.get("libssl", "")
        else:
            args = [a.replace("{certdir}", self.certdir) for a in bench.args]
            argv = [self.exe] + args + ["--certdir", self.certdir]
            out = run(argv, lib_env(lib), self.sizes["run_timeout"], what)
            values = parse_kv(out, what)
            mapped = values.get("libssl", "")
        if os.path.realpath(mapped) != self.expect[lib]:
            raise RunFailed("%s: mapped libssl %r, expected %s" % (what, mapped, self.expect[lib]))
        missing = [f.key for f in bench.figures if f.key not in values]
        if missing:
            raise RunFailed("%s: output lacks %s: %s" % (what, ", ".join(missing), out.strip()))
        return {f.key: float(values[f.key]) * f.scale for f in bench.figures}


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def fmt(x):
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    if a >= 1:
        return "%.2f" % x
    return "%.3f" % x


def cell(values):
    if not values:
        return "FAILED"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return "%s (%s-%s)" % (fmt(med), fmt(min(values)), fmt(max(values)))


def table(benchlist, results, failed):
    rows = ["| figure | unit | better | OpenSSL median (min-max) | shim median (min-max) | shim/OpenSSL |",
            "| --- | --- | --- | --- | --- | --- |"]
    for bench in benchlist:
        for fig in bench.figures:
            sys_v = results.get((bench.title, "system", fig.key), [])
            shim_v = results.get((bench.title, "shim", fig.key), [])
            ratio = "-"
            if fig.ratio and sys_v and shim_v and statistics.median(sys_v) > 0:
                ratio = "%.2f" % (statistics.median(shim_v) / statistics.median(sys_v))
            sys_c = cell(sys_v) if sys_v or (bench.title, "system") in failed else "-"
            shim_c = cell(shim_v) if shim_v or (bench.title, "shim") in failed else "-"
            rows.append("| %s: %s | %s | %s | %s | %s | %s |" % (bench.title, fig.label, fig.unit, fig.better,
                                                                 sys_c, shim_c, ratio))
    return "\n".join(rows)


def header(args, mode, sizes, exe, shim, elapsed):
    def sh(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=REPO,
                                  env=lib_env("system")).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = sh(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if sh(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += "+dirty"
    info = parse_kv(sh([exe, "info"]) or "version=unknown", "tlsbench info")
    shim_lib = os.path.join(shim, "libssl.so.3")
    digest = hashlib.sha256()
    with open(shim_lib, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    lines = [
        "# rustls-libssl benchmarks",
        "",
        "- date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "- machine: %s; CPU: %s; %d cores" % (sh(["uname", "-srm"]), cpu, os.cpu_count() or 0),
        "- commit: %s" % commit,
        "- OpenSSL: %s (%s)" % (info.get("version", "unknown").replace("_", " "), os.path.realpath(SYSTEM_LIBSSL)),
        "- shim: %s (sha256 %s)" % (os.path.realpath(shim_lib), digest.hexdigest()[:12]),
        "- mode: %s (%d rounds, interleaved OpenSSL/shim; mem n=%d, hs n=%d, bulk %d MiB)"
        % (mode, sizes["rounds"], sizes["mem_n"], sizes["hs_n"], sizes["bulk_mb"]),
        "- parts: %s; run time %.0f s" % (",".join(args.only), elapsed),
        "",
        "Figures: median (min-max) over the rounds; the ratio is shim median / OpenSSL median.",
        "See bench/README.md for how each one is measured.",
        "",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def on_term(signum, frame):
    raise KeyboardInterrupt


def main():
    ap = argparse.ArgumentParser(description="rustls-libssl vs OpenSSL benchmarks")
    ap.add_argument("--shim", default=os.path.join(REPO, "target", "release"),
                    help="directory holding the libssl.so.3 under test (default: target/release)")
    ap.add_argument("--short", action="store_true", help="CI sizes: small N, 3 rounds, a few minutes")
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ",".join(PARTS))
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="Markdown output file")
    ap.add_argument("--append", action="store_true",
                    help="add this run (its own header and table) to the end of --out instead of replacing it")
    args = ap.parse_args()
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in args.only if p not in PARTS]
    if unknown:
        ap.error("unknown part(s): %s" % ", ".join(unknown))
    shim = os.path.realpath(args.shim)
    if not os.path.exists(os.path.join(shim, "libssl.so.3")):
        ap.error("%s has no libssl.so.3" % shim)
    if not os.path.exists(SYSTEM_LIBSSL):
        ap.error("the system library %s is missing" % SYSTEM_LIBSSL)
    if not os.path.exists(SYSTEM_BUNDLE):
        ap.error("the system CA store %s is missing (apt-get install ca-certificates)" % SYSTEM_BUNDLE)
    if {"nginx", "h2load", "certcomp", "oneshot"} & set(args.only) and not os.path.exists("/usr/sbin/nginx"):
        ap.error("/usr/sbin/nginx is missing (apt-get install nginx)")
    if "h2load" in args.only and not os.path.exists("/usr/bin/h2load"):
        ap.error("/usr/bin/h2load is missing (apt-get install nghttp2-client)")
    mode = "short" if args.short else "full"
    sizes = SIZES[mode]

    # SIGTERM (CI's watchdog) unwinds like Ctrl-C, so the running child is stopped.
    signal.signal(signal.SIGTERM, on_term)

    start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="tlsbench.")
    os.chmod(workdir, 0o755)
    results, failed, failures = {}, set(), []
    benchlist = [b for b in benches(mode, sizes) if b.part in args.only]
    try:
        exe, certdir = build(workdir)
        if "sign" in args.only:
            build_sign_speed()
        runner = Runner(args, sizes, exe, certdir, shim)
        for bench in benchlist:
            rounds = 1 if bench.first_round_only else sizes["rounds"]
            for rnd in range(rounds):
                for lib in ("system", shim):
                    side = "system" if lib == "system" else "shim"
                    if (bench.title, side) in failed:
                        continue
                    t0 = time.monotonic()
                    try:
                        values = runner.once(bench, lib, rnd)
                    except RunFailed as e:
                        failed.add((bench.title, side))
                        failures.append(str(e))
                        print("FAIL %s" % e, file=sys.stderr, flush=True)
                        continue
                    for key, v in values.items():
                        results.setdefault((bench.title, side, key), []).append(v)
                    print("# %-45s %-7s round %d  %5.1f s" % (bench.title, side, rnd + 1, time.monotonic() - t0),
                          file=sys.stderr, flush=True)
        elapsed = time.monotonic() - start
        report = header(args, mode, sizes, exe, shim, elapsed) + table(benchlist, results, failed) + "\n"
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        report += "\n## Failed runs\n\n" + "\n".join("- " + f.replace("\n", "\n  ") for f in failures) + "\n"
    if args.append and os.path.exists(args.out):
        # A later run of some parts: its header says when, on which commit and library.
        report = "\n" + report.replace("# rustls-libssl benchmarks", "## A later run: %s" % ",".join(args.only), 1)
    with open(args.out, "a" if args.append else "w") as f:
        f.write(report)
    print(report)
    print("# written to %s in %.0f s" % (args.out, elapsed), file=sys.stderr)
    if failures:
        print("%d benchmark run(s) failed" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
