//! DANE (RFC 6698, RFC 7671) through libcrypto's own TLSA matching.
//!
//! OpenSSL's libssl keeps an `SSL_DANE` per connection and hands it to libcrypto with
//! `X509_STORE_CTX_set0_dane`; `X509_verify_cert` then matches the TLSA records while it
//! builds the chain (DANE-EE(3) without a chain, DANE-TA(2) trust anchors from the records,
//! PKIX-TA(0)/PKIX-EE(1) constraints, digest agility, name checks) and writes the match
//! back into the structure. This module builds that structure exactly as libssl does, so
//! verification is libcrypto's own and `SSL_get0_dane_authority` reports what it found.
//!
//! The layouts below are those of OpenSSL 3's `include/internal/dane.h`, which libssl and
//! libcrypto share (unchanged since OpenSSL 1.1.0). Only the shim writes the records;
//! libcrypto reads them and writes the result fields (`mtlsa`, `mcert`, `mdpth`, `pdpth`).

use std::ffi::{c_int, c_ulong, c_void};
use std::ptr::{self, NonNull};

use super::ffi;
use super::owners::PKey;

/// `DANETLS_USAGE_DANE_TA`.
const USAGE_DANE_TA: u8 = 2;
/// `DANETLS_USAGE_LAST`, `DANETLS_SELECTOR_LAST`, `DANETLS_MATCHING_LAST`.
const USAGE_LAST: u8 = 3;
const SELECTOR_LAST: u8 = 1;
const MATCHING_LAST: u8 = 2;
/// `DANETLS_SELECTOR_CERT`, `DANETLS_MATCHING_FULL`.
const SELECTOR_CERT: u8 = 0;
const MATCHING_FULL: u8 = 0;
/// Usages whose records name trust anchors (`DANETLS_TA_MASK`: PKIX-TA and DANE-TA).
const TA_MASK: u32 = (1 << 0) | (1 << 2);

/// `struct dane_ctx_st`.
#[repr(C)]
struct RawCtx {
    mdevp: *mut *const ffi::EVP_MD,
    mdord: *mut u8,
    mdmax: u8,
    flags: c_ulong,
}

/// `danetls_record`.
#[repr(C)]
struct RawRecord {
    usage: u8,
    selector: u8,
    mtype: u8,
    data: *mut u8,
    dlen: usize,
    spki: *mut ffi::EVP_PKEY,
}

/// `struct ssl_dane_st` (`SSL_DANE`).
#[repr(C)]
struct RawDane {
    dctx: *mut RawCtx,
    trecs: *mut ffi::OPENSSL_STACK,
    certs: *mut ffi::OPENSSL_STACK,
    mtlsa: *mut RawRecord,
    mcert: *mut ffi::X509,
    umask: u32,
    mdpth: c_int,
    pdpth: c_int,
    flags: c_ulong,
}

/// A context's matching types (`SSL_CTX_dane_enable`, `SSL_CTX_dane_mtype_set`): for each
/// TLSA matching type, its digest (none: disabled, or Full(0)) and its preference.
#[derive(Clone, Debug)]
pub struct DaneMtypes {
    /// `EVP_MD *` by matching type, as addresses (0: none).
    md: Vec<usize>,
    ord: Vec<u8>,
}

impl DaneMtypes {
    /// OpenSSL's defaults: Full(0), SHA2-256(1) preferred below SHA2-512(2).
    pub fn new() -> Self {
        let mut md = vec![0; usize::from(MATCHING_LAST) + 1];
        let mut ord = vec![0; md.len()];
        for (mtype, nid, order) in [(1, ffi::NID_sha256, 1), (2, ffi::NID_sha512, 2)] {
            // SAFETY: OBJ_nid2sn returns a static name; EVP_get_digestbyname a static
            // digest or NULL (this is EVP_get_digestbynid, a macro).
            let digest = unsafe { ffi::EVP_get_digestbyname(ffi::OBJ_nid2sn(nid)) };
            if !digest.is_null() {
                md[mtype] = digest as usize;
                ord[mtype] = order;
            }
        }
        Self { md, ord }
    }

    /// `SSL_CTX_dane_mtype_set`: `md` (NULL disables the type) and its preference for
    /// matching type `mtype`. `Err` with the `SSL_R_*` reason: Full(0) has no digest.
    ///
    /// # Safety
    /// `md` is NULL or a digest that outlives every connection of the context (OpenSSL
    /// keeps the pointer without a reference too).
    pub unsafe fn set(&mut self, md: *const ffi::EVP_MD, mtype: u8, ord: u8) -> Result<(), i32> {
        if mtype == MATCHING_FULL && !md.is_null() {
            return Err(ffi::SSL_R_DANE_CANNOT_OVERRIDE_MTYPE_FULL);
        }
        let i = usize::from(mtype);
        if i >= self.md.len() {
            self.md.resize(i + 1, 0);
            self.ord.resize(i + 1, 0);
        }
        self.md[i] = md as usize;
        // A disabled type's preference is 0, as in OpenSSL.
        self.ord[i] = if md.is_null() { 0 } else { ord };
        Ok(())
    }

