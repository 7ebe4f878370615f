//! `vetted collect`: fetch public evidence about a manifest's vendor and
//! record it in the manifest.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;
use vetted::date::Date;
use vetted::diag::Code;
use vetted::evidence::collect::{FACTS, Job, Progress, Sources};
use vetted::evidence::dns::Resolver;
use vetted::evidence::fetch::{FetchError, HttpFetcher, Options, Response, SetupError};

use super::{BAD_INPUT, OK, finish, terminal_safe};

const AFTER_HELP: &str = "\
Collectors: security.txt (RFC 9116) on the website; HTTPS and HSTS of the
website and the docs; the repository's Security Insights file, metadata
(GitHub API) and OpenSSF Scorecard result; the age of the website's
domain (RDAP, through the IANA bootstrap file); breaches Have I Been Pwned
lists for that domain, shown as candidate incidents for you to confirm,
never recorded as incidents; known vulnerabilities (OSV) of the packages
listed in vendor.packages. Facts fill the questions the
checklists map them to (source: collected); a person's answer is never
overwritten, and a fact that disagrees with it becomes a finding of
`vetted assess`. A failed fetch is recorded with its reason.

Only https is fetched, redirects included. Internal addresses (loopback,
private, link-local, CGNAT, unique-local, multicast, IPv4-mapped, and every
other special-purpose range that is not globally reachable) are refused
after DNS resolution unless --allow-private-network is given.

Examples:
  vetted collect vendor.yaml --dry-run
  vetted collect vendor.yaml --proxy socks5://proxy.corp:1080 --ca-cert corp-ca.pem";

/// Arguments of `vetted collect`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The manifest whose vendor is looked up; rewritten in place (backed up
    /// first if hand-edited).
    #[arg(required_unless_present = "list_facts")]
    file: Option<PathBuf>,
    /// Print what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The date to judge expiry against (default today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// Fetches at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Allow internal addresses (an intranet vendor, a local test server).
    #[arg(long)]
    allow_private_network: bool,
    /// The proxy to use (socks5://HOST:PORT; any kind with
    /// --allow-private-network); proxy variables in the environment are
    /// ignored.
    #[arg(long, value_name = "URL")]
    proxy: Option<Url>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,
    /// Pin a name to an address: HOST:PORT:ADDRESS, as in curl, except that
    /// the pin holds for every port of HOST (the connection goes to the
    /// URL's port). Trusted as given, so exempt from the address check.
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_pin)]
    resolve: Vec<(String, SocketAddr)>,
    /// Seconds to connect.
    #[arg(long, default_value_t = 5, value_name = "S")]
    connect_timeout: u64,
    /// Seconds to wait for the next bytes of a response.
    #[arg(long, default_value_t = 10, value_name = "S")]
    read_timeout: u64,
    /// Seconds a whole request may take.
    #[arg(long, default_value_t = 15, value_name = "S")]
    timeout: u64,
    /// Largest body read, in bytes.
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// GitHub API base URL.
    #[arg(long, value_name = "URL",
        value_parser = parse_base, default_value = "https://api.github.com/")]
    github_api: Url,
    /// Raw file host for Security Insights files.
    #[arg(
        long,
        value_name = "URL",
        value_parser = parse_base,
        default_value = "https://raw.githubusercontent.com/"
    )]
    raw_content: Url,
    /// OpenSSF Scorecard API base URL.
    #[arg(
        long,
        value_name = "URL",
        value_parser = parse_base,
        default_value = "https://api.securityscorecards.dev/"
    )]
    scorecard_api: Url,
    /// List the facts collectors produce, then exit.
    #[arg(long)]
    list_facts: bool,
    /// The IANA RDAP bootstrap file (RFC 9224) naming each TLD's registry,
    /// for the age of the website's domain.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://data.iana.org/rdap/dns.json"
    )]
    rdap_bootstrap: Url,
    /// Have I Been Pwned API base URL, for breaches listed under the
    /// website's domain (candidates, never recorded as incidents).
    #[arg(
        long,
        value_name = "URL",
        value_parser = parse_base,
        default_value = "https://haveibeenpwned.com/"
    )]
    breaches_api: Url,
    /// OSV API base URL, for known vulnerabilities of vendor.packages.
    #[arg(long, value_name = "URL",
        value_parser = parse_base, default_value = "https://api.osv.dev/")]
    osv_api: Url,
    /// Keep the RDAP bootstrap file in DIR for a week (by default
    /// $XDG_CACHE_HOME/vetted or ~/.cache/vetted; not used when the CI
    /// environment variable is set, unless this is given).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache: Option<PathBuf>,
    /// Fetch the RDAP bootstrap file on every run.
    #[arg(long)]
    no_cache: bool,
    /// The DNS resolver to ask for SPF, DMARC, MX, CAA and DNSSEC, as
    /// IP[:PORT] (port 53 by default); repeat for fallbacks. Default: the
    /// system's (/etc/resolv.conf).
    #[arg(long, value_name = "SERVER", value_parser = parse_dns_server)]
    dns: Vec<SocketAddr>,
    /// Do not look up DNS records.
    #[arg(long, conflicts_with = "dns")]
    no_dns: bool,
    /// Do not ask the registry (RDAP) for the domain's age; nor then the
    /// breach list, which is asked only about the domain RDAP names. For
    /// a review that must not tell third parties which vendor it looks at.
    #[arg(long, conflicts_with = "rdap_bootstrap")]
    no_rdap: bool,
    /// Do not ask Have I Been Pwned for breaches listed for the domain.
    #[arg(long, conflicts_with = "breaches_api")]
    no_breaches: bool,
    /// Do not ask OSV about vendor.packages.
    #[arg(long, conflicts_with = "osv_api")]
    no_osv: bool,
}

