#!/usr/bin/env python3
"""Counts and checks every `unsafe` in rustls-libssl/src.

usage: tests/audit/unsafe.py [SRCDIR]     (default rustls-libssl/src beside this file's repo)

Rules (README "Unsafe code", STYLE.md):
  - `unsafe` appears only under src/abi/ and src/crypto_sys/;
  - every unsafe block and `unsafe impl` has a `// SAFETY:` comment directly above the line
    that holds it, or above the statement that line continues (rustfmt splits
    `let x =\n    unsafe { .. };`); attribute lines and the rest of a multi-line comment may
    sit between;
  - every `unsafe fn` has a `// SAFETY:` comment or a `# Safety` doc section above it,
    except `#[no_mangle]` exports, whose contract is OpenSSL's documentation of the function
    (abi/mod.rs).
`unsafe extern "C" fn(...)` pointer *types* are not unsafe code and are counted apart.
Prints the counts; exits 1 and lists each violation (file:line) if a rule is broken.
"""
import os
import re
import sys

ALLOWED = ("abi", "crypto_sys")
LOOKBACK = 40  # lines of attributes and comment above an unsafe item that are searched
CONTINUATION = 3  # lines of the same statement allowed between the comment and the unsafe


def strip(src):
    """src with comments and the contents of string and char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(src)

    def blank(s):
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(src[i:j]))
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(src[i:j]))
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(src, i)) and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            close = '"' + m.group(1)
            j = src.find(close, m.end())
            j = n if j < 0 else j + len(close)
            out.append(m.group(0) + blank(src[m.end():j - len(close)]) + close)
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            out.append('"' + blank(src[i + 1:j]) + '"')
            i = j + 1
        elif c == "'":
            # a char literal ('x', '\n', '\u{..}') or a lifetime ('a)
            if i + 1 < n and src[i + 1] == "\\":
                j = src.find("'", i + 2)
                out.append("'" + blank(src[i + 1:j]) + "'")
                i = j + 1
            elif i + 2 < n and src[i + 2] == "'":
                out.append("' '")
                i += 3
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def continues(line):
    """True if code line `line` does not end a statement or item, so the next line is part of
    the same statement (`let x =`, `f(`, `a ||`, `let y = if ok {`)."""
    s = line.strip()
    if not s or s.startswith("//") or s.startswith("#"):
        return False
    if s.endswith("{"):
        return " = " in s and not re.match(r"(pub(\(\w+\))?\s+)?(fn|impl|unsafe|mod|struct|enum)\b", s)
    return not s.endswith((";", "}", ",", "})", "};"))


def comment_above(lines, idx, want_doc):
    """True if a `// SAFETY:` comment (or, with want_doc, a `# Safety` doc heading) ends
    directly above line idx, attribute lines allowed in between."""
    j = idx - 1
    if not want_doc:
        k = 0
        while k < CONTINUATION and j >= 0 and continues(lines[j]):
            j -= 1
            k += 1
    seen = 0
    in_comment = False
    while j >= 0 and seen < LOOKBACK:
        s = lines[j].strip()
        if s.startswith("#[") or s.startswith("#!["):
            if in_comment:
                return False
        elif s.startswith("///") or s.startswith("//!"):
            if want_doc and re.match(r"//[/!]\s*#\s*Safety", s):
                return True
            in_comment = True
        elif s.startswith("//"):
            if re.match(r"//\s*SAFETY:", s):
                return True
            in_comment = True
        elif s.endswith(")]") and not in_comment:
            pass  # the last line of a multi-line attribute
        else:
            return False
        j -= 1
        seen += 1
    return False


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "rustls-libssl", "src")
    root = os.path.normpath(root)
    counts = {}
    bad = []
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith(".rs"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            area = rel.split(os.sep)[0] if os.sep in rel else "core"
            area = area if area in ALLOWED else "core"
            src = open(path, encoding="utf-8").read()
            code = strip(src)
            lines = src.split("\n")
            for m in re.finditer(r"\bunsafe\b", code):
                line = code.count("\n", 0, m.start())
                rest = code[m.end():m.end() + 200]
                if re.match(r"\s*\{", rest):
                    kind = "block"
                elif re.match(r"\s+impl\b", rest):
                    kind = "impl"
                elif re.match(r'\s+(extern\s+"[^"]*"\s+)?fn\s*\(', rest):
                    kind = "fn pointer type"
                elif re.match(r'\s+(extern\s+"[^"]*"\s+)?fn\s+\w', rest):
                    kind = "fn"
                elif re.match(r'\s+extern\s+"[^"]*"\s*\{', rest):
                    kind = "extern block"
                elif re.match(r"\s+trait\b", rest):
                    kind = "trait"
                else:
                    kind = "other"
                counts.setdefault(area, {}).setdefault(kind, 0)
                counts[area][kind] += 1
                where = f"{rel}:{line + 1}"
                if area == "core":
                    bad.append(f"{where}: unsafe {kind} outside src/abi/ and src/crypto_sys/")
                    continue
                if kind == "fn pointer type":
                    continue
                if kind == "fn":
                    above = "\n".join(lines[max(0, line - LOOKBACK):line])
                    if "#[no_mangle]" in above.split("\n\n")[-1] and re.search(r"\bpub\b", lines[line]):
                        counts[area]["fn (export)"] = counts[area].get("fn (export)", 0) + 1
                        counts[area]["fn"] -= 1
                        continue
                    if not comment_above(lines, line, want_doc=True):
                        bad.append(f"{where}: unsafe fn without a `// SAFETY:` comment or `# Safety` doc")
                elif not comment_above(lines, line, want_doc=False):
                    bad.append(f"{where}: unsafe {kind} without a `// SAFETY:` comment directly above")
    kinds = ["block", "fn", "fn (export)", "impl", "extern block", "trait", "other", "fn pointer type"]
    print(f"unsafe in {root}:")
    print(f"  {'':12}" + "".join(f"{k:>17}" for k in kinds))
    for area in ("abi", "crypto_sys", "core"):
        c = counts.get(area, {})
        print(f"  {area + '/':12}" + "".join(f"{c.get(k, 0):>17}" for k in kinds))
    tot = {k: sum(counts.get(a, {}).get(k, 0) for a in counts) for k in kinds}
    print(f"  {'total':12}" + "".join(f"{tot[k]:>17}" for k in kinds))
    if bad:
        print(f"{len(bad)} violation(s):")
        for b in bad:
            print("  " + b)
        return 1
    print("every unsafe block and impl has a SAFETY comment; every unsafe fn a SAFETY comment, a # Safety section or an export's contract; none outside abi/ and crypto_sys/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
