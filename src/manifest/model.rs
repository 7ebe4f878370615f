//! The manifest data model: one assessment of one vendor for one integration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::level::Level;
use crate::rules::Permission;

use super::AnswerValue;

/// The data classes a manifest may declare (the schema's list).
pub const DATA_CLASSES: [&str; 6] = [
    "contact",
    "personal",
    "financial",
    "trading-history",
    "credentials",
    "source-code",
];

/// The two phases of a manifest: as serde reads it ([`Raw`]), and as
/// loading returns it once every check passed ([`Checked`]). Only the parts
/// that loading narrows differ between them.
pub trait Phase: Clone + std::fmt::Debug {
    /// An answer's value.
    type Value: Clone + std::fmt::Debug;
    /// A waiver.
    type Waiver: Clone + std::fmt::Debug;
}

/// A manifest as serde reads it: answer values as the YAML gave them,
/// waivers with every field optional.
#[derive(Clone, Copy, Debug)]
pub struct Raw;

/// A manifest that passed every check: answers narrowed against their
/// questions, complete waivers with one target each.
#[derive(Clone, Copy, Debug)]
pub struct Checked;

impl Phase for Raw {
    type Value = serde_json::Value;
    type Waiver = RawWaiver;
}

impl Phase for Checked {
    type Value = AnswerValue;
    type Waiver = Waiver;
}

/// A whole manifest, in one of its two [`Phase`]s.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    bound(
        serialize = "P::Value: Serialize, P::Waiver: Serialize",
        deserialize = "P::Value: Deserialize<'de>, P::Waiver: Deserialize<'de>"
    )
)]
pub struct Manifest<P: Phase = Checked> {
    /// Who is being assessed.
    pub vendor: Vendor,
    /// What they would be allowed to do.
    pub integration: Integration,
    /// Who assessed, and when.
    pub assessment: AssessmentInfo,
    /// Answers by question id.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer<P::Value>>,
    /// The vendor's security incidents.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Reports, certificates and agreements the vendor gave, with the
    /// dates that decide how long each counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<VendorDocument>,
    /// Accepted exceptions.
    #[serde(default)]
    pub waivers: Vec<P::Waiver>,
    /// What `vetted collect` observed; rewritten by each run.
    #[serde(default)]
    pub collected: Option<Collected>,
}

/// Public evidence gathered by `vetted collect`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Collected {
    /// Facts by name (`security-txt.status`, `repository.archived`, ...).
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
    /// Fetches that failed, with the reason.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// One observed fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// What was found: text, a number, a flag, a date or a list.
    pub value: serde_json::Value,
    /// Where.
    pub url: String,
    /// When (RFC 3339, UTC).
    pub observed: String,
    /// Why the value is what it is (for example, the problems of a file).
    #[serde(default)]
    pub detail: Option<String>,
}

impl Fact {
    /// The date it was observed on.
    pub fn observed_date(&self) -> Option<Date> {
        self.observed.get(..10)?.parse().ok()
    }
}

/// A fetch that failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// Which collector.
    pub collector: String,
    /// What it fetched.
    pub url: String,
    /// Why it failed.
    pub reason: String,
    /// When (RFC 3339, UTC).
    pub observed: String,
}

/// The vendor.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Vendor {
    /// Name.
    pub name: String,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Documentation.
    #[serde(default)]
    pub docs: Option<String>,
    /// Source repository.
    #[serde(default)]
    pub repository: Option<String>,
    /// Static egress addresses (for the key's IP allow-list).
    #[serde(default)]
    pub egress_ips: Vec<String>,
    /// The vendor's own critical providers (fourth parties).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<Provider>,
    /// The open-source packages the vendor publishes (its client, SDK or
    /// self-hosted bot), looked up in OSV by `vetted collect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
}

/// A package the vendor publishes, as OSV names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Package {
    /// The package registry.
    pub ecosystem: Ecosystem,
    /// Its name in that registry.
    pub name: String,
    /// The version in use. Without one, OSV answers which vulnerabilities
    /// the package has ever had, not whether the version in use has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The language package registries OSV knows, spelt as OSV spells them