/// An API's base URL, ending with `/`: paths are joined to it, and a base
/// written without the slash (`https://api.example/osv`) would otherwise
/// lose its last segment.
fn parse_base(s: &str) -> Result<Url, String> {
    let mut url = Url::parse(s).map_err(|e| format!("not a URL: {e}"))?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn parse_dns_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(ip) = s.parse::<std::net::IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    s.parse::<SocketAddr>().map_err(|_| {
        format!(
            "`{}` is not IP[:PORT] (1.1.1.1, 127.0.0.1:5353, [2001:db8::1]:53)",
            vetted::diag::quote(s)
        )
    })
}

pub(super) fn parse_pin(s: &str) -> Result<(String, SocketAddr), String> {
    let (host, rest) = s
        .split_once(':')
        .ok_or_else(|| format!("`{}` is not HOST:PORT:ADDRESS", vetted::diag::quote(s)))?;
    let (port, addr) = rest
        .split_once(':')
        .ok_or_else(|| format!("`{}` is not HOST:PORT:ADDRESS", vetted::diag::quote(s)))?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("`{}` is not a port", vetted::diag::quote(port)))?;
    let addr = addr.trim_start_matches('[').trim_end_matches(']');
    let ip: std::net::IpAddr = addr
        .parse()
        .map_err(|_| format!("`{}` is not an IP address", vetted::diag::quote(addr)))?;
    Ok((host.to_ascii_lowercase(), SocketAddr::new(ip, port)))
}

/// A progress bar on a terminal, a line per fetch otherwise.
enum Shown {
    Bar(indicatif::ProgressBar),
    Lines,
}

impl Progress for Shown {
    fn begin(&mut self, total: usize) {
        match self {
            Shown::Bar(bar) => bar.set_length(total as u64),
            Shown::Lines => eprintln!("fetching {total} URL(s)"),
        }
    }

    fn finished(&mut self, job: &Job, outcome: &Result<Response, FetchError>) {
        let line = match outcome {
            Ok(r) => format!("HTTP {} {}", r.status, job.url),
            Err(e) => format!("failed {}: {e}", job.url),
        };
        let line = terminal_safe(&line);
        match self {
            Shown::Bar(bar) => {
                bar.inc(1);
                bar.set_message(line);
            }
            Shown::Lines => eprintln!("{line}"),
        }
    }
}

