//! Reference-counted owners of libcrypto objects.
//!
//! Each owner holds one reference and drops it on `Drop`. `from_raw` takes over a reference
//! the caller already owns; `from_ptr_up_ref` takes a new one. libcrypto's reference counts
//! are atomic and these objects are immutable once shared or carry their own lock
//! (X509_STORE), so the owners are `Send + Sync`.

use std::ffi::CString;
use std::io;
use std::ptr::NonNull;

use super::ffi;

macro_rules! owner {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $up:path, $free:path) => {
        $(#[$doc])*
        pub struct $name(NonNull<$raw>);

        impl $name {
            /// Takes over one reference the caller owns; `None` for NULL.
            ///
            /// # Safety
            /// `ptr` is NULL or a valid object whose reference passes to the result.
            pub unsafe fn from_raw(ptr: *mut $raw) -> Option<Self> {
                NonNull::new(ptr).map(Self)
            }

            /// Takes a new reference to an object the caller keeps its own reference to.
            ///
            /// # Safety
            /// `ptr` is NULL or a valid object.
            pub unsafe fn from_ptr_up_ref(ptr: *mut $raw) -> Option<Self> {
                let ptr = NonNull::new(ptr)?;
                // SAFETY: the caller guarantees a valid object.
                unsafe { $up(ptr.as_ptr()) };
                Some(Self(ptr))
            }

            /// The raw pointer, still owned by `self` (a get0).
            pub fn as_ptr(&self) -> *mut $raw {
                self.0.as_ptr()
            }

            /// A new reference to the object, owned by the caller (a get1).
            pub fn up_ref_raw(&self) -> *mut $raw {
                // SAFETY: self holds a reference, so the object is alive.
                unsafe { $up(self.0.as_ptr()) };
                self.0.as_ptr()
            }
        }

        impl Clone for $name {
            fn clone(&self) -> Self {
                Self(NonNull::new(self.up_ref_raw()).expect("non-null by construction"))
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: self owns exactly one reference.
                unsafe { $free(self.0.as_ptr()) };
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({:p})"), self.0.as_ptr())
            }
        }

        // SAFETY: libcrypto reference counts are atomic, and the shim never mutates a shared
        // object of this type without libcrypto's own locking.
        unsafe impl Send for $name {}
        // SAFETY: as above.
        unsafe impl Sync for $name {}
    };
}

owner!(
    /// An `X509` certificate.
    Cert, ffi::X509, ffi::X509_up_ref, ffi::X509_free
);
owner!(
    /// An `EVP_PKEY` key.
    PKey, ffi::EVP_PKEY, ffi::EVP_PKEY_up_ref, ffi::EVP_PKEY_free
);
owner!(
    /// An `X509_STORE` trust store; it locks itself.
    X509Store, ffi::X509_STORE, ffi::X509_STORE_up_ref, ffi::X509_STORE_free
);
owner!(
    /// A `BIO`.
    Bio, ffi::BIO, ffi::BIO_up_ref, ffi::BIO_free
);

impl Cert {
    /// Parses DER.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let mut p = der.as_ptr();
        let len = libc::c_long::try_from(der.len()).ok()?;
        // SAFETY: p points at len readable bytes; d2i allocates a new object we own.
        unsafe { Self::from_raw(ffi::d2i_X509(std::ptr::null_mut(), &mut p, len)) }
    }

    /// DER encoding.
    pub fn to_der(&self) -> Option<Vec<u8>> {
        i2d_vec(|out| {
            // SAFETY: self is a valid Cert; out is NULL or a buffer of the reported length.
            unsafe { ffi::i2d_X509(self.as_ptr(), out) }
        })
    }

    /// The SubjectPublicKeyInfo DER of the certificate's key, as libcrypto reads it (any
    /// certificate version).
    pub fn spki_der(&self) -> Option<Vec<u8>> {
        // SAFETY: self is a valid Cert; the X509_PUBKEY is owned by it (get0).
        let pubkey = unsafe { ffi::X509_get_X509_PUBKEY(self.as_ptr()) };
        if pubkey.is_null() {
            return None;
        }
        i2d_vec(|out| {
            // SAFETY: pubkey is valid while self lives; out is NULL or a buffer of the
            // reported length.
            unsafe { ffi::i2d_X509_PUBKEY(pubkey, out) }
        })
    }
}

