//! Application callbacks: the table a context keeps and a connection copies at `SSL_new`
//! (as OpenSSL copies them), their setters and getters.
//!
//! The callbacks the shim calls (info, message, ClientHello, certificate, client
//! certificate, key log, session cache, ticket key, OCSP status, SNI, ALPN, verification)
//! run with no lock held that a call back into the library could need. Those of features
//! rustls does not have (PSK, SRP, DTLS cookies, NPN, CT, custom record padding, async
//! jobs, custom session ids) are stored and returned by their getters, and never called,
//! as in OpenSSL when the feature is not in use.

use std::ffi::{c_char, c_int, c_uint, c_void};

use super::ctx::SSL_CTX;
use super::session::SSL_SESSION;
use super::{addr, entry, try_ref, SSL};
use crate::crypto_sys as sys;
use crate::current::lock;
use crate::error::Error;

mod sharing;
pub(crate) use sharing::{ctx_callbacks_mut, ConnCallbacks, CtxCallbacks};

// Each callback type is the `Option` of its function pointer (NULL is `None`), as the exports
// take and return it, with the function type written out: cbindgen cannot see through
// `Option<Alias>`, and include/rustls-libssl.h must show it to be checked against OpenSSL's.

/// `SSL_CTX_set_info_callback`'s callback.
pub type InfoCallback = Option<unsafe extern "C" fn(*const SSL, c_int, c_int)>;
/// `SSL_CTX_set_msg_callback`'s callback.
pub type MsgCallback =
    Option<unsafe extern "C" fn(c_int, c_int, c_int, *const c_void, usize, *mut SSL, *mut c_void)>;
/// `SSL_CTX_set_keylog_callback`'s callback.
pub type KeylogCallback = Option<unsafe extern "C" fn(*const SSL, *const c_char)>;
/// `SSL_CTX_set_cert_cb`'s callback.
pub type CertCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
/// `SSL_CTX_set_client_cert_cb`'s callback.
pub type ClientCertCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut *mut sys::X509, *mut *mut sys::EVP_PKEY) -> c_int>;
/// `SSL_CTX_set_client_hello_cb`'s callback.
pub type ClientHelloCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int>;
/// `SSL_CTX_set_tlsext_servername_callback`'s callback.
pub type ServernameCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int>;
/// `SSL_CTX_set_alpn_select_cb`'s callback.
pub type AlpnSelectCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut *const u8,
        *mut u8,
        *const u8,
        c_uint,
        *mut c_void,
    ) -> c_int,
>;
/// `SSL_CTX_set_tlsext_status_cb`'s callback.
pub type StatusCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
/// `SSL_CTX_sess_set_new_cb`'s callback.
pub type NewSessionCallback = Option<unsafe extern "C" fn(*mut SSL, *mut SSL_SESSION) -> c_int>;
/// `SSL_CTX_sess_set_remove_cb`'s callback.
pub type RemoveSessionCallback = Option<unsafe extern "C" fn(*mut SSL_CTX, *mut SSL_SESSION)>;
/// `SSL_CTX_sess_set_get_cb`'s callback.
pub type GetSessionCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const u8, c_int, *mut c_int) -> *mut SSL_SESSION>;
/// `SSL_CTX_set_cert_verify_callback`'s callback.
pub type CertVerifyCallback =
    Option<unsafe extern "C" fn(*mut sys::X509_STORE_CTX, *mut c_void) -> c_int>;
/// `SSL_CTX_set_tmp_dh_callback`'s callback.
pub type TmpDhCallback = Option<unsafe extern "C" fn(*mut SSL, c_int, c_int) -> *mut sys::DH>;
/// `SSL_CTX_set_not_resumable_session_callback`'s callback.
pub type NotResumableCallback = Option<unsafe extern "C" fn(*mut SSL, c_int) -> c_int>;
/// `SSL_CTX_set_psk_client_callback`'s callback.
pub type PskClientCallback = Option<
    unsafe extern "C" fn(*mut SSL, *const c_char, *mut c_char, c_uint, *mut u8, c_uint) -> c_uint,