/// (<https://ossf.github.io/osv-schema/#defined-ecosystems>). Operating
/// system distributions (Debian, Alpine...) are left out: they take a
/// release suffix and are not where a vendor publishes its own software.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    /// Rust.
    #[serde(rename = "crates.io")]
    CratesIo,
    /// R.
    #[serde(rename = "CRAN")]
    Cran,
    /// GitHub Actions.
    #[serde(rename = "GitHub Actions")]
    GitHubActions,
    /// Go modules.
    Go,
    /// Haskell.
    Hackage,
    /// Erlang and Elixir.
    Hex,
    /// Java and other JVM languages.
    Maven,
    /// JavaScript.
    #[serde(rename = "npm")]
    Npm,
    /// .NET.
    NuGet,
    /// PHP.
    Packagist,
    /// Dart and Flutter.
    Pub,
    /// Python.
    PyPI,
    /// Ruby.
    RubyGems,
    /// Swift packages, named by URL.
    SwiftURL,
}

impl Ecosystem {
    /// The name OSV uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Cran => "CRAN",
            Ecosystem::GitHubActions => "GitHub Actions",
            Ecosystem::Go => "Go",
            Ecosystem::Hackage => "Hackage",
            Ecosystem::Hex => "Hex",
            Ecosystem::Maven => "Maven",
            Ecosystem::Npm => "npm",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::SwiftURL => "SwiftURL",
        }
    }
}

/// A company the vendor itself depends on for something critical: its
/// failure or compromise reaches you through the vendor.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Provider {
    /// Its name, as the vendor or its sub-processor list gives it.
    pub name: String,
    /// What the vendor relies on it for.
    pub role: ProviderRole,
    /// The path of its own manifest, relative to this one, when you
    /// assessed it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
}

/// What a vendor relies on a provider for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderRole {
    /// Holds keys or assets (an MPC or custody service).
    Custody,
    /// Runs the vendor's infrastructure.
    Cloud,
    /// Stores or uses the vendor's secrets (a KMS, an HSM service, a vault).
    KeyManagement,
    /// Identity verification: receives customers' identity documents.
    Kyc,
    /// Anything else critical.
    Other,
}

impl ProviderRole {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderRole::Custody => "custody",
            ProviderRole::Cloud => "cloud",
            ProviderRole::KeyManagement => "key-management",
            ProviderRole::Kyc => "kyc",
            ProviderRole::Other => "other",
        }
    }
}

/// Funds reachable through the integration.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Funds {
    /// Amount.
    pub amount: f64,
    /// Currency code.
    pub currency: String,
}

/// The integration under assessment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Integration {
    /// What it is for.
    pub purpose: String,
    /// Checklists that apply.
    pub checklists: Vec<String>,
    /// Permissions the vendor asks for.
    pub permissions: Vec<Permission>,
    /// Funds at risk.
    #[serde(default)]
    pub funds_at_risk: Option<Funds>,
    /// Data the vendor receives.
    #[serde(default)]
    pub data_classes: Vec<String>,
    /// Exchange keys issued to the vendor (labels, never the keys).
    #[serde(default)]
    pub keys: Vec<ExchangeKey>,
    /// Who runs the software: the vendor, or you on your own systems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosting: Option<Hosting>,
    /// How the vendor reaches the exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
    /// Whether the exchange account only withdraws to allow-listed addresses.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawal_allowlist: bool,
}

/// Who runs the software.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hosting {
    /// The vendor runs it: it holds whatever the integration hands over.
    Vendor,
    /// You run it; the vendor (often an open-source project) receives
    /// neither keys nor data.
    SelfHosted,
}

impl Hosting {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Hosting::Vendor => "vendor",
            Hosting::SelfHosted => "self-hosted",
        }
    }
}

/// How the vendor reaches the exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connection {
    /// A key and secret pasted into the vendor.
    ApiKey,
    /// An exchange-issued OAuth token, scoped and revocable at the exchange.
    Oauth,
    /// A broker or third-party-app key bound to the vendor's registered IPs.
    Broker,
    /// Software acting inside your logged-in exchange session (a browser
    /// extension or desktop app): it can do whatever you can.
    BrowserSession,
    /// The exchange runs it itself (its own grid or DCA bots): no key or
    /// token leaves the exchange, and nobody else holds anything.
    Native,
}

impl Connection {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Connection::ApiKey => "api-key",
            Connection::Oauth => "oauth",
            Connection::Broker => "broker",
            Connection::BrowserSession => "browser-session",
            Connection::Native => "native",
        }
    }
}

