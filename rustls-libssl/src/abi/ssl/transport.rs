//! What an `SSL` reads from and writes to: file descriptors and BIOs, read-ahead, the
//! bytes pending in it and its record-reading state.

use std::ffi::{c_char, c_int};
use std::sync::Mutex;

use super::SSL;
use crate::abi::{c_bool, entry, try_ref};
use crate::crypto_sys::{self as sys, Bio};
use crate::current::lock;
use crate::error::Error;

/// `SSL_set_fd`: reads and writes a socket (a socket BIO that does not close it).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_fd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        let ssl = try_ref!(ssl);
        let bio = Bio::socket(fd).ok_or(Error::Crypto)?;
        set_slot(&ssl.rbio, Some(bio.clone()));
        set_slot(&ssl.wbio, Some(bio));
        Ok(1)
    })
}

/// `SSL_set_rfd`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_rfd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        set_slot(
            &try_ref!(ssl).rbio,
            Some(Bio::socket(fd).ok_or(Error::Crypto)?),
        );
        Ok(1)
    })
}

/// `SSL_set_wfd`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_wfd(ssl: *mut SSL, fd: c_int) -> c_int {
    entry(|| {
        set_slot(
            &try_ref!(ssl).wbio,
            Some(Bio::socket(fd).ok_or(Error::Crypto)?),
        );
        Ok(1)
    })
}

/// Puts `bio` in a BIO slot; the BIO it held is given up as OpenSSL does
/// (`BIO_free_all`: its chain goes with it when this was the last reference).
fn set_slot(slot: &Mutex<Option<Bio>>, bio: Option<Bio>) {
    let old = std::mem::replace(&mut *lock(slot), bio);
    if let Some(old) = old {
        old.free_all();
    }
}

/// `SSL_get_fd`: the descriptor of the read BIO, or -1.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_fd(ssl: *const SSL) -> c_int {
    // SAFETY: same contract.
    unsafe { SSL_get_rfd(ssl) }
}

/// `SSL_get_rfd`: the descriptor of the first descriptor BIO in the read BIO's chain, or
/// -1 (with libcrypto's "passed a null parameter" when there is no read BIO, as OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_rfd(ssl: *const SSL) -> c_int {
    // SAFETY: NULL or a live SSL per the API.
    unsafe { ssl.as_ref() }.map_or(-1, |ssl| chain_fd(&ssl.rbio))
}

/// `SSL_get_wfd`: as `SSL_get_rfd`, for the write BIO.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_wfd(ssl: *const SSL) -> c_int {
    // SAFETY: NULL or a live SSL per the API.
    unsafe { ssl.as_ref() }.map_or(-1, |ssl| chain_fd(&ssl.wbio))
}

/// The descriptor of the first descriptor BIO (socket, fd) in a BIO slot's chain, or -1.
fn chain_fd(slot: &Mutex<Option<Bio>>) -> c_int {
    let bio = lock(slot)
        .as_ref()
        .map_or(std::ptr::null_mut(), Bio::as_ptr);
    let mut fd: c_int = -1;
    // SAFETY: bio is NULL (libcrypto queues its own error and returns NULL) or alive while
    // the slot holds it; BIO_C_GET_FD writes an int through the pointer.
    unsafe {
        let found = sys::BIO_find_type(bio, sys::BIO_TYPE_DESCRIPTOR);
        if !found.is_null() {
            sys::BIO_ctrl(found, sys::BIO_C_GET_FD, 0, (&mut fd as *mut c_int).cast());
        }
    }
    fd
}

