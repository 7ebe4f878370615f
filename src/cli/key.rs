//! `vetted key verify`: ask the exchange what each key can do, compare it
//! with the key policy, and record what it said in the manifest.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;
use vetted::date::Date;
use vetted::diag::{Code, quote};
use vetted::evidence::fetch::{HttpFetcher, Options, check_url};
use vetted::key::verdict::{self, Expectation, Standing};
use vetted::key::{Credentials, Exchange, KeyError, Now, Observation, Secret};
use vetted::manifest::{ExchangeKey, KeyState};
use zeroize::Zeroizing;

use super::{FAILED_GATE, KEY_UNVERIFIED, OK, finish, terminal_safe};

const AFTER_HELP: &str = "\
Each key is checked with one signed request to its exchange's read-only
key endpoint (Binance apiRestrictions, OKX account/config, Bybit
query-api, Coinbase key_permissions, Kraken GetApiKeyInfo, KuCoin
api-key); nothing else is ever called.

Secrets are never arguments. On a terminal they are asked without echo;
otherwise standard input gives one line per value, key after key: the key
id, the secret, then the passphrase for OKX and KuCoin; for Coinbase the
key name and its PEM private key (or the CDP key file's JSON on one line,
or --key-file). --key-env/--secret-env/--passphrase-env read named
environment variables instead (with a warning). The manifest keeps only a
fingerprint of the key id.

Exit codes: 0 every key matches the policy (or refused this address), 1 a
key does not match, 2 bad usage or input, 3 I/O error, 4 a key could not
be verified.

Examples:
  vetted key verify vendor.yaml --key bot-trading
  printf '%s\\n' \"$KEY\" \"$SECRET\" | vetted key verify vendor.yaml --key bot-trading --dry-run
  vetted key verify vendor.yaml --key cb --key-file cdp_api_key.json";

/// `vetted key ...`.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Ask the exchange what a key can do, compare with the key policy and
    /// record it in the manifest.
    Verify(Box<VerifyArgs>),
}

/// Arguments of `vetted key verify`.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct VerifyArgs {
    /// The manifest describing the keys; rewritten in place (backed up
    /// first if hand-edited) unless --dry-run.
    file: PathBuf,
    /// The label of a key in integration.keys (repeatable).
    #[arg(long = "key", value_name = "LABEL", required_unless_present = "all")]
    keys: Vec<String>,
    /// Every live key of the manifest, in its order.
    #[arg(long, conflicts_with = "keys")]
    all: bool,
    /// Print the verdicts; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The date to judge expiry against (default today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// A policy file replacing the bundled default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Ask this host instead of the exchange's official one (a regional
    /// host, a test server). Internal addresses are refused unless
    /// --allow-private-network.
    #[arg(long, value_name = "URL")]
    base_url: Option<Url>,
    /// Allow internal addresses (a test server on loopback).
    #[arg(long)]
    allow_private_network: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,
    /// Pin a name to an address: HOST:PORT:ADDRESS, as for collect.
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = super::collect::parse_pin)]
    resolve: Vec<(String, SocketAddr)>,
    /// Seconds a whole request may take.
    #[arg(long, default_value_t = 15, value_name = "S")]
    timeout: u64,
    /// A Coinbase CDP key file (the JSON CDP downloads), for the Coinbase key.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
    /// Read the key id from this environment variable (one --key only).
    #[arg(long, value_name = "VAR", requires = "secret_env")]
    key_env: Option<String>,
    /// Read the secret from this environment variable.
    #[arg(long, value_name = "VAR", requires = "key_env")]
    secret_env: Option<String>,
    /// Read the passphrase (OKX, KuCoin) from this environment variable.
    #[arg(long, value_name = "VAR", requires = "key_env")]
    passphrase_env: Option<String>,
}

/// Runs `vetted key ...`.
pub fn run(command: Command, checklists: Option<&Path>) -> u8 {
    match command {
        Command::Verify(args) => finish(verify(&args, checklists)),
    }
}

