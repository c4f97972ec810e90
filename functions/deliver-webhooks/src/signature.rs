//! Standard Webhooks signatures: `v1,<base64(HMAC-SHA256(secret, id "." timestamp "." body))>`,
//! one per secret that signs, space-separated.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The `webhook-signature` header of a message signed with each of `secrets`.
pub fn signature_header(
    secrets: &[&[u8]],
    message_id: &str,
    timestamp: u64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
            mac.update(message_id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_signature_per_secret_each_over_id_timestamp_and_body() {
        let one = signature_header(&[b"key one"], "msg_1", 1_700_000_000, b"{}");
        assert!(one.starts_with("v1,") && !one.contains(' '), "{one}");
        let decoded = STANDARD.decode(&one[3..]).unwrap();
        assert_eq!(decoded.len(), 32);
        let two = signature_header(&[b"key one", b"key two"], "msg_1", 1_700_000_000, b"{}");
        let parts: Vec<&str> = two.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], one);
        for changed in [
            signature_header(&[b"key one"], "msg_2", 1_700_000_000, b"{}"),
            signature_header(&[b"key one"], "msg_1", 1_700_000_001, b"{}"),
            signature_header(&[b"key one"], "msg_1", 1_700_000_000, b"{ }"),
        ] {
            assert_ne!(changed, one);
        }
    }
}
