//! A peer's key-exchange share as the `EVP_PKEY` OpenSSL's `SSL_get_peer_tmp_key` returns:
//! an X25519 public key, or an EC public key on its named curve.

use std::ptr;

use super::ffi;
use super::owners::PKey;

impl PKey {
    /// The public key of a TLS key share of `group` (a TLS NamedGroup code point); `None`
    /// for groups libcrypto cannot represent or a malformed share.
    pub fn from_key_share(group: u16, share: &[u8]) -> Option<Self> {
        let curve = match group {
            29 => {
                // SAFETY: share is readable for its length; libcrypto copies it.
                let key = unsafe {
                    ffi::EVP_PKEY_new_raw_public_key(
                        ffi::EVP_PKEY_X25519,
                        ptr::null_mut(),
                        share.as_ptr(),
                        share.len(),
                    )
                };
                // SAFETY: a new key we own, or NULL.
                return unsafe { Self::from_raw(key) };
            }
            23 => c"prime256v1",
            24 => c"secp384r1",
            25 => c"secp521r1",
            _ => return None,
        };
        // SAFETY: the context, parameters and key are created and released here; the
        // strings and the share outlive the calls that read them.
        unsafe {
            let ctx = ffi::EVP_PKEY_CTX_new_from_name(ptr::null_mut(), c"EC".as_ptr(), ptr::null());
            if ctx.is_null() {
                return None;
            }
            let params = [
                ffi::OSSL_PARAM_construct_utf8_string(
                    c"group".as_ptr(),
                    curve.as_ptr().cast_mut(),
                    0,
                ),
                ffi::OSSL_PARAM_construct_octet_string(
                    c"pub".as_ptr(),
                    share.as_ptr().cast_mut().cast(),
                    share.len(),
                ),
                ffi::OSSL_PARAM_construct_end(),
            ];
            let mut key = ptr::null_mut();
            let ok = ffi::EVP_PKEY_fromdata_init(ctx) == 1
                && ffi::EVP_PKEY_fromdata(
                    ctx,
                    &mut key,
                    ffi::EVP_PKEY_PUBLIC_KEY,
                    params.as_ptr().cast_mut(),
                ) == 1;
            ffi::EVP_PKEY_CTX_free(ctx);
            if ok {
                Self::from_raw(key)
            } else {
                ffi::EVP_PKEY_free(key);
                None
            }
        }
    }
}

/// What a key is, as OpenSSL's certificate slots and signature algorithms see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    RsaPss,
    Dsa,
    /// An EC key on the curve of this NID (`NID_undef` if unnamed).
    Ec(i32),
    Ed25519,
    Ed448,
}

impl PKey {
    /// The kind of key, `None` for a type TLS has no certificate slot for.
    pub fn kind(&self) -> Option<KeyKind> {
        // SAFETY: the key is alive.
        unsafe { key_kind(self.as_ptr()) }
    }
}

impl super::owners::Cert {
    /// The kind of the certificate's public key.
    pub fn key_kind(&self) -> Option<KeyKind> {
        // SAFETY: the certificate is alive; its public key (get0) too.
        unsafe { key_kind(ffi::X509_get0_pubkey(self.as_ptr())) }
    }

    /// The NID of the certificate's signature algorithm (`X509_get_signature_nid`).
    pub fn signature_nid(&self) -> i32 {
        // SAFETY: the certificate is alive.
        unsafe { ffi::X509_get_signature_nid(self.as_ptr()) }
    }

    /// Whether the certificate's issuer is one of `names` (DER names).
    pub fn issued_by_one_of(&self, names: &[Vec<u8>]) -> bool {
        // SAFETY: the certificate is alive; the issuer name is owned by it; each parsed
        // name is freed here.
        unsafe {
            let issuer = ffi::X509_get_issuer_name(self.as_ptr());
            names.iter().any(|der| {
                let mut p = der.as_ptr();
                let Ok(len) = libc::c_long::try_from(der.len()) else {
                    return false;
                };
                let name = ffi::d2i_X509_NAME(ptr::null_mut(), &mut p, len);
                if name.is_null() {
                    return false;
                }
                let same = ffi::X509_NAME_cmp(issuer, name) == 0;
                ffi::X509_NAME_free(name);
                same
            })
        }
    }
}

/// # Safety
/// `key` is NULL or a valid key.
unsafe fn key_kind(key: *const ffi::EVP_PKEY) -> Option<KeyKind> {
    if key.is_null() {
        return None;
    }
    // SAFETY: guaranteed by the caller.
    let kind = match unsafe { ffi::EVP_PKEY_get_base_id(key) } {
        ffi::EVP_PKEY_RSA => KeyKind::Rsa,
        ffi::EVP_PKEY_RSA_PSS => KeyKind::RsaPss,
        ffi::EVP_PKEY_DSA => KeyKind::Dsa,
        ffi::EVP_PKEY_ED25519 => KeyKind::Ed25519,
        ffi::EVP_PKEY_ED448 => KeyKind::Ed448,
        ffi::EVP_PKEY_EC => {
            let mut name: [libc::c_char; 64] = [0; 64];
            let mut len = 0usize;
            // SAFETY: the buffer is writable for its length.
            let ok = unsafe {
                ffi::EVP_PKEY_get_group_name(key, name.as_mut_ptr(), name.len(), &mut len)
            } == 1;
            // SAFETY: on success libcrypto wrote a NUL-terminated name.
            let nid = if ok {
                unsafe { ffi::OBJ_sn2nid(name.as_ptr()) }
            } else {
                ffi::NID_undef
            };
            KeyKind::Ec(nid)
        }
        _ => return None,
    };
    Some(kind)
}
