//! The data: OpenSSL 3.0's cipher-suite table as Debian 12's libssl builds it (without the
//! weak 3DES and RC4 suites, `no-weak-ssl-ciphers`), and the aliases of the cipher-string
//! language. Algorithms are bit sets so that an alias can name several and `A+B` can
//! intersect them; the bit values are this module's own (OpenSSL's are internal).

use std::ffi::CStr;

use super::{Cipher, Digest};

/// The algorithm bits, named as in OpenSSL's cipher strings: `k` key exchange, `a`
/// authentication, `e` bulk cipher, `m` MAC.
pub(super) mod alg {
    /// TLS 1.3: the key exchange is not part of the suite.
    pub(crate) const kANY: u32 = 0;
    pub(crate) const kRSA: u32 = 1 << 0;
    pub(crate) const kDHE: u32 = 1 << 1;
    pub(crate) const kECDHE: u32 = 1 << 2;
    pub(crate) const kPSK: u32 = 1 << 3;
    pub(crate) const kGOST: u32 = 1 << 4;
    pub(crate) const kSRP: u32 = 1 << 5;
    pub(crate) const kRSAPSK: u32 = 1 << 6;
    pub(crate) const kECDHEPSK: u32 = 1 << 7;
    pub(crate) const kDHEPSK: u32 = 1 << 8;
    pub(crate) const kGOST18: u32 = 1 << 9;

    /// TLS 1.3: authentication is not part of the suite.
    pub(crate) const aANY: u32 = 0;
    pub(crate) const aRSA: u32 = 1 << 0;
    pub(crate) const aDSS: u32 = 1 << 1;
    pub(crate) const aNULL: u32 = 1 << 2;
    pub(crate) const aECDSA: u32 = 1 << 3;
    pub(crate) const aPSK: u32 = 1 << 4;
    pub(crate) const aGOST01: u32 = 1 << 5;
    pub(crate) const aSRP: u32 = 1 << 6;
    pub(crate) const aGOST12: u32 = 1 << 7;
    /// The GOST 2012 suites carry both GOST signature bits.
    pub(crate) const aGOST: u32 = aGOST01 | aGOST12;

    pub(crate) const eDES: u32 = 1 << 0;
    pub(crate) const e3DES: u32 = 1 << 1;
    pub(crate) const eRC4: u32 = 1 << 2;
    pub(crate) const eRC2: u32 = 1 << 3;
    pub(crate) const eIDEA: u32 = 1 << 4;
    pub(crate) const eNULL: u32 = 1 << 5;
    pub(crate) const eAES128: u32 = 1 << 6;
    pub(crate) const eAES256: u32 = 1 << 7;
    pub(crate) const eCAMELLIA128: u32 = 1 << 8;
    pub(crate) const eCAMELLIA256: u32 = 1 << 9;
    pub(crate) const eGOST89: u32 = 1 << 10;
    pub(crate) const eSEED: u32 = 1 << 11;
    pub(crate) const eAES128GCM: u32 = 1 << 12;
    pub(crate) const eAES256GCM: u32 = 1 << 13;
    pub(crate) const eAES128CCM: u32 = 1 << 14;
    pub(crate) const eAES256CCM: u32 = 1 << 15;
    pub(crate) const eAES128CCM8: u32 = 1 << 16;
    pub(crate) const eAES256CCM8: u32 = 1 << 17;
    pub(crate) const eGOST89_12: u32 = 1 << 18;
    pub(crate) const eCHACHA20POLY1305: u32 = 1 << 19;
    pub(crate) const eARIA128GCM: u32 = 1 << 20;
    pub(crate) const eARIA256GCM: u32 = 1 << 21;
    pub(crate) const eMAGMA: u32 = 1 << 22;
    pub(crate) const eKUZNYECHIK: u32 = 1 << 23;
    pub(crate) const eAESGCM: u32 = eAES128GCM | eAES256GCM;
    pub(crate) const eAESCCM: u32 = eAES128CCM | eAES256CCM | eAES128CCM8 | eAES256CCM8;
    pub(crate) const eAES: u32 = eAES128 | eAES256 | eAESGCM | eAESCCM;
    pub(crate) const eCAMELLIA: u32 = eCAMELLIA128 | eCAMELLIA256;
    pub(crate) const eARIAGCM: u32 = eARIA128GCM | eARIA256GCM;
    pub(crate) const eCBC: u32 =
        eDES | e3DES | eRC2 | eIDEA | eAES128 | eAES256 | eCAMELLIA128 | eCAMELLIA256 | eSEED;

    pub(crate) const mMD5: u32 = 1 << 0;
    pub(crate) const mSHA1: u32 = 1 << 1;
    pub(crate) const mGOST94: u32 = 1 << 2;
    pub(crate) const mGOST89MAC: u32 = 1 << 3;
    pub(crate) const mSHA256: u32 = 1 << 4;
    pub(crate) const mSHA384: u32 = 1 << 5;
    /// The cipher authenticates (GCM, CCM, ChaCha20-Poly1305): no separate MAC.
    pub(crate) const mAEAD: u32 = 1 << 6;
    pub(crate) const mGOST12_256: u32 = 1 << 7;
    pub(crate) const mGOST89MAC12: u32 = 1 << 8;
    pub(crate) const mGOST12_512: u32 = 1 << 9;
    pub(crate) const mMAGMAOMAC: u32 = 1 << 10;
    pub(crate) const mKUZNYECHIKOMAC: u32 = 1 << 11;
}

use alg::*;

// Strength classes (`algo_strength`): one of the first five, and `NOT_DEFAULT` for the suites
// `DEFAULT` leaves out (`COMPLEMENTOFDEFAULT`).
pub(super) const STRONG_NONE: u32 = 1 << 0;
pub(super) const LOW: u32 = 1 << 1;
pub(super) const MEDIUM: u32 = 1 << 2;
pub(super) const HIGH: u32 = 1 << 3;
pub(super) const FIPS: u32 = 1 << 4;
/// The strength classes proper, as opposed to `NOT_DEFAULT`.
pub(super) const STRONG_MASK: u32 = STRONG_NONE | LOW | MEDIUM | HIGH | FIPS;
pub(super) const NOT_DEFAULT: u32 = 1 << 5;