/// Where a key stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyState {
    /// Planned, not yet created on the exchange.
    Proposed,
    /// Created and in the vendor's hands (the default: a described key is
    /// assumed to exist).
    #[default]
    Live,
    /// Deleted on the exchange.
    Revoked,
}

/// One exchange key, described, never held.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ExchangeKey {
    /// Exchange.
    pub exchange: String,
    /// The user's name for the key.
    pub label: String,
    /// When it was created.
    pub created: Date,
    /// When the exchange expires it.
    #[serde(default)]
    pub expires: Option<Date>,
    /// What it is allowed.
    pub permissions: Vec<Permission>,
    /// Whether it is bound to an IP allow-list.
    #[serde(default)]
    pub ip_restricted: bool,
    /// The addresses it is bound to, when known (implies `ip_restricted`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_allowlist: Vec<String>,
    /// Proposed, live or revoked.
    #[serde(default)]
    pub status: KeyState,
    /// What the exchange said about the key (`vetted key verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<KeyObservation>,
}

impl ExchangeKey {
    /// Whether the key is bound to IP addresses: as the exchange said when
    /// it was asked (a refusal from this machine's address says so too),
    /// else as typed.
    pub fn bound(&self) -> bool {
        match &self.observed {
            Some(o) if o.outcome == KeyOutcome::IpRefused => true,
            Some(o) => o
                .ip_restricted
                .unwrap_or(!o.ip_allowlist.is_empty() || self.typed_bound()),
            None => self.typed_bound(),
        }
    }

    /// Whether the manifest's own fields say the key is bound.
    pub fn typed_bound(&self) -> bool {
        self.ip_restricted || !self.ip_allowlist.is_empty()
    }

    /// What the key is allowed: as the exchange said, else as typed.
    pub fn granted(&self) -> &[Permission] {
        match self.verified() {
            Some(o) => &o.permissions,
            None => &self.permissions,
        }
    }

    /// When the key expires: as the exchange said, else as typed.
    pub fn expiry(&self) -> Option<Date> {
        self.verified().and_then(|o| o.expires).or(self.expires)
    }

    /// The observation, if the exchange described the key.
    pub fn verified(&self) -> Option<&KeyObservation> {
        self.observed
            .as_ref()
            .filter(|o| o.outcome == KeyOutcome::Verified)
    }
}

/// What `vetted key verify` observed about a key, as the manifest keeps
/// it: never a secret, only a fingerprint of the key id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct KeyObservation {
    /// When (RFC 3339, UTC).
    pub observed: String,
    /// Always `observed`: the exchange said it.
    #[serde(default = "observed_source")]
    pub source: Provenance,
    /// Whether the exchange described the key or refused this address.
    pub outcome: KeyOutcome,
    /// `sha256:` and 16 hex digits of the key id's hash.
    pub fingerprint: String,
    /// The endpoint asked.
    pub url: String,
    /// What it is allowed.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Whether it is bound to addresses (absent: the exchange does not say).
    #[serde(default)]
    pub ip_restricted: Option<bool>,
    /// The addresses, when the exchange lists them.
    #[serde(default)]
    pub ip_allowlist: Vec<String>,
    /// When the exchange expires it.
    #[serde(default)]
    pub expires: Option<Date>,
    /// The exchange's own words, field by field.
    #[serde(default)]
    pub exchange_says: Vec<String>,
    /// The observation before this one, to see drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousObservation>,
}

fn observed_source() -> Provenance {
    Provenance::Observed
}

impl KeyObservation {
    /// The day it was observed.
    pub fn observed_date(&self) -> Option<Date> {
        self.observed.get(..10)?.parse().ok()
    }
}

/// The earlier observation kept beside the latest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PreviousObservation {
    /// When.
    pub observed: String,
    /// Of which key.
    pub fingerprint: String,
    /// What the key was allowed then.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Whether it was bound then.
    #[serde(default)]
    pub ip_restricted: Option<bool>,
    /// Its addresses then.
    #[serde(default)]
    pub ip_allowlist: Vec<String>,
}

/// How a verification ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyOutcome {
    /// The exchange described the key.
    Verified,
    /// The exchange refused this machine's address: the key is bound to
    /// an allow-list without it.
    IpRefused,
}

