//! Where a webhook may be sent: an `https` URL whose host is a name or a public address.
//! Checked when an endpoint is given, and at every delivery against the addresses its
//! name resolves to then (a name can be pointed at the metadata service later).
//! `WEBHOOKS_ALLOW_LOOPBACK` (make dev and tests only) also allows `http://127.0.0.1:<port>`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use lambda_http::http::Uri;

/// The longest URL taken.
pub const MAX_URL_BYTES: usize = 2048;

/// Whether the functions also take receivers on this machine (`make dev`, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressPolicy {
    pub allow_loopback: bool,
}

impl AddressPolicy {
    pub fn from_env() -> Self {
        AddressPolicy {
            allow_loopback: std::env::var("WEBHOOKS_ALLOW_LOOPBACK").as_deref() == Ok("true"),
        }
    }

    /// Whether a delivery may connect to `ip`.
    pub fn allows(self, ip: IpAddr) -> bool {
        if self.allow_loopback && ip.is_loopback() {
            return true;
        }
        public(ip)
    }
}

/// A URL that passed the checks; its host is still resolved and checked at delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    pub uri: Uri,
    pub host: String,
    pub port: u16,
    pub https: bool,
}

impl WebhookUrl {
    /// The URL, or what is wrong with it (as a 400 says it).
    pub fn parse(text: &str, policy: AddressPolicy) -> Result<WebhookUrl, String> {
        if text.len() > MAX_URL_BYTES {
            return Err(format!("url is longer than {MAX_URL_BYTES} bytes"));
        }
        let uri: Uri = text
            .parse()
            .map_err(|_| "url is not an absolute URL".to_owned())?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err("url is not an absolute URL".into());
        };
        if authority.as_str().contains('@') {
            return Err("url must not carry a user name or password".into());
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let literal = host.parse::<IpAddr>().ok();
        let https = match scheme {
            "https" => true,
            "http" if policy.allow_loopback && literal.is_some_and(|ip| ip.is_loopback()) => false,
            _ => return Err("url must be https".into()),
        };
        if host.is_empty() || host == "localhost" || host.ends_with(".localhost") {
            return Err("url must name a public host".into());
        }
        if let Some(ip) = literal {
            if !policy.allows(ip) {
                return Err(format!("url's address {ip} is not public"));
            }
        }
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(WebhookUrl {
            uri,
            host,
            port,
            https,
        })
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local (the
/// metadata service's 169.254.169.254 and fd00:ec2::254 among them), shared, reserved,
/// multicast or unspecified; IPv4 inside IPv6 (mapped, NAT64) is judged as IPv4.
pub fn public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let octets = ip.octets();
        return public_v4(Ipv4Addr::new(
            octets[12], octets[13], octets[14], octets[15],
        ));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || segments[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: AddressPolicy = AddressPolicy {
        allow_loopback: false,
    };
    const DEV: AddressPolicy = AddressPolicy {
        allow_loopback: true,
    };

    #[test]
    fn refuses_every_address_that_is_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.170.2",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.0.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "2001:db8::1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!public(ip), "{ip} passed as public");
        }
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(public(ip), "{ip} refused");
        }
    }

    #[test]
    fn takes_https_names_and_public_addresses() {
        let url = WebhookUrl::parse("https://hooks.example.com/tessera?x=1", STRICT).unwrap();
        assert_eq!(
            (url.host.as_str(), url.port, url.https),
            ("hooks.example.com", 443, true)
        );
        let url = WebhookUrl::parse("https://93.184.215.14:8443/", STRICT).unwrap();
        assert_eq!(url.port, 8443);
    }

    #[test]
    fn refuses_what_is_not_https_to_a_public_host() {
        for (url, why) in [
            ("http://hooks.example.com/", "https"),
            ("ftp://hooks.example.com/", "https"),
            ("hooks.example.com/x", "absolute"),
            ("/x", "absolute"),
            ("https://user:pw@hooks.example.com/", "password"),
            ("https://localhost/", "public host"),
            ("https://127.0.0.1/", "not public"),
            ("https://[::1]/", "not public"),
            ("https://169.254.169.254/latest/meta-data", "not public"),
            ("https://10.1.2.3/", "not public"),
            ("http://127.0.0.1:8080/", "https"),
        ] {
            let err = WebhookUrl::parse(url, STRICT).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES));
        assert!(WebhookUrl::parse(&long, STRICT)
            .unwrap_err()
            .contains("longer"));
    }

    #[test]
    fn make_dev_also_takes_loopback_receivers_and_nothing_else_private() {
        let url = WebhookUrl::parse("http://127.0.0.1:8080/hook", DEV).unwrap();
        assert_eq!((url.port, url.https), (8080, false));
        assert!(WebhookUrl::parse("http://10.0.0.1/", DEV).is_err());
        assert!(WebhookUrl::parse("https://169.254.169.254/", DEV).is_err());
        assert!(WebhookUrl::parse("http://hooks.example.com/", DEV).is_err());
    }
}