/// Runs `vetted collect`.
pub fn run(args: Args, checklists: Option<&std::path::Path>) -> u8 {
    if args.list_facts {
        for (name, meaning) in FACTS {
            println!("{name:36} {meaning}");
        }
        println!(
            "{:36} a Scorecard check's score, 0 to 10",
            "scorecard.check.<name>"
        );
        return OK;
    }
    let mut roots = Vec::new();
    for path in &args.ca_cert {
        match vetted::read(path) {
            Ok(bytes) => roots.push((path.display().to_string(), bytes)),
            Err(e) => return finish(Err(e)),
        }
    }
    let options = Options {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        read_timeout: Duration::from_secs(args.read_timeout),
        total_timeout: Duration::from_secs(args.timeout),
        max_body: args.max_body,
        allow_private_network: args.allow_private_network,
        proxy: args.proxy.clone(),
        extra_roots_pem: roots,
        pinned: args.resolve.clone(),
        ..Options::default()
    };
    let fetcher = match HttpFetcher::new(options) {
        Ok(f) => f,
        Err(e @ SetupError::ProxyResolvesNames(_)) => {
            eprintln!(
                "error[{}]: {}",
                Code::ProxyResolvesNames,
                terminal_safe(&e.to_string())
            );
            eprintln!(
                "  help: use a SOCKS5 proxy (--proxy socks5://HOST:PORT): vetted resolves and checks each name and the proxy connects to that address; or --allow-private-network to turn the guard off"
            );
            return BAD_INPUT;
        }
        Err(e) => {
            eprintln!(
                "error[{}]: {}",
                Code::CollectSetup,
                terminal_safe(&e.to_string())
            );
            eprintln!(
                "  help: --ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----); --proxy a URL such as socks5://proxy.corp:1080"
            );
            return BAD_INPUT;
        }
    };
    finish(collect(&args, checklists, &fetcher))
}

