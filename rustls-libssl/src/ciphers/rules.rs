//! OpenSSL 3.0's cipher-string language (`ssl_create_cipher_list`), step for step.
//!
//! Every suite of TLS 1.2 and below that libcrypto can run starts in one ordered list,
//! sorted by OpenSSL's preferences and all inactive. Each word of the string then applies an
//! operation to the suites it selects: add (activate at the end), `-` remove (deactivate,
//! keeping the place for a later add), `!` kill (remove for good), `+` move to the end; `@`
//! words are commands (`@STRENGTH`, `@SECLEVEL=n`). The result is the active suites in order.
//!
//! A word is an alias, an OpenSSL suite name (standard names are not looked up here, as in
//! OpenSSL 3.0), or several of these joined by `+`, which selects the suites matching all of
//! them. Unknown words are skipped; a character outside the word alphabet is an error.

use super::table::{
    alg, Alias, ALIASES, DISABLED_AUTH, DISABLED_ENC, DISABLED_KX, DISABLED_MAC, NOT_DEFAULT,
    STRONG_MASK, SUITES, TLS12,
};
use super::{Cipher, DEFAULT_RULE};
use crate::crypto_sys as sys;
use crate::error::{Error, Result};

/// What a cipher string selected.
#[derive(Debug)]
pub(super) struct Selected {
    /// OpenSSL's list: the suites of TLS 1.2 and below, in order.
    pub ciphers: Vec<&'static Cipher>,
    /// The level of the last valid `@SECLEVEL=n`.
    pub security_level: Option<i32>,
}

/// Runs a cipher string. Fails with `SSL_R_INVALID_COMMAND` (and selects nothing) on a
/// character outside the language or a bad `@` command; an empty selection is not an error
/// here.
pub(super) fn select(rule: &[u8]) -> Result<Selected> {
    let rule = suite_b(rule);
    let mut order = Order::initial();
    let mut security_level = None;
    let rest = match rule.strip_prefix(b"DEFAULT") {
        Some(rest) => {
            order.run(DEFAULT_RULE.to_bytes(), &mut security_level)?;
            rest.strip_prefix(b":").unwrap_or(rest)
        }
        None => rule,
    };
    order.run(rest, &mut security_level)?;
    Ok(Selected {
        ciphers: order.active().collect(),
        security_level,
    })
}

/// A string starting with a Suite B keyword stands for the Suite B suites, whatever follows.
/// OpenSSL also restricts curves and signature algorithms in Suite B mode, and keeps the mode
/// for later strings of the same context; neither is done here.
fn suite_b(rule: &[u8]) -> &[u8] {
    const BOTH: &[u8] = b"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    if rule.starts_with(b"SUITEB128ONLY") {
        b"ECDHE-ECDSA-AES128-GCM-SHA256"
    } else if rule.starts_with(b"SUITEB128C2") || rule.starts_with(b"SUITEB192") {
        b"ECDHE-ECDSA-AES256-GCM-SHA384"
    } else if rule.starts_with(b"SUITEB128") {
        BOTH
    } else {
        rule
    }
}

/// What a rule does to the suites it selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Activate at the end of the list (those not active yet).
    Add,
    /// Deactivate, moving to the front so that a later add restores this order.
    Del,
    /// Remove from the list for good.
    Kill,
    /// Move to the end (those active).
    Ord,
    /// Move to the front (those active); used only for the initial order.
    Bump,
}

/// The suites a rule selects: each non-zero mask shares a bit with the suite's, and so on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Pattern {
    /// One suite, named explicitly.
    id: Option<u16>,
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    min_version: u16,
    strength: u32,
}

impl Pattern {
    fn matches(&self, c: &Cipher) -> bool {
        let meets = |want: u32, have: u32| want == 0 || want & have != 0;
        self.id.is_none_or(|id| id == c.id)
            && meets(self.kx, c.kx)
            && meets(self.au, c.au)
            && meets(self.enc, c.enc)
            && meets(self.mac, c.mac)
            && (self.min_version == 0 || self.min_version == c.min_version)
            && meets(self.strength & STRONG_MASK, c.strength)
            && meets(self.strength & NOT_DEFAULT, c.strength)
    }

