//! `vetted fill`: answer checklists interactively, never losing an answer.
//!
//! The session is pure logic over a [`Prompter`]: the terminal one lives in
//! the CLI, [`Scripted`] answers from a file (tests, scripted imports). The
//! manifest is written atomically after every answer, and only after the new
//! text has passed the same loader as `vetted assess` (so a secret typed into
//! a note is refused, not saved). A manifest that rewriting would change
//! (comments, hand edits, its own layout) is backed up beside itself first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::checklist::{Catalog, Question, QuestionType};
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::evaluate::{self, Assessment, Status};
use crate::fsutil::ReadError;
use crate::manifest::{
    self, Answer, AnswerValue, AssessmentInfo, DATA_CLASSES, Evidence, Funds, Integration,
    Manifest, Provenance, Vendor,
};
use crate::rules::{Permission, Policy};

/// The first line of every manifest `fill` writes.
pub use crate::manifest::write::HEADER;

/// The user stopped the session (Ctrl-C, Esc, closed terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Asks questions. Every prompt has a stable `key` (`vendor.name`,
/// `answer:keys.withdrawal`, `evidence:keys.withdrawal`, ...) so that a
/// scripted prompter can answer it. `Ok(None)` means skipped.
pub trait Prompter {
    /// Shows a line of information.
    fn say(&mut self, text: &str);
    /// Free text; `default` is offered as the answer.
    fn text(
        &mut self,
        key: &str,
        label: &str,
        help: Option<&str>,
        default: Option<&str>,
    ) -> Result<Option<String>, Interrupted>;
    /// One of `options` (value, label); returns the index.
    fn select(
        &mut self,
        key: &str,
        label: &str,
        help: Option<&str>,
        options: &[(String, String)],
        default: Option<usize>,
    ) -> Result<Option<usize>, Interrupted>;
    /// Any of `options`; returns the indices.
    fn multi_select(
        &mut self,
        key: &str,
        label: &str,
        help: Option<&str>,
        options: &[(String, String)],
        defaults: &[usize],
    ) -> Result<Option<Vec<usize>>, Interrupted>;
}

/// How a session ended.
#[derive(Debug, thiserror::Error)]
pub enum FillError {
    /// Interrupted; everything confirmed before is saved.
    #[error("interrupted; every confirmed answer is saved")]
    Interrupted,
    /// The existing manifest is invalid.
    #[error("the manifest is invalid")]
    Invalid(Vec<Diagnostic>),
    /// A required answer was not given.
    #[error("{0}")]
    Incomplete(String),
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl From<Interrupted> for FillError {
    fn from(_: Interrupted) -> Self {
        FillError::Interrupted
    }
}

/// What to fill.
pub struct Options<'a> {
    /// The manifest to create or resume.
    pub path: &'a Path,
    /// Checklists for a new manifest.
    pub checklists: Vec<String>,
    /// Walk every applicable question, with current answers as defaults.
    pub revisit: bool,
    /// Today.
    pub as_of: Date,
}

/// The end-of-session summary.
#[derive(Debug)]
pub struct Summary {
    /// The final assessment.
    pub assessment: Assessment,
    /// Questions answered in this session.
    pub answered: usize,
    /// Where the backup of a hand-written manifest went, if one was made.
    pub backup: Option<PathBuf>,
}