/// Assessor and date.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssessmentInfo {
    /// Who assessed.
    pub assessor: String,
    /// Who approves, if known.
    #[serde(default)]
    pub approver: Option<String>,
    /// When.
    pub date: Date,
}

/// Where an answer comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// The vendor said so.
    #[default]
    VendorClaim,
    /// A document the vendor published or supplied.
    Document,
    /// The assessor saw it.
    Observed,
    /// `vetted collect` found it.
    Collected,
}

impl Provenance {
    /// Name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::VendorClaim => "vendor-claim",
            Provenance::Document => "document",
            Provenance::Observed => "observed",
            Provenance::Collected => "collected",
        }
    }
}

/// One answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Answer<V = AnswerValue> {
    /// The value (option value, list, bool, number, date, text).
    pub value: V,
    /// Where it comes from.
    #[serde(default)]
    pub source: Provenance,
    /// Supporting evidence.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Free note.
    #[serde(default)]
    pub note: Option<String>,
    /// The questionnaire this answer was imported from (`vetted
    /// questionnaire import`); an answer without it is a person's, and no
    /// import replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questionnaire: Option<Returned>,
    /// What the vendor's questionnaire says where it differs from this
    /// answer, which was kept: a contradiction for the reviewer to settle.
    #[serde(default = "no_claim", skip_serializing_if = "Option::is_none")]
    pub claim: Option<Claim<V>>,
}

/// No claim (a plain `default` would make serde ask `V: Default`).
fn no_claim<V>() -> Option<Claim<V>> {
    None
}

/// Where a questionnaire answer came from: the workbook the vendor
/// returned, the day it was imported, and the cell or question it was in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    /// The workbook's file name.
    pub file: String,
    /// The day it was imported.
    pub received: Date,
    /// The cell (`Keys!C14`) or the standard questionnaire's question id
    /// (`CAIQ IAM-02.1`).
    pub item: String,
}

/// A vendor's questionnaire answer that differs from the answer kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claim<V = AnswerValue> {
    /// What the vendor answered.
    pub value: V,
    /// Where they said it.
    pub questionnaire: Returned,
    /// Their comment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Answer {
    /// An answer with nothing but its value and source.
    pub fn new(value: AnswerValue, source: Provenance) -> Answer {
        Answer {
            value,
            source,
            evidence: Vec::new(),
            note: None,
            questionnaire: None,
            claim: None,
        }
    }

    /// Whether a person gave this answer: not `collect`, not an import.
    /// Nothing but the person changes it.
    pub fn is_persons(&self) -> bool {
        self.source != Provenance::Collected && self.questionnaire.is_none()
    }
}

/// A manifest as serde reads it, before loading checks and narrows it.
pub type RawManifest = Manifest<Raw>;

impl Answer {
    /// Whether the value is the reserved `unknown`.
    pub fn is_unknown(&self) -> bool {
        self.value == AnswerValue::Unknown
    }

    /// Whether the vendor declined to answer.
    pub fn is_declined(&self) -> bool {
        self.value == AnswerValue::Declined
    }

    /// Whether the answer says the question does not apply.
    pub fn is_not_applicable(&self) -> bool {
        self.value == AnswerValue::NotApplicable
    }

    /// Whether the value is one of [`RESERVED_VALUES`].
    pub fn is_reserved(&self) -> bool {
        self.value.is_reserved()
    }
}

impl RawManifest {
    /// The checked manifest: each answer's value (and its vendor claim's)
    /// from `values` (one per answer, in the order of the answers, which is
    /// by question id; an answer without one is dropped), each complete
    /// waiver. Loading calls it once every check passed, so nothing is
    /// dropped then.
    pub fn into_checked(self, values: Vec<Option<Narrowed>>) -> Manifest {
        let mut values = values.into_iter();
        let answers = self
            .answers
            .into_iter()
            .filter_map(|(id, a)| {
                let Narrowed { value, claim } = values.next().flatten()?;
                let claim = match (a.claim, claim) {
                    (Some(c), Some(value)) => Some(Claim {
                        value,
                        questionnaire: c.questionnaire,
                        note: c.note,
                    }),
                    (None, _) => None,
                    (Some(_), None) => return None,
                };
                Some((
                    id,
                    Answer {
                        value,
                        source: a.source,
                        evidence: a.evidence,
                        note: a.note,
                        questionnaire: a.questionnaire,
                        claim,
                    },
                ))
            })
            .collect();
        Manifest {
            vendor: self.vendor,
            integration: self.integration,
            assessment: self.assessment,
            answers,
            incidents: self.incidents,
            documents: self.documents,
            waivers: self
                .waivers
                .into_iter()
                .filter_map(RawWaiver::into_checked)
                .collect(),
            collected: self.collected,
        }
    }
}

