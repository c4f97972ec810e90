//! The HTTPS client of every AWS SDK client: rustls (aws-lc) trusting only the roots of
//! Amazon Trust Services, which every AWS service endpoint's certificate chains to.
//!
//! The SDK's default client loads the system's whole CA store during init: on a machine
//! with ca-certificates that is the bundle plus every file in /etc/ssl/certs (146 here),
//! parsed before the first connection. Five embedded roots cost next to nothing (see
//! docs/performance.md). `TESSERA_TRUST_SYSTEM_ROOTS=true` adds the system's
//! store back, for endpoints that present another CA's certificate (a TLS-terminating
//! proxy, an emulator behind https).

use aws_smithy_http_client::{
    tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore},
    Builder,
};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Amazon Root CA 1-4 and Starfield Services Root G2, as PEM.
pub const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

pub fn https_client(trust_system_roots: bool) -> SharedHttpClient {
    let trust_store = TrustStore::empty()
        .with_native_roots(trust_system_roots)
        .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS);
    let context = TlsContext::builder()
        .with_trust_store(trust_store)
        .build()
        .expect("a TLS context of embedded roots");
    Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_the_five_amazon_trust_services_roots() {
        let pem = std::str::from_utf8(AMAZON_TRUST_SERVICES_ROOTS).unwrap();
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 5);
    }
}