impl PKey {
    /// The key as PKCS#8 PrivateKeyInfo DER (for rustls's key loading).
    pub fn to_pkcs8_der(&self) -> Option<Vec<u8>> {
        // SAFETY: self is a valid EVP_PKEY; the returned object is ours to free.
        let p8 = unsafe { ffi::EVP_PKEY2PKCS8(self.as_ptr()) };
        if p8.is_null() {
            return None;
        }
        let der = i2d_vec(|out| {
            // SAFETY: p8 is valid until freed below.
            unsafe { ffi::i2d_PKCS8_PRIV_KEY_INFO(p8, out) }
        });
        // SAFETY: p8 came from EVP_PKEY2PKCS8 and is freed once.
        unsafe { ffi::PKCS8_PRIV_KEY_INFO_free(p8) };
        der
    }

    /// The SubjectPublicKeyInfo DER of the key.
    pub fn public_der(&self) -> Option<Vec<u8>> {
        i2d_vec(|out| {
            // SAFETY: self is a valid EVP_PKEY.
            unsafe { ffi::i2d_PUBKEY(self.as_ptr(), out) }
        })
    }
}

impl X509Store {
    /// A new empty store.
    pub fn new() -> Option<Self> {
        // SAFETY: X509_STORE_new has no preconditions and returns an owned object.
        unsafe { Self::from_raw(ffi::X509_STORE_new()) }
    }
}

impl Bio {
    /// A file BIO reading `path` (`BIO_read_filename`); `None` with libcrypto's errors
    /// (the system error and `ERR_R_SYS_LIB`) queued if it cannot be opened.
    pub fn read_file(path: &str) -> Option<Self> {
        let path = CString::new(path).ok()?;
        // SAFETY: BIO_s_file returns a static method; BIO_new an owned BIO or NULL.
        let bio = unsafe { Self::from_raw(ffi::BIO_new(ffi::BIO_s_file())) }?;
        // SAFETY: the BIO is alive; path is a C string libcrypto copies (BIO_read_filename
        // is this ctrl).
        let ok = unsafe {
            ffi::BIO_ctrl(
                bio.as_ptr(),
                ffi::BIO_C_SET_FILENAME,
                libc::c_long::from(ffi::BIO_CLOSE | ffi::BIO_FP_READ),
                path.as_ptr().cast_mut().cast(),
            )
        } > 0;
        ok.then_some(bio)
    }

    /// The next PEM block (name, decoded data); `None` at the end of the input or on an
    /// error (libcrypto's error queued: "no start line" at the end).
    pub fn read_pem_block(&self) -> Option<(String, Vec<u8>)> {
        let mut name: *mut libc::c_char = std::ptr::null_mut();
        let mut header: *mut libc::c_char = std::ptr::null_mut();
        let mut data: *mut u8 = std::ptr::null_mut();
        let mut len: libc::c_long = 0;
        // SAFETY: the BIO is alive; PEM_read_bio allocates the three outputs, freed here.
        unsafe {
            if ffi::PEM_read_bio(self.as_ptr(), &mut name, &mut header, &mut data, &mut len) == 0 {
                return None;
            }
            let text = std::ffi::CStr::from_ptr(name)
                .to_string_lossy()
                .into_owned();
            let bytes =
                std::slice::from_raw_parts(data, usize::try_from(len).unwrap_or(0)).to_vec();
            ffi::CRYPTO_free(name.cast(), c"owners.rs".as_ptr(), 0);
            ffi::CRYPTO_free(header.cast(), c"owners.rs".as_ptr(), 0);
            ffi::CRYPTO_free(data.cast(), c"owners.rs".as_ptr(), 0);
            Some((text, bytes))
        }
    }

    /// Whether the last error queued is PEM's "no start line" (the end of a PEM file).
    pub fn last_error_is_end_of_pem() -> bool {
        // SAFETY: reads this thread's error queue.
        let code = unsafe { ffi::ERR_peek_last_error() };
        err_lib(code) == ffi::ERR_LIB_PEM && err_reason(code) == ffi::PEM_R_NO_START_LINE
    }

    /// A read-only memory BIO over a file's contents, for the PEM readers.
    pub fn open_file(path: &str) -> io::Result<Self> {
        let data = std::fs::read(path)?;
        Self::from_bytes(&data)
    }