    /// Adds one more word of an `A+B` combination; `None` when the two cannot both hold,
    /// which makes OpenSSL skip the whole rule.
    fn and(mut self, word: &Word) -> Option<Self> {
        fn both(mine: &mut u32, theirs: u32) -> Option<()> {
            if theirs != 0 {
                *mine = if *mine == 0 { theirs } else { *mine & theirs };
                if *mine == 0 {
                    return None;
                }
            }
            Some(())
        }
        let w = word.pattern();
        both(&mut self.kx, w.kx)?;
        both(&mut self.au, w.au)?;
        both(&mut self.enc, w.enc)?;
        both(&mut self.mac, w.mac)?;
        // The strength class replaces any `NOT_DEFAULT` already asked for, as in OpenSSL.
        let strong = w.strength & STRONG_MASK;
        if strong != 0 {
            if self.strength & STRONG_MASK == 0 {
                self.strength = strong;
            } else {
                self.strength &= strong | !STRONG_MASK;
                if self.strength & STRONG_MASK == 0 {
                    return None;
                }
            }
        }
        let not_default = w.strength & NOT_DEFAULT;
        if not_default != 0 {
            if self.strength & NOT_DEFAULT == 0 {
                self.strength |= not_default;
            } else {
                self.strength &= not_default | !NOT_DEFAULT;
                if self.strength & NOT_DEFAULT == 0 {
                    return None;
                }
            }
        }
        match word {
            // A suite's own version does not become part of the pattern.
            Word::Suite(c) => self.id = Some(c.id),
            Word::Alias(a) if a.min_version != 0 => {
                if self.min_version != 0 && self.min_version != a.min_version {
                    return None;
                }
                self.min_version = a.min_version;
            }
            Word::Alias(_) => {}
        }
        Some(self)
    }
}

