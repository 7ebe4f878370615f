//! The vendor's own domain, read from its website's host with the Public
//! Suffix List (the `psl` crate, compiled in, ICANN and private entries):
//! `www.vendor.co.uk` and `app.vendor.co.uk` are `vendor.co.uk`. A website
//! on a shared platform (a private entry: `cryptobot.vercel.app`,
//! `vendor.github.io`) has none: the registry, the breach list and DNS
//! would describe the platform, so a two-week-old look-alike would read as
//! years old, with the platform's breaches and mail records.

use url::Host;

/// The registrable domain of the website `host`, or why there is none of
/// the vendor's own to look up.
pub fn registrable(host: &Host<&str>) -> Result<String, String> {
    let Host::Domain(name) = host else {
        return Err("the website's host is an IP address, so there is no domain to look up".into());
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.split('.').count() < 2 || name.split('.').any(str::is_empty) {
        return Err("the website's host is not a domain name of two labels or more, so there is no domain to look up".into());
    }
    let Some(domain) = psl::domain(name.as_bytes()) else {
        return Err(format!(
            "`{}` is a public suffix, not a domain anyone registers",
            crate::diag::quote(&name)
        ));
    };
    let platform = domain.suffix().typ() == Some(psl::Type::Private);
    let suffix = String::from_utf8_lossy(domain.suffix().as_bytes()).into_owned();
    let domain = String::from_utf8_lossy(domain.as_bytes()).into_owned();
    if platform {
        return Err(format!(
            "the website is on a shared platform (`{suffix}`, a private entry of the Public Suffix List): `{domain}` is a name the platform gives out, not a domain the vendor registered, so its registration, breaches and DNS records would be the platform's and none is asked for; ask the vendor which domain it owns"
        ));
    }
    Ok(domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn host(s: &str) -> Result<String, String> {
        let url = Url::parse(&format!("https://{s}/")).unwrap();
        registrable(&url.host().unwrap())
    }

    #[test]
    fn asks_for_the_registrable_domain_and_never_a_platform_s() {
        assert_eq!(host("www.vendor.co.uk").unwrap(), "vendor.co.uk");
        assert_eq!(host("a.b.c.d.vendor.com").unwrap(), "vendor.com");
        assert_eq!(host("Vendor.Example.").unwrap(), "vendor.example");
        assert_eq!(host("vendor.test").unwrap(), "vendor.test");
        // Shared platforms (private entries): the registry would date the
        // platform, and its breaches are not the vendor's.
        for platform in [
            "cryptobot.vercel.app",
            "vendor.github.io",
            "bot.herokuapp.com",
        ] {
            let e = host(platform).unwrap_err();
            assert!(e.contains("shared platform"), "{platform}: {e}");
        }
        assert!(host("co.uk").unwrap_err().contains("public suffix"));
        assert!(host("localhost").is_err());
        assert!(host("127.0.0.1").unwrap_err().contains("IP address"));
    }
}
