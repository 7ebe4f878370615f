//! Manifests: loading, the credential guard and semantic validation against
//! the checklist catalog.

pub mod guard;
mod model;
mod value;
pub mod write;

use std::collections::BTreeSet;
use std::net::IpAddr;

pub use model::*;
use serde_json::Value as Json;
pub use value::{AnswerValue, Problem, RESERVED_VALUES};

use crate::checklist::Catalog;
use crate::date::Date;
use crate::diag::{self, Code, Diagnostic};
use crate::document::Document;
use crate::schema::{self, Format};
use crate::yaml::{self, Limits};

/// A manifest with its source.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The manifest.
    pub manifest: Manifest,
    /// Its source, for positions.
    pub doc: Document,
    /// Warnings found while loading (errors stop the load).
    pub warnings: Vec<Diagnostic>,
}

/// Loads and validates a manifest. Every problem in the file is returned at
/// once, sorted by position.
pub fn load(file: &str, bytes: Vec<u8>, catalog: &Catalog) -> Result<Loaded, Vec<Diagnostic>> {
    let limits = Limits::default();
    let text = yaml::decode(file, bytes, &limits).map_err(|d| vec![d])?;
    let root = yaml::parse(file, &text, &limits).map_err(|d| vec![d])?;
    // The guard runs first and on the raw tree, so that a secret is refused
    // even in a file with other mistakes, and even in an unknown field.
    let secrets = guard::check(file, &text, &root);
    // One conversion to JSON serves the schema, the date checks and typed
    // loading.
    let json = root.to_json();
    let mut diags = schema::validate_json(Format::Manifest, file, &root, &json);
    let doc = Document {
        file: file.to_string(),
        root,
    };
    // Dates are checked on the raw tree, so they are reported together with
    // schema problems; the checks that need the typed model wait for a file
    // that fits the schema.
    check_dates(&doc, &json, &mut diags);
    // Other diagnostics quote the value they complain about; where the guard
    // found a secret, only the guard's (which never shows it) may speak.
    let hidden: BTreeSet<(u32, u32)> = secrets.iter().map(|d| (d.line, d.col)).collect();
    diags.retain(|d| !hidden.contains(&(d.line, d.col)));
    diags.extend(secrets);
    if !diags.is_empty() {
        diag::sort(&mut diags);
        return Err(diags);
    }
    let raw: RawManifest = doc.typed_from(json).map_err(|d| vec![d])?;
    let values = check_semantics(&doc, &raw, catalog, &mut diags);
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    // Without errors every answer was narrowed and every waiver is
    // complete, so nothing is dropped here.
    let mut manifest = raw.into_checked(values);
    read_legacy_hosting(&doc, &mut manifest, &mut diags);
    warn_self_hosted_data_classes(&doc, &manifest, &mut diags);
    Ok(Loaded {
        manifest,
        doc,
        warnings: diags,
    })
}

/// The answer through which manifests written before
/// `integration.hosting` existed said that they host the software.
const LEGACY_CUSTODY: (&str, &str) = ("key_storage.custody", "user-hosted");

/// Reads the old way of saying "self-hosted" as the new one, and says how
/// to write it, so that evaluation reads hosting from one field only.
fn read_legacy_hosting(doc: &Document, m: &mut Manifest, diags: &mut Vec<Diagnostic>) {
    let (question, option) = LEGACY_CUSTODY;
    let says_so = m
        .answers
        .get(question)
        .is_some_and(|a| a.value.as_choice() == Some(option));
    if m.integration.hosting.is_none() && says_so {
        m.integration.hosting = Some(Hosting::SelfHosted);
        diags.push(
            doc.warning(
                Code::HostingInferred,
                &format!("/answers/{question}/value"),
                format!("`{question}: {option}` is read as `integration.hosting: self-hosted`"),
            )
            .with_help("add `hosting: self-hosted` under `integration`; the custody answer alone will not say it in a later version"),
        );
    }
}

/// The answer that says self-hosted software sends nothing home.
const TALKS_ONLY_TO_EXCHANGES: (&str, &str) = ("key_storage.telemetry", "none");