    /// A memory BIO holding a copy of `data`.
    pub fn from_bytes(data: &[u8]) -> io::Result<Self> {
        // SAFETY: BIO_s_mem returns a static method; BIO_new returns an owned BIO.
        let bio = unsafe { Self::from_raw(ffi::BIO_new(ffi::BIO_s_mem())) }
            .ok_or_else(|| io::Error::other("BIO_new failed"))?;
        let mut rest = data;
        while !rest.is_empty() {
            let n = rest.len().min(i32::MAX as usize);
            // SAFETY: rest points at n readable bytes; the memory BIO copies them.
            let w = unsafe { ffi::BIO_write(bio.as_ptr(), rest.as_ptr().cast(), n as i32) };
            let w = usize::try_from(w).map_err(|_| io::Error::other("BIO_write failed"))?;
            rest = &rest[w..];
        }
        Ok(bio)
    }

    /// A file BIO over an application's `FILE *`, which it does not close.
    pub fn for_file(fp: *mut ffi::FILE) -> Option<Self> {
        if fp.is_null() {
            return None;
        }
        // SAFETY: fp is a valid stream the caller keeps open while the BIO lives.
        unsafe { Self::from_raw(ffi::BIO_new_fp(fp, ffi::BIO_NOCLOSE)) }
    }

    /// A socket BIO over `fd`, which it does not close.
    pub fn socket(fd: i32) -> Option<Self> {
        // SAFETY: BIO_new_socket only stores the descriptor.
        unsafe { Self::from_raw(ffi::BIO_new_socket(fd, ffi::BIO_NOCLOSE)) }
    }

    /// BIO_read into `buf`, mapping a retryable failure to `WouldBlock` and EOF to `Ok(0)`.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len().min(i32::MAX as usize) as i32;
        clear_errno();
        // SAFETY: buf is writable for len bytes; the BIO is alive.
        let n = unsafe { ffi::BIO_read(self.as_ptr(), buf.as_mut_ptr().cast(), len) };
        match usize::try_from(n) {
            Ok(n) if n > 0 => Ok(n),
            _ if self.should_retry() => Err(io::ErrorKind::WouldBlock.into()),
            _ if n == 0 => Ok(0),
            _ => Err(io::Error::last_os_error()),
        }
    }

    /// BIO_write of `buf`, mapping a retryable failure to `WouldBlock`.
    pub fn write(&self, buf: &[u8]) -> io::Result<usize> {
        let len = buf.len().min(i32::MAX as usize) as i32;
        clear_errno();
        // SAFETY: buf is readable for len bytes; the BIO is alive.
        let n = unsafe { ffi::BIO_write(self.as_ptr(), buf.as_ptr().cast(), len) };
        match usize::try_from(n) {
            Ok(n) if n > 0 => Ok(n),
            _ if self.should_retry() => Err(io::ErrorKind::WouldBlock.into()),
            _ => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "BIO_write failed",
            )),
        }
    }

    /// BIO_flush.
    pub fn flush(&self) -> io::Result<()> {
        // SAFETY: the BIO is alive; BIO_ctrl with BIO_CTRL_FLUSH takes no pointer argument.
        let r =
            unsafe { ffi::BIO_ctrl(self.as_ptr(), ffi::BIO_CTRL_FLUSH, 0, std::ptr::null_mut()) };
        if r > 0 {
            Ok(())
        } else if self.should_retry() {
            Err(io::ErrorKind::WouldBlock.into())
        } else {
            Err(io::Error::other("BIO_flush failed"))
        }
    }

    /// Gives up the reference as `BIO_free_all` does: when it was the last one, the BIOs
    /// chained after this one are freed too (OpenSSL frees a connection's BIOs so).
    pub fn free_all(self) {
        let bio = std::mem::ManuallyDrop::new(self);
        // SAFETY: the reference `self` owned passes to BIO_free_all, once.
        unsafe { ffi::BIO_free_all(bio.as_ptr()) };
    }

    /// `BIO_eof`: whether the BIO says its input has ended (a socket after a read of 0,
    /// a BIO pair whose peer shut down writing).
    pub fn eof(&self) -> bool {
        // SAFETY: the BIO is alive; BIO_CTRL_EOF takes no pointer argument.
        unsafe { ffi::BIO_ctrl(self.as_ptr(), ffi::BIO_CTRL_EOF, 0, std::ptr::null_mut()) > 0 }
    }

    fn should_retry(&self) -> bool {
        // SAFETY: the BIO is alive; BIO_test_flags only reads its flags.
        unsafe { ffi::BIO_test_flags(self.as_ptr(), ffi::BIO_FLAGS_SHOULD_RETRY) != 0 }
    }

    /// Reads every PEM certificate in the BIO, in order.
    pub fn read_pem_certs(&self) -> Vec<Cert> {
        let mut out = Vec::new();
        // SAFETY: marks this thread's error queue.
        unsafe { ffi::ERR_set_mark() };
        loop {
            // SAFETY: the BIO is alive; PEM_read_bio_X509 returns an owned object or NULL.
            let x = unsafe {
                ffi::PEM_read_bio_X509(
                    self.as_ptr(),
                    std::ptr::null_mut(),
                    None,
                    std::ptr::null_mut(),
                )
            };
            // SAFETY: x is NULL or an owned Cert.
            match unsafe { Cert::from_raw(x) } {
                Some(x) => out.push(x),
                None => break,
            }
        }
        if out.is_empty() {
            // SAFETY: drops the mark set above, keeping the errors.
            unsafe { ffi::ERR_clear_last_mark() };
        } else {
            // Reaching the end of the input leaves a "no start line" error: not a failure.
            // SAFETY: removes the errors pushed since the mark set above.
            unsafe { ffi::ERR_pop_to_mark() };
        }
        out
    }
}

