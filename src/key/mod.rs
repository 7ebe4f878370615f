//! `vetted key verify`: ask an exchange, with one signed read-only request,
//! what a key can really do, and compare it with the assessment's key
//! policy.
//!
//! One module per stage: [`secret`] (key material, wiped after use, never
//! shown), [`exchange`] (per exchange: the one request, its signature, the
//! documented response read into an [`Observation`]), [`verdict`] (the
//! observation against the policy, with the change to make on the key
//! page) and [`record`] (what the manifest keeps: the observation, never a
//! secret). The HTTP call is behind [`Transport`]; everything else is pure
//! and tested offline.

pub mod exchange;
pub mod record;
pub mod secret;
pub mod verdict;

use std::collections::BTreeSet;
use std::future::Future;

use url::Url;

pub use exchange::{Exchange, Now, SignedRequest};
pub use secret::{Credentials, Secret};

use crate::date::Date;
use crate::evidence::fetch::{FetchError, HttpFetcher, Reply};
use crate::rules::Permission;

/// What an exchange said a key can do, in `vetted`'s permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// What it is allowed.
    pub permissions: BTreeSet<Permission>,
    /// Whether it is bound to addresses; none when the endpoint does not
    /// say (Coinbase).
    pub ip_restricted: Option<bool>,
    /// The addresses, when the exchange lists them.
    pub ip_allowlist: Vec<String>,
    /// When the exchange expires it.
    pub expires: Option<Date>,
    /// The exchange's own words (`enableWithdrawals: false`), field by field.
    pub words: Vec<String>,
}

/// The answer to one verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// The exchange described the key.
    Verified(Observed),
    /// The exchange refused to answer this machine: the key is bound to an
    /// IP allow-list that does not include it.
    IpRefused {
        /// The exchange's words.
        words: String,
    },
}

/// Why a verification gave no answer about the key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key, its secret or passphrase, or the signature was refused.
    #[error(
        "the exchange refused the key or its signature ({words}); check that the key id, secret (and passphrase) belong together and were pasted whole"
    )]
    Rejected {
        /// The exchange's words.
        words: String,
    },
    /// A refusal the exchange gives both for a key bound to other
    /// addresses and for a wrong key (Binance -2015, Kraken's permission
    /// denial): never read as proof of an allow-list, since a made-up key
    /// gets the same answer.
    #[error(
        "the exchange refused the key without saying why ({words}): the key id may be wrong, or the key is bound to addresses that do not include this machine; check the key id, then verify it from the vendor's address or before binding it"
    )]
    Ambiguous {
        /// The exchange's words.
        words: String,
    },
    /// The request's time was outside the exchange's receive window.
    #[error("the exchange refused the request's timestamp ({words}); {}", skew(*.offset_secs))]
    ClockSkew {
        /// The exchange's words.
        words: String,
        /// The exchange's clock minus ours, in seconds, when known.
        offset_secs: Option<i64>,
    },
    /// Too many requests.
    #[error("the exchange is rate limiting this address ({words}); try again {}", retry(.retry_after))]
    RateLimited {
        /// The exchange's words.
        words: String,
        /// Its Retry-After header.
        retry_after: Option<String>,
    },
    /// Maintenance or an outage.
    #[error("the exchange is unavailable ({words}); it may be in maintenance, try again later")]
    Unavailable {
        /// The exchange's words.
        words: String,
    },
    /// Any other refusal or answer.
    #[error("the exchange answered {words}")]
    Unexpected {
        /// The exchange's words.
        words: String,
    },
    /// The answer could not be read.
    #[error("{0}")]
    Malformed(String),
    /// The secret is not of the exchange's form.
    #[error("{0}")]
    BadSecret(String),
    /// The request did not get an answer.
    #[error("{0}")]
    Network(#[from] FetchError),
}

fn skew(offset: Option<i64>) -> String {
    match offset {
        Some(o) if o > 0 => format!(
            "this machine's clock is {o} s behind the exchange's: set it (NTP) and try again"
        ),
        Some(o) if o < 0 => format!(
            "this machine's clock is {} s ahead of the exchange's: set it (NTP) and try again",
            -o
        ),
        _ => "check this machine's clock (NTP) and try again".to_string(),
    }
}

fn retry(after: &Option<String>) -> String {
    match after {
        Some(s) => format!("after {s} s"),
        None => "in a minute".to_string(),
    }
}

impl KeyError {
    /// The same error with every credential removed from its words.
    pub fn scrubbed(self, creds: &Credentials) -> KeyError {
        let s = |w: String| creds.scrub(&w);
        match self {
            KeyError::Rejected { words } => KeyError::Rejected { words: s(words) },
            KeyError::Ambiguous { words } => KeyError::Ambiguous { words: s(words) },
            KeyError::ClockSkew { words, offset_secs } => KeyError::ClockSkew {
                words: s(words),
                offset_secs,
            },
            KeyError::RateLimited { words, retry_after } => KeyError::RateLimited {
                words: s(words),
                retry_after,
            },
            KeyError::Unavailable { words } => KeyError::Unavailable { words: s(words) },
            KeyError::Unexpected { words } => KeyError::Unexpected { words: s(words) },
            KeyError::Malformed(m) => KeyError::Malformed(s(m)),
            KeyError::BadSecret(m) => KeyError::BadSecret(s(m)),
            KeyError::Network(e) => KeyError::Network(FetchError::Failed(s(e.to_string()))),
        }
    }
}

/// Sends a [`SignedRequest`]: the real one is [`HttpFetcher`]; tests may
/// use any other. It can send nothing but a request an exchange module
/// built.
pub trait Transport: Sync {
    /// Sends `request` and returns the answer.
    fn send(
        &self,
        request: &SignedRequest,
    ) -> impl Future<Output = Result<Reply, FetchError>> + Send;
}

impl Transport for HttpFetcher {
    fn send(
        &self,
        request: &SignedRequest,
    ) -> impl Future<Output = Result<Reply, FetchError>> + Send {
        // Owned copies for the future, held as secrets (wiped on drop).
        let headers: Vec<(&'static str, Secret)> = request
            .headers()
            .map(|(n, v)| (n, Secret::new(v.to_string())))
            .collect();
        let (method, url, body) = (
            request.method(),
            request.url().clone(),
            request.body().to_vec(),
        );
        let this = self.clone();
        async move {
            let pairs: Vec<(&'static str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.expose())).collect();
            HttpFetcher::send(&this, method, url, &pairs, body).await
        }
    }
}

/// Asks `exchange` (at `base`) what the key of `creds` can do. Every
/// error's words are scrubbed of the credentials.
pub async fn verify<T: Transport>(
    exchange: Exchange,
    creds: &Credentials,
    base: &Url,
    now: &Now,
    transport: &T,
) -> Result<Observation, KeyError> {
    let run = async {
        if exchange.needs_passphrase() && creds.passphrase.as_ref().is_none_or(Secret::is_empty) {
            return Err(KeyError::BadSecret(format!(
                "{} keys are signed with the passphrase chosen when the key was made; none was given",
                exchange.name()
            )));
        }
        let request = exchange.request(creds, base, now)?;
        let reply = transport.send(&request).await?;
        exchange.parse(&reply, now)
    };
    match run.await {
        Ok(Observation::IpRefused { words }) => Ok(Observation::IpRefused {
            words: creds.scrub(&words),
        }),
        Ok(Observation::Verified(mut o)) => {
            o.words = o.words.iter().map(|w| creds.scrub(w)).collect();
            Ok(Observation::Verified(o))
        }
        Err(e) => Err(e.scrubbed(creds)),
    }
}
