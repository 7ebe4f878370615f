//! The bundled checklists: completeness, coverage of the brief, and the rules
//! that encode the hard lessons, each triggered on a variant of the
//! well-run example.

use serde_json::{Value, json};
use vetted::checklist::Catalog;
use vetted::diag::Code;
use vetted::level::Level;
use vetted::rules::{Policy, Verdict};
use vetted::yaml::{self, Limits};

#[test]
fn at_least_60_questions_each_with_help_remediation_and_evidence() {
    let catalog = Catalog::bundled().unwrap();
    let mut count = 0;
    for loaded in catalog.checklists() {
        let raw = &loaded.doc.root;
        for (a, area) in loaded.checklist.areas.iter().enumerate() {
            assert!(
                area.questions.len() >= 3,
                "area {} has fewer than 3 questions",
                area.id
            );
            for (q, question) in area.questions.iter().enumerate() {
                count += 1;
                assert!(
                    question.help.as_deref().is_some_and(|h| h.len() > 20),
                    "{}: help",
                    question.id
                );
                assert!(
                    question
                        .remediation
                        .as_deref()
                        .is_some_and(|h| h.len() > 20),
                    "{}: remediation",
                    question.id
                );
                let node = raw.get("areas").and_then(|n| match &n.value {
                    yaml::Value::Seq(items) => items.get(a),
                    _ => None,
                });
                let qnode = node
                    .and_then(|n| n.get("questions"))
                    .and_then(|n| match &n.value {
                        yaml::Value::Seq(items) => items.get(q),
                        _ => None,
                    });
                assert!(
                    qnode.and_then(|n| n.get("evidence")).is_some(),
                    "{}: evidence not stated",
                    question.id
                );
            }
        }
    }
    assert!(count >= 60, "{count} questions");
}

/// The compliance document groups questions by their framework references,
/// so a question that cites none would be missing from it.
#[test]
fn every_question_cites_a_framework_control() {
    let catalog = Catalog::bundled().unwrap();
    let uncited: Vec<&str> = catalog
        .checklists()
        .flat_map(|l| l.checklist.areas.iter())
        .flat_map(|a| a.questions.iter())
        .filter(|q| {
            !q.references.iter().any(|(f, r)| {
                vetted::checklist::lint::FRAMEWORKS.contains(&f.as_str()) && !r.trim().is_empty()
            })
        })
        .map(|q| q.id.as_str())
        .collect();
    assert!(
        uncited.is_empty(),
        "questions citing no framework: {uncited:?}"
    );
    let lint = vetted::checklist::lint::lint(
        &catalog,
        &Policy::default_policy(),
        &[],
        "2026-11-27".parse().unwrap(),
    );
    let named: Vec<String> = lint
        .iter()
        .filter(|d| d.code == Code::MissingReferences)
        .map(ToString::to_string)
        .collect();
    assert!(named.is_empty(), "{}", named.join("\n"));
}

/// A report says why a question was not asked: in plain words for every
/// bundled condition, never the expression a reviewer cannot read.
#[test]
fn every_condition_is_said_in_plain_words() {
    let catalog = Catalog::bundled().unwrap();
    let unsaid: Vec<&str> = catalog
        .checklists()
        .flat_map(|l| l.checklist.areas.iter())
        .flat_map(|a| a.questions.iter())
        .filter(|q| q.when.is_some() && q.when_text.is_none())
        .map(|q| q.id.as_str())
        .collect();
    assert!(
        unsaid.is_empty(),
        "conditions without when-text: {unsaid:?}"
    );
    // A self-hosted tool: the questions about a vendor holding keys are
    // not asked, and the report says why in those words.
    let mut m = base();
    m["integration"]["hosting"] = json!("self-hosted");
    let report = run(&m);
    let md = vetted::report::render(
        &report,
        vetted::report::Format::Markdown,
        &vetted::report::Renderer::new(Default::default()),
        &Policy::default_policy(),
    )
    .unwrap();
    assert!(
        md.contains("asked only when the vendor holds your exchange keys or tokens; not so here"),
        "{md}"
    );
    assert!(!md.contains("integration.vendor\\_holds"), "{md}");
    assert!(!md.contains("checklist's condition"), "{md}");
}