/// Calls an `i2d_*` function twice: once for the length, once to encode.
fn i2d_vec(mut f: impl FnMut(*mut *mut u8) -> i32) -> Option<Vec<u8>> {
    let len = usize::try_from(f(std::ptr::null_mut()))
        .ok()
        .filter(|&n| n > 0)?;
    let mut buf = vec![0u8; len];
    let mut p = buf.as_mut_ptr();
    let n = usize::try_from(f(&mut p)).ok()?;
    buf.truncate(n);
    Some(buf)
}

/// A C string from a Rust string, for paths handed to libcrypto.
pub fn cstring(s: &str) -> Option<CString> {
    CString::new(s).ok()
}

/// The library of a packed error code (ERR_GET_LIB is an inline function in err.h).
pub fn err_lib(code: libc::c_ulong) -> i32 {
    if code & (super::ERR_SYSTEM_FLAG as libc::c_ulong) != 0 {
        return ffi::ERR_LIB_SYS;
    }
    ((code >> ffi::ERR_LIB_OFFSET) & ffi::ERR_LIB_MASK as libc::c_ulong) as i32
}

/// The reason of a packed error code (ERR_GET_REASON).
pub fn err_reason(code: libc::c_ulong) -> i32 {
    if code & (super::ERR_SYSTEM_FLAG as libc::c_ulong) != 0 {
        return (code & super::ERR_SYSTEM_MASK as libc::c_ulong) as i32;
    }
    (code & ffi::ERR_REASON_MASK as libc::c_ulong) as i32
}

/// The application's PEM passphrase callback and its argument (`SSL_CTX_set_default_passwd_cb`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PasswordCallback {
    pub callback: ffi::pem_password_cb,
    pub userdata: usize,
}

impl Bio {
    /// Reads one PEM private key, asking `password` for a passphrase if it is encrypted.
    pub fn read_pem_key(&self, password: PasswordCallback) -> Option<PKey> {
        // SAFETY: the BIO is alive; the callback and its argument come from the application,
        // which promises they fit PEM_read_bio_PrivateKey's contract.
        unsafe {
            PKey::from_raw(ffi::PEM_read_bio_PrivateKey(
                self.as_ptr(),
                std::ptr::null_mut(),
                password.callback,
                password.userdata as *mut libc::c_void,
            ))
        }
    }

    /// Reads one DER private key.
    pub fn read_der_key(&self) -> Option<PKey> {
        // SAFETY: the BIO is alive; the result is owned or NULL.
        unsafe { PKey::from_raw(ffi::d2i_PrivateKey_bio(self.as_ptr(), std::ptr::null_mut())) }
    }