/// Runs a session.
pub fn run(
    prompter: &mut dyn Prompter,
    catalog: &Catalog,
    policy: &Policy,
    opts: &Options<'_>,
) -> Result<Summary, FillError> {
    let io = |source| FillError::Io {
        path: opts.path.to_path_buf(),
        source,
    };
    let file = opts.path.display().to_string();
    let existing = match crate::fsutil::read_file(opts.path, crate::MAX_INPUT_BYTES) {
        Ok(bytes) => Some(bytes),
        Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(match crate::read_diagnostic(&file, e) {
                Ok(d) => FillError::Invalid(vec![d]),
                Err(e) => io(e),
            });
        }
    };
    let mut store = Store {
        path: opts.path.to_path_buf(),
        needs_backup: false,
        backup: None,
    };
    let mut manifest = match &existing {
        Some(bytes) => {
            let loaded =
                manifest::load(&file, bytes.clone(), catalog).map_err(FillError::Invalid)?;
            // Anything in the file that rewriting would drop (comments,
            // hand edits, a layout of its own) is backed up first.
            store.needs_backup = manifest::write::needs_backup(bytes, &loaded.manifest);
            prompter.say(&format!("Resuming {}.", opts.path.display()));
            let mut m = loaded.manifest;
            // Continuing an assessment dates it today, so that evidence
            // observed today is not "after the assessment".
            if opts.as_of > m.assessment.date {
                m.assessment.date = opts.as_of;
            }
            m
        }
        None => {
            if opts.checklists.is_empty() {
                return Err(FillError::Incomplete(
                    "a new manifest needs at least one --checklist".into(),
                ));
            }
            let m = start(prompter, policy, opts)?;
            // Asking on would save nothing, answer after answer, and end
            // with "Saved" over a file that does not exist.
            if !store.save(&m, catalog, prompter)? {
                return Err(FillError::Incomplete(
                    "the new manifest was refused for the reason above; nothing was written".into(),
                ));
            }
            m
        }
    };

    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut answered = 0;
    loop {
        let assessment = evaluate::evaluate(&manifest, catalog, policy, opts.as_of)
            .map_err(FillError::Invalid)?;
        let pending: Vec<&evaluate::QuestionResult> = assessment
            .questions
            .iter()
            .filter(|r| !matches!(r.status, Status::NotApplicable | Status::Waived))
            .filter(|r| !visited.contains(&r.id))
            .filter(|r| opts.revisit || r.status == Status::Unanswered)
            .collect();
        let Some(next) = pending.first() else { break };
        prompter.say(&format!(
            "Score {:.1}, confidence {:.0}%; {} question(s) to go.",
            assessment.score,
            assessment.confidence,
            pending.len()
        ));
        let id = next.id.clone();
        visited.insert(id.clone());
        let (_, area, question) = catalog.at(next.question);
        prompter.say(&format!(
            "[{}] {} ({} severity)",
            area.title, question.id, question.severity
        ));
        if let Some(answer) = ask(prompter, question, manifest.answers.get(&id), opts.as_of)? {
            let previous = manifest.answers.insert(id.clone(), answer);
            if store.save(&manifest, catalog, prompter)? {
                answered += 1;
            } else {
                // Refused by the loader (a secret in a note, say): undo, and
                // ask again unless this was already the retry.
                match previous {
                    Some(p) => manifest.answers.insert(id.clone(), p),
                    None => manifest.answers.remove(&id),
                };
                if refused.insert(id.clone()) {
                    visited.remove(&id);
                }
            }
        }
    }
    let assessment =
        evaluate::evaluate(&manifest, catalog, policy, opts.as_of).map_err(FillError::Invalid)?;
    Ok(Summary {
        assessment,
        answered,
        backup: store.backup,
    })
}

/// Writes the manifest after each answer.
struct Store {
    path: PathBuf,
    needs_backup: bool,
    backup: Option<PathBuf>,
}

impl Store {
    /// Saves if the text loads cleanly; says why not otherwise.
    fn save(
        &mut self,
        m: &Manifest,
        catalog: &Catalog,
        prompter: &mut dyn Prompter,
    ) -> Result<bool, FillError> {
        let text = manifest::write::render(m).map_err(FillError::Incomplete)?;
        if let Err(diags) = manifest::load(
            &self.path.display().to_string(),
            text.clone().into_bytes(),
            catalog,
        ) {
            for d in &diags {
                prompter.say(&format!("Not saved: {}", d.message));
            }
            return Ok(false);
        }
        let io = |source| FillError::Io {
            path: self.path.clone(),
            source,
        };
        if self.needs_backup {
            let backup = manifest::write::backup(&self.path).map_err(io)?;
            prompter.say(&format!(
                "Backed up the hand-edited manifest to {} before rewriting it.",
                backup.display()
            ));
            self.backup = Some(backup);
            self.needs_backup = false;
        }
        crate::fsutil::write(&self.path, text.as_bytes()).map_err(io)?;
        Ok(true)
    }
}

fn required(prompter: &mut dyn Prompter, key: &str, label: &str) -> Result<String, FillError> {
    for _ in 0..3 {
        match prompter.text(key, label, None, None)? {
            Some(v) if !v.trim().is_empty() => return Ok(v.trim().to_string()),
            _ => prompter.say(&format!("{label} is required.")),
        }
    }
    Err(FillError::Incomplete(format!("{label} is required")))
}