fn usage(code: Code, message: String, help: impl Into<String>) -> vetted::Error {
    vetted::Error::Usage {
        code,
        message,
        help: help.into(),
    }
}

/// Where secrets come from.
enum Source {
    /// Asked on the terminal, without echo.
    Terminal,
    /// Lines of standard input, read once (and wiped after use).
    Lines(Vec<Zeroizing<String>>),
    /// Named environment variables.
    Env,
}

impl Source {
    fn line(&mut self, what: &str, key: &ExchangeKey) -> Result<Secret, vetted::Error> {
        let Source::Lines(lines) = self else {
            unreachable!("lines only")
        };
        if lines.is_empty() {
            return Err(usage(
                Code::KeySecretInput,
                format!(
                    "standard input ended before the {what} of key `{}` ({})",
                    quote(&key.label),
                    quote(&key.exchange)
                ),
                "pipe one line per value, key after key: the key id, the secret, then the passphrase for OKX and KuCoin",
            ));
        }
        let line = lines.remove(0);
        Ok(Secret::new(line.trim_end_matches('\r').to_string()))
    }
}

fn ask(prompt: &str) -> Result<Secret, vetted::Error> {
    inquire::Password::new(prompt)
        .without_confirmation()
        .with_display_mode(inquire::PasswordDisplayMode::Hidden)
        .prompt()
        .map(Secret::new)
        .map_err(|e| {
            usage(
                Code::KeySecretInput,
                format!("no answer: {e}"),
                "run again and answer each prompt",
            )
        })
}

fn env(var: &str) -> Result<Secret, vetted::Error> {
    std::env::var(var).map(Secret::new).map_err(|_| {
        usage(
            Code::KeySecretInput,
            format!("the environment variable {} is not set", quote(var)),
            "export it, or pipe the values on standard input",
        )
    })
}

/// The credentials of `key` on `exchange`.
fn credentials(
    args: &VerifyArgs,
    source: &mut Source,
    key: &ExchangeKey,
    exchange: Exchange,
) -> Result<Credentials, vetted::Error> {
    let cdp = |bytes: &[u8]| {
        vetted::key::secret::from_cdp_json(bytes).map_err(|e| {
            usage(
                Code::KeySecretInput,
                format!("the Coinbase key of `{}`: {e}", quote(&key.label)),
                "pass the JSON file the Coinbase Developer Platform downloaded when the key was made",
            )
        })
    };
    if exchange == Exchange::Coinbase
        && let Some(path) = &args.key_file
    {
        let bytes = Zeroizing::new(vetted::read(path)?);
        return cdp(&bytes);
    }
    let passphrase_needed = exchange.needs_passphrase();
    match source {
        Source::Env => Ok(Credentials {
            key: env(args.key_env.as_deref().unwrap_or_default())?,
            secret: env(args.secret_env.as_deref().unwrap_or_default())?,
            passphrase: match &args.passphrase_env {
                Some(var) => Some(env(var)?),
                None => None,
            },
        }),
        Source::Terminal => {
            let label = format!("{} on {}", key.label, exchange.name());
            if exchange == Exchange::Coinbase {
                let path = inquire::Text::new(&format!("Path of the CDP key file for {label}:"))
                    .prompt()
                    .map_err(|e| {
                        usage(
                            Code::KeySecretInput,
                            format!("no answer: {e}"),
                            "pass --key-file",
                        )
                    })?;
                let bytes = Zeroizing::new(vetted::read(Path::new(path.trim()))?);
                return cdp(&bytes);
            }
            Ok(Credentials {
                key: ask(&format!("API key id of {label} (not shown):"))?,
                secret: ask(&format!("Secret of {label} (not shown):"))?,
                passphrase: if passphrase_needed {
                    Some(ask(&format!("Passphrase of {label} (not shown):"))?)
                } else {
                    None
                },
            })
        }
        Source::Lines(_) => {
            let first = source.line("key id", key)?;
            if exchange == Exchange::Coinbase {
                if first.expose().trim_start().starts_with('{') {
                    return cdp(first.expose().as_bytes());
                }
                // The key name, then the PEM private key, line by line.
                let mut pem = String::new();
                loop {
                    let line = source.line("private key", key)?;
                    pem.push_str(line.expose());
                    pem.push('\n');
                    if line.expose().starts_with("-----END") {
                        break;
                    }
                }
                return Ok(Credentials {
                    key: first,
                    secret: Secret::new(pem),
                    passphrase: None,
                });
            }
            let secret = source.line("secret", key)?;
            let passphrase = if passphrase_needed {
                Some(source.line("passphrase", key)?)
            } else {
                None
            };
            Ok(Credentials {
                key: first,
                secret,
                passphrase,
            })
        }
    }
}