    /// Reads one DER certificate.
    pub fn read_der_cert(&self) -> Option<Cert> {
        // SAFETY: the BIO is alive; the result is owned or NULL.
        unsafe { Cert::from_raw(ffi::d2i_X509_bio(self.as_ptr(), std::ptr::null_mut())) }
    }
}

impl PKey {
    /// Whether this is an RSA key; otherwise libcrypto queues "expecting an rsa key", as
    /// OpenSSL's RSA-only readers do.
    pub fn check_rsa(&self) -> bool {
        // SAFETY: the key is alive; the RSA returned is owned by it (get0).
        !unsafe { ffi::EVP_PKEY_get0_RSA(self.as_ptr()) }.is_null()
    }

    /// An RSA private key from DER (`d2i_RSAPrivateKey`).
    pub fn rsa_from_der(der: &[u8]) -> Option<Self> {
        let mut p = der.as_ptr();
        let len = libc::c_long::try_from(der.len()).ok()?;
        // SAFETY: p points at len bytes; d2i allocates an RSA key we own and free here
        // once the EVP_PKEY holds its own reference.
        unsafe {
            let rsa = ffi::d2i_RSAPrivateKey(std::ptr::null_mut(), &mut p, len);
            let key = Self::from_rsa(rsa);
            ffi::RSA_free(rsa);
            key
        }
    }
}

impl Cert {
    /// Whether `other` is the same certificate (`X509_cmp`: equal encodings).
    pub fn same_as(&self, other: &Self) -> bool {
        // SAFETY: both certificates are alive.
        unsafe { ffi::X509_cmp(self.as_ptr(), other.as_ptr()) == 0 }
    }

    /// Whether `key` is the key of this certificate's public key (`EVP_PKEY_eq`, which
    /// queues why not).
    pub fn key_eq(&self, key: &PKey) -> bool {
        // SAFETY: both objects are alive; the public key is owned by the certificate.
        unsafe {
            let public = ffi::X509_get0_pubkey(self.as_ptr());
            !public.is_null() && ffi::EVP_PKEY_eq(public, key.as_ptr()) == 1
        }
    }

    /// Whether `key` is the private key of this certificate (`X509_check_private_key`).
    pub fn matches_key(&self, key: &PKey) -> bool {
        // SAFETY: both objects are alive.
        unsafe { ffi::X509_check_private_key(self.as_ptr(), key.as_ptr()) == 1 }
    }
}

/// A `STACK_OF(Cert)` handed out as a get0 pointer: it holds its own references to the
/// certificates and is freed with them.
pub struct X509Stack(NonNull<ffi::OPENSSL_STACK>);

impl X509Stack {
    /// A stack holding new references to `certs`, in order.
    pub fn new(certs: &[Cert]) -> Option<Self> {
        // SAFETY: OPENSSL_sk_new_null returns an owned empty stack or NULL.
        let sk = NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() })?;
        let stack = Self(sk);
        for cert in certs {
            // SAFETY: the stack is alive; the pushed pointer carries its own new reference.
            unsafe { ffi::OPENSSL_sk_push(sk.as_ptr(), cert.up_ref_raw().cast()) };
        }
        Some(stack)
    }

    /// The raw stack (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }
}

impl Drop for X509Stack {
    fn drop(&mut self) {
        /// # Safety
        /// Called by `OPENSSL_sk_pop_free` with an `X509` the stack owns.
        unsafe extern "C" fn free_x509(p: *mut libc::c_void) {
            // SAFETY: every element was pushed with its own reference by X509Stack::new.
            unsafe { ffi::X509_free(p.cast()) };
        }
        // SAFETY: self owns the stack and one reference per element.
        unsafe { ffi::OPENSSL_sk_pop_free(self.0.as_ptr(), Some(free_x509)) };
    }
}

// SAFETY: the stack is only read after creation; its elements are reference counted.
unsafe impl Send for X509Stack {}
// SAFETY: as above.
unsafe impl Sync for X509Stack {}

