//! Session tickets in OpenSSL's format: `key_name (16) | iv | AES-CBC(state) |
//! HMAC(key_name | iv | ciphertext)`, with libcrypto's EVP ciphers and MACs. The key comes
//! from a [`KeySource`]: the application's ticket-key callback (either flavour) or keys
//! the context holds (`SSL_CTX_set_tlsext_ticket_keys`).

use std::ffi::{c_int, c_uint};

use super::ffi;

/// Length of a ticket's key name.
pub const KEY_NAME_LEN: usize = 16;
const MAX_IV_LEN: usize = ffi::EVP_MAX_IV_LENGTH as usize;
const MAX_MAC_LEN: usize = ffi::EVP_MAX_MD_SIZE as usize;

/// The MAC context a key source initialises: the legacy `HMAC_CTX` or an `EVP_MAC_CTX`.
pub enum Mac {
    Hmac(*mut ffi::HMAC_CTX),
    Evp(*mut ffi::EVP_MAC_CTX),
}

/// Chooses the key of a ticket and sets up the contexts, as OpenSSL's ticket-key callbacks
/// do: `enc` 1 to seal (fill `key_name` and `iv`), 0 to open (find the key named
/// `key_name`). Returns the callback convention: 1 (or 2: renew) on success, 0 for an
/// unknown key, negative on error.
pub trait KeySource {
    /// The MAC flavour this source initialises.
    fn evp_mac(&self) -> bool;

    /// Initialises `cipher` and `mac` for the ticket key.
    ///
    /// # Safety
    /// `key_name` has 16 writable bytes, `iv` `EVP_MAX_IV_LENGTH`; the contexts are fresh.
    unsafe fn init(
        &self,
        key_name: *mut u8,
        iv: *mut u8,
        cipher: *mut ffi::EVP_CIPHER_CTX,
        mac: &Mac,
        enc: c_int,
    ) -> c_int;
}

/// Cipher and MAC contexts, freed on drop.
struct Contexts {
    cipher: *mut ffi::EVP_CIPHER_CTX,
    mac: Mac,
    /// The fetched HMAC implementation behind an `EVP_MAC_CTX`.
    evp_mac: *mut ffi::EVP_MAC,
}

impl Contexts {
    fn new(evp: bool) -> Option<Self> {
        // SAFETY: constructors with no preconditions; NULL results are checked below and
        // the free functions accept NULL.
        let c = unsafe {
            let cipher = ffi::EVP_CIPHER_CTX_new();
            if evp {
                let evp_mac =
                    ffi::EVP_MAC_fetch(std::ptr::null_mut(), c"HMAC".as_ptr(), std::ptr::null());
                let ctx = if evp_mac.is_null() {
                    std::ptr::null_mut()
                } else {
                    ffi::EVP_MAC_CTX_new(evp_mac)
                };
                Self {
                    cipher,
                    mac: Mac::Evp(ctx),
                    evp_mac,
                }
            } else {
                Self {
                    cipher,
                    mac: Mac::Hmac(ffi::HMAC_CTX_new()),
                    evp_mac: std::ptr::null_mut(),
                }
            }
        };
        let mac_ok = match c.mac {
            Mac::Hmac(h) => !h.is_null(),
            Mac::Evp(m) => !m.is_null(),
        };
        (!c.cipher.is_null() && mac_ok).then_some(c)
    }

    fn mac_update(&self, data: &[u8]) -> bool {
        // SAFETY: the MAC context was initialised by the key source; data is readable.
        unsafe {
            match self.mac {
                Mac::Hmac(h) => ffi::HMAC_Update(h, data.as_ptr(), data.len()) == 1,
                Mac::Evp(m) => ffi::EVP_MAC_update(m, data.as_ptr(), data.len()) == 1,
            }
        }
    }

    fn mac_final(&self) -> Option<Vec<u8>> {
        let mut out = [0u8; MAX_MAC_LEN];
        // SAFETY: initialised contexts; `out` has EVP_MAX_MD_SIZE bytes of room.
        let len = unsafe {
            match self.mac {
                Mac::Hmac(h) => {
                    let mut len: c_uint = 0;
                    (ffi::HMAC_Final(h, out.as_mut_ptr(), &mut len) == 1).then_some(len as usize)
                }
                Mac::Evp(m) => {
                    let mut len = 0usize;
                    (ffi::EVP_MAC_final(m, out.as_mut_ptr(), &mut len, MAX_MAC_LEN) == 1)
                        .then_some(len)
                }
            }
        }?;
        Some(out[..len.min(MAX_MAC_LEN)].to_vec())
    }