>;
/// `SSL_CTX_set_psk_server_callback`'s callback.
pub type PskServerCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const c_char, *mut u8, c_uint) -> c_uint>;
/// `SSL_CTX_set_psk_find_session_callback`'s callback.
pub type PskFindSessionCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const u8, usize, *mut *mut SSL_SESSION) -> c_int>;
/// `SSL_CTX_set_psk_use_session_callback`'s callback.
pub type PskUseSessionCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *const sys::EVP_MD,
        *mut *const u8,
        *mut usize,
        *mut *mut SSL_SESSION,
    ) -> c_int,
>;
/// `SSL_CTX_set_security_callback`'s callback.
pub type SecurityCallback = Option<
    unsafe extern "C" fn(
        *const SSL,
        *const SSL_CTX,
        c_int,
        c_int,
        c_int,
        *mut c_void,
        *mut c_void,
    ) -> c_int,
>;
/// `SSL_CTX_set_record_padding_callback`'s callback.
pub type PaddingCallback =
    Option<unsafe extern "C" fn(*mut SSL, c_int, usize, *mut c_void) -> usize>;
/// `SSL_CTX_set_allow_early_data_cb`'s callback.
pub type AllowEarlyDataCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
/// `SSL_CTX_set_async_callback`'s callback.
pub type AsyncCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
/// `SSL_CTX_set_generate_session_id`'s callback.
pub type GenSessionCallback = Option<unsafe extern "C" fn(*mut SSL, *mut u8, *mut c_uint) -> c_int>;
/// `SSL_CTX_set_cookie_generate_cb`'s callback (DTLS).
pub type CookieGenerateCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut u8, *mut c_uint) -> c_int>;
/// `SSL_CTX_set_cookie_verify_cb`'s callback (DTLS).
pub type CookieVerifyCallback = Option<unsafe extern "C" fn(*mut SSL, *const u8, c_uint) -> c_int>;
/// `SSL_CTX_set_stateless_cookie_generate_cb`'s callback.
pub type StatelessCookieGenerateCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut u8, *mut usize) -> c_int>;
/// `SSL_CTX_set_stateless_cookie_verify_cb`'s callback.
pub type StatelessCookieVerifyCallback =
    Option<unsafe extern "C" fn(*mut SSL, *const u8, usize) -> c_int>;
/// `SSL_CTX_set_next_proto_select_cb`'s callback (NPN).
pub type NpnSelectCallback = Option<
    unsafe extern "C" fn(*mut SSL, *mut *mut u8, *mut u8, *const u8, c_uint, *mut c_void) -> c_int,
>;
/// `SSL_CTX_set_next_protos_advertised_cb`'s callback (NPN).
pub type NpnAdvertisedCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut *const u8, *mut c_uint, *mut c_void) -> c_int>;
/// `SSL_CTX_set_session_ticket_cb`'s ticket generation callback.
pub type TicketGenCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
/// `SSL_CTX_set_session_ticket_cb`'s ticket decryption callback.
pub type TicketDecCallback = Option<
    unsafe extern "C" fn(
        *mut SSL,
        *mut SSL_SESSION,
        *const u8,
        usize,
        sys::SSL_TICKET_STATUS,
        *mut c_void,
    ) -> sys::SSL_TICKET_RETURN,
>;
/// `DTLS_set_timer_cb`'s callback.
pub type DtlsTimerCallback = Option<unsafe extern "C" fn(*mut SSL, c_uint) -> c_uint>;
/// SRP callbacks (`SSL_CTX_set_srp_*_callback`).
pub type SrpUsernameCallback =
    Option<unsafe extern "C" fn(*mut SSL, *mut c_int, *mut c_void) -> c_int>;
pub type SrpVerifyParamCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> c_int>;
pub type SrpClientPwdCallback = Option<unsafe extern "C" fn(*mut SSL, *mut c_void) -> *mut c_char>;