/// An answer's value, and its vendor claim's, narrowed by loading.
#[derive(Clone, Debug, PartialEq)]
pub struct Narrowed {
    /// The answer's value.
    pub value: AnswerValue,
    /// The claim's value, when the answer has a claim.
    pub claim: Option<AnswerValue>,
}

/// A piece of evidence.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it is.
    pub url: String,
    /// When it was seen.
    pub observed: Date,
    /// When it stops counting (e.g. a SOC 2 report's period end + 12 months).
    #[serde(default)]
    pub expires: Option<Date>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A document the vendor gave. Checked when read: each kind carries the
/// dates it needs (the schema asks for them), so a document always knows
/// how long it counts. Written back as the [`RawVendorDocument`] it came
/// from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawVendorDocument", into = "RawVendorDocument")]
pub struct VendorDocument {
    /// What it is.
    pub kind: DocumentKind,
    /// Where it is (a trust portal, a data room).
    pub url: String,
    /// Its title, when the kind does not say enough.
    pub title: Option<String>,
    /// Anything the reviewer noted.
    pub note: Option<String>,
    /// The dates that decide how long it counts.
    pub validity: Validity,
}

/// How long a document counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// An audit report covers a period (a SOC 2 Type I report, one day)
    /// and is relied on for twelve months after its end; after that it
    /// needs a bridge letter.
    Period {
        /// When the auditor issued the report.
        issued: Option<Date>,
        /// The first day tested (Type II).
        start: Option<Date>,
        /// The last day tested.
        end: Date,
        /// The last day it counts, when the reviewer set one other than
        /// twelve months after the period.
        expires: Option<Date>,
    },
    /// It says until when: a certificate, an insurance policy, a bridge
    /// letter, an agreement with a term, a test letter with a stated
    /// validity.
    Until {
        /// When it was issued or signed.
        issued: Option<Date>,
        /// The last day it counts.
        expires: Date,
    },
    /// A dated letter without a stated end (a penetration-test letter):
    /// relied on for twelve months, as MVSP asks for a yearly test.
    Dated(Date),
    /// It runs until it is ended (an agreement without a term).
    Open {
        /// When it was signed.
        issued: Option<Date>,
    },
}

/// Years an audit report or a dated letter is relied on after its date.
pub const RELIED_ON_YEARS: i32 = 1;

/// Days past a SOC 2 report's twelve months that a bridge letter can carry
/// it: bridge letters cover the gap to the next report, usually at most a
/// quarter.
pub const BRIDGE_DAYS: i64 = 92;

impl VendorDocument {
    /// The last day the document counts, if it ends.
    pub fn valid_until(&self) -> Option<Date> {
        match self.validity {
            Validity::Period { end, expires, .. } => {
                Some(expires.unwrap_or(end.plus_years(RELIED_ON_YEARS)))
            }
            Validity::Until { expires, .. } => Some(expires),
            Validity::Dated(d) => Some(d.plus_years(RELIED_ON_YEARS)),
            Validity::Open { .. } => None,
        }
    }

    /// When it was issued or signed, if it says.
    pub fn issued(&self) -> Option<Date> {
        match self.validity {
            Validity::Period { issued, .. }
            | Validity::Until { issued, .. }
            | Validity::Open { issued } => issued,
            Validity::Dated(d) => Some(d),
        }
    }

    /// The date it speaks for: the end of an audited period, otherwise
    /// the date it was issued.
    pub fn dated(&self) -> Option<Date> {
        match self.validity {
            Validity::Period { end, .. } => Some(end),
            Validity::Until { issued, .. } | Validity::Open { issued } => issued,
            Validity::Dated(d) => Some(d),
        }
    }
}