fn collect(
    args: &Args,
    checklists: Option<&std::path::Path>,
    fetcher: &HttpFetcher,
) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    let path = args.file.as_deref().expect("clap requires FILE");
    let file = path.display().to_string();
    let bytes = vetted::read(path)?;
    let loaded = vetted::manifest::load(&file, bytes.clone(), &catalog)?;
    let sources = Sources {
        github_api: args.github_api.clone(),
        raw_content: args.raw_content.clone(),
        scorecard_api: args.scorecard_api.clone(),
        rdap_bootstrap: (!args.no_rdap).then(|| args.rdap_bootstrap.clone()),
        // Its own build id: the bootstrap file does not depend on which
        // build of vetted fetched it, so a rebuild keeps it. A cache that
        // cannot be opened costs a fetch, never the run.
        rdap_cache: super::cache_dir(args.cache.as_deref(), args.no_cache, |v| {
            std::env::var_os(v)
        })
        .and_then(|dir| vetted::cache::Cache::open(&dir, b"rdap bootstrap".to_vec()).ok()),
        breaches_api: (!args.no_breaches).then(|| args.breaches_api.clone()),
        osv_api: (!args.no_osv).then(|| args.osv_api.clone()),
        dns: match (args.no_dns, args.dns.is_empty()) {
            (true, _) => None,
            (false, true) => Some(Resolver::system()),
            (false, false) => Some(Resolver::new(args.dns.clone())),
        },
    };
    let as_of = args.as_of.unwrap_or_else(Date::today_utc);
    let observed = vetted::date::now_rfc3339();
    let mut shown = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .expect("a valid template"),
        );
        Shown::Bar(bar)
    } else {
        Shown::Lines
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| vetted::Error::Io {
            path: PathBuf::from("<tokio runtime>"),
            source,
        })?;
    let collected = runtime.block_on(vetted::evidence::gather(
        &loaded.manifest.vendor,
        fetcher,
        &sources,
        args.concurrency as usize,
        as_of,
        &observed,
        &mut shown,
    ));
    if let Shown::Bar(bar) = &shown {
        bar.finish_and_clear();
    }
    let mut updated = loaded.manifest.clone();
    let applied = vetted::evidence::apply(&mut updated, &catalog, collected.clone());

    let mut out = String::new();
    let vendor = &loaded.manifest.vendor;
    if vendor.website.is_none()
        && vendor.docs.is_none()
        && vendor.repository.is_none()
        && vendor.packages.is_empty()
    {
        out.push_str(
            "Nothing to look up: the manifest names no vendor.website, vendor.docs, vendor.repository or vendor.packages.\n",
        );
    }
    out.push_str(&format!("Facts ({}):\n", collected.facts.len()));
    for (name, fact) in &collected.facts {
        out.push_str(&format!("  {name} = {}\n", fact.value));
    }
    candidates(&collected, &mut out);
    if !collected.failures.is_empty() {
        out.push_str(&format!("Failed ({}):\n", collected.failures.len()));
        for f in &collected.failures {
            out.push_str(&format!("  {} {}: {}\n", f.collector, f.url, f.reason));
        }
    }
    let verb = if args.dry_run { "Would fill" } else { "Filled" };
    out.push_str(&format!("{verb} ({}):\n", applied.filled.len()));
    for c in &applied.filled {
        let before = c
            .before
            .as_ref()
            .map_or("unanswered".to_string(), |b| b.to_json().to_string());
        out.push_str(&format!(
            "  {}: {before} -> {} (from {})\n",
            c.question,
            c.after.to_json(),
            c.fact
        ));
    }
    if !applied.contradictions.is_empty() {
        out.push_str(&format!(
            "Contradictions, left for you to settle ({}):\n",
            applied.contradictions.len()
        ));
        for c in &applied.contradictions {
            out.push_str(&format!("  {}: {}\n", c.question, c.describe()));
        }
    }
    if let Some((was, now)) = applied.redated {
        out.push_str(&format!(
            "The assessment is dated {now} (was {was}), the day the evidence was observed.\n"
        ));
    }
    if args.dry_run {
        out.push_str(&format!("Dry run: {} was not changed.\n", file));
    } else {
        super::save_manifest(path, &bytes, &loaded.manifest, &updated, &catalog, &mut out)?;
    }
    print!("{}", terminal_safe(&out));
    Ok(OK)
}

/// The breaches a public list attributes to the vendor's domain, as
/// candidates with how to confirm one: nothing is added to `incidents:`.
fn candidates(collected: &vetted::manifest::Collected, out: &mut String) {
    let Some(list) = collected
        .facts
        .get("breaches.candidates")
        .and_then(|f| f.value.as_array())
    else {
        return;
    };
    out.push_str(&format!(
        "Candidate incidents ({}), from Have I Been Pwned; not confirmed, none was added to incidents:\n",
        list.len()
    ));
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("?").to_string();
    for c in list {
        let classes: Vec<String> = c["data-classes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let flags: Vec<String> = c["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        out.push_str(&format!(
            "  {} ({}): breached {}, listed {}; exposed {}{}; {}\n",
            text(&c["name"]),
            text(&c["title"]),
            text(&c["breach-date"]),
            text(&c["added-date"]),
            if classes.is_empty() {
                "(not said)".into()
            } else {
                classes.join(", ")
            },
            if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            },
            text(&c["page"]),
        ));
    }
    out.push_str(
        "  To confirm one: check it on its page; if it was this vendor's service, add it to the manifest's incidents, e.g.\n",
    );
    if let Some(first) = list.first() {
        out.push_str(&format!(
            "    - {{date: {}, kind: breach, severity: medium, summary: \"what leaked and how\", references: [{}]}}\n",
            text(&first["breach-date"]),
            text(&first["page"]),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_bases_end_with_a_slash() {
        let base = parse_base("https://mirror.example/osv").unwrap();
        assert_eq!(
            base.join("v1/querybatch").unwrap().as_str(),
            "https://mirror.example/osv/v1/querybatch"
        );
        assert_eq!(
            parse_base("https://api.osv.dev/").unwrap().as_str(),
            "https://api.osv.dev/"
        );
        assert!(parse_base("not a url").is_err());
    }
}