/// Asks until `check` accepts, at most three times; then the field is skipped.
fn checked(
    prompter: &mut dyn Prompter,
    key: &str,
    label: &str,
    default: Option<&str>,
    check: &dyn Fn(&str) -> Result<(), String>,
) -> Result<Option<String>, FillError> {
    for _ in 0..3 {
        match prompter.text(key, label, None, default)? {
            None => return Ok(None),
            Some(v) if v.trim().is_empty() => return Ok(None),
            Some(v) => match check(v.trim()) {
                Ok(()) => return Ok(Some(v.trim().to_string())),
                Err(why) => prompter.say(&why),
            },
        }
    }
    prompter.say(&format!("{label}: skipped after three invalid answers."));
    Ok(None)
}

/// An https URL with a host, checked with the `url` crate.
pub fn check_https(s: &str) -> Result<(), String> {
    match url::Url::parse(s) {
        Ok(u) if u.scheme() == "https" && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "`{}` links are not accepted: evidence must be an https address",
            crate::diag::quote(u.scheme())
        )),
        Err(e) => Err(format!(
            "not a valid URL ({e}); write a full address such as https://vendor.example/security"
        )),
    }
}

const PERMISSIONS: [Permission; 6] = [
    Permission::Read,
    Permission::Trade,
    Permission::Transfer,
    Permission::Withdraw,
    Permission::Write,
    Permission::Admin,
];

fn start(
    prompter: &mut dyn Prompter,
    policy: &Policy,
    opts: &Options<'_>,
) -> Result<Manifest, FillError> {
    prompter.say(
        "New assessment. First the vendor and the integration; empty answers skip optional fields.",
    );
    let name = required(prompter, "vendor.name", "Vendor name")?;
    let website = checked(
        prompter,
        "vendor.website",
        "Vendor website",
        None,
        &check_https,
    )?;
    let docs = checked(
        prompter,
        "vendor.docs",
        "Security or API documentation",
        None,
        &check_https,
    )?;
    let repository = checked(
        prompter,
        "vendor.repository",
        "Source repository",
        None,
        &check_https,
    )?;
    let ips = checked(
        prompter,
        "vendor.egress-ips",
        "Published egress IPs (comma-separated)",
        None,
        &|s| {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .try_for_each(|p| {
                    p.split('/')
                        .next()
                        .unwrap_or(p)
                        .parse::<std::net::IpAddr>()
                        .map(|_| ())
                        .map_err(|_| format!("`{}` is not an IP address", crate::diag::quote(p)))
                })
        },
    )?;
    let purpose = required(
        prompter,
        "integration.purpose",
        "What will the integration do",
    )?;
    let perm_options: Vec<(String, String)> = PERMISSIONS
        .iter()
        .map(|p| (p.as_str().to_string(), p.as_str().to_string()))
        .collect();
    let permissions = prompter
        .multi_select(
            "integration.permissions",
            "Permissions the vendor asks for",
            None,
            &perm_options,
            &[0],
        )?
        .unwrap_or_default()
        .into_iter()
        .map(|i| PERMISSIONS[i])
        .collect();
    let funds = checked(
        prompter,
        "integration.funds-at-risk",
        "Funds at risk (amount and currency, e.g. 25000 USD)",
        None,
        &|s| {
            let f = parse_funds(s)?;
            let risk = &policy.inherent_risk;
            match risk.funds_value(f.amount, &f.currency) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "the policy has no exchange rate for {}; give the amount in {}",
                    f.currency, risk.funds_currency
                )),
            }
        },
    )?
    .and_then(|s| parse_funds(&s).ok());
    let class_options: Vec<(String, String)> = DATA_CLASSES
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let data_classes = prompter
        .multi_select(
            "integration.data-classes",
            "Data the vendor receives",
            None,
            &class_options,
            &[],
        )?
        .unwrap_or_default()
        .into_iter()
        .map(|i| DATA_CLASSES[i].to_string())
        .collect();
    let assessor = required(prompter, "assessment.assessor", "Your name (assessor)")?;
    Ok(Manifest {
        vendor: Vendor {
            name,
            website,
            docs,
            repository,
            egress_ips: ips
                .map(|s| {
                    s.split(',')
                        .map(|p| p.trim().to_string())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            providers: Vec::new(),
            packages: Vec::new(),
        },
        integration: Integration {
            purpose,
            checklists: opts.checklists.clone(),
            permissions,
            funds_at_risk: funds,
            data_classes,
            keys: Vec::new(),
            hosting: None,
            connection: None,
            withdrawal_allowlist: false,
        },
        assessment: AssessmentInfo {
            assessor,
            approver: None,
            date: opts.as_of,
        },
        answers: BTreeMap::new(),
        incidents: Vec::new(),
        documents: Vec::new(),
        waivers: Vec::new(),
        collected: None,
    })
}

fn parse_funds(s: &str) -> Result<Funds, String> {
    let mut parts = s.split_whitespace();
    let amount = parts
        .next()
        .and_then(|a| a.replace(',', "").parse::<f64>().ok())
        .filter(|a| *a >= 0.0);
    let currency = parts
        .next()
        .map(str::to_uppercase)
        .filter(|c| (3..=5).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_uppercase()));
    match (amount, currency, parts.next()) {
        (Some(amount), Some(currency), None) => Ok(Funds { amount, currency }),
        _ => Err(format!(
            "`{}` is not an amount and a currency, e.g. 25000 USD",
            crate::diag::quote(s)
        )),
    }
}