/// `data-classes` is what the vendor receives. Self-hosted software that,
/// by the manifest's own answer, sends nothing home receives nothing: data
/// listed there is what it handles on your systems, and would make every
/// vendor-side question apply to a project that holds nothing.
fn warn_self_hosted_data_classes(doc: &Document, m: &Manifest, diags: &mut Vec<Diagnostic>) {
    let (question, option) = TALKS_ONLY_TO_EXCHANGES;
    let sends_nothing = m
        .answers
        .get(question)
        .is_some_and(|a| a.value.as_choice() == Some(option));
    if m.integration.hosting == Some(Hosting::SelfHosted)
        && sends_nothing
        && !m.integration.data_classes.is_empty()
    {
        diags.push(
            doc.warning(
                Code::SelfHostedDataClasses,
                "/integration/data-classes",
                format!(
                    "`data-classes` lists data the vendor receives, but `{question}: {option}` says the self-hosted software talks only to the exchanges"
                ),
            )
            .with_help("remove `data-classes` when nothing reaches the vendor; otherwise list only what the software sends home and correct the telemetry answer"),
        );
    }
}

/// Funds at risk must be in a currency the policy can judge: its own, or
/// one it has an exchange rate for. Comparing 50,000 of any unit with USD
/// thresholds would misjudge the risk without saying so.
pub fn check_currency(loaded: &Loaded, policy: &crate::rules::Policy) -> Result<(), Diagnostic> {
    let risk = &policy.inherent_risk;
    match &loaded.manifest.integration.funds_at_risk {
        Some(f) if risk.funds_value(f.amount, &f.currency).is_none() => {
            let known: Vec<&str> = std::iter::once(risk.funds_currency.as_str())
                .chain(risk.exchange_rates.keys().map(String::as_str))
                .collect();
            Err(loaded
                .doc
                .error(
                    Code::UnknownCurrency,
                    "/integration/funds-at-risk/currency",
                    format!(
                        "funds at risk are in `{}`, which the policy cannot convert to {} (it knows {})",
                        diag::quote(&f.currency),
                        risk.funds_currency,
                        known.join(", ")
                    ),
                )
                .with_help(format!(
                    "state the amount in {}, or give the policy a rate under inherent-risk.exchange-rates",
                    risk.funds_currency
                )))
        }
        _ => Ok(()),
    }
}

/// Every date field must be a real calendar date before typed loading.
/// The walk builds a field's pointer only when its date is wrong.
fn check_dates(doc: &Document, json: &Json, diags: &mut Vec<Diagnostic>) {
    let mut check = |value: Option<&Json>, pointer: &dyn Fn() -> String| {
        if let Some(s) = value.and_then(Json::as_str)
            && s.parse::<Date>().is_err()
        {
            let p = pointer();
            diags.push(
                doc.error(
                    Code::InvalidDate,
                    &p,
                    format!(
                        "{} is `{}`, which is not a date",
                        schema::human_path(&p),
                        diag::quote(s)
                    ),
                )
                .with_help("write dates as YYYY-MM-DD, e.g. 2026-11-20"),
            );
        }
    };
    let list = |p: &str| {
        json.pointer(p)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
    };
    check(json.pointer("/assessment/date"), &|| {
        "/assessment/date".into()
    });
    for (i, key) in list("/integration/keys").enumerate() {
        for field in ["created", "expires"] {
            check(key.get(field), &|| format!("/integration/keys/{i}/{field}"));
        }
    }
    for (i, incident) in list("/incidents").enumerate() {
        check(incident.get("date"), &|| format!("/incidents/{i}/date"));
    }
    for (i, document) in list("/documents").enumerate() {
        for field in ["issued", "period-start", "period-end", "expires"] {
            check(document.get(field), &|| format!("/documents/{i}/{field}"));
        }
    }
    for (i, waiver) in list("/waivers").enumerate() {
        check(waiver.get("expires"), &|| format!("/waivers/{i}/expires"));
    }
    if let Some(answers) = json.get("answers").and_then(Json::as_object) {
        for (id, answer) in answers {
            let escaped = || id.replace('~', "~0").replace('/', "~1");
            check(answer.pointer("/questionnaire/received"), &|| {
                format!("/answers/{}/questionnaire/received", escaped())
            });
            check(answer.pointer("/claim/questionnaire/received"), &|| {
                format!("/answers/{}/claim/questionnaire/received", escaped())
            });
            let evidence = answer.get("evidence").and_then(Json::as_array);
            for (j, item) in evidence.into_iter().flatten().enumerate() {
                for field in ["observed", "expires"] {
                    check(item.get(field), &|| {
                        let id = id.replace('~', "~0").replace('/', "~1");
                        format!("/answers/{id}/evidence/{j}/{field}")
                    });
                }
            }
        }
    }
}