/// `SSL_set_bio`: sets both BIOs with OpenSSL's ownership rules: references the caller
/// passes are taken over, one per slot that changes (one more is taken when `rbio ==
/// wbio`, which fills both slots); setting what is already set does nothing.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_bio(ssl: *mut SSL, rbio: *mut sys::BIO, wbio: *mut sys::BIO) {
    entry(|| {
        let ssl = try_ref!(ssl);
        let cur = |slot: &Mutex<Option<Bio>>| {
            lock(slot)
                .as_ref()
                .map_or(std::ptr::null_mut(), Bio::as_ptr)
        };
        let (cur_r, cur_w) = (cur(&ssl.rbio), cur(&ssl.wbio));
        if rbio == cur_r && wbio == cur_w {
            return Ok(());
        }
        if !rbio.is_null() && rbio == wbio {
            // SAFETY: a valid BIO; the extra reference is the second slot's.
            unsafe { sys::BIO_up_ref(rbio) };
        }
        // The caller hands over one reference per slot set.
        if rbio == cur_r {
            // SAFETY: a valid BIO (or NULL) whose reference passes to the slot.
            set_slot(&ssl.wbio, unsafe { Bio::from_raw(wbio) });
            return Ok(());
        }
        if wbio == cur_w && cur_r != cur_w {
            // SAFETY: as above.
            set_slot(&ssl.rbio, unsafe { Bio::from_raw(rbio) });
            return Ok(());
        }
        // SAFETY: as above, one reference for each slot.
        let (r, w) = unsafe { (Bio::from_raw(rbio), Bio::from_raw(wbio)) };
        set_slot(&ssl.rbio, r);
        set_slot(&ssl.wbio, w);
        Ok(())
    })
}

/// `SSL_set0_rbio`: the read BIO, taking over the caller's reference.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_rbio(ssl: *mut SSL, rbio: *mut sys::BIO) {
    entry(|| {
        // SAFETY: the caller hands over its reference.
        set_slot(&try_ref!(ssl).rbio, unsafe { Bio::from_raw(rbio) });
        Ok(())
    })
}

/// `SSL_set0_wbio`: the write BIO, taking over the caller's reference.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_wbio(ssl: *mut SSL, wbio: *mut sys::BIO) {
    entry(|| {
        // SAFETY: the caller hands over its reference.
        set_slot(&try_ref!(ssl).wbio, unsafe { Bio::from_raw(wbio) });
        Ok(())
    })
}

/// `SSL_get_rbio`: the read BIO (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_rbio(ssl: *const SSL) -> *mut sys::BIO {
    entry(|| {
        Ok(lock(&try_ref!(ssl).rbio)
            .as_ref()
            .map_or(std::ptr::null_mut(), Bio::as_ptr))
    })
}

/// `SSL_get_wbio`: the write BIO (get0).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_wbio(ssl: *const SSL) -> *mut sys::BIO {
    entry(|| {
        Ok(lock(&try_ref!(ssl).wbio)
            .as_ref()
            .map_or(std::ptr::null_mut(), Bio::as_ptr))
    })
}

/// `SSL_set_read_ahead`: with 1, reads take as much as the read BIO has (up to one
/// buffer) instead of one record at a time; the application then checks
/// `SSL_has_pending` before waiting on the socket, as with OpenSSL.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_read_ahead(ssl: *mut SSL, yes: c_int) {
    entry(|| {
        try_ref!(ssl).setup().read_ahead = yes != 0;
        Ok(())
    })
}

/// `SSL_get_read_ahead`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_read_ahead(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).setup().read_ahead)))
}

/// `SSL_pending`: decrypted bytes ready to read without touching the BIO.
#[no_mangle]
pub unsafe extern "C" fn SSL_pending(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_int::try_from(try_ref!(ssl).conn()?.pending()).unwrap_or(c_int::MAX)))
}

/// `SSL_has_pending`: 1 if decrypted bytes, or received bytes not yet processed (with
/// read-ahead), are buffered.
#[no_mangle]
pub unsafe extern "C" fn SSL_has_pending(ssl: *const SSL) -> c_int {
    entry(|| Ok(c_bool(try_ref!(ssl).conn()?.has_pending())))
}

/// Whether the connection has read a record header but not all of its body (not known
/// while the connection is busy in a callback: then "header").
fn reading_body(ssl: *const SSL) -> Result<bool, Error> {
    let ssl = try_ref!(ssl);
    Ok(ssl.conn.try_lock().is_ok_and(|c| c.reading_body()))
}

/// `SSL_rstate_string`: the record layer's read state, "RH" (header) or "RB" (body).
#[no_mangle]
pub unsafe extern "C" fn SSL_rstate_string(ssl: *const SSL) -> *const c_char {
    entry(|| Ok(if reading_body(ssl)? { c"RB" } else { c"RH" }.as_ptr()))
}

/// `SSL_rstate_string_long`: "read header" or "read body".
#[no_mangle]
pub unsafe extern "C" fn SSL_rstate_string_long(ssl: *const SSL) -> *const c_char {
    entry(|| {
        Ok(if reading_body(ssl)? {
            c"read body"
        } else {
            c"read header"
        }
        .as_ptr())
    })
}
