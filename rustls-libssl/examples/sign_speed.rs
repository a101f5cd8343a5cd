//! aws-lc's signing alone, as the shim's servers sign handshakes (RSA-PSS-SHA256 for an RSA
//! key, ECDSA-P256-SHA256 for a P-256 key): `bench/run.py`'s `sign` part compares it with
//! OpenSSL's libcrypto signing the same key (`tlsbench sign`).
//!
//! usage: sign_speed KEY.pem N   (a PKCS#8 PEM key, as `openssl req -newkey` writes)
//! prints: libssl=aws-lc n=N us_per_sign=...

use std::time::Instant;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING, RSA_PSS_SHA256,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivatePkcs8KeyDer;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u32>().ok()))
    else {
        eprintln!("usage: sign_speed KEY.pem N");
        std::process::exit(2);
    };
    let key = PrivatePkcs8KeyDer::from_pem_file(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1);
    });
    let rng = SystemRandom::new();
    let signer = match RsaKeyPair::from_pkcs8(key.secret_pkcs8_der()) {
        Ok(rsa) => Signer::Rsa(rsa),
        Err(_) => Signer::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key.secret_pkcs8_der())
                .unwrap_or_else(|e| {
                    eprintln!("{path}: neither an RSA nor a P-256 key: {e}");
                    std::process::exit(1);
                }),
        ),
    };
    let mut out = vec![0u8; 512];
    for _ in 0..n.min(20) {
        signer.sign(&rng, &mut out[..256]);
    }
    let start = Instant::now();
    for _ in 0..n {
        signer.sign(&rng, &mut out[..256]);
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    println!("libssl=aws-lc n={n} us_per_sign={us:.2}");
}

enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Signer {
    fn sign(&self, rng: &SystemRandom, out: &mut [u8]) {
        // What a TLS 1.3 server signs: 64 spaces, a context string, a zero byte, a hash.
        let message = [0x20u8; 130];
        match self {
            Self::Rsa(k) => k
                .sign(&RSA_PSS_SHA256, rng, &message, out)
                .expect("RSA signing"),
            Self::Ec(k) => drop(k.sign(rng, &message).expect("ECDSA signing")),
        }
    }
}