/// Every callback and callback argument of a context or connection. Arguments are kept
/// as numbers: the shim never dereferences them.
#[derive(Default, Clone, Copy)]
pub(crate) struct Callbacks {
    pub keylog: KeylogCallback,
    pub new_session: NewSessionCallback,
    pub remove_session: RemoveSessionCallback,
    pub get_session: GetSessionCallback,
    pub msg: MsgCallback,
    pub msg_arg: usize,
    pub info: InfoCallback,
    pub servername: ServernameCallback,
    pub servername_arg: usize,
    pub alpn_select: AlpnSelectCallback,
    pub alpn_select_arg: usize,
    pub cert: CertCallback,
    pub cert_arg: usize,
    pub client_cert: ClientCertCallback,
    pub client_hello: ClientHelloCallback,
    pub client_hello_arg: usize,
    pub ticket_key: super::tickets::TicketKeyCallback,
    pub ticket_key_evp: super::tickets::TicketKeyEvpCallback,
    pub status: StatusCallback,
    pub status_arg: usize,
    pub tmp_dh: TmpDhCallback,
    pub not_resumable: NotResumableCallback,
    pub debug: usize,
    pub debug_arg: usize,
    pub psk_client: PskClientCallback,
    pub psk_server: PskServerCallback,
    pub psk_find_session: PskFindSessionCallback,
    pub psk_use_session: PskUseSessionCallback,
    pub security: SecurityCallback,
    pub security_ex: usize,
    pub padding: PaddingCallback,
    pub padding_arg: usize,
    pub allow_early_data: AllowEarlyDataCallback,
    pub allow_early_data_arg: usize,
    pub async_cb: AsyncCallback,
    pub async_arg: usize,
    pub gen_session_id: GenSessionCallback,
    pub cookie_generate: CookieGenerateCallback,
    pub cookie_verify: CookieVerifyCallback,
    pub stateless_cookie_generate: StatelessCookieGenerateCallback,
    pub stateless_cookie_verify: StatelessCookieVerifyCallback,
    pub npn_select: NpnSelectCallback,
    pub npn_select_arg: usize,
    pub npn_advertised: NpnAdvertisedCallback,
    pub npn_advertised_arg: usize,
    pub ticket_gen: TicketGenCallback,
    pub ticket_dec: TicketDecCallback,
    pub ticket_arg: usize,
    pub dtls_timer: DtlsTimerCallback,
    pub srp_username: SrpUsernameCallback,
    pub srp_verify_param: SrpVerifyParamCallback,
    pub srp_client_pwd: SrpClientPwdCallback,
    pub srp_arg: usize,
}

/// Changes a context's callbacks.
fn ctx_cbs(ctx: *mut SSL_CTX, f: impl FnOnce(&mut Callbacks)) -> Result<(), Error> {
    f(&mut ctx_callbacks_mut(try_ref!(ctx)));
    Ok(())
}

/// Changes a connection's callbacks.
fn ssl_cbs(ssl: *mut SSL, f: impl FnOnce(&mut ConnCallbacks)) -> Result<(), Error> {
    f(&mut lock(&try_ref!(ssl).callbacks));
    Ok(())
}

/// `SSL_CTX_set_keylog_callback`: called with each NSS key-log line.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_keylog_callback(ctx: *mut SSL_CTX, cb: KeylogCallback) {
    entry(|| ctx_cbs(ctx, |c| c.keylog = cb))
}

/// `SSL_CTX_get_keylog_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_keylog_callback(ctx: *const SSL_CTX) -> KeylogCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().keylog))
}

/// `SSL_CTX_set_msg_callback`: called with every protocol message (connections made
/// afterwards copy it, as in OpenSSL).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_msg_callback(ctx: *mut SSL_CTX, cb: MsgCallback) {
    entry(|| ctx_cbs(ctx, |c| c.msg = cb))
}

/// `SSL_set_msg_callback`: this connection's message callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_msg_callback(ssl: *mut SSL, cb: MsgCallback) {
    entry(|| ssl_cbs(ssl, |c| c.msg = cb))
}