#[test]
fn coverage_table_lists_only_existing_questions_and_rules() {
    let catalog = Catalog::bundled().unwrap();
    let text = std::fs::read_to_string("docs/coverage.md").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // A table's first line is its header (the next line is `|---|...`);
    // the rows of the outside-in table name facts in their first column.
    let mut header = "";
    let mut rows = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("| ") {
            continue;
        }
        if lines.get(i + 1).is_some_and(|n| n.starts_with("|---")) {
            header = line;
        } else {
            rows.push((header, *line));
        }
    }
    assert!(rows.len() >= 20, "only {} rows", rows.len());
    for (header, row) in rows {
        let cells: Vec<&str> = row.split('|').collect();
        if header.starts_with("| Signal") {
            for (i, fact) in cells[1].split('`').enumerate() {
                if i % 2 == 1 {
                    assert!(
                        vetted::evidence::collect::is_known_fact(fact),
                        "coverage.md names fact `{fact}`, which no collector produces"
                    );
                }
            }
        }
        let refs = cells
            .get(2)
            .unwrap_or_else(|| panic!("no id column: {row}"));
        let mut any = false;
        // Question ids are in backticks (and contain a dot); rules are `rule:<id>`.
        for (i, quoted) in refs.split('`').enumerate() {
            if i % 2 == 1 && quoted.contains('.') {
                any = true;
                assert!(
                    catalog.question(quoted).is_some(),
                    "coverage.md names question `{quoted}`, which does not exist"
                );
            }
        }
        for part in refs.split("rule:").skip(1) {
            let rule: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            any = true;
            assert!(
                catalog.rule(&rule).is_some(),
                "coverage.md names rule `{rule}`, which does not exist"
            );
        }
        assert!(any, "a practice without questions or rules: {row}");
    }
}

#[test]
fn coverage_table_covers_every_practice_of_the_brief() {
    // Keywords of each practice of DOMAIN.md §1; each must appear in a row.
    let text = std::fs::read_to_string("docs/coverage.md")
        .unwrap()
        .to_lowercase();
    for practice in [
        "phishing",
        "code repositories",
        "badly secured servers",
        "over-permissive",
        "least privilege",
        "ip allow-listing",
        "rotation",
        "usage logs",
        "hard-coding",
        "version control",
        "role-based access",
        "patched",
        "mfa",
        "tls",
        "stored, encrypted and transmitted",
        "reputation",
        "incident history",
        "gdpr",
        "soc 2",
        "open versus closed source",
        "real-time alerts",
        "incident plan",
        "logs of all api events",
        "unencrypted e-mail or chat",
        "reusing one key",
        "anomaly detection",
    ] {
        assert!(
            text.contains(practice),
            "docs/coverage.md has no row for `{practice}`"
        );
    }
}

/// The well-run example as JSON (valid YAML), to vary one thing at a time.
fn base() -> Value {
    let text = std::fs::read_to_string("examples/well-run-saas-bot.yaml").unwrap();
    yaml::parse("base", &text, &Limits::default())
        .unwrap()
        .to_json()
}