    fn digest(&self, mtype: u8) -> *const ffi::EVP_MD {
        self.md.get(usize::from(mtype)).copied().unwrap_or(0) as *const ffi::EVP_MD
    }

    fn order(&self, mtype: u8) -> u8 {
        self.ord.get(usize::from(mtype)).copied().unwrap_or(0)
    }
}

impl Default for DaneMtypes {
    fn default() -> Self {
        Self::new()
    }
}

/// One TLSA record as libcrypto reads it, with the memory it points at.
struct Record {
    raw: Box<RawRecord>,
    _data: Box<[u8]>,
    _spki: Option<PKey>,
}

/// A connection's DANE state (`SSL_DANE`): its flags, and once `SSL_dane_enable` ran, its
/// TLSA records and what verification matched.
pub struct Dane {
    raw: NonNull<RawDane>,
    ctx: Box<RawCtx>,
    mtypes: DaneMtypes,
    /// The digest table `ctx` points at.
    mdevp: Vec<*const ffi::EVP_MD>,
    mdord: Vec<u8>,
    records: Vec<Record>,
}

impl Dane {
    /// A state with `flags` (`DANE_FLAG_*`) and no records, not enabled.
    pub fn new(mtypes: &DaneMtypes, flags: u64) -> Self {
        let raw = Box::new(RawDane {
            dctx: ptr::null_mut(),
            trecs: ptr::null_mut(),
            certs: ptr::null_mut(),
            mtlsa: ptr::null_mut(),
            mcert: ptr::null_mut(),
            umask: 0,
            mdpth: -1,
            pdpth: -1,
            flags: c_ulong::try_from(flags).unwrap_or(c_ulong::MAX),
        });
        let mut dane = Self {
            raw: NonNull::from(Box::leak(raw)),
            ctx: Box::new(RawCtx {
                mdevp: ptr::null_mut(),
                mdord: ptr::null_mut(),
                mdmax: 0,
                flags: 0,
            }),
            mtypes: DaneMtypes::new(),
            mdevp: Vec::new(),
            mdord: Vec::new(),
            records: Vec::new(),
        };
        dane.set_mtypes(mtypes);
        dane
    }

    fn raw(&self) -> &RawDane {
        // SAFETY: raw is owned by self and only written by libcrypto during a verification
        // the shim runs with `&mut self` (see `as_ptr`), never concurrently with this read.
        unsafe { self.raw.as_ref() }
    }

    fn raw_mut(&mut self) -> &mut RawDane {
        // SAFETY: as above; `&mut self` makes this the only access.
        unsafe { self.raw.as_mut() }
    }

    /// Takes the context's matching types (the table verification reads).
    pub fn set_mtypes(&mut self, mtypes: &DaneMtypes) {
        self.mtypes = mtypes.clone();
        self.mdevp = mtypes.md.iter().map(|&m| m as *const ffi::EVP_MD).collect();
        self.mdord.clone_from(&mtypes.ord);
        self.ctx.mdevp = self.mdevp.as_mut_ptr();
        self.ctx.mdord = self.mdord.as_mut_ptr();
        self.ctx.mdmax = u8::try_from(self.mdevp.len().saturating_sub(1)).unwrap_or(u8::MAX);
        let ctx: *mut RawCtx = &mut *self.ctx;
        self.raw_mut().dctx = ctx;
    }

    /// `SSL_dane_set_flags`/`SSL_dane_clear_flags`: the flags.
    pub fn flags(&self) -> u64 {
        u64::from(self.raw().flags)
    }

    /// Replaces the flags.
    pub fn set_flags(&mut self, flags: u64) {
        self.raw_mut().flags = c_ulong::try_from(flags).unwrap_or(c_ulong::MAX);
    }

    /// Whether `SSL_dane_enable` ran.
    pub fn enabled(&self) -> bool {
        !self.raw().trecs.is_null()
    }

    /// `DANETLS_ENABLED`: enabled with at least one record, so verification uses DANE.
    pub fn active(&self) -> bool {
        !self.records.is_empty()
    }

