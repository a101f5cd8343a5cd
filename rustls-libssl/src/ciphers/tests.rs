//! The cipher lists against OpenSSL: unit tests, and the system `openssl ciphers` run on a
//! corpus of real-world cipher strings (acceptance and the order of rustls's suites).

use std::process::Command;

use super::*;

fn names(s: &str) -> String {
    CipherList::parse_tls12(s.as_bytes())
        .map(|c| {
            if c.matched {
                c.list.names()
            } else {
                "no match".to_owned()
            }
        })
        .unwrap_or_else(|e| format!("{e:?}"))
}

#[test]
fn openssl_strings() {
    let all = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
               ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:\
               ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
    assert_eq!(CipherList::default_tls12().names(), all);
    assert_eq!(names("DEFAULT"), all);
    assert_eq!(names("HIGH:!aNULL:!MD5"), all);
    assert_eq!(
        names("ECDHE+AESGCM"),
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:\
         ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
    );
    assert_eq!(
        names("ECDHE-RSA-AES128-GCM-SHA256"),
        "ECDHE-RSA-AES128-GCM-SHA256"
    );
    assert_eq!(
        names("CHACHA20:+aECDSA"),
        "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305"
    );
    // Accepted although rustls implements none of them: no TLS 1.2 suite is offered.
    assert_eq!(names("AES128-SHA:DHE-RSA-AES256-GCM-SHA384"), "");
    assert_eq!(names("!ECDHE:ECDHE"), "no match");
    assert_eq!(names("NOPE-CIPHER"), "no match");
    assert_eq!(names("RC4:DES-CBC3-SHA"), "no match");
    assert_eq!(names("ALL:!"), "Reason(280)");
}

#[test]
fn tls13_lists() {
    let parse = |s: &str| CipherList::parse_tls13(s.as_bytes()).map(|l| l.names());
    assert_eq!(
        parse("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256").ok(),
        Some("TLS_CHACHA20_POLY1305_SHA256".to_owned())
    );
    assert!(parse("TLS_BOGUS").is_err());
    assert!(parse(" : ").is_err());
    assert_eq!(
        parse(" TLS_AES_128_GCM_SHA256 ::TLS_BOGUS").ok(),
        Some("TLS_AES_128_GCM_SHA256".to_owned())
    );
    // Any suite's standard name is known (only TLS 1.3 suites are kept).
    assert_eq!(
        parse("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").ok(),
        Some(String::new())
    );
    assert_eq!(parse("").ok(), Some(String::new()));
    assert_eq!(
        CipherList::default_tls13().names(),
        "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
    );
}