    fn mac_size(&self) -> usize {
        // SAFETY: initialised contexts.
        unsafe {
            match self.mac {
                Mac::Hmac(h) => ffi::HMAC_size(h),
                Mac::Evp(m) => ffi::EVP_MAC_CTX_get_mac_size(m),
            }
        }
    }
}

impl Drop for Contexts {
    fn drop(&mut self) {
        // SAFETY: all were made by Contexts::new (the free functions accept NULL).
        unsafe {
            ffi::EVP_CIPHER_CTX_free(self.cipher);
            match self.mac {
                Mac::Hmac(h) => ffi::HMAC_CTX_free(h),
                Mac::Evp(m) => ffi::EVP_MAC_CTX_free(m),
            }
            ffi::EVP_MAC_free(self.evp_mac);
        }
    }
}

/// Seals `plain` with the key `keys` picks; `None` if it declines or fails.
pub fn seal(keys: &dyn KeySource, plain: &[u8]) -> Option<Vec<u8>> {
    let ctx = Contexts::new(keys.evp_mac())?;
    let mut key_name = [0u8; KEY_NAME_LEN];
    let mut iv = [0u8; MAX_IV_LEN];
    // SAFETY: buffers of the documented sizes and fresh contexts.
    if unsafe {
        keys.init(
            key_name.as_mut_ptr(),
            iv.as_mut_ptr(),
            ctx.cipher,
            &ctx.mac,
            1,
        )
    } != 1
    {
        return None;
    }
    // SAFETY: the cipher context was initialised by the key source.
    let (iv_len, block) = unsafe {
        (
            ffi::EVP_CIPHER_CTX_get_iv_length(ctx.cipher),
            ffi::EVP_CIPHER_CTX_get_block_size(ctx.cipher),
        )
    };
    let (iv_len, block) = (usize::try_from(iv_len).ok()?, usize::try_from(block).ok()?);
    let mut out = Vec::with_capacity(KEY_NAME_LEN + iv_len + plain.len() + block + MAX_MAC_LEN);
    out.extend_from_slice(&key_name);
    out.extend_from_slice(&iv[..iv_len.min(MAX_IV_LEN)]);
    let start = out.len();
    out.resize(start + plain.len() + block, 0);
    let mut n: c_int = 0;
    let mut fin: c_int = 0;
    let plain_len = c_int::try_from(plain.len()).ok()?;
    // SAFETY: `out` has room for the input plus one block, as EVP requires.
    let ok = unsafe {
        ffi::EVP_EncryptUpdate(
            ctx.cipher,
            out.as_mut_ptr().add(start),
            &mut n,
            plain.as_ptr(),
            plain_len,
        ) == 1
            && ffi::EVP_EncryptFinal_ex(
                ctx.cipher,
                out.as_mut_ptr().add(start + usize::try_from(n).ok()?),
                &mut fin,
            ) == 1
    };
    if !ok {
        return None;
    }
    out.truncate(start + usize::try_from(n).ok()? + usize::try_from(fin).ok()?);
    if !ctx.mac_update(&out) {
        return None;
    }
    let mac = ctx.mac_final()?;
    out.extend_from_slice(&mac);
    Some(out)
}