/// `SSL_CTX_set_info_callback`: called at handshake states and alerts (connections without
/// their own use it).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_info_callback(ctx: *mut SSL_CTX, cb: InfoCallback) {
    entry(|| ctx_cbs(ctx, |c| c.info = cb))
}

/// `SSL_CTX_get_info_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_info_callback(ctx: *mut SSL_CTX) -> InfoCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().info))
}

/// `SSL_set_info_callback`: this connection's info callback (NULL: the context's).
#[no_mangle]
pub unsafe extern "C" fn SSL_set_info_callback(ssl: *mut SSL, cb: InfoCallback) {
    entry(|| ssl_cbs(ssl, |c| c.info = cb))
}

/// `SSL_get_info_callback`: the connection's own info callback (NULL if it has none).
#[no_mangle]
pub unsafe extern "C" fn SSL_get_info_callback(ssl: *const SSL) -> InfoCallback {
    entry(|| Ok(lock(&try_ref!(ssl).callbacks).info))
}

/// `SSL_CTX_set_cert_cb`: called before a certificate is needed (a server after the
/// ClientHello, a client when the server asks for one).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cert_cb(
    ctx: *mut SSL_CTX,
    cb: CertCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.cert = cb;
            c.cert_arg = addr(arg);
        })
    })
}

/// `SSL_set_cert_cb`: this connection's certificate callback.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_cert_cb(ssl: *mut SSL, cb: CertCallback, arg: *mut c_void) {
    entry(|| {
        ssl_cbs(ssl, |c| {
            c.cert = cb;
            c.cert_arg = addr(arg);
        })
    })
}

/// `SSL_CTX_set_client_cert_cb`: asked for a client certificate when a server requests one
/// and none is set.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_cert_cb(ctx: *mut SSL_CTX, cb: ClientCertCallback) {
    entry(|| ctx_cbs(ctx, |c| c.client_cert = cb))
}

/// `SSL_CTX_get_client_cert_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_client_cert_cb(ctx: *mut SSL_CTX) -> ClientCertCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().client_cert))
}

/// `SSL_CTX_set_client_hello_cb`: a server's first look at the ClientHello, before the SNI
/// callback (`SSL_client_hello_get*` read it).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_client_hello_cb(
    ctx: *mut SSL_CTX,
    cb: ClientHelloCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.client_hello = cb;
            c.client_hello_arg = addr(arg);
        })
    })
}

/// `SSL_CTX_set_alpn_select_cb`: a server's choice among the protocols a client offers.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_alpn_select_cb(
    ctx: *mut SSL_CTX,
    cb: AlpnSelectCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.alpn_select = cb;
            c.alpn_select_arg = addr(arg);
        })
    })
}

/// `SSL_CTX_set_cert_verify_callback`: replaces the chain verification
/// (`X509_verify_cert`) with the application's function, called with the store context
/// the shim prepared.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cert_verify_callback(
    ctx: *mut SSL_CTX,
    cb: CertVerifyCallback,
    arg: *mut c_void,
) {
    entry(|| {
        // Verification reads it per connection: the shared configs stay valid.
        try_ref!(ctx)
            .core
            .update_settings(|s| s.cert_verify = cb.map(|f| (f, addr(arg))));
        Ok(())
    })
}

/// `SSL_CTX_set_tmp_dh_callback`: stored; never called (rustls has no finite-field DHE
/// suites).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_tmp_dh_callback(ctx: *mut SSL_CTX, cb: TmpDhCallback) {
    entry(|| ctx_cbs(ctx, |c| c.tmp_dh = cb))
}

/// `SSL_set_tmp_dh_callback`: as [`SSL_CTX_set_tmp_dh_callback`].
#[no_mangle]
pub unsafe extern "C" fn SSL_set_tmp_dh_callback(ssl: *mut SSL, cb: TmpDhCallback) {
    entry(|| ssl_cbs(ssl, |c| c.tmp_dh = cb))
}

/// `SSL_CTX_set_not_resumable_session_callback`: stored; never called (it asks whether a
/// TLS 1.2 session should be cacheable, which rustls decides).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_not_resumable_session_callback(
    ctx: *mut SSL_CTX,
    cb: NotResumableCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.not_resumable = cb))
}