// Protocol versions (the SCSVs have none: 0).
pub(super) const SSL3: u16 = 0x0300;
pub(super) const TLS1: u16 = 0x0301;
pub(super) const TLS11: u16 = 0x0302;
pub(super) const TLS12: u16 = 0x0303;
pub(super) const TLS13: u16 = 0x0304;

use Digest::*;

/// Algorithms no provider of a default libcrypto offers, so OpenSSL leaves their suites out
/// of every list (`ssl_load_ciphers`): DES, RC4, RC2, IDEA and SEED live in the legacy
/// provider, GOST in an engine Debian does not ship.
pub(super) const DISABLED_KX: u32 = kGOST | kGOST18;
pub(super) const DISABLED_AUTH: u32 = aGOST01 | aGOST12;
pub(super) const DISABLED_ENC: u32 =
    eDES | eRC4 | eRC2 | eIDEA | eSEED | eGOST89 | eGOST89_12 | eMAGMA | eKUZNYECHIK;
pub(super) const DISABLED_MAC: u32 =
    mGOST94 | mGOST89MAC | mGOST12_256 | mGOST89MAC12 | mGOST12_512 | mMAGMAOMAC | mKUZNYECHIKOMAC;

/// Every suite OpenSSL 3.0 knows, by id: the TLS 1.3 suites, those of TLS 1.2 and below, and
/// the two signalling values (SCSVs, no version). Columns: id, OpenSSL name, key exchange,
/// authentication, cipher, MAC, lowest and highest version, strength classes, handshake
/// digest, secret bits, standard (RFC) name (empty: OpenSSL has none).
#[rustfmt::skip]
pub(super) static SUITES: &[Cipher] = &[
    s(0x0001, c"NULL-MD5",                           kRSA,      aRSA,    eNULL,             mMD5,            SSL3,  TLS12, STRONG_NONE,               Md5Sha1, 0,   c"TLS_RSA_WITH_NULL_MD5"),
    s(0x0002, c"NULL-SHA",                           kRSA,      aRSA,    eNULL,             mSHA1,           SSL3,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_RSA_WITH_NULL_SHA"),
    s(0x0007, c"IDEA-CBC-SHA",                       kRSA,      aRSA,    eIDEA,             mSHA1,           SSL3,  TLS11, MEDIUM | NOT_DEFAULT,      Md5Sha1, 128, c"TLS_RSA_WITH_IDEA_CBC_SHA"),
    s(0x002C, c"PSK-NULL-SHA",                       kPSK,      aPSK,    eNULL,             mSHA1,           SSL3,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_PSK_WITH_NULL_SHA"),
    s(0x002D, c"DHE-PSK-NULL-SHA",                   kDHEPSK,   aPSK,    eNULL,             mSHA1,           SSL3,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_DHE_PSK_WITH_NULL_SHA"),
    s(0x002E, c"RSA-PSK-NULL-SHA",                   kRSAPSK,   aRSA,    eNULL,             mSHA1,           SSL3,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_RSA_PSK_WITH_NULL_SHA"),
    s(0x002F, c"AES128-SHA",                         kRSA,      aRSA,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_RSA_WITH_AES_128_CBC_SHA"),
    s(0x0032, c"DHE-DSS-AES128-SHA",                 kDHE,      aDSS,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 128, c"TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
    s(0x0033, c"DHE-RSA-AES128-SHA",                 kDHE,      aRSA,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    s(0x0034, c"ADH-AES128-SHA",                     kDHE,      aNULL,   eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 128, c"TLS_DH_anon_WITH_AES_128_CBC_SHA"),
    s(0x0035, c"AES256-SHA",                         kRSA,      aRSA,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_RSA_WITH_AES_256_CBC_SHA"),
    s(0x0038, c"DHE-DSS-AES256-SHA",                 kDHE,      aDSS,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 256, c"TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
    s(0x0039, c"DHE-RSA-AES256-SHA",                 kDHE,      aRSA,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    s(0x003A, c"ADH-AES256-SHA",                     kDHE,      aNULL,   eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 256, c"TLS_DH_anon_WITH_AES_256_CBC_SHA"),
    s(0x003B, c"NULL-SHA256",                        kRSA,      aRSA,    eNULL,             mSHA256,         TLS12, TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_RSA_WITH_NULL_SHA256"),
    s(0x003C, c"AES128-SHA256",                      kRSA,      aRSA,    eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_RSA_WITH_AES_128_CBC_SHA256"),
    s(0x003D, c"AES256-SHA256",                      kRSA,      aRSA,    eAES256,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_RSA_WITH_AES_256_CBC_SHA256"),
    s(0x0040, c"DHE-DSS-AES128-SHA256",              kDHE,      aDSS,    eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 128, c"TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"),
    s(0x0041, c"CAMELLIA128-SHA",                    kRSA,      aRSA,    eCAMELLIA128,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    s(0x0044, c"DHE-DSS-CAMELLIA128-SHA",            kDHE,      aDSS,    eCAMELLIA128,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"),
    s(0x0045, c"DHE-RSA-CAMELLIA128-SHA",            kDHE,      aRSA,    eCAMELLIA128,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    s(0x0046, c"ADH-CAMELLIA128-SHA",                kDHE,      aNULL,   eCAMELLIA128,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"),
    s(0x0067, c"DHE-RSA-AES128-SHA256",              kDHE,      aRSA,    eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    s(0x006A, c"DHE-DSS-AES256-SHA256",              kDHE,      aDSS,    eAES256,           mSHA256,         TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 256, c"TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"),
    s(0x006B, c"DHE-RSA-AES256-SHA256",              kDHE,      aRSA,    eAES256,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    s(0x006C, c"ADH-AES128-SHA256",                  kDHE,      aNULL,   eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 128, c"TLS_DH_anon_WITH_AES_128_CBC_SHA256"),
    s(0x006D, c"ADH-AES256-SHA256",                  kDHE,      aNULL,   eAES256,           mSHA256,         TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 256, c"TLS_DH_anon_WITH_AES_256_CBC_SHA256"),
    s(0x0081, c"GOST2001-GOST89-GOST89",             kGOST,     aGOST01, eGOST89,           mGOST89MAC,      TLS1,  TLS12, HIGH,                      Gost94,  256, c"TLS_GOSTR341001_WITH_28147_CNT_IMIT"),
    s(0x0083, c"GOST2001-NULL-GOST94",               kGOST,     aGOST01, eNULL,             mGOST94,         TLS1,  TLS12, STRONG_NONE,               Gost94,  0,   c"TLS_GOSTR341001_WITH_NULL_GOSTR3411"),
    s(0x0084, c"CAMELLIA256-SHA",                    kRSA,      aRSA,    eCAMELLIA256,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 256, c"TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    s(0x0087, c"DHE-DSS-CAMELLIA256-SHA",            kDHE,      aDSS,    eCAMELLIA256,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 256, c"TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"),
    s(0x0088, c"DHE-RSA-CAMELLIA256-SHA",            kDHE,      aRSA,    eCAMELLIA256,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 256, c"TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    s(0x0089, c"ADH-CAMELLIA256-SHA",                kDHE,      aNULL,   eCAMELLIA256,      mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 256, c"TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"),
    s(0x008C, c"PSK-AES128-CBC-SHA",                 kPSK,      aPSK,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_PSK_WITH_AES_128_CBC_SHA"),
    s(0x008D, c"PSK-AES256-CBC-SHA",                 kPSK,      aPSK,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_PSK_WITH_AES_256_CBC_SHA"),
    s(0x0090, c"DHE-PSK-AES128-CBC-SHA",             kDHEPSK,   aPSK,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_DHE_PSK_WITH_AES_128_CBC_SHA"),
    s(0x0091, c"DHE-PSK-AES256-CBC-SHA",             kDHEPSK,   aPSK,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_DHE_PSK_WITH_AES_256_CBC_SHA"),
    s(0x0094, c"RSA-PSK-AES128-CBC-SHA",             kRSAPSK,   aRSA,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_RSA_PSK_WITH_AES_128_CBC_SHA"),
    s(0x0095, c"RSA-PSK-AES256-CBC-SHA",             kRSAPSK,   aRSA,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_RSA_PSK_WITH_AES_256_CBC_SHA"),
    s(0x0096, c"SEED-SHA",                           kRSA,      aRSA,    eSEED,             mSHA1,           SSL3,  TLS12, MEDIUM | NOT_DEFAULT,      Md5Sha1, 128, c"TLS_RSA_WITH_SEED_CBC_SHA"),
    s(0x0099, c"DHE-DSS-SEED-SHA",                   kDHE,      aDSS,    eSEED,             mSHA1,           SSL3,  TLS12, MEDIUM | NOT_DEFAULT,      Md5Sha1, 128, c"TLS_DHE_DSS_WITH_SEED_CBC_SHA"),
    s(0x009A, c"DHE-RSA-SEED-SHA",                   kDHE,      aRSA,    eSEED,             mSHA1,           SSL3,  TLS12, MEDIUM | NOT_DEFAULT,      Md5Sha1, 128, c"TLS_DHE_RSA_WITH_SEED_CBC_SHA"),
    s(0x009B, c"ADH-SEED-SHA",                       kDHE,      aNULL,   eSEED,             mSHA1,           SSL3,  TLS12, MEDIUM | NOT_DEFAULT,      Md5Sha1, 128, c"TLS_DH_anon_WITH_SEED_CBC_SHA"),
    s(0x009C, c"AES128-GCM-SHA256",                  kRSA,      aRSA,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_RSA_WITH_AES_128_GCM_SHA256"),
    s(0x009D, c"AES256-GCM-SHA384",                  kRSA,      aRSA,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_RSA_WITH_AES_256_GCM_SHA384"),
    s(0x009E, c"DHE-RSA-AES128-GCM-SHA256",          kDHE,      aRSA,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    s(0x009F, c"DHE-RSA-AES256-GCM-SHA384",          kDHE,      aRSA,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    s(0x00A2, c"DHE-DSS-AES128-GCM-SHA256",          kDHE,      aDSS,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Sha256,  128, c"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"),
    s(0x00A3, c"DHE-DSS-AES256-GCM-SHA384",          kDHE,      aDSS,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Sha384,  256, c"TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"),
    s(0x00A6, c"ADH-AES128-GCM-SHA256",              kDHE,      aNULL,   eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Sha256,  128, c"TLS_DH_anon_WITH_AES_128_GCM_SHA256"),
    s(0x00A7, c"ADH-AES256-GCM-SHA384",              kDHE,      aNULL,   eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS | NOT_DEFAULT, Sha384,  256, c"TLS_DH_anon_WITH_AES_256_GCM_SHA384"),
    s(0x00A8, c"PSK-AES128-GCM-SHA256",              kPSK,      aPSK,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_PSK_WITH_AES_128_GCM_SHA256"),
    s(0x00A9, c"PSK-AES256-GCM-SHA384",              kPSK,      aPSK,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_PSK_WITH_AES_256_GCM_SHA384"),
    s(0x00AA, c"DHE-PSK-AES128-GCM-SHA256",          kDHEPSK,   aPSK,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"),
    s(0x00AB, c"DHE-PSK-AES256-GCM-SHA384",          kDHEPSK,   aPSK,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"),
    s(0x00AC, c"RSA-PSK-AES128-GCM-SHA256",          kRSAPSK,   aRSA,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"),
    s(0x00AD, c"RSA-PSK-AES256-GCM-SHA384",          kRSAPSK,   aRSA,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"),
    s(0x00AE, c"PSK-AES128-CBC-SHA256",              kPSK,      aPSK,    eAES128,           mSHA256,         TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_PSK_WITH_AES_128_CBC_SHA256"),
    s(0x00AF, c"PSK-AES256-CBC-SHA384",              kPSK,      aPSK,    eAES256,           mSHA384,         TLS1,  TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_PSK_WITH_AES_256_CBC_SHA384"),
    s(0x00B0, c"PSK-NULL-SHA256",                    kPSK,      aPSK,    eNULL,             mSHA256,         TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_PSK_WITH_NULL_SHA256"),
    s(0x00B1, c"PSK-NULL-SHA384",                    kPSK,      aPSK,    eNULL,             mSHA384,         TLS1,  TLS12, STRONG_NONE | FIPS,        Sha384,  0,   c"TLS_PSK_WITH_NULL_SHA384"),
    s(0x00B2, c"DHE-PSK-AES128-CBC-SHA256",          kDHEPSK,   aPSK,    eAES128,           mSHA256,         TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"),
    s(0x00B3, c"DHE-PSK-AES256-CBC-SHA384",          kDHEPSK,   aPSK,    eAES256,           mSHA384,         TLS1,  TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"),
    s(0x00B4, c"DHE-PSK-NULL-SHA256",                kDHEPSK,   aPSK,    eNULL,             mSHA256,         TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_DHE_PSK_WITH_NULL_SHA256"),
    s(0x00B5, c"DHE-PSK-NULL-SHA384",                kDHEPSK,   aPSK,    eNULL,             mSHA384,         TLS1,  TLS12, STRONG_NONE | FIPS,        Sha384,  0,   c"TLS_DHE_PSK_WITH_NULL_SHA384"),
    s(0x00B6, c"RSA-PSK-AES128-CBC-SHA256",          kRSAPSK,   aRSA,    eAES128,           mSHA256,         TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"),
    s(0x00B7, c"RSA-PSK-AES256-CBC-SHA384",          kRSAPSK,   aRSA,    eAES256,           mSHA384,         TLS1,  TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"),
    s(0x00B8, c"RSA-PSK-NULL-SHA256",                kRSAPSK,   aRSA,    eNULL,             mSHA256,         TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_RSA_PSK_WITH_NULL_SHA256"),
    s(0x00B9, c"RSA-PSK-NULL-SHA384",                kRSAPSK,   aRSA,    eNULL,             mSHA384,         TLS1,  TLS12, STRONG_NONE | FIPS,        Sha384,  0,   c"TLS_RSA_PSK_WITH_NULL_SHA384"),
    s(0x00BA, c"CAMELLIA128-SHA256",                 kRSA,      aRSA,    eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0x00BD, c"DHE-DSS-CAMELLIA128-SHA256",         kDHE,      aDSS,    eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0x00BE, c"DHE-RSA-CAMELLIA128-SHA256",         kDHE,      aRSA,    eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0x00BF, c"ADH-CAMELLIA128-SHA256",             kDHE,      aNULL,   eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0x00C0, c"CAMELLIA256-SHA256",                 kRSA,      aRSA,    eCAMELLIA256,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
    s(0x00C3, c"DHE-DSS-CAMELLIA256-SHA256",         kDHE,      aDSS,    eCAMELLIA256,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"),
    s(0x00C4, c"DHE-RSA-CAMELLIA256-SHA256",         kDHE,      aRSA,    eCAMELLIA256,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"),
    s(0x00C5, c"ADH-CAMELLIA256-SHA256",             kDHE,      aNULL,   eCAMELLIA256,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),
    s(0x00FF, c"TLS_EMPTY_RENEGOTIATION_INFO_SCSV",  kANY,      aANY,    0,                 0,               0,     0,     0,                         Md5,     0,   c"TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
    s(0x1301, c"TLS_AES_128_GCM_SHA256",             kANY,      aANY,    eAES128GCM,        mAEAD,           TLS13, TLS13, HIGH,                      Sha256,  128, c"TLS_AES_128_GCM_SHA256"),
    s(0x1302, c"TLS_AES_256_GCM_SHA384",             kANY,      aANY,    eAES256GCM,        mAEAD,           TLS13, TLS13, HIGH,                      Sha384,  256, c"TLS_AES_256_GCM_SHA384"),
    s(0x1303, c"TLS_CHACHA20_POLY1305_SHA256",       kANY,      aANY,    eCHACHA20POLY1305, mAEAD,           TLS13, TLS13, HIGH,                      Sha256,  256, c"TLS_CHACHA20_POLY1305_SHA256"),
    s(0x1304, c"TLS_AES_128_CCM_SHA256",             kANY,      aANY,    eAES128CCM,        mAEAD,           TLS13, TLS13, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_AES_128_CCM_SHA256"),
    s(0x1305, c"TLS_AES_128_CCM_8_SHA256",           kANY,      aANY,    eAES128CCM8,       mAEAD,           TLS13, TLS13, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_AES_128_CCM_8_SHA256"),
    s(0x5600, c"TLS_FALLBACK_SCSV",                  kANY,      aANY,    0,                 0,               0,     0,     0,                         Md5,     0,   c"TLS_FALLBACK_SCSV"),
    s(0xC006, c"ECDHE-ECDSA-NULL-SHA",               kECDHE,    aECDSA,  eNULL,             mSHA1,           TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
    s(0xC009, c"ECDHE-ECDSA-AES128-SHA",             kECDHE,    aECDSA,  eAES128,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    s(0xC00A, c"ECDHE-ECDSA-AES256-SHA",             kECDHE,    aECDSA,  eAES256,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    s(0xC010, c"ECDHE-RSA-NULL-SHA",                 kECDHE,    aRSA,    eNULL,             mSHA1,           TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_ECDHE_RSA_WITH_NULL_SHA"),
    s(0xC013, c"ECDHE-RSA-AES128-SHA",               kECDHE,    aRSA,    eAES128,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    s(0xC014, c"ECDHE-RSA-AES256-SHA",               kECDHE,    aRSA,    eAES256,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    s(0xC015, c"AECDH-NULL-SHA",                     kECDHE,    aNULL,   eNULL,             mSHA1,           TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_ECDH_anon_WITH_NULL_SHA"),
    s(0xC018, c"AECDH-AES128-SHA",                   kECDHE,    aNULL,   eAES128,           mSHA1,           TLS1,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 128, c"TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
    s(0xC019, c"AECDH-AES256-SHA",                   kECDHE,    aNULL,   eAES256,           mSHA1,           TLS1,  TLS12, HIGH | FIPS | NOT_DEFAULT, Md5Sha1, 256, c"TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),
    s(0xC01D, c"SRP-AES-128-CBC-SHA",                kSRP,      aSRP,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH,                      Md5Sha1, 128, c"TLS_SRP_SHA_WITH_AES_128_CBC_SHA"),
    s(0xC01E, c"SRP-RSA-AES-128-CBC-SHA",            kSRP,      aRSA,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH,                      Md5Sha1, 128, c"TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"),
    s(0xC01F, c"SRP-DSS-AES-128-CBC-SHA",            kSRP,      aDSS,    eAES128,           mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"),
    s(0xC020, c"SRP-AES-256-CBC-SHA",                kSRP,      aSRP,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH,                      Md5Sha1, 256, c"TLS_SRP_SHA_WITH_AES_256_CBC_SHA"),
    s(0xC021, c"SRP-RSA-AES-256-CBC-SHA",            kSRP,      aRSA,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH,                      Md5Sha1, 256, c"TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"),
    s(0xC022, c"SRP-DSS-AES-256-CBC-SHA",            kSRP,      aDSS,    eAES256,           mSHA1,           SSL3,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 256, c"TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"),
    s(0xC023, c"ECDHE-ECDSA-AES128-SHA256",          kECDHE,    aECDSA,  eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    s(0xC024, c"ECDHE-ECDSA-AES256-SHA384",          kECDHE,    aECDSA,  eAES256,           mSHA384,         TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    s(0xC027, c"ECDHE-RSA-AES128-SHA256",            kECDHE,    aRSA,    eAES128,           mSHA256,         TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    s(0xC028, c"ECDHE-RSA-AES256-SHA384",            kECDHE,    aRSA,    eAES256,           mSHA384,         TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    s(0xC02B, c"ECDHE-ECDSA-AES128-GCM-SHA256",      kECDHE,    aECDSA,  eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    s(0xC02C, c"ECDHE-ECDSA-AES256-GCM-SHA384",      kECDHE,    aECDSA,  eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    s(0xC02F, c"ECDHE-RSA-AES128-GCM-SHA256",        kECDHE,    aRSA,    eAES128GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha256,  128, c"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    s(0xC030, c"ECDHE-RSA-AES256-GCM-SHA384",        kECDHE,    aRSA,    eAES256GCM,        mAEAD,           TLS12, TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    s(0xC035, c"ECDHE-PSK-AES128-CBC-SHA",           kECDHEPSK, aPSK,    eAES128,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"),
    s(0xC036, c"ECDHE-PSK-AES256-CBC-SHA",           kECDHEPSK, aPSK,    eAES256,           mSHA1,           TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 256, c"TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"),
    s(0xC037, c"ECDHE-PSK-AES128-CBC-SHA256",        kECDHEPSK, aPSK,    eAES128,           mSHA256,         TLS1,  TLS12, HIGH | FIPS,               Md5Sha1, 128, c"TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"),
    s(0xC038, c"ECDHE-PSK-AES256-CBC-SHA384",        kECDHEPSK, aPSK,    eAES256,           mSHA384,         TLS1,  TLS12, HIGH | FIPS,               Sha384,  256, c"TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"),
    s(0xC039, c"ECDHE-PSK-NULL-SHA",                 kECDHEPSK, aPSK,    eNULL,             mSHA1,           TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_ECDHE_PSK_WITH_NULL_SHA"),
    s(0xC03A, c"ECDHE-PSK-NULL-SHA256",              kECDHEPSK, aPSK,    eNULL,             mSHA256,         TLS1,  TLS12, STRONG_NONE | FIPS,        Md5Sha1, 0,   c"TLS_ECDHE_PSK_WITH_NULL_SHA256"),
    s(0xC03B, c"ECDHE-PSK-NULL-SHA384",              kECDHEPSK, aPSK,    eNULL,             mSHA384,         TLS1,  TLS12, STRONG_NONE | FIPS,        Sha384,  0,   c"TLS_ECDHE_PSK_WITH_NULL_SHA384"),
    s(0xC050, c"ARIA128-GCM-SHA256",                 kRSA,      aRSA,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_RSA_WITH_ARIA_128_GCM_SHA256"),
    s(0xC051, c"ARIA256-GCM-SHA384",                 kRSA,      aRSA,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_RSA_WITH_ARIA_256_GCM_SHA384"),
    s(0xC052, c"DHE-RSA-ARIA128-GCM-SHA256",         kDHE,      aRSA,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"),
    s(0xC053, c"DHE-RSA-ARIA256-GCM-SHA384",         kDHE,      aRSA,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"),
    s(0xC056, c"DHE-DSS-ARIA128-GCM-SHA256",         kDHE,      aDSS,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"),
    s(0xC057, c"DHE-DSS-ARIA256-GCM-SHA384",         kDHE,      aDSS,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"),
    s(0xC05C, c"ECDHE-ECDSA-ARIA128-GCM-SHA256",     kECDHE,    aECDSA,  eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
    s(0xC05D, c"ECDHE-ECDSA-ARIA256-GCM-SHA384",     kECDHE,    aECDSA,  eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"),
    s(0xC060, c"ECDHE-ARIA128-GCM-SHA256",           kECDHE,    aRSA,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"),
    s(0xC061, c"ECDHE-ARIA256-GCM-SHA384",           kECDHE,    aRSA,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"),
    s(0xC06A, c"PSK-ARIA128-GCM-SHA256",             kPSK,      aPSK,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_PSK_WITH_ARIA_128_GCM_SHA256"),
    s(0xC06B, c"PSK-ARIA256-GCM-SHA384",             kPSK,      aPSK,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_PSK_WITH_ARIA_256_GCM_SHA384"),
    s(0xC06C, c"DHE-PSK-ARIA128-GCM-SHA256",         kDHEPSK,   aPSK,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"),
    s(0xC06D, c"DHE-PSK-ARIA256-GCM-SHA384",         kDHEPSK,   aPSK,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"),
    s(0xC06E, c"RSA-PSK-ARIA128-GCM-SHA256",         kRSAPSK,   aRSA,    eARIA128GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"),
    s(0xC06F, c"RSA-PSK-ARIA256-GCM-SHA384",         kRSAPSK,   aRSA,    eARIA256GCM,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"),
    s(0xC072, c"ECDHE-ECDSA-CAMELLIA128-SHA256",     kECDHE,    aECDSA,  eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC073, c"ECDHE-ECDSA-CAMELLIA256-SHA384",     kECDHE,    aECDSA,  eCAMELLIA256,      mSHA384,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC076, c"ECDHE-RSA-CAMELLIA128-SHA256",       kECDHE,    aRSA,    eCAMELLIA128,      mSHA256,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC077, c"ECDHE-RSA-CAMELLIA256-SHA384",       kECDHE,    aRSA,    eCAMELLIA256,      mSHA384,         TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC094, c"PSK-CAMELLIA128-SHA256",             kPSK,      aPSK,    eCAMELLIA128,      mSHA256,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC095, c"PSK-CAMELLIA256-SHA384",             kPSK,      aPSK,    eCAMELLIA256,      mSHA384,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC096, c"DHE-PSK-CAMELLIA128-SHA256",         kDHEPSK,   aPSK,    eCAMELLIA128,      mSHA256,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC097, c"DHE-PSK-CAMELLIA256-SHA384",         kDHEPSK,   aPSK,    eCAMELLIA256,      mSHA384,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC098, c"RSA-PSK-CAMELLIA128-SHA256",         kRSAPSK,   aRSA,    eCAMELLIA128,      mSHA256,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC099, c"RSA-PSK-CAMELLIA256-SHA384",         kRSAPSK,   aRSA,    eCAMELLIA256,      mSHA384,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC09A, c"ECDHE-PSK-CAMELLIA128-SHA256",       kECDHEPSK, aPSK,    eCAMELLIA128,      mSHA256,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Md5Sha1, 128, c"TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
    s(0xC09B, c"ECDHE-PSK-CAMELLIA256-SHA384",       kECDHEPSK, aPSK,    eCAMELLIA256,      mSHA384,         TLS1,  TLS12, HIGH | NOT_DEFAULT,        Sha384,  256, c"TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
    s(0xC09C, c"AES128-CCM",                         kRSA,      aRSA,    eAES128CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_RSA_WITH_AES_128_CCM"),
    s(0xC09D, c"AES256-CCM",                         kRSA,      aRSA,    eAES256CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_RSA_WITH_AES_256_CCM"),
    s(0xC09E, c"DHE-RSA-AES128-CCM",                 kDHE,      aRSA,    eAES128CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_RSA_WITH_AES_128_CCM"),
    s(0xC09F, c"DHE-RSA-AES256-CCM",                 kDHE,      aRSA,    eAES256CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DHE_RSA_WITH_AES_256_CCM"),
    s(0xC0A0, c"AES128-CCM8",                        kRSA,      aRSA,    eAES128CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_RSA_WITH_AES_128_CCM_8"),
    s(0xC0A1, c"AES256-CCM8",                        kRSA,      aRSA,    eAES256CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_RSA_WITH_AES_256_CCM_8"),
    s(0xC0A2, c"DHE-RSA-AES128-CCM8",                kDHE,      aRSA,    eAES128CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_RSA_WITH_AES_128_CCM_8"),
    s(0xC0A3, c"DHE-RSA-AES256-CCM8",                kDHE,      aRSA,    eAES256CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DHE_RSA_WITH_AES_256_CCM_8"),
    s(0xC0A4, c"PSK-AES128-CCM",                     kPSK,      aPSK,    eAES128CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_PSK_WITH_AES_128_CCM"),
    s(0xC0A5, c"PSK-AES256-CCM",                     kPSK,      aPSK,    eAES256CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_PSK_WITH_AES_256_CCM"),
    s(0xC0A6, c"DHE-PSK-AES128-CCM",                 kDHEPSK,   aPSK,    eAES128CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_DHE_PSK_WITH_AES_128_CCM"),
    s(0xC0A7, c"DHE-PSK-AES256-CCM",                 kDHEPSK,   aPSK,    eAES256CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_DHE_PSK_WITH_AES_256_CCM"),
    s(0xC0A8, c"PSK-AES128-CCM8",                    kPSK,      aPSK,    eAES128CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_PSK_WITH_AES_128_CCM_8"),
    s(0xC0A9, c"PSK-AES256-CCM8",                    kPSK,      aPSK,    eAES256CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_PSK_WITH_AES_256_CCM_8"),
    s(0xC0AA, c"DHE-PSK-AES128-CCM8",                kDHEPSK,   aPSK,    eAES128CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_PSK_DHE_WITH_AES_128_CCM_8"),
    s(0xC0AB, c"DHE-PSK-AES256-CCM8",                kDHEPSK,   aPSK,    eAES256CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_PSK_DHE_WITH_AES_256_CCM_8"),
    s(0xC0AC, c"ECDHE-ECDSA-AES128-CCM",             kECDHE,    aECDSA,  eAES128CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
    s(0xC0AD, c"ECDHE-ECDSA-AES256-CCM",             kECDHE,    aECDSA,  eAES256CCM,        mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_ECDHE_ECDSA_WITH_AES_256_CCM"),
    s(0xC0AE, c"ECDHE-ECDSA-AES128-CCM8",            kECDHE,    aECDSA,  eAES128CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  128, c"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
    s(0xC0AF, c"ECDHE-ECDSA-AES256-CCM8",            kECDHE,    aECDSA,  eAES256CCM8,       mAEAD,           TLS12, TLS12, HIGH | NOT_DEFAULT,        Sha256,  256, c"TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"),
    s(0xC100, c"GOST2012-KUZNYECHIK-KUZNYECHIKOMAC", kGOST18,   aGOST12, eKUZNYECHIK,       mKUZNYECHIKOMAC, TLS12, TLS12, HIGH,                      Gost12,  256, c""),
    s(0xC101, c"GOST2012-MAGMA-MAGMAOMAC",           kGOST18,   aGOST12, eMAGMA,            mMAGMAOMAC,      TLS12, TLS12, HIGH,                      Gost12,  256, c""),
    s(0xC102, c"IANA-GOST2012-GOST8912-GOST8912",    kGOST,     aGOST,   eGOST89_12,        mGOST89MAC12,    TLS1,  TLS12, HIGH,                      Gost12,  256, c""),
    s(0xCCA8, c"ECDHE-RSA-CHACHA20-POLY1305",        kECDHE,    aRSA,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCA9, c"ECDHE-ECDSA-CHACHA20-POLY1305",      kECDHE,    aECDSA,  eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCAA, c"DHE-RSA-CHACHA20-POLY1305",          kDHE,      aRSA,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCAB, c"PSK-CHACHA20-POLY1305",              kPSK,      aPSK,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCAC, c"ECDHE-PSK-CHACHA20-POLY1305",        kECDHEPSK, aPSK,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCAD, c"DHE-PSK-CHACHA20-POLY1305",          kDHEPSK,   aPSK,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xCCAE, c"RSA-PSK-CHACHA20-POLY1305",          kRSAPSK,   aRSA,    eCHACHA20POLY1305, mAEAD,           TLS12, TLS12, HIGH,                      Sha256,  256, c"TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"),
    s(0xFF85, c"LEGACY-GOST2012-GOST8912-GOST8912",  kGOST,     aGOST,   eGOST89_12,        mGOST89MAC12,    TLS1,  TLS12, HIGH,                      Gost12,  256, c""),
    s(0xFF87, c"GOST2012-NULL-GOST12",               kGOST,     aGOST,   eNULL,             mGOST12_256,     TLS1,  TLS12, STRONG_NONE,               Gost12,  0,   c""),
];

/// A table line; see [`SUITES`].
#[allow(clippy::too_many_arguments)]
const fn s(
    id: u16,
    name: &'static CStr,
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    min_version: u16,
    max_version: u16,
    strength: u32,
    handshake: Digest,
    bits: i32,
    standard_name: &'static CStr,
) -> Cipher {
    Cipher {
        id,
        name,
        standard_name,
        kx,
        au,
        enc,
        mac,
        min_version,
        max_version,
        strength,
        handshake,
        bits,
    }
}

/// A word of the cipher-string language that names a group of suites: those meeting every
/// non-zero mask (a common bit), with `min_version` as lowest version (when not 0), and in
/// one of the `strength` classes (when not 0).
pub(super) struct Alias {
    pub name: &'static str,
    pub kx: u32,
    pub au: u32,
    pub enc: u32,
    pub mac: u32,
    pub min_version: u16,
    pub strength: u32,
}

/// OpenSSL 3.0's aliases. Columns: word, key exchange, authentication, cipher, MAC, lowest
/// version, strength classes.
#[rustfmt::skip]
pub(super) static ALIASES: &[Alias] = &[
    // Everything but the NULL ciphers (which must be asked for), and those.
    a("ALL",                        0,                                     0,       !eNULL,       0,           0,     0),
    a("COMPLEMENTOFALL",            0,                                     0,       eNULL,        0,           0,     0),
    // What `DEFAULT` leaves out (only among ALL: not the NULL ciphers).
    a("COMPLEMENTOFDEFAULT",        0,                                     0,       0,            0,           0,     NOT_DEFAULT),
    // Key exchange.
    a("kRSA",                       kRSA,                                  0,       0,            0,           0,     0),
    a("kEDH",                       kDHE,                                  0,       0,            0,           0,     0),
    a("kDHE",                       kDHE,                                  0,       0,            0,           0,     0),
    a("DH",                         kDHE,                                  0,       0,            0,           0,     0),
    a("kEECDH",                     kECDHE,                                0,       0,            0,           0,     0),
    a("kECDHE",                     kECDHE,                                0,       0,            0,           0,     0),
    a("ECDH",                       kECDHE,                                0,       0,            0,           0,     0),
    a("kPSK",                       kPSK,                                  0,       0,            0,           0,     0),
    a("kRSAPSK",                    kRSAPSK,                               0,       0,            0,           0,     0),
    a("kECDHEPSK",                  kECDHEPSK,                             0,       0,            0,           0,     0),
    a("kDHEPSK",                    kDHEPSK,                               0,       0,            0,           0,     0),
    a("kSRP",                       kSRP,                                  0,       0,            0,           0,     0),
    a("kGOST",                      kGOST,                                 0,       0,            0,           0,     0),
    a("kGOST18",                    kGOST18,                               0,       0,            0,           0,     0),
    // Authentication.
    a("aRSA",                       0,                                     aRSA,    0,            0,           0,     0),
    a("aDSS",                       0,                                     aDSS,    0,            0,           0,     0),
    a("DSS",                        0,                                     aDSS,    0,            0,           0,     0),
    a("aNULL",                      0,                                     aNULL,   0,            0,           0,     0),
    a("aECDSA",                     0,                                     aECDSA,  0,            0,           0,     0),
    a("ECDSA",                      0,                                     aECDSA,  0,            0,           0,     0),
    a("aPSK",                       0,                                     aPSK,    0,            0,           0,     0),
    a("aGOST01",                    0,                                     aGOST01, 0,            0,           0,     0),
    a("aGOST12",                    0,                                     aGOST12, 0,            0,           0,     0),
    a("aGOST",                      0,                                     aGOST,   0,            0,           0,     0),
    a("aSRP",                       0,                                     aSRP,    0,            0,           0,     0),
    // Key exchange and authentication together.
    a("EDH",                        kDHE,                                  !aNULL,  0,            0,           0,     0),
    a("DHE",                        kDHE,                                  !aNULL,  0,            0,           0,     0),
    a("EECDH",                      kECDHE,                                !aNULL,  0,            0,           0,     0),
    a("ECDHE",                      kECDHE,                                !aNULL,  0,            0,           0,     0),
    a("NULL",                       0,                                     0,       eNULL,        0,           0,     0),
    a("RSA",                        kRSA,                                  aRSA,    0,            0,           0,     0),
    a("ADH",                        kDHE,                                  aNULL,   0,            0,           0,     0),
    a("AECDH",                      kECDHE,                                aNULL,   0,            0,           0,     0),
    a("PSK",                        kPSK | kRSAPSK | kECDHEPSK | kDHEPSK,  0,       0,            0,           0,     0),
    a("SRP",                        kSRP,                                  0,       0,            0,           0,     0),
    // Ciphers.
    a("3DES",                       0,                                     0,       e3DES,        0,           0,     0),
    a("RC4",                        0,                                     0,       eRC4,         0,           0,     0),
    a("RC2",                        0,                                     0,       eRC2,         0,           0,     0),
    a("IDEA",                       0,                                     0,       eIDEA,        0,           0,     0),
    a("SEED",                       0,                                     0,       eSEED,        0,           0,     0),
    a("eNULL",                      0,                                     0,       eNULL,        0,           0,     0),
    a("GOST89",                     0,                                     0,       eGOST89 | eGOST89_12 | eMAGMA | eKUZNYECHIK, 0, 0, 0),
    a("AES128",                     0,                                     0,       eAES128 | eAES128GCM | eAES128CCM | eAES128CCM8, 0, 0, 0),
    a("AES256",                     0,                                     0,       eAES256 | eAES256GCM | eAES256CCM | eAES256CCM8, 0, 0, 0),
    a("AES",                        0,                                     0,       eAES,         0,           0,     0),
    a("AESGCM",                     0,                                     0,       eAESGCM,      0,           0,     0),
    a("AESCCM",                     0,                                     0,       eAESCCM,      0,           0,     0),
    a("AESCCM8",                    0,                                     0,       eAES128CCM8 | eAES256CCM8, 0, 0,   0),
    a("CAMELLIA128",                0,                                     0,       eCAMELLIA128, 0,           0,     0),
    a("CAMELLIA256",                0,                                     0,       eCAMELLIA256, 0,           0,     0),
    a("CAMELLIA",                   0,                                     0,       eCAMELLIA,    0,           0,     0),
    a("CHACHA20",                   0,                                     0,       eCHACHA20POLY1305, 0,      0,     0),
    a("GOST2012-GOST8912-GOST8912", 0,                                     0,       eGOST89_12,   0,           0,     0),
    a("ARIA",                       0,                                     0,       eARIAGCM,     0,           0,     0),
    a("ARIAGCM",                    0,                                     0,       eARIAGCM,     0,           0,     0),
    a("ARIA128",                    0,                                     0,       eARIA128GCM,  0,           0,     0),
    a("ARIA256",                    0,                                     0,       eARIA256GCM,  0,           0,     0),
    a("CBC",                        0,                                     0,       eCBC,         0,           0,     0),
    // MACs: `SHA256` and `SHA384` name the MAC of CBC suites, never an AEAD's PRF hash.
    a("MD5",                        0,                                     0,       0,            mMD5,        0,     0),
    a("SHA1",                       0,                                     0,       0,            mSHA1,       0,     0),
    a("SHA",                        0,                                     0,       0,            mSHA1,       0,     0),
    a("GOST94",                     0,                                     0,       0,            mGOST94,     0,     0),
    a("GOST89MAC",                  0,                                     0,       0,            mGOST89MAC | mGOST89MAC12, 0, 0),
    a("SHA256",                     0,                                     0,       0,            mSHA256,     0,     0),
    a("SHA384",                     0,                                     0,       0,            mSHA384,     0,     0),
    a("GOST12",                     0,                                     0,       0,            mGOST12_256, 0,     0),
    // Lowest protocol version (there is no TLSv1.1 or TLSv1.3 alias).
    a("SSLv3",                      0,                                     0,       0,            0,           SSL3,  0),
    a("TLSv1",                      0,                                     0,       0,            0,           TLS1,  0),
    a("TLSv1.0",                    0,                                     0,       0,            0,           TLS1,  0),
    a("TLSv1.2",                    0,                                     0,       0,            0,           TLS12, 0),
    // Strength classes; FIPS also excludes the NULL ciphers.
    a("LOW",                        0,                                     0,       0,            0,           0,     LOW),
    a("MEDIUM",                     0,                                     0,       0,            0,           0,     MEDIUM),
    a("HIGH",                       0,                                     0,       0,            0,           0,     HIGH),
    a("FIPS",                       0,                                     0,       !eNULL,       0,           0,     FIPS),
    // Old names of two 3DES suites (which this build does not have).
    a("EDH-DSS-DES-CBC3-SHA",       kDHE,                                  aDSS,    e3DES,        mSHA1,       0,     HIGH | FIPS),
    a("EDH-RSA-DES-CBC3-SHA",       kDHE,                                  aRSA,    e3DES,        mSHA1,       0,     HIGH | FIPS),
];

/// An alias line; see [`ALIASES`].
const fn a(
    name: &'static str,
    kx: u32,
    au: u32,
    enc: u32,
    mac: u32,
    min_version: u16,
    strength: u32,
) -> Alias {
    Alias {
        name,
        kx,
        au,
        enc,
        mac,
        min_version,
        strength,
    }
}
