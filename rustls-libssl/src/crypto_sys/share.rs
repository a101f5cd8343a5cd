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