/// `SSL_set_not_resumable_session_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_not_resumable_session_callback(
    ssl: *mut SSL,
    cb: NotResumableCallback,
) {
    entry(|| ssl_cbs(ssl, |c| c.not_resumable = cb))
}

/// `SSL_CTX_set_psk_client_callback`: stored; never called (rustls has no external PSK:
/// handshakes use certificates, as OpenSSL's do when no PSK suite is negotiated).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_psk_client_callback(ctx: *mut SSL_CTX, cb: PskClientCallback) {
    entry(|| ctx_cbs(ctx, |c| c.psk_client = cb))
}

/// `SSL_set_psk_client_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_psk_client_callback(ssl: *mut SSL, cb: PskClientCallback) {
    entry(|| ssl_cbs(ssl, |c| c.psk_client = cb))
}

/// `SSL_CTX_set_psk_server_callback`: stored; never called.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_psk_server_callback(ctx: *mut SSL_CTX, cb: PskServerCallback) {
    entry(|| ctx_cbs(ctx, |c| c.psk_server = cb))
}

/// `SSL_set_psk_server_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_psk_server_callback(ssl: *mut SSL, cb: PskServerCallback) {
    entry(|| ssl_cbs(ssl, |c| c.psk_server = cb))
}

/// `SSL_CTX_set_psk_find_session_callback`: stored; never called.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_psk_find_session_callback(
    ctx: *mut SSL_CTX,
    cb: PskFindSessionCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.psk_find_session = cb))
}

/// `SSL_set_psk_find_session_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_psk_find_session_callback(
    ssl: *mut SSL,
    cb: PskFindSessionCallback,
) {
    entry(|| ssl_cbs(ssl, |c| c.psk_find_session = cb))
}

/// `SSL_CTX_set_psk_use_session_callback`: stored; never called.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_psk_use_session_callback(
    ctx: *mut SSL_CTX,
    cb: PskUseSessionCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.psk_use_session = cb))
}

/// `SSL_set_psk_use_session_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_psk_use_session_callback(
    ssl: *mut SSL,
    cb: PskUseSessionCallback,
) {
    entry(|| ssl_cbs(ssl, |c| c.psk_use_session = cb))
}

/// `SSL_CTX_set_security_callback`: stored; never called (the shim has no weak
/// algorithms for it to veto).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_security_callback(ctx: *mut SSL_CTX, cb: SecurityCallback) {
    entry(|| ctx_cbs(ctx, |c| c.security = cb))
}

/// `SSL_CTX_get_security_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_security_callback(ctx: *const SSL_CTX) -> SecurityCallback {
    entry(|| Ok(try_ref!(ctx).callbacks().security))
}

/// `SSL_set_security_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_security_callback(ssl: *mut SSL, cb: SecurityCallback) {
    entry(|| ssl_cbs(ssl, |c| c.security = cb))
}

/// `SSL_get_security_callback`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_security_callback(ssl: *const SSL) -> SecurityCallback {
    entry(|| Ok(lock(&try_ref!(ssl).callbacks).security))
}

/// `SSL_CTX_set0_security_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set0_security_ex_data(ctx: *mut SSL_CTX, ex: *mut c_void) {
    entry(|| ctx_cbs(ctx, |c| c.security_ex = addr(ex)))
}

/// `SSL_CTX_get0_security_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get0_security_ex_data(ctx: *const SSL_CTX) -> *mut c_void {
    entry(|| Ok(try_ref!(ctx).callbacks().security_ex as *mut c_void))
}

/// `SSL_set0_security_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set0_security_ex_data(ssl: *mut SSL, ex: *mut c_void) {
    entry(|| ssl_cbs(ssl, |c| c.security_ex = addr(ex)))
}

/// `SSL_get0_security_ex_data`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_security_ex_data(ssl: *const SSL) -> *mut c_void {
    entry(|| Ok(lock(&try_ref!(ssl).callbacks).security_ex as *mut c_void))
}