    /// `SSL_dane_enable`'s part here: an empty record list. False on allocation failure.
    pub fn enable(&mut self) -> bool {
        // SAFETY: a new empty stack, owned by self.
        let sk = unsafe { ffi::OPENSSL_sk_new_null() };
        if sk.is_null() {
            return false;
        }
        let raw = self.raw_mut();
        raw.trecs = sk;
        raw.mdpth = -1;
        raw.pdpth = -1;
        true
    }

    /// `SSL_dane_tlsa_add`: checks and adds a record as OpenSSL does, in the order
    /// verification tries them (DANE-EE first, then by selector, then by the matching
    /// type's preference). `data` is `None` for a NULL pointer of `dlen` bytes. `Err` with
    /// the `SSL_R_*` reason.
    pub fn add(
        &mut self,
        usage: u8,
        selector: u8,
        mtype: u8,
        data: Option<&[u8]>,
        dlen: usize,
    ) -> Result<(), i32> {
        if !self.enabled() {
            return Err(ffi::SSL_R_DANE_NOT_ENABLED);
        }
        let Ok(ilen) = libc::c_long::try_from(dlen) else {
            return Err(ffi::SSL_R_DANE_TLSA_BAD_DATA_LENGTH);
        };
        if c_int::try_from(dlen).is_err() {
            return Err(ffi::SSL_R_DANE_TLSA_BAD_DATA_LENGTH);
        }
        if usage > USAGE_LAST {
            return Err(ffi::SSL_R_DANE_TLSA_BAD_CERTIFICATE_USAGE);
        }
        if selector > SELECTOR_LAST {
            return Err(ffi::SSL_R_DANE_TLSA_BAD_SELECTOR);
        }
        if mtype != MATCHING_FULL {
            let md = self.mtypes.digest(mtype);
            if md.is_null() {
                return Err(ffi::SSL_R_DANE_TLSA_BAD_MATCHING_TYPE);
            }
            // SAFETY: md is a digest the context holds.
            let size = unsafe { ffi::EVP_MD_get_size(md) };
            if usize::try_from(size).ok() != Some(dlen) {
                return Err(ffi::SSL_R_DANE_TLSA_BAD_DIGEST_LENGTH);
            }
        }
        let Some(data) = data else {
            return Err(ffi::SSL_R_DANE_TLSA_NULL_DATA);
        };
        let mut spki = None;
        if mtype == MATCHING_FULL {
            if selector == SELECTOR_CERT {
                let mut p = data.as_ptr();
                // SAFETY: p points at ilen readable bytes; d2i allocates what it returns.
                let cert = unsafe { ffi::d2i_X509(ptr::null_mut(), &mut p, ilen) };
                let consumed = (p as usize).wrapping_sub(data.as_ptr() as usize);
                // SAFETY: cert is NULL or ours; X509_get0_pubkey reads it.
                let bad = cert.is_null()
                    || consumed != dlen
                    || unsafe { ffi::X509_get0_pubkey(cert) }.is_null();
                if bad {
                    // SAFETY: NULL or the certificate just parsed.
                    unsafe { ffi::X509_free(cert) };
                    return Err(ffi::SSL_R_DANE_TLSA_BAD_CERTIFICATE);
                }
                // Trust-anchor certificates may be missing from the peer's chain: kept as
                // extra untrusted certificates (PKIX-TA) or anchors (DANE-TA).
                if (1u32 << usage) & TA_MASK == 0 {
                    // SAFETY: the certificate just parsed.
                    unsafe { ffi::X509_free(cert) };
                } else if !self.keep_cert(cert) {
                    return Err(ffi::ERR_R_MALLOC_FAILURE);
                }
            } else {
                let mut p = data.as_ptr();
                // SAFETY: as above.
                let key = unsafe { ffi::d2i_PUBKEY(ptr::null_mut(), &mut p, ilen) };
                let consumed = (p as usize).wrapping_sub(data.as_ptr() as usize);
                // SAFETY: NULL or the key just parsed, owned from here.
                let key = unsafe { PKey::from_raw(key) };
                match key {
                    Some(k) if consumed == dlen => {
                        if usage == USAGE_DANE_TA {
                            spki = Some(k);
                        }
                    }
                    _ => return Err(ffi::SSL_R_DANE_TLSA_BAD_PUBLIC_KEY),
                }
            }
        }
        let mut copy: Box<[u8]> = data.into();
        let raw = Box::new(RawRecord {
            usage,
            selector,
            mtype,
            data: copy.as_mut_ptr(),
            dlen,
            spki: spki.as_ref().map_or(ptr::null_mut(), PKey::as_ptr),
        });
        let at = self.position(usage, selector, mtype);
        let trecs = self.raw().trecs;
        let raw_ptr: *const RawRecord = &*raw;
        let at_c = c_int::try_from(at).unwrap_or(c_int::MAX);
        // SAFETY: trecs is our stack; the record lives in `records` as long as the stack.
        if unsafe { ffi::OPENSSL_sk_insert(trecs, raw_ptr.cast::<c_void>(), at_c) } == 0 {
            return Err(ffi::ERR_R_MALLOC_FAILURE);
        }
        self.records.push(Record {
            raw,
            _data: copy,
            _spki: spki,
        });
        self.raw_mut().umask |= 1u32 << usage;
        Ok(())
    }