/// A word found in the lookup table: a suite's OpenSSL name or an alias.
enum Word {
    Suite(&'static Cipher),
    Alias(&'static Alias),
}

impl Word {
    /// The masks the word contributes.
    fn pattern(&self) -> Pattern {
        match self {
            Self::Suite(c) => Pattern {
                kx: c.kx,
                au: c.au,
                enc: c.enc,
                mac: c.mac,
                strength: c.strength,
                ..Pattern::default()
            },
            Self::Alias(a) => Pattern {
                kx: a.kx,
                au: a.au,
                enc: a.enc,
                mac: a.mac,
                strength: a.strength,
                ..Pattern::default()
            },
        }
    }
}

/// Whether libcrypto runs every algorithm of the suite.
fn available(c: &Cipher) -> bool {
    c.kx & DISABLED_KX == 0
        && c.au & DISABLED_AUTH == 0
        && c.enc & DISABLED_ENC == 0
        && c.mac & DISABLED_MAC == 0
}

/// Whether an alias names at least one available algorithm in each part it restricts.
fn alias_available(a: &Alias) -> bool {
    let some = |mask: u32, disabled: u32| mask == 0 || mask & !disabled != 0;
    some(a.kx, DISABLED_KX)
        && some(a.au, DISABLED_AUTH)
        && some(a.enc, DISABLED_ENC)
        && some(a.mac, DISABLED_MAC)
}

/// Looks a word up: the available suites by OpenSSL name, then the available aliases.
fn lookup(word: &[u8]) -> Option<Word> {
    if let Some(c) = SUITES
        .iter()
        .find(|c| c.collected() && c.name.to_bytes() == word)
    {
        return Some(Word::Suite(c));
    }
    ALIASES
        .iter()
        .find(|a| a.name.as_bytes() == word && alias_available(a))
        .map(Word::Alias)
}

/// The separators between rules.
fn is_separator(b: u8) -> bool {
    matches!(b, b':' | b' ' | b';' | b',')
}

/// The characters of a word.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'=')
}

/// The ordered list of suites and whether each is active.
struct Order(Vec<(&'static Cipher, bool)>);

impl Order {
    /// Every available suite of TLS 1.2 and below, inactive, in OpenSSL's preference order.
    fn initial() -> Self {
        use alg::*;
        // OpenSSL starts from its table in descending id order.
        let mut order = Self(
            SUITES
                .iter()
                .rev()
                .filter(|c| c.collected())
                .map(|c| (c, false))
                .collect(),
        );
        let kx = |kx| Pattern {
            kx,
            ..Pattern::default()
        };
        let enc = |enc| Pattern {
            enc,
            ..Pattern::default()
        };
        // ECDHE first, ECDSA before RSA; then these are set aside (inactive, in front)...
        let ecdsa = Pattern {
            kx: kECDHE,
            au: aECDSA,
            ..Pattern::default()
        };
        order.apply(|c| ecdsa.matches(c), Op::Add);
        order.apply(|c| kx(kECDHE).matches(c), Op::Add);
        order.apply(|c| kx(kECDHE).matches(c), Op::Del);
        // ...then AES-GCM, ChaCha20 and the other AES modes, then everything else.
        order.apply(|c| enc(eAESGCM).matches(c), Op::Add);
        order.apply(|c| enc(eCHACHA20POLY1305).matches(c), Op::Add);
        order.apply(|c| enc(eAES & !eAESGCM).matches(c), Op::Add);
        order.apply(|_| true, Op::Add);
        // MD5, anonymous, RSA and PSK key exchange, and RC4 to the end.
        let mac = Pattern {
            mac: mMD5,
            ..Pattern::default()
        };
        let anonymous = Pattern {
            au: aNULL,
            ..Pattern::default()
        };
        order.apply(|c| mac.matches(c), Op::Ord);
        order.apply(|c| anonymous.matches(c), Op::Ord);
        order.apply(|c| kx(kRSA).matches(c), Op::Ord);
        order.apply(|c| kx(kPSK).matches(c), Op::Ord);
        order.apply(|c| enc(eRC4).matches(c), Op::Ord);
        order.strength_sort();
        // Then, whatever the strength: (EC)DHE with AEAD > (EC)DHE > other AEAD > TLS 1.2
        // suites > the rest (bumped to the front in reverse order).
        let tls12 = Pattern {
            min_version: TLS12,
            ..Pattern::default()
        };
        let aead = Pattern {
            mac: mAEAD,
            ..Pattern::default()
        };
        let forward_secret = kx(kDHE | kECDHE);
        let forward_secret_aead = Pattern {
            mac: mAEAD,
            ..forward_secret
        };
        order.apply(|c| tls12.matches(c), Op::Bump);
        order.apply(|c| aead.matches(c), Op::Bump);
        order.apply(|c| forward_secret.matches(c), Op::Bump);
        order.apply(|c| forward_secret_aead.matches(c), Op::Bump);
        // All inactive again, keeping the order for the string's adds.
        order.apply(|_| true, Op::Del);
        order
    }

    /// The active suites, in order.
    fn active(&self) -> impl Iterator<Item = &'static Cipher> + '_ {
        self.0.iter().filter(|(_, on)| *on).map(|(c, _)| *c)
    }

    /// Applies `op` to the suites `select` picks. OpenSSL walks its linked list once (from
    /// the end for `Del` and `Bump`) and moves each hit to an end: the hits keep their
    /// relative order and go to the end (`Add`, `Ord`) or the front (`Del`, `Bump`).
    fn apply(&mut self, select: impl Fn(&Cipher) -> bool, op: Op) {
        let hit = |(c, on): &(&'static Cipher, bool)| {
            select(c)
                && match op {
                    Op::Add => !on,
                    Op::Ord | Op::Del | Op::Bump => *on,
                    Op::Kill => true,
                }
        };
        let (mut moved, kept): (Vec<_>, Vec<_>) = self.0.iter().partition(|e| hit(e));
        match op {
            Op::Kill => self.0 = kept,
            Op::Add | Op::Ord => {
                moved.iter_mut().for_each(|e| e.1 = true);
                self.0 = kept.into_iter().chain(moved).collect();
            }
            Op::Del | Op::Bump => {
                moved.iter_mut().for_each(|e| e.1 = op == Op::Bump);
                self.0 = moved.into_iter().chain(kept).collect();
            }
        }
    }

    /// `@STRENGTH`: the active suites move to the end, sorted by secret bits (strongest
    /// first, stable otherwise); the inactive ones stay in front in their order.
    fn strength_sort(&mut self) {
        let (mut active, inactive): (Vec<_>, Vec<_>) = self.0.iter().partition(|(_, on)| *on);
        active.sort_by_key(|(c, _)| std::cmp::Reverse(c.bits));
        self.0 = inactive.into_iter().chain(active).collect();
    }

    /// Runs the rules of `rule` in order (`ssl_cipher_process_rulestr`).
    fn run(&mut self, rule: &[u8], security_level: &mut Option<i32>) -> Result<()> {
        let invalid = || Error::Reason(sys::SSL_R_INVALID_COMMAND);
        let mut failed = false;
        let mut i = 0;
        while let Some(&ch) = rule.get(i) {
            if is_separator(ch) {
                i += 1;
                continue;
            }
            let op = match ch {
                b'-' => Some(Op::Del),
                b'+' => Some(Op::Ord),
                b'!' => Some(Op::Kill),
                b'@' => None,
                _ => Some(Op::Add),
            };
            if op != Some(Op::Add) {
                i += 1;
            }
            // One word, or several joined by '+'.
            let mut pattern = Some(Pattern::default());
            let word = loop {
                let start = i;
                while rule.get(i).is_some_and(|&b| is_word(b)) {
                    i += 1;
                }
                let word = &rule[start..i];
                if word.is_empty() {
                    return Err(invalid());
                }
                if op.is_none() {
                    break word;
                }
                let more = rule.get(i) == Some(&b'+');
                if more {
                    i += 1;
                }
                pattern = pattern.and_then(|p| p.and(&lookup(word)?));
                if pattern.is_none() || !more {
                    break word;
                }
            };
            match (op, pattern) {
                (None, _) => {
                    if word == b"STRENGTH" {
                        self.strength_sort();
                    } else if let Some(level) = word.strip_prefix(b"SECLEVEL=") {
                        match level {
                            [d @ b'0'..=b'5'] => *security_level = Some(i32::from(d - b'0')),
                            _ => failed = true,
                        }
                    } else {
                        failed = true;
                    }
                    // Anything after the command up to the next separator is ignored.
                    i = skip_rule(rule, i);
                }
                (Some(op), Some(p)) => self.apply(|c| p.matches(c), op),
                // An unknown word, or an impossible combination: skipped with its rule.
                (Some(_), None) => i = skip_rule(rule, i),
            }
        }
        if failed {
            Err(invalid())
        } else {
            Ok(())
        }
    }
}

/// The position of the separator ending the rule at `i` (or the end).
fn skip_rule(rule: &[u8], i: usize) -> usize {
    i + rule[i..]
        .iter()
        .position(|&b| is_separator(b))
        .unwrap_or(rule.len() - i)
}

impl Cipher {
    /// A suite OpenSSL's cipher strings can select: of TLS 1.2 or below, not a signalling
    /// value, and runnable with libcrypto's default providers.
    fn collected(&self) -> bool {
        !self.is_scsv() && !self.is_tls13() && available(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rule: &str) -> Vec<&'static str> {
        select(rule.as_bytes())
            .map(|s| {
                s.ciphers
                    .iter()
                    .filter_map(|c| c.name.to_str().ok())
                    .collect()
            })
            .unwrap_or_else(|e| panic!("{rule}: {e:?}"))
    }

    #[test]
    fn collects_what_libcrypto_runs() {
        // Debian 12's `openssl ciphers ALL:COMPLEMENTOFALL` lists 155 suites below TLS 1.3.
        assert_eq!(SUITES.iter().filter(|c| c.collected()).count(), 155);
        assert_eq!(names("ALL:COMPLEMENTOFALL").len(), 155);
        assert!(lookup(b"SEED-SHA").is_none());
        assert!(lookup(b"RC4").is_none());
        assert!(lookup(b"3DES").is_some());
    }

    #[test]
    fn default_order() {
        let default = names("DEFAULT");
        assert_eq!(default.len(), 57);
        assert_eq!(
            default[..6],
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "DHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "DHE-RSA-CHACHA20-POLY1305",
            ]
        );
        assert_eq!(default.last(), Some(&"PSK-AES128-CBC-SHA"));
        assert_eq!(names(DEFAULT_RULE.to_str().unwrap_or_default()), default);
    }

    #[test]
    fn mac_aliases_name_legacy_macs() {
        // lighttpd's default: SHA256/SHA384 are the MACs of CBC suites, so AEADs survive.
        let l = names("EECDH+AESGCM:AES256+EECDH:CHACHA20:!SHA1:!SHA256:!SHA384");
        assert_eq!(l[0], "ECDHE-ECDSA-AES256-GCM-SHA384");
        assert!(l.contains(&"ECDHE-RSA-CHACHA20-POLY1305"));
        assert!(!l.iter().any(|n| n.ends_with("-SHA")));
    }

    #[test]
    fn operators() {
        // '-' keeps the place for a later add; '!' forbids it.
        assert_eq!(
            names("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:-ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"),
            ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
        );
        assert!(names("!ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256").is_empty());
        // '+' moves to the end; '@STRENGTH' sorts by bits, stably.
        assert_eq!(
            names("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:+AES256"),
            ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"]
        );
        assert_eq!(
            names("ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384;@STRENGTH"),
            ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
        );
        // A+B intersects; an impossible combination or unknown word skips the rule.
        assert_eq!(names("kECDHE+kRSA"), Vec::<&str>::new());
        assert_eq!(names("NOPE+ALL ECDHE+aECDSA+AES256+SHA384").len(), 1);
        // Standard names are not words of the language in OpenSSL 3.0.
        assert!(names("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256").is_empty());
    }

    #[test]
    fn syntax_errors() {
        let err = |s: &str| select(s.as_bytes()).err().map(|e| e.code().1);
        let invalid = Some(sys::SSL_R_INVALID_COMMAND);
        assert_eq!(err("ALL:!"), invalid);
        assert_eq!(err("ALL_X"), invalid);
        assert_eq!(err("ALL+"), invalid);
        assert_eq!(err("@FOO"), invalid);
        assert_eq!(err("ALL:@SECLEVEL=6"), invalid);
        assert_eq!(err("HIGH:(x)"), invalid);
        assert_eq!(err("NOPE_X:ALL"), None);
        let level = select(b"DEFAULT:@SECLEVEL=0")
            .map(|s| s.security_level)
            .ok();
        assert_eq!(level, Some(Some(0)));
    }
}