#[test]
fn table_lookups() {
    let c = Cipher::by_id(0xC02F).map(Cipher::name);
    assert_eq!(c, Some(c"ECDHE-RSA-AES128-GCM-SHA256"));
    assert!(Cipher::by_id(0x0A0A).is_none());
    assert!(Cipher::by_id(0x00FF).is_some_and(Cipher::is_scsv));
    let std = Cipher::by_standard_name(b"TLS_RSA_WITH_AES_128_CBC_SHA").map(Cipher::name);
    assert_eq!(std, Some(c"AES128-SHA"));
    assert!(Cipher::by_standard_name(b"").is_none());
    // Ids ascend (binary search), and every implemented suite is in the table.
    assert!(SUITES.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(SUITES.iter().filter(|c| c.is_implemented()).count(), 9);
    for c in SUITES.iter().filter_map(|c| c.rustls_suite()) {
        assert_eq!(Cipher::find(c).and_then(Cipher::rustls_suite), Some(c));
    }
}

#[test]
fn descriptions() {
    let line = |id| Cipher::by_id(id).map(Cipher::description);
    assert_eq!(
        line(0xC02C).as_deref(),
        Some(
            "ECDHE-ECDSA-AES256-GCM-SHA384  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(256)            Mac=AEAD\n"
        )
    );
    assert_eq!(
        line(0x1303).as_deref(),
        Some(
            "TLS_CHACHA20_POLY1305_SHA256   TLSv1.3 Kx=any      Au=any   Enc=CHACHA20/POLY1305(256) Mac=AEAD\n"
        )
    );
    assert_eq!(
        line(0x002F).as_deref(),
        Some(
            "AES128-SHA                     SSLv3   Kx=RSA      Au=RSA   Enc=AES(128)               Mac=SHA1\n"
        )
    );
}

#[test]
fn security_levels() {
    let c = |id| Cipher::by_id(id).map(|c| (0..=5).filter(|&l| c.allowed_at(l)).count());
    assert_eq!(c(0xC02F), Some(4)); // 128 bits: levels 0..=3
    assert_eq!(c(0xC030), Some(6));
    assert_eq!(c(0x009D), Some(3)); // RSA key exchange: not from level 3
    assert_eq!(c(0x003A), Some(1)); // anonymous (ADH-AES256-SHA): level 0 only
}

#[test]
fn decoding_offers() {
    let o = Offered::decode(&[0x13, 0x01, 0x0A, 0x0A, 0x00, 0xFF, 0xC0, 0x2F], false);
    let o = o.unwrap_or_default();
    assert_eq!(o.suites.len(), 2);
    assert_eq!(o.scsvs.len(), 1);
    let v2 = Offered::decode(&[0x01, 0x00, 0x80, 0x00, 0xC0, 0x2F], true).unwrap_or_default();
    assert_eq!(v2.suites.len(), 1);
    assert!(Offered::decode(&[], false).is_err());
    assert!(Offered::decode(&[0xC0], false).is_err());
}

#[test]
fn shared_names() {
    let get = |id| Cipher::by_id(id).into_iter().collect::<Vec<_>>();
    let client = [get(0xC02F), get(0x002F), get(0xC030)].concat();
    let ours = [get(0xC030), get(0xC02F)].concat();
    let text = |size| CipherList::shared_names(&client, &ours, size).map(|v| v.len());
    // "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384\0" is 56 bytes.
    assert_eq!(text(100), Some(56));
    assert_eq!(text(56), Some(56));
    assert_eq!(text(55), Some(28));
    assert_eq!(text(27), None);
}

/// Real-world cipher strings (servers' defaults and documented settings, OpenSSL's own
/// examples) and some that fail.
const CORPUS: &[&str] = &[
    // Defaults and OpenSSL's documentation.
    "DEFAULT",
    "ALL",
    "ALL:COMPLEMENTOFALL",
    "ALL:!COMPLEMENTOFDEFAULT:!eNULL",
    "COMPLEMENTOFDEFAULT",
    "DEFAULT:@SECLEVEL=0",
    "DEFAULT:@SECLEVEL=1",
    "DEFAULT:@SECLEVEL=4",
    "ECDHE:@SECLEVEL=5",
    "@SECLEVEL=3:kRSA:ECDHE",
    "DEFAULT:!aNULL:@STRENGTH",
    "ALL:!ADH:RC4+RSA:+HIGH:+MEDIUM:+LOW:+SSLv2:+EXP",
    "ALL:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA",
    "HIGH",
    "HIGH:!aNULL:!MD5",
    "HIGH:MEDIUM:!aNULL:!MD5:!RC4",
    "HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4",
    "MEDIUM:HIGH",
    "RSA:!COMPLEMENTOFALL",
    "aNULL:-aNULL:HIGH:@STRENGTH",
    "-ALL:ECDHE-RSA-AES128-GCM-SHA256",
    "@STRENGTH",
    "TLSv1.2",
    "TLSv1",
    "TLSv1.0:TLSv1.2",
    "SSLv3",
    "AES256",
    "AES128:AES256:@STRENGTH",
    "CHACHA20",
    "AESGCM",
    "ECDHE+AESGCM",
    "ECDHE+AESGCM:ECDHE+CHACHA20",
    "EECDH+AESGCM:EDH+AESGCM",
    "kEECDH+ECDSA:kEECDH:!SHA1",
    "kECDHE+aRSA+AESGCM",
    "ECDHE:!aECDSA",
    "!aRSA",
    "!aRSA:ALL",
    "ALL:!aRSA",
    "ALL:-aECDSA:aECDSA",
    "ALL:+aECDSA",
    "ECDSA:RSA",
    "SHA256:SHA384",
    "ALL:!SHA256:!SHA384",
    "AES+SHA1",
    "CHACHA20:+AES128",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-RSA-AES256-GCM-SHA384,ECDHE-RSA-AES128-GCM-SHA256;ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305",
    "ALL:!COMPLEMENTOFDEFAULT:!eNULL",
    "ALL:COMPLEMENTOFDEFAULT",
    "COMPLEMENTOFDEFAULT+HIGH",
    "HIGH+FIPS",
    "FIPS",
    "FIPS:!aNULL",
    "LOW:MEDIUM",
    "NULL",
    "eNULL:ECDHE",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB192",
    "DEFAULTFOO",
    "NULL:DEFAULT",
    // nginx: 1.22's default, the 1.x documentation, the Mozilla configurations.
    "HIGH:!aNULL:!MD5",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384",
    "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
    "EECDH+CHACHA20:EECDH+AES128:RSA+AES128:EECDH+AES256:RSA+AES256:EECDH+3DES:RSA+3DES:!MD5",
    "AES128+EECDH:AES128+EDH",
    "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AESGCM:RSA+AES:RSA+3DES:!aNULL:!MD5:!DSS",
    // Apache httpd: Debian's ssl.conf and the documentation's examples.
    "HIGH:!aNULL",
    "ALL:!ADH:!EXPORT56:RC4+RSA:+HIGH:+MEDIUM:+LOW:+SSLv2:+EXP:+eNULL",
    "ECDHE-RSA-AES256-SHA384:AES256-SHA256:!RC4:HIGH:!MD5:!aNULL:!EDH:!EXP:!SSLV2:!eNULL",
    "HIGH:MEDIUM:!MD5:!RC4:!3DES",
    "SSLv3:+HIGH:+MEDIUM",
    "RC4-SHA:AES128-SHA:HIGH:!aNULL:!MD5",
    // lighttpd (1.4.69's default) and haproxy (2.6's default, the documentation's example).
    "EECDH+AESGCM:AES256+EECDH:CHACHA20:!SHA1:!SHA256:!SHA384",
    "ECDHE+AESGCM:ECDHE+CHACHA20:!SHA1:!SHA256:!SHA384",
    "ECDHE+aRSA+AES256+GCM+SHA384:ECDHE+aRSA+AES128+GCM+SHA256:ECDHE+aRSA+AES256+SHA384:ECDHE+aRSA+AES128+SHA256:ECDHE+aRSA+RC4+SHA:ECDHE+aRSA+AES256+SHA:ECDHE+aRSA+AES128+SHA:AES256+GCM+SHA384:AES128+GCM+SHA256:AES128+SHA256:AES256+SHA256:DHE+aRSA+AES128+SHA:RC4+SHA:HIGH:!MD5:!aNULL:!EDH:!RC4",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256",
    // Postfix, Dovecot, Exim, curl, OpenLDAP, stunnel, Tor.
    "aNULL:-aNULL:HIGH:@STRENGTH",
    "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH",
    "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH",
    "ALL:!LOW:!SSLv2:!EXP:!aNULL",
    "HIGH:+AES256:!CAMELLIA:!aNULL",
    "ALL:!EXPORT:!EXPORT40:!EXPORT56:!aNULL:!LOW:!RC4:@STRENGTH",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
    "HIGH:MEDIUM:+TLSv1:!SSLv2:+SSLv3",
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA:RSA-PSK-AES256-GCM-SHA384:DHE-PSK-AES256-GCM-SHA384:RSA-PSK-CHACHA20-POLY1305:DHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-CHACHA20-POLY1305:AES256-GCM-SHA384:PSK-AES256-GCM-SHA384:PSK-CHACHA20-POLY1305:RSA-PSK-AES128-GCM-SHA256:DHE-PSK-AES128-GCM-SHA256:AES128-GCM-SHA256:PSK-AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256:ECDHE-PSK-AES256-CBC-SHA384:ECDHE-PSK-AES256-CBC-SHA:SRP-RSA-AES-256-CBC-SHA:SRP-AES-256-CBC-SHA:RSA-PSK-AES256-CBC-SHA384:DHE-PSK-AES256-CBC-SHA384:RSA-PSK-AES256-CBC-SHA:DHE-PSK-AES256-CBC-SHA:AES256-SHA:PSK-AES256-CBC-SHA384:PSK-AES256-CBC-SHA:ECDHE-PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA:SRP-RSA-AES-128-CBC-SHA:SRP-AES-128-CBC-SHA:RSA-PSK-AES128-CBC-SHA256:DHE-PSK-AES128-CBC-SHA256:RSA-PSK-AES128-CBC-SHA:DHE-PSK-AES128-CBC-SHA:AES128-SHA:PSK-AES128-CBC-SHA256:PSK-AES128-CBC-SHA",
    "PSK",
    "SRP",
    "kDHE+aDSS:kECDHE+AESCCM",
    "CAMELLIA:ARIA",
    "AESCCM8:ARIA256:CAMELLIA128",
    "CBC:!SHA1",
    "SEED:IDEA:RC4:GOST89:3DES",
    "DHE-RSA-AES256-GCM-SHA384:EDH-RSA-DES-CBC3-SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256+AES128",
    "ECDHE-RSA-AES128-GCM-SHA256+AES256",
    "kRSA+kECDHE:ECDHE-RSA-CHACHA20-POLY1305",
    "SSLv3+TLSv1.2:ECDHE+CHACHA20",
    "ECDHE:-AES256:-CHACHA20:AES256",
    "ECDHE:!AES256:AES256",
    "ECDHE:+AES128:+CHACHA20:@STRENGTH",
    "  ECDHE+AESGCM  ",
    ":::ECDHE+CHACHA20:::",
    // Strings OpenSSL refuses.
    "NOPE",
    "!ALL",
    "",
    "-ALL",
    "ALL:!",
    "ALL_X",
    "HIGH:(x)",
    "ALL+",
    "@FOO",
    "ALL:@SECLEVEL=6",
    "ALL:@SECLEVEL=12",
    "kRSA+kECDHE",
    "RC4",
    "TLSv1.1",
    "TLSv1.3",
    "TLS_AES_128_GCM_SHA256",
    "NOPE_X:ALL",
];

/// `openssl ciphers ARGS -- STRING` with the system libssl: `None` when it refuses the
/// string, else the suites of TLS 1.2 and below it prints, in order.
fn system_openssl(openssl: &str, args: &[&str], rule: &str) -> Option<Vec<String>> {
    let out = Command::new(openssl)
        .arg("ciphers")
        .args(args)
        .args(["--", rule])
        // cargo's library path holds this crate's own libssl.so.3: use the system's.
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("OPENSSL_CONF")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let names = text.trim().split(':').filter(|n| !n.is_empty());
    // TLS 1.3 suites (all named TLS_*) come first; no other suite's OpenSSL name starts so.
    Some(
        names
            .filter(|n| !n.starts_with("TLS_"))
            .map(str::to_owned)
            .collect(),
    )
}

/// For each string of the corpus: OpenSSL accepts it exactly when this library does; the
/// suites it selects (`openssl ciphers`) are those of the rule engine, in the same order;
/// and those rustls implements that it would offer (`openssl ciphers -s`, filtered by
/// version and security level) are this library's list, in the same order.
#[test]
fn matches_the_system_openssl() {
    let openssl = "/usr/bin/openssl";
    if !std::path::Path::new(openssl).exists() {
        eprintln!("skipped: {openssl} is missing (Debian's openssl package)");
        return;
    }
    let mut differences = Vec::new();
    let mut compared = 0;
    for rule in CORPUS {
        let all = system_openssl(openssl, &[], rule);
        let ours_all = rules::select(rule.as_bytes())
            .ok()
            .map(|s| s.ciphers)
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.iter()
                    .filter_map(|c| c.name.to_str().ok())
                    .map(str::to_owned)
                    .collect()
            });
        if all != ours_all {
            differences.push(format!("{rule:?}: openssl {all:?}\n  rules {ours_all:?}"));
        }
        let offered = system_openssl(openssl, &["-s", "-tls1_2"], rule).map(|names| {
            let implemented = |n: &&String| {
                SUITES
                    .iter()
                    .any(|c| c.is_implemented() && c.name.to_bytes() == n.as_bytes())
            };
            names
                .iter()
                .filter(implemented)
                .cloned()
                .collect::<Vec<_>>()
                .join(":")
        });
        // `-s` lists what the security level (Debian's 2 unless the string sets one) allows.
        let ours = CipherList::parse_tls12(rule.as_bytes())
            .ok()
            .filter(|c| c.matched)
            .map(|c| {
                let level = c.security_level.unwrap_or(2);
                let allowed = c.list.0.into_iter().filter(|c| c.allowed_at(level));
                CipherList(allowed.collect()).names()
            });
        if offered != ours {
            differences.push(format!("{rule:?}: openssl -s {offered:?}, ours {ours:?}"));
        }
        compared += 1;
    }
    assert!(compared >= 60);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    eprintln!("{compared} cipher strings: same as {openssl}");
}