/// The kinds of document a reviewer tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// SOC 2 Type I report: controls designed, on one day.
    #[serde(rename = "soc2-type-1")]
    Soc2Type1,
    /// SOC 2 Type II report: controls operating over a period.
    #[serde(rename = "soc2-type-2")]
    Soc2Type2,
    /// The vendor's letter covering the time since a SOC 2 period ended.
    BridgeLetter,
    /// ISO/IEC 27001 certificate.
    Iso27001,
    /// Data processing agreement (GDPR Art. 28).
    Dpa,
    /// A penetration tester's attestation letter.
    PentestLetter,
    /// Certificate of insurance (cyber, crime, custody).
    Insurance,
}

impl DocumentKind {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Soc2Type1 => "soc2-type-1",
            DocumentKind::Soc2Type2 => "soc2-type-2",
            DocumentKind::BridgeLetter => "bridge-letter",
            DocumentKind::Iso27001 => "iso27001",
            DocumentKind::Dpa => "dpa",
            DocumentKind::PentestLetter => "pentest-letter",
            DocumentKind::Insurance => "insurance",
        }
    }

    /// What a reader calls it.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Soc2Type1 => "SOC 2 Type I report",
            DocumentKind::Soc2Type2 => "SOC 2 Type II report",
            DocumentKind::BridgeLetter => "bridge letter",
            DocumentKind::Iso27001 => "ISO/IEC 27001 certificate",
            DocumentKind::Dpa => "data processing agreement",
            DocumentKind::PentestLetter => "penetration-test letter",
            DocumentKind::Insurance => "insurance certificate",
        }
    }

    /// Whether it is a SOC 2 report.
    pub fn is_soc2(self) -> bool {
        matches!(self, DocumentKind::Soc2Type1 | DocumentKind::Soc2Type2)
    }

    /// Documents that replace one another: a newer one of the same family
    /// makes an older one history (SOC 2 reports of either type and their
    /// bridge letters are one family).
    pub fn family(self) -> DocumentKind {
        match self {
            DocumentKind::Soc2Type1 | DocumentKind::Soc2Type2 | DocumentKind::BridgeLetter => {
                DocumentKind::Soc2Type2
            }
            other => other,
        }
    }
}

/// A document as written: every date optional, so the schema can name the
/// one a kind needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawVendorDocument {
    /// What it is.
    pub kind: DocumentKind,
    /// Where it is.
    pub url: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When it was issued or signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// The first day of an audited period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<Date>,
    /// The last day of an audited period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<Date>,
    /// The last day it counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// Anything the reviewer noted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl TryFrom<RawVendorDocument> for VendorDocument {
    type Error = String;

    /// The schema asks each kind for its dates, so this fails only on a
    /// document that skipped schema validation.
    fn try_from(r: RawVendorDocument) -> Result<Self, String> {
        let validity = match (r.kind, r.period_end, r.expires, r.issued) {
            (k, Some(end), _, issued) if k.is_soc2() => Validity::Period {
                issued,
                start: r.period_start,
                end,
                expires: r.expires,
            },
            (k, None, _, _) if k.is_soc2() => {
                return Err(format!("a {} needs `period-end`", k.label()));
            }
            (_, _, Some(expires), issued) => Validity::Until { issued, expires },
            (DocumentKind::PentestLetter, _, None, Some(d)) => Validity::Dated(d),
            (DocumentKind::Dpa, _, None, issued) => Validity::Open { issued },
            (k, ..) => return Err(format!("a {} needs `expires`", k.label())),
        };
        Ok(VendorDocument {
            kind: r.kind,
            url: r.url,
            title: r.title,
            note: r.note,
            validity,
        })
    }
}

impl From<VendorDocument> for RawVendorDocument {
    fn from(d: VendorDocument) -> RawVendorDocument {
        let issued = d.issued();
        let (period_start, period_end, expires) = match d.validity {
            Validity::Period {
                start,
                end,
                expires,
                ..
            } => (start, Some(end), expires),
            Validity::Until { expires, .. } => (None, None, Some(expires)),
            Validity::Dated(_) | Validity::Open { .. } => (None, None, None),
        };
        RawVendorDocument {
            kind: d.kind,
            url: d.url,
            title: d.title,
            issued,
            period_start,
            period_end,
            expires,
            note: d.note,
        }
    }
}