impl X509Stack {
    /// New references to the certificates of a `STACK_OF(X509)` the caller owns.
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509)`.
    pub unsafe fn certs_of(sk: *const ffi::OPENSSL_STACK) -> Vec<Cert> {
        if sk.is_null() {
            return Vec::new();
        }
        // SAFETY: sk is a valid stack of X509 per the caller.
        let n = unsafe { ffi::OPENSSL_sk_num(sk) };
        (0..n)
            // SAFETY: i is in range; each element is a valid X509 we take a reference to.
            .filter_map(|i| unsafe { Cert::from_ptr_up_ref(ffi::OPENSSL_sk_value(sk, i).cast()) })
            .collect()
    }

    /// Takes over a `STACK_OF(X509)` and the references it holds (a set0).
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509)` whose ownership passes to the result.
    pub unsafe fn from_raw(sk: *mut ffi::OPENSSL_STACK) -> Option<Self> {
        NonNull::new(sk).map(Self)
    }

    /// The certificates, as new references.
    pub fn to_vec(&self) -> Vec<Cert> {
        // SAFETY: self owns a valid stack.
        unsafe { Self::certs_of(self.0.as_ptr()) }
    }
}

/// An owned `STACK_OF(X509_NAME)` (client CA lists).
pub struct NameStack(NonNull<ffi::OPENSSL_STACK>);

impl NameStack {
    /// Takes over a stack and its names.
    ///
    /// # Safety
    /// `sk` is NULL or a valid `STACK_OF(X509_NAME)` whose ownership passes to the result.
    pub unsafe fn from_raw(sk: *mut ffi::OPENSSL_STACK) -> Option<Self> {
        NonNull::new(sk).map(Self)
    }

