//! `log2f`, the one libm function the library calls (brotli's cost estimates for certificate
//! compression, through `f32::log2`). Defined here, the library does not load libm.so.6, which
//! costs a process about 320 KiB of RSS for this one function. The version script keeps the
//! symbol local: other objects of the process still get libm's.

/// log2(x) for an `f32`, computed in `f64`: x = m·2^e with m in [√½, √2), and
/// log2(m) = 2/ln 2 · atanh(s), s = (m − 1)/(m + 1), |s| < 0.172, from its series up to s¹⁵
/// (truncation error below 1e-13, far under an `f32` ulp).
#[no_mangle]
extern "C" fn log2f(x: f32) -> f32 {
    log2_f64(f64::from(x)) as f32
}

fn log2_f64(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    // Every f32 is a normal f64, so the exponent field is never zero here.
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    for k in [1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0] {
        sum += term / k;
        term *= s2;
    }
    e as f64 + sum * (2.0 / std::f64::consts::LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_libm_log2() {
        // f64::log2 is libm's log2 (not this log2f), rounded to f32 as log2f rounds.
        let mut x = 1e-30f32;
        while x < 1e30 {
            for v in [x, x * 1.2345, x * 1.4143, x * 1.9999] {
                let want = (f64::from(v)).log2() as f32;
                let got = log2f(v);
                let ulp = (want.to_bits() as i64 - got.to_bits() as i64).abs();
                assert!(ulp <= 1, "log2f({v}) = {got}, libm {want}");
            }
            x *= 1.7;
        }
        for v in 1..=4096u32 {
            assert_eq!(log2f(v as f32), (f64::from(v)).log2() as f32, "log2f({v})");
        }
        assert!(log2f(-1.0).is_nan() && log2f(f32::NAN).is_nan());
        assert_eq!(log2f(0.0), f32::NEG_INFINITY);
        assert_eq!(log2f(f32::INFINITY), f32::INFINITY);
        assert_eq!(log2f(f32::MIN_POSITIVE), -126.0);
        assert_eq!(log2f(1.0), 0.0);
    }
}
