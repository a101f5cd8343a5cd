//! Generates the libcrypto bindings (bindgen) and the SSL reason-string table, and links
//! the system libcrypto. The final `libssl.so.3` is linked from the static archive by the
//! Makefile (see `../Makefile`): rustc's own version script would otherwise win.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=wrapper.h");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=libssl3-exports.txt");
    println!("cargo:rerun-if-changed=src/abi");
    println!("cargo:rustc-link-lib=dylib=crypto");

    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let include = env::var("OPENSSL_INCLUDE_DIR").unwrap_or_else(|_| "/usr/include".into());

    // libcrypto functions the shim calls, and the libssl/libcrypto constants it needs. No
    // libssl function is bound: this crate *is* libssl.
    let bindings = bindgen::Builder::default()
        .header("wrapper.h")
        .clang_arg(format!("-I{include}"))
        .allowlist_function("(X509|X509V3|X509_STORE|X509_STORE_CTX|X509_VERIFY_PARAM|X509_NAME|X509_CRL|X509_LOOKUP)_.*")
        .allowlist_function("(EVP|HMAC|PEM|ERR|BIO|CRYPTO|OPENSSL_sk|OPENSSL|ASN1|OBJ|PKCS8|i2d|d2i|OCSP|SHA256)_.*")
        .allowlist_function("(i2d|d2i)_.*")
        .allowlist_function("OSSL_PARAM_.*")
        .allowlist_function("(CTLOG_STORE|CT_POLICY_EVAL_CTX|SCT|SCT_LIST)_.*")
        .allowlist_function("OSSL_STORE_.*")
        .allowlist_function("ENGINE_(init|finish|get_ssl_client_cert_function|load_ssl_client_cert)")
        .allowlist_var("OSSL_STORE_INFO_.*")
        .allowlist_function("(EC_GROUP|EC_KEY|DH|RSA)_.*")
        .allowlist_function("(COMP|BN|SRP)_.*")
        .allowlist_type("SSL_TICKET_(STATUS|RETURN)")
        .allowlist_type("stack_st_SCT")
        .allowlist_type("OSSL_HANDSHAKE_STATE")
        .allowlist_var("XN_FLAG_ONELINE")
        .allowlist_type("CT_POLICY_EVAL_CTX")
        .blocklist_function("OPENSSL_init_ssl")
        .allowlist_var("(SSL|TLS|TLS1|TLS1_[0-9]|SSL3|DTLS1|X509|X509_V|ERR|BIO|CRYPTO|EVP|OPENSSL|NID|PEM|TLSEXT|EXFLAG|OBJ|ASN1)_.*")
        .allowlist_type("pem_password_cb")
        .allowlist_type("stack_st_X509_NAME")
        .allowlist_type("stack_st_SSL_CIPHER")
        .opaque_type("(ssl_st|ssl_ctx_st|ssl_session_st|ssl_cipher_st)")
        .default_macro_constant_type(bindgen::MacroTypeVariation::Signed)
        .layout_tests(false)
        .derive_debug(false)
        .generate_comments(false)
        .generate()
        .expect("bindgen on the OpenSSL 3 headers (is libssl-dev installed?)");
    bindings
        .write_to_file(out.join("libcrypto.rs"))
        .expect("write bindings");

    // SSL reason strings: libcrypto carries none for ERR_LIB_SSL (libssl registers them), so
    // derive each from its header name the way OpenSSL names them: SSL_R_WRONG_VERSION_NUMBER
    // -> "wrong version number".
    let header = fs::read_to_string(format!("{include}/openssl/sslerr.h")).expect("sslerr.h");
    let mut table = String::from("/// (reason, string) for every SSL_R_* code of sslerr.h.\npub(crate) static SSL_REASONS: &[(i32, &str)] = &[\n");
    for line in header.lines() {
        let Some(def) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(def) = def.trim_start().strip_prefix("define") else {
            continue;
        };
        let mut words = def.split_whitespace();
        let (Some(name), Some(val)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(name) = name.strip_prefix("SSL_R_") else {
            continue;
        };
        let Ok(code) = val.parse::<i32>() else {
            continue;
        };
        let text = match code {
            // The few strings OpenSSL does not derive from the name.
            158 => "at least (D)TLS 1.2 needed in Suite B mode".to_owned(),
            330 => {
                "Peer haven't sent GOST certificate, required for selected ciphersuite".to_owned()
            }
            358 => "can't find SRP server param".to_owned(),
            361 => "error with the srp params".to_owned(),
            380 => "illegal Suite B digest".to_owned(),
            _ => name.to_ascii_lowercase().replace('_', " "),
        };
        writeln!(table, "    ({code}, \"{text}\"),").expect("write to String");
    }
    table.push_str("];\n");
    fs::write(out.join("ssl_reasons.rs"), table).expect("write reason table");

    // SSL_OP_* options are `SSL_OP_BIT(n)` expressions bindgen cannot evaluate: read the
    // bit numbers from ssl.h.
    let ssl_h = fs::read_to_string(format!("{include}/openssl/ssl.h")).expect("ssl.h");
    let mut ops = String::new();
    for line in ssl_h.lines() {
        let Some(def) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(def) = def.trim_start().strip_prefix("define") else {
            continue;
        };
        let mut words = def.split_whitespace();
        let (Some(name), Some(val)) = (words.next(), words.next()) else {
            continue;
        };
        if !name.starts_with("SSL_OP_") {
            continue;
        }
        let Some(bit) = val
            .strip_prefix("SSL_OP_BIT(")
            .and_then(|v| v.strip_suffix(')'))
        else {
            continue;
        };
        let Ok(bit) = bit.parse::<u32>() else {
            continue;
        };
        writeln!(ops, "pub const {name}: u64 = 1 << {bit};").expect("write to String");
    }
    fs::write(out.join("ssl_options.rs"), ops).expect("write options");

    exports(&out);
    versions(&out);
}

