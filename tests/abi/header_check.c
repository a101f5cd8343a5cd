/* header_check: OpenSSL's declarations first, then ours. Any prototype in
 * include/rustls-libssl.h that differs from OpenSSL's is a "conflicting types" error under
 * -Werror (compiled by tests/abi/header-check.sh, never run; run.sh skips this file). */
#include <openssl/ssl.h>

#include "rustls-libssl.h"