    /// Where OpenSSL inserts a record: descending usage, then selector, then preference.
    fn position(&self, usage: u8, selector: u8, mtype: u8) -> usize {
        let trecs = self.raw().trecs;
        // SAFETY: trecs is our stack of records.
        let num = usize::try_from(unsafe { ffi::OPENSSL_sk_num(trecs) }).unwrap_or(0);
        for i in 0..num {
            // SAFETY: i is in range; every element is one of our records.
            let rec = unsafe {
                &*ffi::OPENSSL_sk_value(trecs, c_int::try_from(i).unwrap_or(0)).cast::<RawRecord>()
            };
            if rec.usage > usage {
                continue;
            }
            if rec.usage < usage {
                return i;
            }
            if rec.selector > selector {
                continue;
            }
            if rec.selector < selector {
                return i;
            }
            if self.mtypes.order(rec.mtype) > self.mtypes.order(mtype) {
                continue;
            }
            return i;
        }
        num
    }

    /// Keeps a trust-anchor certificate from a record (takes the reference).
    fn keep_cert(&mut self, cert: *mut ffi::X509) -> bool {
        let raw = self.raw_mut();
        if raw.certs.is_null() {
            // SAFETY: a new empty stack, owned by self.
            raw.certs = unsafe { ffi::OPENSSL_sk_new_null() };
        }
        // SAFETY: certs is our stack (or NULL, which push refuses); cert is ours to give.
        if raw.certs.is_null() || unsafe { ffi::OPENSSL_sk_push(raw.certs, cert.cast()) } == 0 {
            // SAFETY: the push failed: the reference is still ours.
            unsafe { ffi::X509_free(cert) };
            return false;
        }
        true
    }

    /// The `SSL_DANE *` for `X509_STORE_CTX_set0_dane` and `SSL_get0_dane`. libcrypto
    /// writes its result fields through it during `X509_verify_cert`.
    pub fn as_ptr(&self) -> *mut ffi::SSL_DANE {
        self.raw.as_ptr().cast()
    }

    /// `SSL_get0_dane_authority`: the depth of the matched certificate (-1: none), the
    /// matched certificate (get0; NULL for a DANE-TA(2) bare public key), and that key.
    pub fn authority(&self) -> (c_int, *mut ffi::X509, *mut ffi::EVP_PKEY) {
        let raw = self.raw();
        if raw.mtlsa.is_null() {
            return (raw.mdpth, ptr::null_mut(), ptr::null_mut());
        }
        let spki = if raw.mcert.is_null() {
            // SAFETY: mtlsa points at one of our records.
            unsafe { (*raw.mtlsa).spki }
        } else {
            ptr::null_mut()
        };
        (raw.mdpth, raw.mcert, spki)
    }

    /// `SSL_get0_dane_tlsa`: the depth and the matched record (usage, selector, matching
    /// type, data), if any.
    pub fn matched(&self) -> (c_int, Option<(u8, u8, u8, *const u8, usize)>) {
        let raw = self.raw();
        if raw.mtlsa.is_null() {
            return (raw.mdpth, None);
        }
        // SAFETY: mtlsa points at one of our records.
        let t = unsafe { &*raw.mtlsa };
        (
            raw.mdpth,
            Some((t.usage, t.selector, t.mtype, t.data.cast_const(), t.dlen)),
        )
    }
}

impl Drop for Dane {
    fn drop(&mut self) {
        let raw = self.raw.as_ptr();
        // SAFETY: raw came from Box::leak in `new` and is freed once, here; the stacks
        // hold our records (freed with `records`) and references to certificates.
        unsafe {
            ffi::X509_free((*raw).mcert);
            ffi::OPENSSL_sk_free((*raw).trecs);
            ffi::OPENSSL_sk_pop_free((*raw).certs, Some(super::stacks::free_x509));
            drop(Box::from_raw(raw));
        }
    }
}

// SAFETY: the state is plain data the owning connection reads and changes under its own
// lock; libcrypto touches it only inside a verification the shim runs on that connection.
unsafe impl Send for Dane {}
// SAFETY: as above; shared references only read.
unsafe impl Sync for Dane {}