fn verify(args: &VerifyArgs, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    let policy = vetted::load_policy(args.policy.as_deref())?;
    let path = args.file.as_path();
    let file = path.display().to_string();
    let bytes = vetted::read(path)?;
    let loaded = vetted::manifest::load(&file, bytes.clone(), &catalog)?;
    let m = &loaded.manifest;
    let labels: Vec<&str> = m
        .integration
        .keys
        .iter()
        .map(|k| k.label.as_str())
        .collect();
    let chosen: Vec<&ExchangeKey> = if args.all {
        m.integration
            .keys
            .iter()
            .filter(|k| k.status == KeyState::Live)
            .collect()
    } else {
        let mut chosen = Vec::new();
        for label in &args.keys {
            let key = m
                .integration
                .keys
                .iter()
                .find(|k| &k.label == label)
                .ok_or_else(|| {
                    usage(
                        Code::KeyNotFound,
                        format!("{file} has no key labelled `{}`", quote(label)),
                        if labels.is_empty() {
                            "the manifest describes no key under integration.keys".to_string()
                        } else {
                            format!("the manifest's keys: {}", labels.join(", "))
                        },
                    )
                })?;
            chosen.push(key);
        }
        chosen
    };
    if chosen.is_empty() {
        return Err(usage(
            Code::KeyNotFound,
            format!("{file} has no live key to verify"),
            "describe the key under integration.keys (status: live)",
        ));
    }
    if args.key_env.is_some() && chosen.len() != 1 {
        return Err(usage(
            Code::KeySecretInput,
            "--key-env names the values of one key; more than one key was chosen".into(),
            "verify one key at a time with --key LABEL, or pipe the values on standard input",
        ));
    }
    let mut exchanges = Vec::new();
    for key in &chosen {
        let exchange = Exchange::from_name(&key.exchange).ok_or_else(|| {
            usage(
                Code::ExchangeNotSupported,
                format!(
                    "key `{}` is on `{}`, which vetted key verify cannot ask",
                    quote(&key.label),
                    quote(&key.exchange)
                ),
                "it asks Binance, OKX, Bybit, Coinbase, Kraken and KuCoin; check this key by hand on the exchange's key page",
            )
        })?;
        exchanges.push(exchange);
    }
    if let Some(base) = &args.base_url {
        check_url(base, args.allow_private_network).map_err(|e| {
            usage(
                Code::CollectSetup,
                format!("--base-url: {e}"),
                "give an https URL of the exchange's API host",
            )
        })?;
        // The key id and a fresh signature go to this host: only a host,
        // never a path (the exchanges sign the endpoint's path alone, and a
        // path could steer the request), credentials, a query or a fragment.
        if (base.path() != "/" && !base.path().is_empty())
            || base.query().is_some()
            || base.fragment().is_some()
            || !base.username().is_empty()
            || base.password().is_some()
        {
            return Err(usage(
                Code::CollectSetup,
                "--base-url must be a bare host, such as https://api.binance.us".to_string(),
                "drop the path, query, fragment and user name; vetted adds the endpoint's path itself",
            ));
        }
        let host = base.host_str().unwrap_or_default();
        if exchanges.iter().any(|e| {
            url::Url::parse(e.base())
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .as_deref()
                != Some(host)
        }) {
            eprintln!(
                "warning: --base-url sends the key id and a fresh signature to {host}, not the exchange's own API host; use it only for a regional host of the exchange or a test server you run"
            );
        }
    }

    let mut source = if args.key_env.is_some() {
        eprintln!(
            "warning: reading the key from environment variables: other processes of this user can read them, and shells and CI systems may log them; prefer standard input"
        );
        Source::Env
    } else if std::io::stdin().is_terminal() {
        Source::Terminal
    } else if chosen.len() == 1 && exchanges[0] == Exchange::Coinbase && args.key_file.is_some() {
        Source::Lines(Vec::new())
    } else {
        let all = read_secrets(std::io::stdin().lock())?;
        let text = Zeroizing::new(String::from_utf8_lossy(&all).into_owned());
        Source::Lines(
            text.lines()
                .map(|l| Zeroizing::new(l.to_string()))
                .collect(),
        )
    };
    let mut creds = Vec::new();
    for (key, exchange) in chosen.iter().zip(&exchanges) {
        creds.push(credentials(args, &mut source, key, *exchange)?);
    }

    let mut roots = Vec::new();
    for p in &args.ca_cert {
        roots.push((p.display().to_string(), vetted::read(p)?));
    }
    let options = Options {
        total_timeout: Duration::from_secs(args.timeout),
        allow_private_network: args.allow_private_network,
        extra_roots_pem: roots,
        pinned: args.resolve.clone(),
        ..Options::default()
    };
    let fetcher = HttpFetcher::new(options).map_err(|e| {
        usage(
            Code::CollectSetup,
            e.to_string(),
            "--ca-cert takes a PEM file",
        )
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| vetted::Error::Io {
            path: PathBuf::from("<tokio runtime>"),
            source,
        })?;
    let as_of = args.as_of.unwrap_or_else(Date::today_utc);
    let observed_at = vetted::date::now_rfc3339();
    let expected = Expectation::of(m, &policy);
    let mut updated = m.clone();
    let mut out = String::new();
    let mut errors = Vec::new();
    let (mut mismatched, mut recorded) = (false, 0);
    for ((key, exchange), creds) in chosen.iter().zip(&exchanges).zip(&creds) {
        let base = args
            .base_url
            .clone()
            .unwrap_or_else(|| Url::parse(exchange.base()).expect("a valid official host"));
        let now = Now::system();
        let result = runtime.block_on(vetted::key::verify(*exchange, creds, &base, &now, &fetcher));
        let name = format!(
            "key {} on {} ({})",
            key.label,
            exchange.name(),
            creds.fingerprint()
        );
        let seen = match result {
            Ok(seen) => seen,
            Err(e) => {
                errors.push(format!(
                    "error[{}]: key `{}` on {}: {}",
                    Code::KeyUnverified,
                    key.label,
                    exchange.name(),
                    advice(&e, *exchange)
                ));
                continue;
            }
        };
        let v = verdict::judge(*exchange, &seen, &expected, as_of);
        out.push_str(&format!(
            "{name}: {}\n",
            match v.standing {
                Standing::Matches => "matches the policy",
                Standing::DoesNotMatch => "does not match the policy",
                Standing::NotVerifiable => "refused this address; permissions not seen",
            }
        ));
        mismatched |= v.standing == Standing::DoesNotMatch;
        for p in &v.problems {
            out.push_str(&format!("  - {}\n    change: {}\n", p.text, p.change));
        }
        for n in &v.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        if let Observation::Verified(o) = &seen {
            let names: Vec<&str> = o.permissions.iter().map(|p| p.as_str()).collect();
            out.push_str(&format!("  observed permissions: [{}]\n", names.join(", ")));
            out.push_str(&format!(
                "  {} said: {}\n",
                exchange.name(),
                o.words.join("; ")
            ));
        }
        let endpoint = format!("{}{}", exchange.base(), exchange.endpoint().1);
        // The URL asked, without a query (where a signature would be).
        let url = match &args.base_url {
            Some(b) => {
                format!(
                    "{}://{}{}",
                    b.scheme(),
                    b.host_str().unwrap_or_default(),
                    b.port().map(|p| format!(":{p}")).unwrap_or_default()
                ) + exchange.endpoint().1
            }
            None => endpoint,
        };
        let record =
            vetted::key::record::observation(&seen, &creds.fingerprint(), &url, &observed_at);
        vetted::key::record::record(&mut updated, &key.label, record);
        recorded += 1;
    }
    if args.dry_run {
        out.push_str(&format!("Dry run: {file} was not changed.\n"));
    } else if recorded > 0 {
        let backup =
            vetted::manifest::write::save(path, &bytes, &loaded.manifest, &updated, &catalog)?;
        if let Some(b) = backup {
            out.push_str(&format!(
                "Backed up the hand-edited manifest to {} before rewriting it.\n",
                b.display()
            ));
        }
        out.push_str(&format!("Recorded {recorded} observation(s) in {file}.\n"));
    }
    // Every word printed came from the exchange or the manifest, and was
    // scrubbed of the credentials; scrub once more as a last guard.
    let mut printed = terminal_safe(&out);
    let mut failed = terminal_safe(&errors.join("\n"));
    for c in &creds {
        printed = c.scrub(&printed);
        failed = c.scrub(&failed);
    }
    print!("{printed}");
    if !failed.is_empty() {
        eprintln!("{failed}");
    }
    Ok(if mismatched {
        FAILED_GATE
    } else if !errors.is_empty() {
        KEY_UNVERIFIED
    } else {
        OK
    })
}

/// The error, with what to do about it on this exchange.
fn advice(e: &KeyError, exchange: Exchange) -> String {
    match e {
        KeyError::Rejected { .. } if exchange == Exchange::Coinbase => format!(
            "{e} (Coinbase answers the same for a key whose IP allow-list excludes this machine)"
        ),
        _ => e.to_string(),
    }
}

/// The most a piped set of credentials may hold: key lines and a CDP
/// private key are a few hundred bytes.
const SECRETS_LIMIT: usize = 64 * 1024;

/// Reads piped credentials into one buffer of fixed size that is wiped on
/// drop: a growing buffer would leave copies of the secret behind in the
/// memory it gave back.
fn read_secrets(mut input: impl std::io::Read) -> Result<Zeroizing<Vec<u8>>, vetted::Error> {
    let mut all = Zeroizing::new(vec![0u8; SECRETS_LIMIT + 1]);
    let mut n = 0;
    loop {
        match input.read(&mut all[n..]) {
            Ok(0) => break,
            Ok(read) => {
                n += read;
                if n > SECRETS_LIMIT {
                    return Err(usage(
                        Code::KeySecretInput,
                        "standard input holds more than a key's credentials".to_string(),
                        "pipe only the key id and secret (and passphrase), one per line",
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(vetted::Error::Io {
                    path: std::path::PathBuf::from("<stdin>"),
                    source: e,
                });
            }
        }
    }
    all.truncate(n);
    Ok(all)
}

#[cfg(test)]
mod secret_input_tests {
    use super::*;

    #[test]
    fn piped_credentials_are_read_whole_and_bounded() {
        let got = read_secrets(&b"key-id\nsecret\n"[..]).unwrap();
        assert_eq!(&got[..], b"key-id\nsecret\n");
        let endless = std::io::repeat(b'k');
        assert!(read_secrets(endless).is_err());
    }
}
