//! Tickets sealed by the application's ticket-key callback, in OpenSSL's format:
//! `key_name (16) | iv | AES-CBC(state) | HMAC(key_name | iv | ciphertext)`. The callback
//! chooses the key (by name when opening) and initialises the cipher and HMAC contexts.

use std::ffi::{c_int, c_uint};

use super::SSL;
use crate::crypto_sys as sys;

/// `SSL_CTX_set_tlsext_ticket_key_cb`'s callback.
pub type TicketKeyCallback = unsafe extern "C" fn(
    *mut SSL,
    *mut u8,
    *mut u8,
    *mut sys::EVP_CIPHER_CTX,
    *mut sys::HMAC_CTX,
    c_int,
) -> c_int;

const KEY_NAME_LEN: usize = 16;
const MAX_IV_LEN: usize = sys::EVP_MAX_IV_LENGTH as usize;
const MAX_MAC_LEN: usize = sys::EVP_MAX_MD_SIZE as usize;

/// Cipher and HMAC contexts, freed on drop.
struct Contexts {
    cipher: *mut sys::EVP_CIPHER_CTX,
    hmac: *mut sys::HMAC_CTX,
}

impl Contexts {
    fn new() -> Option<Self> {
        // SAFETY: constructors with no preconditions; NULL results are checked below.
        let c = unsafe {
            Self {
                cipher: sys::EVP_CIPHER_CTX_new(),
                hmac: sys::HMAC_CTX_new(),
            }
        };
        (!c.cipher.is_null() && !c.hmac.is_null()).then_some(c)
    }
}

impl Drop for Contexts {
    fn drop(&mut self) {
        // SAFETY: both were made by Contexts::new (NULL is accepted by the free functions).
        unsafe {
            sys::EVP_CIPHER_CTX_free(self.cipher);
            sys::HMAC_CTX_free(self.hmac);
        }
    }
}

/// Seals `plain` with the key the callback picks; `None` if it declines or fails.
pub fn seal(cb: TicketKeyCallback, ssl: *mut SSL, plain: &[u8]) -> Option<Vec<u8>> {
    let ctx = Contexts::new()?;
    let mut key_name = [0u8; KEY_NAME_LEN];
    let mut iv = [0u8; MAX_IV_LEN];
    // SAFETY: the application's callback with buffers of the sizes OpenSSL documents and
    // fresh contexts; it initialises them for encryption.
    if unsafe {
        cb(
            ssl,
            key_name.as_mut_ptr(),
            iv.as_mut_ptr(),
            ctx.cipher,
            ctx.hmac,
            1,
        )
    } != 1
    {
        return None;
    }
    // SAFETY: the cipher context was initialised by the callback.
    let (iv_len, block) = unsafe {
        (
            sys::EVP_CIPHER_CTX_get_iv_length(ctx.cipher),
            sys::EVP_CIPHER_CTX_get_block_size(ctx.cipher),
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
        sys::EVP_EncryptUpdate(
            ctx.cipher,
            out.as_mut_ptr().add(start),
            &mut n,
            plain.as_ptr(),
            plain_len,
        ) == 1
            && sys::EVP_EncryptFinal_ex(
                ctx.cipher,
                out.as_mut_ptr().add(start + usize::try_from(n).ok()?),
                &mut fin,
            ) == 1
    };
    if !ok {
        return None;
    }
    out.truncate(start + usize::try_from(n).ok()? + usize::try_from(fin).ok()?);
    let mut mac = [0u8; MAX_MAC_LEN];
    let mut mac_len: c_uint = 0;
    // SAFETY: the HMAC context was initialised by the callback; mac has EVP_MAX_MD_SIZE room.
    let ok = unsafe {
        sys::HMAC_Update(ctx.hmac, out.as_ptr(), out.len()) == 1
            && sys::HMAC_Final(ctx.hmac, mac.as_mut_ptr(), &mut mac_len) == 1
    };
    if !ok {
        return None;
    }
    out.extend_from_slice(&mac[..(mac_len as usize).min(MAX_MAC_LEN)]);
    Some(out)
}

/// Opens a ticket: `None` if the callback does not know its key, the MAC is wrong or it
/// does not decrypt (the client then gets a full handshake).
pub fn open(cb: TicketKeyCallback, ssl: *mut SSL, ticket: &[u8]) -> Option<Vec<u8>> {
    let ctx = Contexts::new()?;
    if ticket.len() < KEY_NAME_LEN + MAX_IV_LEN {
        return None;
    }
    let mut key_name = [0u8; KEY_NAME_LEN];
    key_name.copy_from_slice(&ticket[..KEY_NAME_LEN]);
    let mut iv = [0u8; MAX_IV_LEN];
    iv.copy_from_slice(&ticket[KEY_NAME_LEN..KEY_NAME_LEN + MAX_IV_LEN]);
    // SAFETY: as in `seal`; the callback initialises the contexts for decryption.
    let r = unsafe {
        cb(
            ssl,
            key_name.as_mut_ptr(),
            iv.as_mut_ptr(),
            ctx.cipher,
            ctx.hmac,
            0,
        )
    };
    if r != 1 && r != 2 {
        return None;
    }
    // SAFETY: both contexts were initialised by the callback.
    let (iv_len, mac_len) = unsafe {
        (
            usize::try_from(sys::EVP_CIPHER_CTX_get_iv_length(ctx.cipher)).ok()?,
            sys::HMAC_size(ctx.hmac),
        )
    };
    let body_start = KEY_NAME_LEN + iv_len;
    if ticket.len() < body_start + mac_len {
        return None;
    }
    let (signed, mac) = ticket.split_at(ticket.len() - mac_len);
    let mut expect = [0u8; MAX_MAC_LEN];
    let mut expect_len: c_uint = 0;
    // SAFETY: initialised HMAC context; expect has EVP_MAX_MD_SIZE room.
    let ok = unsafe {
        sys::HMAC_Update(ctx.hmac, signed.as_ptr(), signed.len()) == 1
            && sys::HMAC_Final(ctx.hmac, expect.as_mut_ptr(), &mut expect_len) == 1
    };
    let expect = &expect[..(expect_len as usize).min(MAX_MAC_LEN)];
    if !ok || expect.len() != mac.len() {
        return None;
    }
    // SAFETY: CRYPTO_memcmp reads both buffers for mac.len() bytes.
    if unsafe { sys::CRYPTO_memcmp(expect.as_ptr().cast(), mac.as_ptr().cast(), mac.len()) } != 0 {
        return None;
    }
    let body = &signed[body_start..];
    let mut out = vec![0u8; body.len() + MAX_IV_LEN];
    let mut n: c_int = 0;
    let mut fin: c_int = 0;
    let body_len = c_int::try_from(body.len()).ok()?;
    // SAFETY: `out` has room for the input plus one block.
    let ok = unsafe {
        sys::EVP_DecryptUpdate(
            ctx.cipher,
            out.as_mut_ptr(),
            &mut n,
            body.as_ptr(),
            body_len,
        ) == 1
            && sys::EVP_DecryptFinal_ex(
                ctx.cipher,
                out.as_mut_ptr().add(usize::try_from(n).ok()?),
                &mut fin,
            ) == 1
    };
    if !ok {
        return None;
    }
    out.truncate(usize::try_from(n).ok()? + usize::try_from(fin).ok()?);
    Some(out)
}
