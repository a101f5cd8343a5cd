//! libcrypto's text forms of certificates, names and byte dumps, as `SSL_trace` prints
//! them (through a memory BIO).

use super::ffi;
use super::owners::{Bio, Cert};

impl Bio {
    /// An empty memory BIO.
    fn memory() -> Option<Self> {
        // SAFETY: BIO_s_mem returns a static method; BIO_new returns an owned BIO or NULL.
        unsafe { Self::from_raw(ffi::BIO_new(ffi::BIO_s_mem())) }
    }

    /// Everything written to a memory BIO, as text.
    fn contents(&self) -> String {
        let mut data: *mut libc::c_char = std::ptr::null_mut();
        // SAFETY: BIO_CTRL_INFO on a memory BIO stores a pointer to its data (owned by the
        // BIO) and returns its length.
        let len = unsafe {
            ffi::BIO_ctrl(
                self.as_ptr(),
                ffi::BIO_CTRL_INFO,
                0,
                (&mut data as *mut *mut libc::c_char).cast(),
            )
        };
        let Ok(len) = usize::try_from(len) else {
            return String::new();
        };
        if data.is_null() || len == 0 {
            return String::new();
        }
        // SAFETY: data points at len bytes the BIO owns, alive while it lives.
        let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// `BIO_dump_indent`'s hex and ASCII dump of `data`.
pub fn dump_indent(data: &[u8], indent: i32) -> String {
    let Some(bio) = Bio::memory() else {
        return String::new();
    };
    let len = i32::try_from(data.len()).unwrap_or(i32::MAX);
    // SAFETY: data is readable for len bytes; the BIO is alive.
    unsafe { ffi::BIO_dump_indent(bio.as_ptr(), data.as_ptr().cast(), len, indent) };
    bio.contents()
}

/// A certificate as `X509_print_ex(XN_FLAG_ONELINE)` and `PEM_write_bio_X509` print it,
/// and how many bytes of `der` it took; `None` if `der` does not start with one.
pub fn certificate_details(der: &[u8]) -> Option<(String, usize)> {
    let mut p = der.as_ptr();
    let len = libc::c_long::try_from(der.len()).ok()?;
    // SAFETY: p points at len readable bytes; d2i_X509 advances it past what it read and
    // returns an owned certificate or NULL.
    let x = unsafe { Cert::from_raw(ffi::d2i_X509(std::ptr::null_mut(), &mut p, len)) }?;
    let used = p as usize - der.as_ptr() as usize;
    let bio = Bio::memory()?;
    // SAFETY: both objects are alive; the functions only write text to the BIO.
    unsafe {
        ffi::X509_print_ex(
            bio.as_ptr(),
            x.as_ptr(),
            ffi::XN_FLAG_ONELINE as libc::c_ulong,
            0,
        );
        ffi::PEM_write_bio_X509(bio.as_ptr(), x.as_ptr());
    }
    Some((bio.contents(), used))
}

/// A DER distinguished name as `X509_NAME_print_ex(XN_FLAG_ONELINE)` prints it.
pub fn name_oneline(der: &[u8]) -> Option<String> {
    let mut p = der.as_ptr();
    let len = libc::c_long::try_from(der.len()).ok()?;
    // SAFETY: p points at len readable bytes; d2i_X509_NAME returns an owned name or NULL.
    let name = unsafe { ffi::d2i_X509_NAME(std::ptr::null_mut(), &mut p, len) };
    if name.is_null() {
        return None;
    }
    let bio = Bio::memory();
    if let Some(bio) = &bio {
        // SAFETY: both are alive; the name is freed right after.
        unsafe {
            ffi::X509_NAME_print_ex(bio.as_ptr(), name, 0, ffi::XN_FLAG_ONELINE as libc::c_ulong)
        };
    }
    // SAFETY: name came from d2i_X509_NAME and is freed once.
    unsafe { ffi::X509_NAME_free(name) };
    bio.map(|b| b.contents())
}