/// A security incident of the vendor.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Incident {
    /// When it began or was first reported.
    pub date: Date,
    /// What happened.
    pub kind: IncidentKind,
    /// How bad.
    pub severity: Level,
    /// What happened.
    #[serde(default)]
    pub summary: Option<String>,
    /// Days from first reports to the vendor's acknowledgement.
    #[serde(default)]
    pub acknowledged_after_days: Option<i64>,
    /// Whether the vendor denied it before confirming.
    #[serde(default)]
    pub denied_first: bool,
    /// Post-mortem URL.
    #[serde(default)]
    pub postmortem: Option<String>,
    /// Other sources.
    #[serde(default)]
    pub references: Vec<String>,
    /// What the vendor changed afterwards, and who verified it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
}

/// The kinds of incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// Customers' exchange keys leaked from the vendor.
    KeyLeak,
    /// Customer data or credentials exposed.
    Breach,
    /// Customers' funds moved through the vendor's own signing or command
    /// path (its servers placed the orders or withdrawals).
    FundsDrained,
    /// Customers phished in the vendor's name.
    Phishing,
    /// A release of the vendor's software carried malicious code.
    MaliciousRelease,
    /// Downtime.
    Outage,
    /// Anything else.
    Other,
}

impl IncidentKind {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::KeyLeak => "key-leak",
            IncidentKind::Breach => "breach",
            IncidentKind::FundsDrained => "funds-drained",
            IncidentKind::Phishing => "phishing",
            IncidentKind::MaliciousRelease => "malicious-release",
            IncidentKind::Outage => "outage",
            IncidentKind::Other => "other",
        }
    }
}

/// What a vendor changed after an incident.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Remediation {
    /// What changed.
    #[serde(default)]
    pub summary: Option<String>,
    /// When the changes were complete.
    #[serde(default)]
    pub completed: Option<Date>,
    /// Who verified them (an auditor, a penetration tester, the assessor).
    #[serde(default)]
    pub verified_by: Option<String>,
    /// When they were verified.
    #[serde(default)]
    pub verified: Option<Date>,
    /// Where the changes and the verification are documented.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl Remediation {
    /// The date of an independent verification, if there was one.
    pub fn verified_on(&self) -> Option<Date> {
        self.verified.filter(|_| {
            self.verified_by
                .as_deref()
                .is_some_and(|v| !v.trim().is_empty())
        })
    }
}

/// An accepted exception, as written: every field optional, so that
/// loading can report each one missing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RawWaiver {
    /// The question waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The rule waived (never a reject rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Who approved it.
    #[serde(default)]
    pub approved_by: Option<String>,
    /// Until when.
    #[serde(default)]
    pub expires: Option<Date>,
}

impl RawWaiver {
    /// The checked waiver, when it names one target and has a reason, an
    /// approver and an expiry.
    pub fn into_checked(self) -> Option<Waiver> {
        let present = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let target = match (self.question, self.rule) {
            (Some(q), None) => WaiverTarget::Question(q),
            (None, Some(r)) => WaiverTarget::Rule(r),
            _ => return None,
        };
        Some(Waiver {
            target,
            reason: present(self.reason)?,
            approved_by: present(self.approved_by)?,
            expires: self.expires?,
        })
    }
}

/// What a waiver exempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum WaiverTarget {
    /// A question: it counts as satisfied.
    Question(String),
    /// A non-reject rule: it is recorded as waived.
    Rule(String),
}

impl WaiverTarget {
    /// The question or rule id.
    pub fn id(&self) -> &str {
        match self {
            WaiverTarget::Question(id) | WaiverTarget::Rule(id) => id,
        }
    }
}

/// An accepted exception, complete: what it exempts, why, who approved
/// it and until when. Written back as the [`RawWaiver`] it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "RawWaiver")]
pub struct Waiver {
    /// What it exempts.
    pub target: WaiverTarget,
    /// Why.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// Until when.
    pub expires: Date,
}

impl From<Waiver> for RawWaiver {
    fn from(w: Waiver) -> RawWaiver {
        let (question, rule) = match w.target {
            WaiverTarget::Question(q) => (Some(q), None),
            WaiverTarget::Rule(r) => (None, Some(r)),
        };
        RawWaiver {
            question,
            rule,
            reason: Some(w.reason),
            approved_by: Some(w.approved_by),
            expires: Some(w.expires),
        }
    }
}
