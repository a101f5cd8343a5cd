//! CA names read from certificate files, directories and `OSSL_STORE` URIs, as OpenSSL's
//! `SSL_load_client_CA_file` and `SSL_add_*_cert_subjects_to_stack` read them: the same
//! libcrypto readers and errors, the same duplicate checks, and the same side effect of
//! the `add` functions (libcrypto's `sk_find` sorts the stack by name DER before looking,
//! so names already on it end up sorted).

use std::ffi::{c_int, c_void, CString};
use std::ptr;

use super::ffi;
use super::owners::{Bio, Cert};
use super::stacks::NameStack;

/// The subjects of the certificates in a PEM file, each once, in file order
/// (`SSL_load_client_CA_file`); `None` if the file cannot be read or holds none (errors
/// queued by libcrypto).
pub fn load_file_subjects(path: &str) -> Option<NameStack> {
    let bio = Bio::read_file(path)?;
    let certs = bio.read_pem_certs();
    if certs.is_empty() {
        return None;
    }
    let stack = NameStack::new()?;
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for cert in certs {
        let der = cert.subject_der()?;
        if seen.contains(&der) {
            continue;
        }
        seen.push(der);
        // SAFETY: the stack is ours; the certificate is alive.
        if !unsafe { super::push_subject(stack.as_ptr(), &cert) } {
            return None;
        }
    }
    super::clear_errors();
    Some(stack)
}

/// `SSL_add_file_cert_subjects_to_stack`: appends the subjects of the certificates of a
/// PEM file that `stack` does not hold; false if the file cannot be opened (libcrypto's
/// errors queued).
///
/// # Safety
/// `stack` is a valid `STACK_OF(X509_NAME)`.
pub unsafe fn add_file_subjects(stack: *mut ffi::OPENSSL_STACK, path: &str) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe {
        with_name_order(stack, || {
            let Some(bio) = Bio::read_file(path) else {
                return false;
            };
            for cert in bio.read_pem_certs() {
                if !add_subject(stack, &cert) {
                    return false;
                }
            }
            super::clear_errors();
            true
        })
    }
}

/// `SSL_add_store_cert_subjects_to_stack`: the subjects of the certificates an
/// `OSSL_STORE` URI names (a file, or a directory one level deep); false with libcrypto's
/// errors if the URI cannot be opened.
///
/// # Safety
/// `stack` is a valid `STACK_OF(X509_NAME)`.
pub unsafe fn add_store_subjects(stack: *mut ffi::OPENSSL_STACK, uri: &str) -> bool {
    let Ok(uri) = CString::new(uri) else {
        return false;
    };
    // SAFETY: guaranteed by the caller.
    unsafe { with_name_order(stack, || add_store_level(stack, &uri, 1)) }
}

/// One level of an `OSSL_STORE` URI.
///
/// # Safety
/// `stack` is a valid `STACK_OF(X509_NAME)` with the name comparison set.
unsafe fn add_store_level(
    stack: *mut ffi::OPENSSL_STACK,
    uri: &std::ffi::CStr,
    depth: u32,
) -> bool {
    // SAFETY: the store context and each info are released here; the certificates they
    // hold are only read while they live.
    unsafe {
        let ctx = ffi::OSSL_STORE_open(
            uri.as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            None,
            ptr::null_mut(),
        );
        if ctx.is_null() {
            return false;
        }
        let mut ok = true;
        while ffi::OSSL_STORE_eof(ctx) == 0 && ffi::OSSL_STORE_error(ctx) == 0 {
            let info = ffi::OSSL_STORE_load(ctx);
            if info.is_null() {
                continue;
            }
            match ffi::OSSL_STORE_INFO_get_type(info) {
                ffi::OSSL_STORE_INFO_NAME => {
                    if depth > 0 {
                        let name = ffi::OSSL_STORE_INFO_get0_NAME(info);
                        if !name.is_null() {
                            ok = add_store_level(stack, std::ffi::CStr::from_ptr(name), depth - 1);
                        }
                    }
                }
                ffi::OSSL_STORE_INFO_CERT => {
                    let x = ffi::OSSL_STORE_INFO_get0_CERT(info);
                    let added = Cert::from_ptr_up_ref(x).is_some_and(|c| add_subject(stack, &c));
                    if !added {
                        ffi::OSSL_STORE_INFO_free(info);
                        ffi::OSSL_STORE_close(ctx);
                        return false;
                    }
                }
                _ => {}
            }
            ffi::OSSL_STORE_INFO_free(info);
        }
        super::clear_errors();
        ffi::OSSL_STORE_close(ctx);
        ok
    }
}

/// Runs `f` with the stack comparing names as OpenSSL's CA-list helpers do, then restores
/// its comparison.
///
/// # Safety
/// `stack` is a valid stack of names.
unsafe fn with_name_order(stack: *mut ffi::OPENSSL_STACK, f: impl FnOnce() -> bool) -> bool {
    // SAFETY: guaranteed by the caller.
    let old = unsafe { ffi::OPENSSL_sk_set_cmp_func(stack, Some(name_cmp)) };
    let ok = f();
    // SAFETY: as above.
    unsafe { ffi::OPENSSL_sk_set_cmp_func(stack, old) };
    ok
}

/// Appends a copy of `cert`'s subject unless the stack holds an equal name (libcrypto's
/// `sk_find`, which sorts the stack first).
///
/// # Safety
/// `stack` is a valid stack of names with [`name_cmp`] set.
unsafe fn add_subject(stack: *mut ffi::OPENSSL_STACK, cert: &Cert) -> bool {
    // SAFETY: guaranteed by the caller; the copy is owned by the stack once pushed.
    unsafe {
        let name = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
        if name.is_null() {
            return false;
        }
        if ffi::OPENSSL_sk_find(stack, name.cast()) >= 0 {
            ffi::X509_NAME_free(name);
            return true;
        }
        if ffi::OPENSSL_sk_push(stack, name.cast()) == 0 {
            ffi::X509_NAME_free(name);
            return false;
        }
        true
    }
}

/// OpenSSL's order of names on CA lists: by DER length, then DER bytes.
///
/// # Safety
/// Called by libcrypto with pointers to two elements of a stack of names.
unsafe extern "C" fn name_cmp(a: *const c_void, b: *const c_void) -> c_int {
    // SAFETY: libcrypto passes pointers to two elements of a stack of names.
    let (a, b) = unsafe {
        (
            *a.cast::<*const ffi::X509_NAME>(),
            *b.cast::<*const ffi::X509_NAME>(),
        )
    };
    let der = |n: *const ffi::X509_NAME| -> Option<Vec<u8>> {
        let mut out: *mut u8 = ptr::null_mut();
        // SAFETY: n is a valid name; i2d allocates the encoding, freed below.
        let len = unsafe { ffi::i2d_X509_NAME(n, &mut out) };
        let len = usize::try_from(len).ok()?;
        // SAFETY: out holds len bytes from i2d.
        let v = unsafe { std::slice::from_raw_parts(out, len) }.to_vec();
        // SAFETY: allocated by i2d above.
        unsafe { ffi::CRYPTO_free(out.cast(), c"names.rs".as_ptr(), 0) };
        Some(v)
    };
    match (der(a), der(b)) {
        (Some(a), Some(b)) if a.len() != b.len() => {
            c_int::try_from(a.len()).unwrap_or(0) - c_int::try_from(b.len()).unwrap_or(0)
        }
        (Some(a), Some(b)) => match a.cmp(&b) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        },
        _ => -2,
    }
}