/// Opens a ticket: its plaintext, and whether the key source asked for it to be renewed
/// (the callback returned 2); `None` if the key source does not know its key, the MAC is
/// wrong or it does not decrypt (the client then gets a full handshake).
pub fn open(keys: &dyn KeySource, ticket: &[u8]) -> Option<(Vec<u8>, bool)> {
    let ctx = Contexts::new(keys.evp_mac())?;
    if ticket.len() < KEY_NAME_LEN + MAX_IV_LEN {
        return None;
    }
    let mut key_name = [0u8; KEY_NAME_LEN];
    key_name.copy_from_slice(&ticket[..KEY_NAME_LEN]);
    let mut iv = [0u8; MAX_IV_LEN];
    iv.copy_from_slice(&ticket[KEY_NAME_LEN..KEY_NAME_LEN + MAX_IV_LEN]);
    // SAFETY: as in `seal`; the source initialises the contexts for decryption.
    let r = unsafe {
        keys.init(
            key_name.as_mut_ptr(),
            iv.as_mut_ptr(),
            ctx.cipher,
            &ctx.mac,
            0,
        )
    };
    if r != 1 && r != 2 {
        return None;
    }
    let renew = r == 2;
    // SAFETY: the cipher context was initialised by the key source.
    let iv_len = usize::try_from(unsafe { ffi::EVP_CIPHER_CTX_get_iv_length(ctx.cipher) }).ok()?;
    let mac_len = ctx.mac_size();
    let body_start = KEY_NAME_LEN + iv_len;
    if ticket.len() < body_start + mac_len {
        return None;
    }
    let (signed, mac) = ticket.split_at(ticket.len() - mac_len);
    if !ctx.mac_update(signed) {
        return None;
    }
    let expect = ctx.mac_final()?;
    if expect.len() != mac.len() {
        return None;
    }
    // SAFETY: CRYPTO_memcmp reads both buffers for mac.len() bytes.
    if unsafe { ffi::CRYPTO_memcmp(expect.as_ptr().cast(), mac.as_ptr().cast(), mac.len()) } != 0 {
        return None;
    }
    let body = &signed[body_start..];
    let mut out = vec![0u8; body.len() + MAX_IV_LEN];
    let mut n: c_int = 0;
    let mut fin: c_int = 0;
    let body_len = c_int::try_from(body.len()).ok()?;
    // SAFETY: `out` has room for the input plus one block.
    let ok = unsafe {
        ffi::EVP_DecryptUpdate(
            ctx.cipher,
            out.as_mut_ptr(),
            &mut n,
            body.as_ptr(),
            body_len,
        ) == 1
            && ffi::EVP_DecryptFinal_ex(
                ctx.cipher,
                out.as_mut_ptr().add(usize::try_from(n).ok()?),
                &mut fin,
            ) == 1
    };
    if !ok {
        return None;
    }
    out.truncate(usize::try_from(n).ok()? + usize::try_from(fin).ok()?);
    Some((out, renew))
}

/// A context's own ticket keys in OpenSSL's layout (`SSL_CTX_set_tlsext_ticket_keys`):
/// key name (16), HMAC-SHA256 key (32), AES-256-CBC key (32).
#[derive(Clone)]
pub struct FixedKeys(pub [u8; 80]);

impl FixedKeys {
    /// Fresh random keys; `None` if the RNG fails.
    pub fn random() -> Option<Self> {
        let mut k = [0u8; 80];
        aws_lc_rs::rand::fill(&mut k).ok()?;
        Some(Self(k))
    }
}

impl Drop for FixedKeys {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

impl KeySource for FixedKeys {
    fn evp_mac(&self) -> bool {
        true
    }

    /// # Safety
    /// As [`KeySource::init`].
    unsafe fn init(
        &self,
        key_name: *mut u8,
        iv: *mut u8,
        cipher: *mut ffi::EVP_CIPHER_CTX,
        mac: &Mac,
        enc: c_int,
    ) -> c_int {
        let (name, rest) = self.0.split_at(KEY_NAME_LEN);
        let (hmac_key, aes_key) = rest.split_at(32);
        // SAFETY: the caller guarantees the buffer sizes; the contexts are fresh.
        unsafe {
            let name_buf = std::slice::from_raw_parts_mut(key_name, KEY_NAME_LEN);
            let iv_buf = std::slice::from_raw_parts_mut(iv, 16);
            if enc == 1 {
                name_buf.copy_from_slice(name);
                if aws_lc_rs::rand::fill(iv_buf).is_err() {
                    return -1;
                }
            } else if name_buf != name {
                return 0;
            }
            let cipher_ok = ffi::EVP_CipherInit_ex(
                cipher,
                ffi::EVP_aes_256_cbc(),
                std::ptr::null_mut(),
                aes_key.as_ptr(),
                iv,
                enc,
            ) == 1;
            let Mac::Evp(m) = *mac else {
                return -1;
            };
            let mut params = [
                ffi::OSSL_PARAM_construct_utf8_string(
                    c"digest".as_ptr(),
                    c"SHA256".as_ptr().cast_mut(),
                    0,
                ),
                ffi::OSSL_PARAM_construct_end(),
            ];
            let mac_ok =
                ffi::EVP_MAC_init(m, hmac_key.as_ptr(), hmac_key.len(), params.as_mut_ptr()) == 1;
            if cipher_ok && mac_ok {
                1
            } else {
                -1
            }
        }
    }
}