/// Checks a web address; `pointer` is only built for a diagnostic.
fn check_url(
    doc: &Document,
    pointer: &dyn Fn() -> String,
    value: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let problem = match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => return,
        Ok(u) => format!(
            "uses the scheme `{}`; only web addresses are accepted",
            diag::quote(u.scheme())
        ),
        Err(e) => format!("is not a valid URL ({e})"),
    };
    let pointer = &pointer();
    diags.push(
        doc.error(
            Code::InvalidUrl,
            pointer,
            format!("{} {problem}", schema::human_path(pointer)),
        )
        .with_help("write a full address such as https://vendor.example/security"),
    );
}

/// Checks what the schema cannot, and narrows every answer against its
/// question; returns the narrowed values in the order of the answers (none
/// where an answer could not be narrowed).
fn check_semantics(
    doc: &Document,
    m: &RawManifest,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Option<Narrowed>> {
    let assessed = m.assessment.date;
    let mut values = Vec::with_capacity(m.answers.len());

    // Checklists. A question is in scope when its checklist is one of the
    // manifest's: the catalog knows each question's checklist, so the ids
    // of the questions in scope are only listed for a suggestion.
    let in_scope = |checklist: &str| m.integration.checklists.iter().any(|c| c == checklist);
    let scope_ids = || {
        m.integration
            .checklists
            .iter()
            .filter_map(|id| catalog.get(id))
            .flat_map(|l| l.checklist.areas.iter())
            .flat_map(|a| a.questions.iter().map(|q| q.id.as_str()))
    };
    for (i, id) in m.integration.checklists.iter().enumerate() {
        match catalog.get(id) {
            Some(_) => {}
            None => {
                let mut d = doc.error(
                    Code::UnknownChecklist,
                    &format!("/integration/checklists/{i}"),
                    format!("there is no checklist `{}`", diag::quote(id)),
                );
                d = match diag::suggest(id, catalog.ids()) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help(format!(
                        "available: {}; `vetted checklist list` shows them",
                        catalog.ids().collect::<Vec<_>>().join(", ")
                    )),
                };
                diags.push(d);
            }
        }
    }

    // Vendor.
    for (field, value) in [
        ("website", &m.vendor.website),
        ("docs", &m.vendor.docs),
        ("repository", &m.vendor.repository),
    ] {
        if let Some(v) = value {
            check_url(doc, &|| format!("/vendor/{field}"), v, diags);
        }
    }
    for (i, ip) in m.vendor.egress_ips.iter().enumerate() {
        if !is_ip_or_cidr(ip) {
            diags.push(
                doc.error(
                    Code::InvalidIp,
                    &format!("/vendor/egress-ips/{i}"),
                    format!("`{}` is not an IP address or CIDR range", diag::quote(ip)),
                )
                .with_help("write addresses such as 203.0.113.10 or 203.0.113.0/28"),
            );
        }
    }

    // Answers. Pointers are written only for a diagnostic, and each
    // distinct evidence URL is parsed once (manifests repeat them).
    let mut good_urls: BTreeSet<&str> = BTreeSet::new();
    let questions = catalog.question_ids_of(m.answers.keys().map(String::as_str));
    for ((id, answer), question_id) in m.answers.iter().zip(questions) {
        let at = || format!("/answers/{}", id.replace('~', "~0").replace('/', "~1"));
        let Some((checklist, _, question)) = question_id.map(|q| catalog.at(q)) else {
            values.push(None);
            let at = at();
            let mut d = doc.error(
                Code::UnknownQuestion,
                &at,
                format!("there is no question `{}`", diag::quote(id)),
            );
            let key_pos = doc.root.locate_key("/answers", id);
            d.line = key_pos.line;
            d.col = key_pos.col;
            if let Some(s) = diag::suggest(id, scope_ids()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            continue;
        };
        if !in_scope(&checklist.id) {
            diags.push(
                doc.error(
                    Code::QuestionNotInScope,
                    &at(),
                    format!(
                        "question `{}` belongs to checklist `{}`, which this manifest does not use",
                        diag::quote(id),
                        checklist.id
                    ),
                )
                .with_help(format!(
                    "add `{}` to integration.checklists, or remove the answer",
                    checklist.id
                )),
            );
        }
        values.push(check_answer(
            doc,
            &|| format!("{}/value", at()),
            question,
            answer,
            assessed,
            diags,
        ));
        for (j, ev) in answer.evidence.iter().enumerate() {
            if !good_urls.contains(ev.url.as_str()) {
                let before = diags.len();
                check_url(
                    doc,
                    &|| format!("{}/evidence/{j}/url", at()),
                    &ev.url,
                    diags,
                );
                if diags.len() == before {
                    good_urls.insert(&ev.url);
                }
            }
            if ev.observed > assessed {
                diags.push(
                    doc.error(
                        Code::EvidenceAfterAssessment,
                        &format!("{}/evidence/{j}/observed", at()),
                        format!("evidence observed on {} is dated after the assessment ({assessed})", ev.observed),
                    )
                    .with_help("evidence cannot be seen after the assessment it supports; fix the date of one of them"),
                );
            }
        }
    }

    // Keys.
    for (i, key) in m.integration.keys.iter().enumerate() {
        if key.created > assessed {
            diags.push(doc.error(
                Code::KeyAfterAssessment,
                &format!("/integration/keys/{i}/created"),
                format!(
                    "key `{}` was created on {}, after the assessment ({assessed})",
                    diag::quote(&key.label),
                    key.created
                ),
            ));
        }
    }

    for (i, key) in m.integration.keys.iter().enumerate() {
        for (j, ip) in key.ip_allowlist.iter().enumerate() {
            if !is_ip_or_cidr(ip) {
                diags.push(
                    doc.error(
                        Code::InvalidIp,
                        &format!("/integration/keys/{i}/ip-allowlist/{j}"),
                        format!("`{}` is not an IP address or CIDR range", diag::quote(ip)),
                    )
                    .with_help("write addresses such as 203.0.113.10 or 203.0.113.0/28"),
                );
            }
        }
    }

    // Incidents.
    for (i, incident) in m.incidents.iter().enumerate() {
        if let Some(r) = &incident.remediation {
            for (field, date) in [("completed", r.completed), ("verified", r.verified)] {
                if let Some(d) = date.filter(|d| *d > assessed || *d < incident.date) {
                    diags.push(
                        doc.error(
                            Code::RemediationDate,
                            &format!("/incidents/{i}/remediation/{field}"),
                            format!("the remediation is {field} on {d}, not between the incident ({}) and the assessment ({assessed})", incident.date),
                        )
                        .with_help("a remediation happens after its incident and before the assessment that relies on it"),
                    );
                }
            }
            if r.verified.is_some()
                != r.verified_by
                    .as_deref()
                    .is_some_and(|v| !v.trim().is_empty())
            {
                diags.push(
                    doc.error(
                        Code::RemediationUnverified,
                        &format!("/incidents/{i}/remediation"),
                        "a verified remediation needs both `verified-by` (who checked it) and `verified` (when)",
                    )
                    .with_help("name the auditor, tester or assessor who checked the changes and the date; leave both out if nobody did"),
                );
            }
            for (j, e) in r.evidence.iter().enumerate() {
                check_url(
                    doc,
                    &|| format!("/incidents/{i}/remediation/evidence/{j}"),
                    e,
                    diags,
                );
            }
        }
        if incident.date > assessed {
            diags.push(doc.error(
                Code::IncidentAfterAssessment,
                &format!("/incidents/{i}/date"),
                format!(
                    "the incident of {} is dated after the assessment ({assessed})",
                    incident.date
                ),
            ));
        }
        if let Some(p) = &incident.postmortem {
            check_url(doc, &|| format!("/incidents/{i}/postmortem"), p, diags);
        }
        for (j, r) in incident.references.iter().enumerate() {
            check_url(doc, &|| format!("/incidents/{i}/references/{j}"), r, diags);
        }
    }

    check_documents(doc, &m.documents, assessed, diags);

    // Waivers.
    for (i, w) in m.waivers.iter().enumerate() {
        let at = format!("/waivers/{i}");
        for (field, present) in [
            (
                "reason",
                w.reason.as_deref().is_some_and(|s| !s.trim().is_empty()),
            ),
            (
                "approved-by",
                w.approved_by
                    .as_deref()
                    .is_some_and(|s| !s.trim().is_empty()),
            ),
            ("expires", w.expires.is_some()),
        ] {
            if !present {
                diags.push(
                    doc.error(Code::WaiverIncomplete, &at, format!("the waiver has no `{field}`"))
                        .with_help("a waiver needs a reason, the person who approved it and an expiry date; without them it is not an exception, only a gap"),
                );
            }
        }
        match (&w.question, &w.rule) {
            (Some(q), None) => {
                if catalog.question(q).is_none() {
                    let mut d = doc.error(Code::UnknownQuestion, &format!("{at}/question"), format!("the waiver names `{}`, which is not a question", diag::quote(q)));
                    if let Some(s) = diag::suggest(q, scope_ids()) {
                        d = d.with_help(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
            }
            (None, Some(r)) => match catalog.rule(r) {
                None => diags.push(doc.error(Code::UnknownRule, &format!("{at}/rule"), format!("the waiver names `{}`, which is not a rule", diag::quote(r)))),
                Some((_, rule)) if rule.rejects() => diags.push(
                    doc.error(
                        Code::WaiverOnReject,
                        &format!("{at}/rule"),
                        format!("rule `{r}` rejects, and a reject cannot be waived"),
                    )
                    .with_help("change the integration so the rule no longer applies (for example, drop the withdrawal permission)"),
                ),
                Some(_) => {}
            },
            _ => diags.push(
                doc.error(Code::WaiverTarget, &at, "a waiver names exactly one `question` or one `rule`")
                    .with_help("write one waiver per question or rule"),
            ),
        }
    }
    values
}

/// Checks that each document's dates can all be true, and that the
/// assessment could have read it.
fn check_documents(
    doc: &Document,
    documents: &[VendorDocument],
    assessed: Date,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, d) in documents.iter().enumerate() {
        check_url(doc, &|| format!("/documents/{i}/url"), &d.url, diags);
        let mut wrong = |field: &str, message: String| {
            diags.push(
                doc.error(Code::DocumentDates, &format!("/documents/{i}/{field}"), message)
                    .with_help("correct the date from the document itself (the auditor's opinion, the certificate)"),
            );
        };
        let label = d.kind.label();
        match d.validity {
            Validity::Period {
                start,
                end,
                issued,
                expires,
            } => {
                if let Some(start) = start.filter(|s| *s > end) {
                    wrong(
                        "period-start",
                        format!("the {label}'s period starts on {start}, after it ends ({end})"),
                    );
                }
                if end > assessed {
                    wrong(
                        "period-end",
                        format!(
                            "the {label}'s period ends on {end}, after the assessment ({assessed}); no report covers a period not yet over"
                        ),
                    );
                }
                if let Some(issued) = issued.filter(|i| *i < end) {
                    wrong(
                        "issued",
                        format!(
                            "the {label} is dated {issued}, before its period ends ({end}); an auditor reports on a period once it is over"
                        ),
                    );
                }
                let longest = end.plus_years(RELIED_ON_YEARS);
                if let Some(expires) = expires.filter(|e| *e < end || *e > longest) {
                    wrong(
                        "expires",
                        format!(
                            "the {label} is said to count until {expires}; a report counts from its period's end ({end}) for at most twelve months ({longest}), and only a bridge letter carries it further"
                        ),
                    );
                }
            }
            Validity::Until { issued, expires } => {
                if let Some(issued) = issued.filter(|i| *i > expires) {
                    wrong(
                        "expires",
                        format!(
                            "the {label} expires on {expires}, before it was issued ({issued})"
                        ),
                    );
                }
                // A bridge letter is the vendor's statement about the time
                // since the audited period: it reaches a few months ahead
                // at most.
                if d.kind == DocumentKind::BridgeLetter
                    && let Some(issued) = issued.filter(|i| i.days_until(expires) > BRIDGE_DAYS)
                {
                    wrong(
                        "expires",
                        format!(
                            "the bridge letter of {issued} is said to cover until {expires}; a bridge letter speaks for at most {BRIDGE_DAYS} days past its date"
                        ),
                    );
                }
            }
            Validity::Dated(_) | Validity::Open { .. } => {}
        }
        if let Some(issued) = d.issued().filter(|i| *i > assessed) {
            wrong(
                "issued",
                format!("the {label} is dated {issued}, after the assessment ({assessed})"),
            );
        }
    }
}

fn check_answer(
    doc: &Document,
    at: &dyn Fn() -> String,
    q: &crate::checklist::Question,
    answer: &Answer<Json>,
    assessed: Date,
    diags: &mut Vec<Diagnostic>,
) -> Option<Narrowed> {
    let mut report = |at: &str, problems: Vec<(Code, Problem)>| {
        for (code, Problem { message, help }) in problems {
            let mut d = doc.error(code, at, message);
            if let Some(h) = help {
                d = d.with_help(h);
            }
            diags.push(d);
        }
    };
    let (value, problems) = narrow_answer(q, &answer.value, answer.note.as_deref(), assessed);
    report(&at(), problems);
    let claim = match &answer.claim {
        None => None,
        Some(c) => {
            let (value, problems) = narrow_answer(q, &c.value, c.note.as_deref(), assessed);
            report(&at().replace("/value", "/claim/value"), problems);
            Some(value?)
        }
    };
    Some(Narrowed {
        value: value?,
        claim,
    })
}

/// Narrows one raw answer to `q` and checks it as loading does (a reason
/// for `not-applicable` in `note`, a date answer not after the
/// assessment), without a position: loading places the problems in the
/// file, `vetted questionnaire import` in the workbook's cells. The value
/// comes back whenever it narrowed, even with other problems.
pub fn narrow_answer(
    q: &crate::checklist::Question,
    raw: &Json,
    note: Option<&str>,
    assessed: Date,
) -> (Option<AnswerValue>, Vec<(Code, Problem)>) {
    let value = match AnswerValue::narrow(q, raw) {
        Ok(v) => v,
        Err(p) => return (None, vec![(Code::InvalidAnswer, p)]),
    };
    let mut problems = Vec::new();
    if value == AnswerValue::NotApplicable && note.is_none_or(|n| n.trim().is_empty()) {
        problems.push((
            Code::NotApplicableWithoutReason,
            Problem {
                message: format!("question `{}` is answered not-applicable without a reason", q.id),
                help: Some("say in `note` why the question does not apply (for example: the vendor never receives the key)".into()),
            },
        ));
    }
    if let AnswerValue::Date(d) = value
        && d > assessed
    {
        problems.push((
            Code::InvalidAnswer,
            Problem {
                message: format!(
                    "question `{}` is answered {d}, after the assessment ({assessed})",
                    q.id
                ),
                help: Some(
                    "a date answer records something that already happened; check the year".into(),
                ),
            },
        ));
    }
    (Some(value), problems)
}

fn is_ip_or_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_custody_answer_is_read_as_self_hosted_unless_hosting_says_otherwise() {
        let catalog = Catalog::bundled().unwrap();
        let load = |hosting: &str| {
            let text = format!(
                "vendor: {{name: V}}\nintegration:\n  purpose: p\n  checklists: [baseline, exchange-keys]\n  permissions: [read]\n{hosting}assessment: {{assessor: a, date: 2026-11-01}}\nanswers:\n  key_storage.custody: {{value: user-hosted}}\n"
            );
            load("m.yaml", text.into_bytes(), &catalog).unwrap()
        };
        let old = load("");
        assert_eq!(old.manifest.integration.hosting, Some(Hosting::SelfHosted));
        assert_eq!(old.warnings.len(), 1);
        assert_eq!(old.warnings[0].code, Code::HostingInferred);
        assert_eq!(old.warnings[0].line, 8, "{}", old.warnings[0]);
        let explicit = load("  hosting: vendor\n");
        assert_eq!(explicit.manifest.integration.hosting, Some(Hosting::Vendor));
        assert!(explicit.warnings.is_empty());
    }

    #[test]
    fn data_classes_of_self_hosted_software_that_sends_nothing_are_questioned() {
        let catalog = Catalog::bundled().unwrap();
        let load = |hosting: &str, telemetry: &str| {
            let text = format!(
                "vendor: {{name: V}}\nintegration:\n  purpose: p\n  checklists: [baseline, exchange-keys]\n  permissions: [read]\n  hosting: {hosting}\n  data-classes: [credentials]\nassessment: {{assessor: a, date: 2026-11-01}}\nanswers:\n  key_storage.telemetry: {{value: {telemetry}}}\n"
            );
            load("m.yaml", text.into_bytes(), &catalog)
                .unwrap()
                .warnings
        };
        let warned = load("self-hosted", "none");
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].code, Code::SelfHostedDataClasses);
        assert_eq!(warned[0].line, 7, "{}", warned[0]);
        // Software that sends something home may well give the vendor data,
        // and a hosted vendor receives what it handles.
        assert!(load("self-hosted", "opt-in-no-secrets").is_empty());
        assert!(load("vendor", "none").is_empty());
    }

    #[test]
    fn ip_and_cidr() {
        assert!(is_ip_or_cidr("203.0.113.10"));
        assert!(is_ip_or_cidr("203.0.113.0/28"));
        assert!(is_ip_or_cidr("2001:db8::/32"));
        assert!(!is_ip_or_cidr("203.0.113.0/33"));
        assert!(!is_ip_or_cidr("vendor.example"));
    }
}