/// `SSL_CTX_set_record_padding_callback`: stored; never called (records are not padded).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_record_padding_callback(
    ctx: *mut SSL_CTX,
    cb: PaddingCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.padding = cb))
}

/// `SSL_CTX_set_record_padding_callback_arg`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_record_padding_callback_arg(
    ctx: *mut SSL_CTX,
    arg: *mut c_void,
) {
    entry(|| ctx_cbs(ctx, |c| c.padding_arg = addr(arg)))
}

/// `SSL_CTX_get_record_padding_callback_arg`.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_get_record_padding_callback_arg(
    ctx: *const SSL_CTX,
) -> *mut c_void {
    entry(|| Ok(try_ref!(ctx).callbacks().padding_arg as *mut c_void))
}

/// `SSL_set_record_padding_callback`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_record_padding_callback(
    ssl: *mut SSL,
    cb: PaddingCallback,
) -> c_int {
    entry(|| ssl_cbs(ssl, |c| c.padding = cb).map(|()| 1))
}

/// `SSL_set_record_padding_callback_arg`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_record_padding_callback_arg(ssl: *mut SSL, arg: *mut c_void) {
    entry(|| ssl_cbs(ssl, |c| c.padding_arg = addr(arg)))
}

/// `SSL_get_record_padding_callback_arg`.
#[no_mangle]
pub unsafe extern "C" fn SSL_get_record_padding_callback_arg(ssl: *const SSL) -> *mut c_void {
    entry(|| Ok(lock(&try_ref!(ssl).callbacks).padding_arg as *mut c_void))
}

/// `SSL_CTX_set_allow_early_data_cb`: stored; a server's 0-RTT acceptance is rustls's.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_allow_early_data_cb(
    ctx: *mut SSL_CTX,
    cb: AllowEarlyDataCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.allow_early_data = cb;
            c.allow_early_data_arg = addr(arg);
        })
    })
}

/// `SSL_set_allow_early_data_cb`.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_allow_early_data_cb(
    ssl: *mut SSL,
    cb: AllowEarlyDataCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ssl_cbs(ssl, |c| {
            c.allow_early_data = cb;
            c.allow_early_data_arg = addr(arg);
        })
    })
}

/// `SSL_CTX_set_async_callback`: stored; never called (no async engine jobs); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_async_callback(ctx: *mut SSL_CTX, cb: AsyncCallback) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.async_cb = cb).map(|()| 1))
}

/// `SSL_CTX_set_async_callback_arg`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_async_callback_arg(
    ctx: *mut SSL_CTX,
    arg: *mut c_void,
) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.async_arg = addr(arg)).map(|()| 1))
}

/// `SSL_set_async_callback`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_async_callback(ssl: *mut SSL, cb: AsyncCallback) -> c_int {
    entry(|| ssl_cbs(ssl, |c| c.async_cb = cb).map(|()| 1))
}

/// `SSL_set_async_callback_arg`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_async_callback_arg(ssl: *mut SSL, arg: *mut c_void) -> c_int {
    entry(|| ssl_cbs(ssl, |c| c.async_arg = addr(arg)).map(|()| 1))
}

/// `SSL_CTX_set_generate_session_id`: stored; never called (rustls makes session ids); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_generate_session_id(
    ctx: *mut SSL_CTX,
    cb: GenSessionCallback,
) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.gen_session_id = cb).map(|()| 1))
}

/// `SSL_set_generate_session_id`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_set_generate_session_id(
    ssl: *mut SSL,
    cb: GenSessionCallback,
) -> c_int {
    entry(|| ssl_cbs(ssl, |c| c.gen_session_id = cb).map(|()| 1))
}

/// `SSL_CTX_set_cookie_generate_cb`: stored; never called (DTLS).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cookie_generate_cb(
    ctx: *mut SSL_CTX,
    cb: CookieGenerateCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.cookie_generate = cb))
}

/// `SSL_CTX_set_cookie_verify_cb`: stored; never called (DTLS).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_cookie_verify_cb(ctx: *mut SSL_CTX, cb: CookieVerifyCallback) {
    entry(|| ctx_cbs(ctx, |c| c.cookie_verify = cb))
}