/// Asks one question; `None` when skipped.
fn ask(
    prompter: &mut dyn Prompter,
    q: &Question,
    current: Option<&Answer>,
    today: Date,
) -> Result<Option<Answer>, FillError> {
    let key = format!("answer:{}", q.id);
    let help = q.help.as_deref();
    let unknown = ("unknown".to_string(), "Unknown".to_string());
    let value: AnswerValue = match q.kind {
        QuestionType::Choice | QuestionType::Bool => {
            let mut options: Vec<(String, String)> = match q.kind {
                QuestionType::Bool => {
                    vec![("true".into(), "Yes".into()), ("false".into(), "No".into())]
                }
                _ => q
                    .options
                    .iter()
                    .map(|o| {
                        (
                            o.value.clone(),
                            format!("{} (score {:.2})", o.label, o.score),
                        )
                    })
                    .collect(),
            };
            options.push(unknown);
            let default = current.and_then(|a| {
                let v = shown(&a.value);
                options.iter().position(|(value, _)| *value == v)
            });
            let Some(i) = prompter.select(&key, &q.text, help, &options, default)? else {
                return Ok(None);
            };
            match (q.kind, options[i].0.as_str()) {
                (_, "unknown") => AnswerValue::Unknown,
                (QuestionType::Bool, v) => AnswerValue::Bool(v == "true"),
                (_, v) => AnswerValue::Choice(v.to_string()),
            }
        }
        QuestionType::Multi => {
            let options: Vec<(String, String)> = q
                .options
                .iter()
                .map(|o| {
                    (
                        o.value.clone(),
                        format!("{} (score {:.2})", o.label, o.score),
                    )
                })
                .collect();
            let defaults: Vec<usize> = match current.map(|a| &a.value) {
                Some(AnswerValue::Multi(vals)) => options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| vals.contains(&o.0))
                    .map(|(i, _)| i)
                    .collect(),
                _ => Vec::new(),
            };
            let Some(chosen) = prompter.multi_select(&key, &q.text, help, &options, &defaults)?
            else {
                return Ok(None);
            };
            AnswerValue::Multi(chosen.into_iter().map(|i| options[i].0.clone()).collect())
        }
        QuestionType::Number | QuestionType::Date | QuestionType::Text => {
            let default = current.map(|a| shown(&a.value));
            // Typed text is read as the YAML of a manifest would be (a
            // number as a number), then narrowed like any loaded answer.
            let parse = |s: &str| -> Result<AnswerValue, String> {
                let raw = match (q.kind, s.parse::<f64>()) {
                    (QuestionType::Number, Ok(n)) => Json::from(n),
                    (QuestionType::Number, Err(_)) if s != "unknown" => {
                        return Err(format!("`{}` is not a number", crate::diag::quote(s)));
                    }
                    _ => Json::String(s.to_string()),
                };
                AnswerValue::narrow(q, &raw).map_err(|p| p.message)
            };
            let check = |s: &str| parse(s).map(|_| ());
            let Some(v) = checked(prompter, &key, &q.text, default.as_deref(), &check)? else {
                return Ok(None);
            };
            // `checked` only returns text that passed `check`.
            let Ok(value) = parse(&v) else {
                return Ok(None);
            };
            value
        }
    };
    let mut answer = Answer {
        value,
        source: current.map_or(Provenance::VendorClaim, |a| a.source),
        evidence: current.map(|a| a.evidence.clone()).unwrap_or_default(),
        note: current.and_then(|a| a.note.clone()),
        // Answered here, it is the person's now, even if it was imported;
        // a vendor's differing claim stays until the answers agree.
        questionnaire: None,
        claim: current.and_then(|a| a.claim.clone()),
    };
    if answer.is_unknown() {
        return Ok(Some(answer));
    }
    if let Some(url) = checked(
        prompter,
        &format!("evidence:{}", q.id),
        "Evidence URL (https; empty to skip)",
        None,
        &check_https,
    )? {
        let observed = checked(
            prompter,
            &format!("observed:{}", q.id),
            "Date you observed it",
            Some(&today.to_string()),
            &|s| match s.parse::<Date>() {
                Ok(d) if d <= today => Ok(()),
                Ok(_) => Err("evidence cannot be observed after today".into()),
                Err(e) => Err(e.to_string()),
            },
        )?
        .and_then(|s| s.parse().ok())
        .unwrap_or(today);
        answer.evidence.push(Evidence {
            url,
            observed,
            expires: None,
            note: None,
        });
        if answer.source == Provenance::VendorClaim {
            answer.source = Provenance::Document;
        }
    }
    if let Some(note) = prompter.text(
        &format!("note:{}", q.id),
        "Note (optional)",
        None,
        answer.note.as_deref(),
    )? {
        answer.note = Some(note).filter(|n| !n.trim().is_empty());
    }
    Ok(Some(answer))
}