    /// A new stack of copies of the certificates' subject names.
    pub fn of_subjects(certs: &[Cert]) -> Option<Self> {
        // SAFETY: creates an owned empty stack.
        let stack = Self(NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() })?);
        for cert in certs {
            // SAFETY: the certificate is alive; the dup is owned by the stack once pushed.
            unsafe {
                let name = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
                if !name.is_null() {
                    ffi::OPENSSL_sk_push(stack.0.as_ptr(), name.cast());
                }
            }
        }
        Some(stack)
    }

    /// The raw stack (get0).
    pub fn as_ptr(&self) -> *mut ffi::OPENSSL_STACK {
        self.0.as_ptr()
    }

    /// Gives the stack to the caller.
    pub fn into_raw(self) -> *mut ffi::OPENSSL_STACK {
        std::mem::ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Drop for NameStack {
    fn drop(&mut self) {
        /// # Safety
        /// Called by `OPENSSL_sk_pop_free` with an `X509_NAME` the stack owns.
        unsafe extern "C" fn free_name(p: *mut libc::c_void) {
            // SAFETY: every element is an X509_NAME owned by the stack.
            unsafe { ffi::X509_NAME_free(p.cast()) };
        }
        // SAFETY: self owns the stack and its names.
        unsafe { ffi::OPENSSL_sk_pop_free(self.0.as_ptr(), Some(free_name)) };
    }
}

// SAFETY: the stack is only read after it is stored.
unsafe impl Send for NameStack {}
// SAFETY: as above.
unsafe impl Sync for NameStack {}

impl PKey {
    /// The key's base type (`EVP_PKEY_RSA`, `EVP_PKEY_EC`, ...).
    pub fn base_id(&self) -> i32 {
        // SAFETY: self is a valid key.
        unsafe { ffi::EVP_PKEY_get_base_id(self.as_ptr()) }
    }
}

impl Cert {
    /// The base type of the certificate's public key, 0 if it has none.
    pub fn key_base_id(&self) -> i32 {
        // SAFETY: self is a valid certificate; get0 returns a key it owns, or NULL.
        let key = unsafe { ffi::X509_get0_pubkey(self.as_ptr()) };
        if key.is_null() {
            0
        } else {
            // SAFETY: key is valid while self lives.
            unsafe { ffi::EVP_PKEY_get_base_id(key) }
        }
    }
}

impl NameStack {
    /// The DER encoding of each name (for a CertificateRequest's CA list).
    pub fn ders(&self) -> Vec<Vec<u8>> {
        // SAFETY: self owns a valid stack of X509_NAME.
        let n = unsafe { ffi::OPENSSL_sk_num(self.0.as_ptr()) };
        (0..n)
            .filter_map(|i| {
                // SAFETY: i is in range; the element is a valid X509_NAME.
                let name =
                    unsafe { ffi::OPENSSL_sk_value(self.0.as_ptr(), i) }.cast::<ffi::X509_NAME>();
                // SAFETY: as above.
                i2d_vec(|out| unsafe { ffi::i2d_X509_NAME(name, out) })
            })
            .collect()
    }
}

impl Cert {
    /// The DER encoding of the subject name.
    pub fn subject_der(&self) -> Option<Vec<u8>> {
        // SAFETY: self is valid; the subject name is owned by the certificate.
        let name = unsafe { ffi::X509_get_subject_name(self.as_ptr()) };
        // SAFETY: as above.
        i2d_vec(|out| unsafe { ffi::i2d_X509_NAME(name, out) })
    }
}

/// Sets `errno` to 0 before a BIO call, as OpenSSL's record layer does: an application
/// that reports errno after a failed `SSL_read` (curl does) must not see a stale EAGAIN
/// from an earlier call.
fn clear_errno() {
    // SAFETY: __errno_location returns this thread's errno, always valid to write.
    unsafe { *libc::__errno_location() = 0 };
}

/// `X509_verify_cert_error_string`: the text of a verification result.
pub fn verify_error_string(code: libc::c_long) -> String {
    // SAFETY: returns a static string (or a thread-local buffer) for any code.
    let p = unsafe { ffi::X509_verify_cert_error_string(code) };
    if p.is_null() {
        return String::new();
    }
    // SAFETY: a NUL-terminated string owned by libcrypto.
    unsafe { std::ffi::CStr::from_ptr(p) }
        .to_string_lossy()
        .into_owned()
}

impl X509Store {
    /// Adds a trusted certificate (`X509_STORE_add_cert`); false if libcrypto refuses it.
    pub fn add_cert(&self, cert: &Cert) -> bool {
        // SAFETY: both objects are alive; the store takes its own reference.
        unsafe { ffi::X509_STORE_add_cert(self.as_ptr(), cert.as_ptr()) == 1 }
    }
}

impl Cert {
    /// Whether the certificate is self-signed (`EXFLAG_SS`).
    pub fn is_self_signed(&self) -> bool {
        // SAFETY: a valid certificate; the call computes and caches its extension flags.
        unsafe {
            i64::from(ffi::X509_get_extension_flags(self.as_ptr())) & i64::from(ffi::EXFLAG_SS) != 0
        }
    }
}

/// `ERR_clear_error`: empties this thread's error queue.
pub fn clear_errors() {
    // SAFETY: only touches this thread's error queue.
    unsafe { ffi::ERR_clear_error() };
}

/// The NID of an object by short name, else by long name (`OBJ_sn2nid`, `OBJ_ln2nid`);
/// `NID_undef` if neither knows it.
pub fn nid_of_name(name: &str) -> i32 {
    let Some(c) = cstring(name) else {
        return ffi::NID_undef;
    };
    // SAFETY: c is NUL-terminated; the lookups only read it.
    unsafe {
        match ffi::OBJ_sn2nid(c.as_ptr()) {
            ffi::NID_undef => ffi::OBJ_ln2nid(c.as_ptr()),
            n => n,
        }
    }
}

impl PKey {
    /// A key holding DH parameters (`SSL_CTX_set_tmp_dh`); takes its own reference to
    /// `dh`.
    ///
    /// # Safety
    /// `dh` is a valid `DH` the caller keeps.
    pub unsafe fn from_dh(dh: *mut ffi::DH) -> Option<Self> {
        // SAFETY: EVP_PKEY_new returns an owned key or NULL.
        let key = unsafe { Self::from_raw(ffi::EVP_PKEY_new()) }?;
        // SAFETY: both are valid; set1 takes a new reference to dh.
        (unsafe { ffi::EVP_PKEY_set1_DH(key.as_ptr(), dh) } == 1).then_some(key)
    }
}

impl NameStack {
    /// A new empty stack.
    pub fn new() -> Option<Self> {
        // SAFETY: creates an owned empty stack.
        NonNull::new(unsafe { ffi::OPENSSL_sk_new_null() }).map(Self)
    }

    /// A stack of names parsed from DER.
    pub fn from_ders(ders: &[Vec<u8>]) -> Option<Self> {
        let stack = Self::new()?;
        for der in ders {
            let mut p = der.as_ptr();
            let len = libc::c_long::try_from(der.len()).ok()?;
            // SAFETY: p points at len bytes; the parsed name is owned by the stack once
            // pushed.
            unsafe {
                let name = ffi::d2i_X509_NAME(std::ptr::null_mut(), &mut p, len);
                if !name.is_null() {
                    ffi::OPENSSL_sk_push(stack.as_ptr(), name.cast());
                }
            }
        }
        Some(stack)
    }

    /// A deep copy of a stack of names (`SSL_dup_CA_list`).
    ///
    /// # Safety
    /// `sk` is NULL (an empty copy) or a valid `STACK_OF(X509_NAME)`.
    pub unsafe fn dup_of(sk: *const ffi::OPENSSL_STACK) -> Option<Self> {
        let stack = Self::new()?;
        // SAFETY: guaranteed by the caller; each dup is owned by the new stack.
        unsafe {
            let n = if sk.is_null() {
                0
            } else {
                ffi::OPENSSL_sk_num(sk)
            };
            for i in 0..n {
                let name = ffi::X509_NAME_dup(ffi::OPENSSL_sk_value(sk, i).cast());
                if name.is_null() {
                    return None;
                }
                ffi::OPENSSL_sk_push(stack.as_ptr(), name.cast());
            }
        }
        Some(stack)
    }
}

/// The DER of a name.
///
/// # Safety
/// `name` is a valid `X509_NAME`.
unsafe fn name_der(name: *mut ffi::X509_NAME) -> Option<Vec<u8>> {
    i2d_vec(|out| {
        // SAFETY: guaranteed by the caller.
        unsafe { ffi::i2d_X509_NAME(name, out) }
    })
}

impl PKey {
    /// Reads DH parameters from a PEM file (`DHParameters`); `None` if there are none.
    pub fn read_dh_params_file(path: &str) -> Option<Self> {
        let bio = Bio::open_file(path).ok()?;
        // SAFETY: the BIO is alive; PEM_read_bio_Parameters returns an owned key or NULL.
        let key = unsafe {
            Self::from_raw(ffi::PEM_read_bio_Parameters(
                bio.as_ptr(),
                std::ptr::null_mut(),
            ))
        }?;
        // SAFETY: a valid key.
        let dh = unsafe { ffi::EVP_PKEY_is_a(key.as_ptr(), c"DH".as_ptr()) } == 1;
        clear_errors();
        dh.then_some(key)
    }

    /// Gives up ownership of the key (set0 functions take it).
    pub fn into_raw(self) -> *mut ffi::EVP_PKEY {
        std::mem::ManuallyDrop::new(self).as_ptr()
    }
}

impl PKey {
    /// A private key of `ty` (`EVP_PKEY_*`) from DER (`d2i_PrivateKey`).
    pub fn from_der(ty: i32, der: &[u8]) -> Option<Self> {
        let mut p = der.as_ptr();
        let len = libc::c_long::try_from(der.len()).ok()?;
        // SAFETY: p points at len bytes; d2i allocates a key we own.
        unsafe { Self::from_raw(ffi::d2i_PrivateKey(ty, std::ptr::null_mut(), &mut p, len)) }
    }

    /// A key holding an RSA key (`SSL_use_RSAPrivateKey`); takes its own reference.
    ///
    /// # Safety
    /// `rsa` is NULL or a valid `RSA` the caller keeps.
    pub unsafe fn from_rsa(rsa: *mut ffi::RSA) -> Option<Self> {
        if rsa.is_null() {
            return None;
        }
        // SAFETY: EVP_PKEY_new returns an owned key or NULL.
        let key = unsafe { Self::from_raw(ffi::EVP_PKEY_new()) }?;
        // SAFETY: both are valid; set1 takes a new reference to rsa.
        (unsafe { ffi::EVP_PKEY_set1_RSA(key.as_ptr(), rsa) } == 1).then_some(key)
    }
}

/// Appends a copy of `cert`'s subject to a stack of names; false on failure.
///
/// # Safety
/// `stack` is a valid `STACK_OF(X509_NAME)`.
pub unsafe fn push_subject(stack: *mut ffi::OPENSSL_STACK, cert: &Cert) -> bool {
    // SAFETY: guaranteed by the caller; the dup is owned by the stack once pushed.
    unsafe {
        let name = ffi::X509_NAME_dup(ffi::X509_get_subject_name(cert.as_ptr()));
        if name.is_null() {
            return false;
        }
        if ffi::OPENSSL_sk_push(stack, name.cast()) == 0 {
            ffi::X509_NAME_free(name);
            return false;
        }
        true
    }
}