/// The `.rs` files under `dir`, its subdirectories' too (a split `abi` module keeps its
/// parts in a folder named after it).
fn rust_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Every function Debian's libssl.so.3 exports must exist (consumers bind eagerly) and be
/// implemented in `src/abi/`: the build fails naming any that is not, rather than export a
/// generated stub. Writes the version script that exports them at `OPENSSL_3.0.0`.
fn exports(out: &std::path::Path) {
    let exports = fs::read_to_string("libssl3-exports.txt").expect("libssl3-exports.txt");
    let mut implemented = std::collections::BTreeSet::new();
    for path in rust_files(std::path::Path::new("src/abi")) {
        let text = fs::read_to_string(&path).expect("abi source");
        for part in text.split("extern \"C\" fn ").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            implemented.insert(name);
        }
        // Exports defined by a macro invocation: one `NAME, ...;` line each.
        for line in text.lines() {
            let line = line.trim_start();
            if let Some((name, rest)) = line.split_once(", ") {
                if rest.trim_end().ends_with(';')
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && name.contains('_')
                {
                    implemented.insert(name.to_owned());
                }
            }
        }
    }
    let names: Vec<&str> = exports
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !implemented.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "exports of libssl.so.3 not implemented in src/abi: {}",
        missing.join(" ")
    );
    let mut map = String::from("OPENSSL_3.0.0 {\n  global:\n");
    for name in &names {
        writeln!(map, "    {name};").expect("write to String");
    }
    map.push_str("  local: *;\n};\n");
    fs::write(out.join("libssl.map"), map).expect("write version script");
}

/// The library's version and the rustls and aws-lc versions it is built with, from the
/// workspace's `Cargo.lock` (`with-rustls-libssl --version` and `RUSTLS_LIBSSL_DEBUG` show it).
fn versions(out: &std::path::Path) {
    println!("cargo:rerun-if-changed=../Cargo.lock");
    let lock = fs::read_to_string("../Cargo.lock").unwrap_or_default();
    let version_of = |name: &str| {
        let key = format!("name = \"{name}\"\nversion = \"");
        lock.split_once(&key)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or_else(|| "unknown".to_owned(), |(v, _)| v.to_owned())
    };
    let text = format!(
        "rustls-libssl {} (rustls {}, aws-lc-rs {}, aws-lc-sys {})",
        env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION"),
        version_of("rustls"),
        version_of("aws-lc-rs"),
        version_of("aws-lc-sys"),
    );
    fs::write(
        out.join("versions.rs"),
        format!("/// The version line.\npub(crate) const VERSION: &str = {text:?};\n"),
    )
    .expect("write versions");
}