fn run(manifest: &Value) -> vetted::report::Report {
    let catalog = Catalog::bundled().unwrap();
    let bytes = serde_json::to_vec(manifest).unwrap();
    let (report, _) = vetted::assess(
        "variant.yaml",
        bytes,
        &catalog,
        &Policy::default_policy(),
        "2026-11-27".parse().unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    report
}

fn fired(r: &vetted::report::Report) -> Vec<String> {
    r.gates.iter().map(|g| g.rule.clone()).collect()
}

/// Whether `rule` fired, with what fired when a case fails.
fn check_fires(r: &vetted::report::Report, rule: &str, expected: bool, case: &str) {
    assert_eq!(
        fired(r).iter().any(|f| f == rule),
        expected,
        "{case}: {rule} among {:?}",
        fired(r)
    );
}

#[test]
fn the_base_variant_is_approved_with_conditions_and_fires_no_gate() {
    let r = run(&base());
    assert_eq!(r.summary.verdict, Verdict::Conditions);
    assert!(fired(&r).is_empty(), "{:?}", fired(&r));
}

#[test]
fn withdrawal_or_transfer_permission_rejects() {
    for perm in ["withdraw", "transfer"] {
        let mut m = base();
        m["integration"]["permissions"] = json!(["read", "trade", perm]);
        let r = run(&m);
        assert_eq!(r.summary.verdict, Verdict::Reject, "{perm}");
        assert!(
            fired(&r).contains(&"withdrawal-permission".to_string()),
            "{perm}: {:?}",
            fired(&r)
        );
    }
}

#[test]
fn asking_for_passwords_2fa_codes_or_seed_phrases_rejects() {
    let mut m = base();
    m["answers"]["keys.asks_credentials"] = json!({"value": "yes", "source": "observed"});
    let r = run(&m);
    assert_eq!(r.summary.verdict, Verdict::Reject);
    assert!(fired(&r).contains(&"credential-request".to_string()));
}

fn with_leak(ack_days: i64, denied: bool, postmortem: bool) -> vetted::report::Report {
    let mut m = base();
    let mut incident = json!({"date": "2025-06-01", "kind": "key-leak", "severity": "critical",
                              "acknowledged-after-days": ack_days, "denied-first": denied});
    if postmortem {
        incident["postmortem"] = json!("https://tidewater.example/postmortem");
    }
    m["incidents"] = json!([incident]);
    run(&m)
}

#[test]
fn key_leak_lessons_raise_the_tier_to_at_least_high() {
    let r = with_leak(60, true, true);
    assert!(r.summary.tier >= Level::High);
    assert!(
        fired(&r).contains(&"leak-denied".to_string()),
        "{:?}",
        fired(&r)
    );
    let r = with_leak(45, false, true);
    assert!(r.summary.tier >= Level::High);
    assert!(
        fired(&r).contains(&"leak-slow-ack".to_string()),
        "{:?}",
        fired(&r)
    );
    let r = with_leak(2, false, false);
    assert!(r.summary.tier >= Level::High);
    assert!(
        fired(&r).contains(&"leak-no-postmortem".to_string()),
        "{:?}",
        fired(&r)
    );
    // A leak handled well (fast, admitted, explained) raises nothing of these.
    let r = with_leak(2, false, true);
    for rule in ["leak-denied", "leak-slow-ack", "leak-no-postmortem"] {
        assert!(
            !fired(&r).contains(&rule.to_string()),
            "{rule} fired on a well-handled leak"
        );
    }
}

#[test]
fn trade_without_any_way_to_bind_the_key_is_at_least_high() {
    let unbound = |value: &str| {
        let mut m = base();
        m["answers"]["keys.ip_binding"] = json!({"value": value, "source": "document",
            "evidence": [{"url": "https://tidewater.example/docs", "observed": "2026-11-10"}]});
        for k in m["integration"]["keys"].as_array_mut().unwrap() {
            k["ip-restricted"] = json!(false);
        }
        m
    };
    // No binding possible, not known, or not said: a refusal to say must
    // never read better than "unknown".
    for value in ["none", "unknown", "declined"] {
        let r = run(&unbound(value));
        assert!(r.summary.tier >= Level::High, "{value}: {}", r.summary.tier);
        assert!(
            fired(&r).contains(&"trade-unbound".to_string()),
            "{value}: {:?}",
            fired(&r)
        );
    }
    // Keys the exchange is shown to bind prove that binding works, whatever
    // the answer.
    let mut m = unbound("unknown");
    for k in m["integration"]["keys"].as_array_mut().unwrap() {
        k["ip-restricted"] = json!(true);
    }
    assert!(!fired(&run(&m)).contains(&"trade-unbound".to_string()));
    // So does an OAuth grant, which has no allow-list to fill.
    let mut m = unbound("none");
    m["integration"]["connection"] = json!("oauth");
    m["integration"]["keys"] = json!([]);
    assert!(!fired(&run(&m)).contains(&"trade-unbound".to_string()));
    // Self-hosted: the key is bound to your own server, a condition rather
    // than a verdict on the project.
    let mut m = unbound("none");
    m["integration"]["hosting"] = json!("self-hosted");
    let r = run(&m);
    assert!(!fired(&r).contains(&"trade-unbound".to_string()));
    assert!(
        fired(&r).contains(&"own-key-unbound".to_string()),
        "{:?}",
        fired(&r)
    );
    assert_ne!(r.summary.verdict, Verdict::Approve);
}

#[test]
fn missing_or_expired_security_txt_is_a_finding() {
    for value in ["missing", "expired"] {
        let mut m = base();
        m["answers"]["documentation.security_txt"] = json!({"value": value, "source": "observed",
            "evidence": [{"url": "https://tidewater.example/.well-known/security.txt", "observed": "2026-11-10"}]});
        let r = run(&m);
        assert!(
            r.findings.iter().any(|f| f.id == "security-txt-missing"),
            "{value}"
        );
    }
}

#[test]
fn a_waiver_cannot_neutralise_a_reject() {
    let mut m = base();
    m["integration"]["permissions"] = json!(["read", "trade", "withdraw"]);
    m["waivers"] = json!([{"rule": "withdrawal-permission", "reason": "the CFO insists",
                           "approved-by": "CFO", "expires": "2027-06-01"}]);
    let catalog = Catalog::bundled().unwrap();
    let err = vetted::manifest::load("variant.yaml", serde_json::to_vec(&m).unwrap(), &catalog)
        .unwrap_err();
    assert_eq!(err[0].code, Code::WaiverOnReject);
    // A waiver on the question behind the rule leaves the rule in force.
    m["waivers"] = json!([{"question": "keys.withdrawal", "reason": "r", "approved-by": "CFO", "expires": "2027-06-01"}]);
    let r = run(&m);
    assert_eq!(r.summary.verdict, Verdict::Reject);
}

#[test]
fn withdrawal_is_rejected_even_without_the_exchange_keys_checklist() {
    let mut m = base();
    m["integration"]["checklists"] = json!(["baseline"]);
    m["integration"]["permissions"] = json!(["read", "trade", "withdraw"]);
    let answers = m["answers"].as_object_mut().unwrap();
    answers.retain(|k, _| !k.starts_with("keys.") && !k.starts_with("key_"));
    let r = run(&m);
    assert_eq!(r.summary.verdict, Verdict::Reject);
    assert!(
        fired(&r).contains(&"never-grant".to_string()),
        "{:?}",
        fired(&r)
    );
    // A key that holds withdraw, for a vendor that has not shown it works
    // without it, is rejected.
    let mut m = base();
    m["integration"]["keys"][0]["permissions"] = json!(["read", "trade", "withdraw"]);
    m["answers"]
        .as_object_mut()
        .unwrap()
        .remove("keys.withdrawal");
    let r = run(&m);
    assert_eq!(r.summary.verdict, Verdict::Reject);
    assert!(fired(&r).contains(&"key-scope-withdraw".to_string()));
    // For a vendor that never needs it, the box was ticked by mistake: the
    // key is revoked now, and approval holds only on that condition.
    let mut m = base();
    m["integration"]["keys"][0]["permissions"] = json!(["read", "trade", "withdraw"]);
    let r = run(&m);
    assert_eq!(r.summary.verdict, Verdict::Conditions);
    assert!(!fired(&r).contains(&"key-scope-withdraw".to_string()));
    let gate = r.gates.iter().find(|g| g.rule == "never-grant").unwrap();
    assert_eq!(gate.effect, vetted::evaluate::GateEffect::Conditions);
    let key = &r.key_policy.keys[0];
    assert_eq!(key.action, vetted::evaluate::KeyAction::RevokeNow);
    assert_eq!(
        r.key_policy.keys[1].action,
        vetted::evaluate::KeyAction::Keep
    );
}

/// An assessment that rests on a waiver is reviewed by the day the waiver
/// runs out, however long the tier's interval.
#[test]
fn the_review_comes_no_later_than_the_first_waiver_runs_out() {
    let without = run(&base());
    let mut m = base();
    m["waivers"] = json!([
        {"question": "operations.rbac", "reason": "new IAM roll-out", "approved-by": "CISO", "expires": "2027-02-01"},
        {"question": "operations.staff_mfa", "reason": "hardware keys ordered", "approved-by": "CISO", "expires": "2027-04-01"}
    ]);
    let with = run(&m);
    assert!(
        without.summary.next_review > "2027-02-01".parse().unwrap(),
        "{}",
        without.summary.next_review
    );
    assert_eq!(with.summary.next_review, "2027-02-01".parse().unwrap());
}

/// An approval that more funds would turn says where: the band that would
/// raise the inherent risk and the verdict the policy gives from there.
#[test]
fn an_approval_that_rests_on_the_funds_says_how_far_they_may_go() {
    use vetted::evaluate::Condition;
    // A trading bot at residual tier medium: conditions at high inherent
    // risk, a rejection at critical.
    let path = "tests/calibration/spot-bot-own-key-ticked-futures.yaml";
    let text = std::fs::read_to_string(path).unwrap();
    let medium = yaml::parse(path, &text, &Limits::default())
        .unwrap()
        .to_json();
    let with_funds = |amount: f64, currency: &str| {
        let mut m = medium.clone();
        m["integration"]["funds-at-risk"] = json!({"amount": amount, "currency": currency});
        run(&m)
    };
    let limit = |r: &vetted::report::Report| {
        r.conditions.iter().find_map(|c| match c {
            Condition::FundsBelow(l) => Some(l.clone()),
            _ => None,
        })
    };
    // Just under the critical band, the table at critical inherent risk
    // and this tier rejects: the approval rests on staying below it.
    let under = with_funds(99_999.0, "USD");
    assert_eq!(under.summary.verdict, Verdict::Conditions);
    let l = limit(&under).expect("a funds limit");
    assert_eq!(
        (l.limit, l.currency.as_str(), l.verdict),
        (100_000.0, "USD", Verdict::Reject)
    );
    assert_eq!(l.inherent, Level::Critical);
    // In another currency, the limit is in the manifest's own.
    let l = limit(&with_funds(80_000.0, "EUR")).expect("a funds limit");
    assert_eq!(
        (l.limit, l.in_policy_currency),
        ((100_000.0f64 / 1.15).floor(), Some(100_000.0))
    );
    // Past it the verdict no longer grants, so there is no limit to keep.
    let over = with_funds(100_000.0, "USD");
    assert!(!over.summary.verdict.grants(), "{:?}", over.summary.verdict);
    assert!(limit(&over).is_none());
}

/// Keys that cannot be IP-bound are kept read-only when the grant moves
/// nothing; the report does not tell a read-only integration to find a
/// static server.
#[test]
fn keys_that_cannot_be_bound_but_move_nothing_are_kept_read_only() {
    use vetted::evaluate::Condition;
    use vetted::report::{Format, Renderer, render};
    let text = std::fs::read_to_string("examples/read-only-tracker.yaml").unwrap();
    let mut m = yaml::parse("t", &text, &Limits::default())
        .unwrap()
        .to_json();
    m["vendor"].as_object_mut().unwrap().remove("egress-ips");
    for hosting in ["vendor", "self-hosted"] {
        m["integration"]["hosting"] = json!(hosting);
        let r = run(&m);
        assert!(
            r.conditions.iter().any(|c| matches!(
                c,
                Condition::NoStaticIps {
                    moves_funds: false,
                    ..
                }
            )),
            "{hosting}: {:?}",
            r.conditions
        );
        let md = render(
            &r,
            Format::Markdown,
            &Renderer::new(Default::default()),
            &Policy::default_policy(),
        )
        .unwrap();
        assert!(md.contains("keep every key read-only"), "{hosting}");
        assert!(!md.contains("server with a static address"), "{hosting}");
    }
}

/// Refusing to name the holder of your keys weighs as much as being
/// anonymous; not having found out yet does not.
#[test]
fn a_key_holder_that_declines_to_name_itself_is_rejected() {
    for (value, rejects) in [("anonymous", true), ("declined", true), ("unknown", false)] {
        let mut m = base();
        m["answers"]["reputation.legal_entity"] = json!({"value": value, "source": "vendor-claim"});
        let r = run(&m);
        check_fires(&r, "anonymous-key-holder", rejects, value);
        assert_eq!(r.summary.verdict == Verdict::Reject, rejects, "{value}");
    }
}

/// Only a live key grows stale: one planned long ago, or one already
/// revoked, is nothing to rotate.
#[test]
fn only_a_live_key_is_stale() {
    for (status, stale) in [("live", true), ("proposed", false), ("revoked", false)] {
        let mut m = base();
        m["integration"]["keys"][0]["created"] = json!("2025-06-01");
        m["integration"]["keys"][0]["status"] = json!(status);
        check_fires(&run(&m), "stale-key", stale, status);
    }
}

/// A vendor that declines a critical question is not approved outright;
/// one that has not answered yet is left to confidence, and no refusal
/// reads better than "unknown".
#[test]
fn a_declined_critical_question_keeps_approval_conditional() {
    let text = std::fs::read_to_string("examples/read-only-tracker.yaml").unwrap();
    let tracker = yaml::parse("t", &text, &Limits::default())
        .unwrap()
        .to_json();
    assert_eq!(run(&tracker).summary.verdict, Verdict::Approve);
    let with = |value: &str| {
        let mut m = tracker.clone();
        m["answers"]["key_storage.encryption_at_rest"] =
            json!({"value": value, "source": "vendor-claim"});
        run(&m)
    };
    let declined = with("declined");
    check_fires(&declined, "critical-declined", true, "declined");
    assert_eq!(declined.summary.verdict, Verdict::Conditions);
    let unknown = with("unknown");
    check_fires(&unknown, "critical-declined", false, "unknown");
    // Not answered yet: the gate is for refusals, and the verdict is left
    // to confidence, never worse than the refusal's.
    assert!(
        unknown.summary.verdict <= declined.summary.verdict,
        "{:?}",
        unknown.summary.verdict
    );
}

/// A live trading key that is not IP-bound must be fixed, unless it is a
/// token the exchange scopes, which has no allow-list to fill.
#[test]
fn an_unbound_trading_key_is_fixed_unless_the_exchange_scopes_it() {
    use vetted::evaluate::KeyAction;
    for (connection, action) in [("api-key", KeyAction::Fix), ("oauth", KeyAction::Keep)] {
        let mut m = base();
        m["integration"]["connection"] = json!(connection);
        m["vendor"].as_object_mut().unwrap().remove("egress-ips");
        m["answers"]["keys.ip_binding"] =
            json!({"value": "broker-oauth", "source": "vendor-claim"});
        m["integration"]["keys"][0]["ip-restricted"] = json!(false);
        let r = run(&m);
        assert!(
            r.summary.verdict.grants(),
            "{connection}: {:?}",
            r.summary.verdict
        );
        assert_eq!(r.key_policy.keys[0].action, action, "{connection}");
    }
}
