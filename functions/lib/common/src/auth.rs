//! Parsing of the credentials a caller presents. Parsing only: whether a credential is
//! known is the store's question.

use base64::{engine::general_purpose::STANDARD, Engine};
use lambda_http::http::{header::AUTHORIZATION, HeaderMap};

/// The user name of `Authorization: Basic base64("<user>:")`, as RudderStack's API takes
/// the workspace token: the token is the user name and the password is empty.
pub fn basic_user_with_empty_password(headers: &HeaderMap) -> Option<String> {
    basic_user_of(headers.get(AUTHORIZATION)?.to_str().ok()?)
}

/// `basic_user_with_empty_password` of one header value.
pub fn basic_user_of(value: &str) -> Option<String> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    (password.is_empty() && !user.is_empty()).then(|| user.to_owned())
}

/// The token of `Authorization: Bearer <token>`, or of Basic with the token as user name
/// and an empty password, as RudderStack's clients send it: how an access token is
/// presented to the authorizer.
pub fn bearer_or_basic(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = token.trim();
        return (!token.is_empty()).then(|| token.to_owned());
    }
    basic_user_of(value)
}

/// The token of `Authorization: Token <token>` (SeaTable's scheme) or `Bearer <token>`.
pub fn token_or_bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer");
    (known && !token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn reads_the_token_from_the_user_name() {
        // The seed's example header: base64("1pTlg62ZYqH2qkC05fsXTfRPEfr:").
        let got = basic_user_with_empty_password(&headers(
            "Basic MXBUbGc2MlpZcUgycWtDMDVmc1hUZlJQRWZyOg==",
        ));
        assert_eq!(got.as_deref(), Some("1pTlg62ZYqH2qkC05fsXTfRPEfr"));
        let lower = basic_user_with_empty_password(&headers("basic YWJjZDEyMzQ6"));
        assert_eq!(lower.as_deref(), Some("abcd1234"));
    }

    #[test]
    fn rejects_anything_but_basic_with_an_empty_password() {
        for bad in [
            "Bearer YWJjZDEyMzQ6",
            "Basic",
            "Basic not-base64!",
            "Basic YWJjZDEyMzQ=",     // "abcd1234": no colon
            "Basic YWJjZDEyMzQ6eA==", // "abcd1234:x": a password
            "Basic Og==",             // ":": no user
        ] {
            assert_eq!(basic_user_with_empty_password(&headers(bad)), None, "{bad}");
        }
        assert_eq!(basic_user_with_empty_password(&HeaderMap::new()), None);
    }

    #[test]
    fn reads_bearer_and_basic_for_the_authorizer() {
        assert_eq!(bearer_or_basic("Bearer tsa_x").as_deref(), Some("tsa_x"));
        assert_eq!(bearer_or_basic("bearer   tsa_x ").as_deref(), Some("tsa_x"));
        assert_eq!(
            bearer_or_basic("Basic dHNhX3g6").as_deref(), // "tsa_x:"
            Some("tsa_x")
        );
        for bad in [
            "Bearer",
            "Bearer  ",
            "Token tsa_x",
            "tsa_x",
            "Basic dHNhX3g6eQ==",
        ] {
            assert_eq!(bearer_or_basic(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_token_and_bearer_schemes() {
        let seed = "57782e1e42a7fefc6a5026e00c6a62c9d249e760";
        assert_eq!(
            token_or_bearer(&headers(&format!("Token {seed}"))).as_deref(),
            Some(seed)
        );
        assert_eq!(
            token_or_bearer(&headers("bearer abc")).as_deref(),
            Some("abc")
        );
        for bad in ["Token", "Token  ", "Basic abc", "abc"] {
            assert_eq!(token_or_bearer(&headers(bad)), None, "{bad}");
        }
    }
}