/// An answer as the prompts show and compare it: the YAML scalar.
fn shown(v: &AnswerValue) -> String {
    match v.to_json() {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// Answers prompts from a map of key to value (a YAML or JSON file).
/// Missing keys are skipped; `Json::Null` is a skip; the key `interrupt-at`
/// names a prompt at which to act as if the user pressed Ctrl-C.
pub struct Scripted {
    answers: BTreeMap<String, Json>,
    /// Everything said, for tests and for the CLI to print.
    pub transcript: Vec<String>,
    /// The keys of the prompts asked, in order.
    pub asked: Vec<String>,
}

impl Scripted {
    /// From a JSON object.
    pub fn new(answers: Json) -> Scripted {
        let answers = match answers {
            Json::Object(map) => map.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        Scripted {
            answers,
            transcript: Vec::new(),
            asked: Vec::new(),
        }
    }

    fn get(&mut self, key: &str) -> Result<Option<Json>, Interrupted> {
        self.asked.push(key.to_string());
        if self.answers.get("interrupt-at").and_then(Json::as_str) == Some(key) {
            return Err(Interrupted);
        }
        Ok(self.answers.get(key).filter(|v| !v.is_null()).cloned())
    }

    fn index(options: &[(String, String)], v: &Json) -> Option<usize> {
        let s = match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        options
            .iter()
            .position(|(value, label)| *value == s || *label == s)
    }
}

impl Prompter for Scripted {
    fn say(&mut self, text: &str) {
        self.transcript.push(text.to_string());
    }

    fn text(
        &mut self,
        key: &str,
        _: &str,
        _: Option<&str>,
        default: Option<&str>,
    ) -> Result<Option<String>, Interrupted> {
        Ok(match self.get(key)? {
            Some(Json::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
            None => default.map(str::to_string),
        })
    }

    fn select(
        &mut self,
        key: &str,
        _: &str,
        _: Option<&str>,
        options: &[(String, String)],
        _: Option<usize>,
    ) -> Result<Option<usize>, Interrupted> {
        Ok(self.get(key)?.and_then(|v| Scripted::index(options, &v)))
    }

    fn multi_select(
        &mut self,
        key: &str,
        _: &str,
        _: Option<&str>,
        options: &[(String, String)],
        _: &[usize],
    ) -> Result<Option<Vec<usize>>, Interrupted> {
        Ok(self.get(key)?.map(|v| match v {
            Json::Array(items) => items
                .iter()
                .filter_map(|i| Scripted::index(options, i))
                .collect(),
            single => Scripted::index(options, &single).into_iter().collect(),
        }))
    }
}