/// `SSL_CTX_set_stateless_cookie_generate_cb`: stored; never called (rustls sends no
/// HelloRetryRequest cookie).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_stateless_cookie_generate_cb(
    ctx: *mut SSL_CTX,
    cb: StatelessCookieGenerateCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.stateless_cookie_generate = cb))
}

/// `SSL_CTX_set_stateless_cookie_verify_cb`: stored; never called.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_stateless_cookie_verify_cb(
    ctx: *mut SSL_CTX,
    cb: StatelessCookieVerifyCallback,
) {
    entry(|| ctx_cbs(ctx, |c| c.stateless_cookie_verify = cb))
}

/// `SSL_CTX_set_next_proto_select_cb`: stored; never called (rustls has no NPN, which
/// OpenSSL 3 clients use only when a server offers it; ALPN replaced it).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_next_proto_select_cb(
    ctx: *mut SSL_CTX,
    cb: NpnSelectCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.npn_select = cb;
            c.npn_select_arg = addr(arg);
        })
    })
}

/// `SSL_CTX_set_next_protos_advertised_cb`: stored; never called (no NPN).
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_next_protos_advertised_cb(
    ctx: *mut SSL_CTX,
    cb: NpnAdvertisedCallback,
    arg: *mut c_void,
) {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.npn_advertised = cb;
            c.npn_advertised_arg = addr(arg);
        })
    })
}

/// `SSL_get0_next_proto_negotiated`: NULL and 0 (no NPN protocol is ever negotiated).
#[no_mangle]
pub unsafe extern "C" fn SSL_get0_next_proto_negotiated(
    ssl: *const SSL,
    data: *mut *const u8,
    len: *mut c_uint,
) {
    // Both outputs are written on every path, as OpenSSL writes them.
    // SAFETY: the out-pointers are NULL or writable per the API.
    unsafe {
        super::session::write_opt(data, std::ptr::null());
        super::session::write_opt(len, 0);
    }
    entry(|| {
        try_ref!(ssl);
        Ok(())
    })
}

/// `SSL_CTX_set_session_ticket_cb`: stored; never called (the application data of rustls
/// tickets cannot be extended); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_session_ticket_cb(
    ctx: *mut SSL_CTX,
    gen_cb: TicketGenCallback,
    dec_cb: TicketDecCallback,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        ctx_cbs(ctx, |c| {
            c.ticket_gen = gen_cb;
            c.ticket_dec = dec_cb;
            c.ticket_arg = addr(arg);
        })
        .map(|()| 1)
    })
}

/// `DTLS_set_timer_cb`: stored; never called (DTLS).
#[no_mangle]
pub unsafe extern "C" fn DTLS_set_timer_cb(ssl: *mut SSL, cb: DtlsTimerCallback) {
    entry(|| ssl_cbs(ssl, |c| c.dtls_timer = cb))
}

/// `SSL_CTX_set_srp_username_callback`: stored; never called (no TLS-SRP); 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_username_callback(
    ctx: *mut SSL_CTX,
    cb: SrpUsernameCallback,
) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.srp_username = cb).map(|()| 1))
}

/// `SSL_CTX_set_srp_verify_param_callback`: stored; never called; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_verify_param_callback(
    ctx: *mut SSL_CTX,
    cb: SrpVerifyParamCallback,
) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.srp_verify_param = cb).map(|()| 1))
}

/// `SSL_CTX_set_srp_client_pwd_callback`: stored; never called; 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_client_pwd_callback(
    ctx: *mut SSL_CTX,
    cb: SrpClientPwdCallback,
) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.srp_client_pwd = cb).map(|()| 1))
}

/// `SSL_CTX_set_srp_cb_arg`: 1.
#[no_mangle]
pub unsafe extern "C" fn SSL_CTX_set_srp_cb_arg(ctx: *mut SSL_CTX, arg: *mut c_void) -> c_int {
    entry(|| ctx_cbs(ctx, |c| c.srp_arg = addr(arg)).map(|()| 1))
}
