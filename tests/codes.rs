//! Every diagnostic code is emitted by something a user can do: for each
//! `Code`, an input (mostly run through the real binary, reusing the
//! bad-input corpus where it has one) that makes `vetted` print it. The
//! match in `trigger` has no wildcard, so a new code does not compile until
//! it has a trigger here, or is declared unreachable with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use vetted::diag::Code;

#[path = "support/workbook.rs"]
mod workbook;

/// Files to write into a fresh directory, and the arguments to run
/// `vetted` with there.
type Invocation = (Vec<(&'static str, Vec<u8>)>, Vec<&'static str>);

/// What makes `vetted` emit a code.
enum Trigger {
    /// Run `vetted` with these arguments in a fresh directory holding these
    /// files.
    Run {
        files: Vec<(&'static str, Vec<u8>)>,
        args: Vec<&'static str>,
    },
    /// Assess a file of the bad-input corpus.
    Corpus(&'static str),
    /// Call the library, for what the command line cannot stage on demand.
    Library(fn() -> Vec<Code>),
    /// Nothing a user does reaches the code; why it exists anyway.
    Unreachable(&'static str),
}

const AS_OF: &str = "2026-11-27";

/// A valid manifest with one Binance key labelled `bot`.
const KEYED: &str = "vendor: {name: V}\n\
    integration:\n  purpose: P\n  checklists: [baseline]\n  permissions: [read]\n  \
    keys: [{exchange: Binance, label: bot, created: 2026-01-01, permissions: [read]}]\n\
    assessment: {assessor: A, date: 2026-11-20}\n";

/// A manifest that loads and assesses without a problem.
const VALID: &str = "vendor: {name: V}\n\
    integration: {purpose: P, checklists: [baseline], permissions: [read]}\n\
    assessment: {assessor: A, date: 2026-11-20}\n";

/// A manifest that uses checklist `acme` (from `cl/`).
const USES_ACME: &str = "vendor: {name: V}\n\
    integration: {purpose: P, checklists: [acme], permissions: [read]}\n\
    assessment: {assessor: A, date: 2026-11-20}\n";

/// Assesses a manifest.
fn manifest(text: impl Into<String>) -> Trigger {
    Trigger::Run {
        files: vec![("m.yaml", text.into().into_bytes())],
        args: vec!["assess", "--as-of", AS_OF, "m.yaml"],
    }
}

/// A valid manifest with `extra` appended to it.
fn valid_and(extra: &str) -> Trigger {
    manifest(format!("{VALID}{extra}"))
}

/// A checklist `acme` whose one area holds `questions` (YAML list items,
/// indented by six spaces) and, after them, `rest` at the top level.
fn acme(questions: &str, rest: &str) -> String {
    format!(
        "id: acme\nversion: 1.0.0\ntitle: Acme\nareas:\n  - id: acme\n    title: Acme\n    questions:\n{questions}{rest}"
    )
}

/// A plain question of `acme`, with `more` lines (indented by eight spaces).
fn question(id: &str, more: &str) -> String {
    format!(
        "      - id: {id}\n        text: Q?\n        help: h\n        remediation: r\n        severity: low\n        type: bool\n{more}"
    )
}

/// A `choice` question of `acme` with these options (value, score).
fn choice(id: &str, more: &str, options: &[(&str, f64)]) -> String {
    let options: String = options
        .iter()
        .map(|(value, score)| format!("          - {{value: {value}, label: L, score: {score}}}\n"))
        .collect();
    question(id, more).replace(
        "type: bool\n",
        &format!("type: choice\n        options:\n{options}"),
    )
}

/// Validates a manifest with checklist `acme` made of `questions` loaded.
fn acme_questions(questions: &str) -> Trigger {
    checklists(vec![("cl/acme.yaml", acme(questions, ""))])
}

/// Loads the checklists in `cl/` (here, `acme`) and validates a manifest
/// against them.
fn checklists(files: Vec<(&'static str, String)>) -> Trigger {
    let mut files: Vec<(&'static str, Vec<u8>)> = files
        .into_iter()
        .map(|(n, t)| (n, t.into_bytes()))
        .collect();
    files.push(("m.yaml", VALID.into()));
    Trigger::Run {
        files,
        args: vec!["validate", "--checklists", "cl", "m.yaml"],
    }
}

/// Assesses `manifest` with checklist `acme` loaded.
fn assess_with_acme(checklist: String, manifest: &str) -> Trigger {
    Trigger::Run {
        files: vec![
            ("cl/acme.yaml", checklist.into_bytes()),
            ("m.yaml", manifest.into()),
        ],
        args: vec!["assess", "--as-of", AS_OF, "--checklists", "cl", "m.yaml"],
    }
}

/// One checklist with something for nearly every lint to find.
fn lint_findings() -> Trigger {
    let questions = [
        // No help, no remediation, an unknown framework and so no known one.
        "      - id: acme.bare\n        text: Q?\n        severity: low\n        type: bool\n        references: {iso27k: A.5.15}\n"
            .to_string(),
        // Options that all score the same; a condition no answer meets.
        choice(
            "acme.same",
            "        when: \"answers.acme.bare == 'maybe'\"\n",
            &[("a", 1.0), ("b", 1.0)],
        ),
        // A fact nobody collects, and an answer the question does not take.
        question(
            "acme.collected",
            "        references: {iso27001: A.5.1}\n        collect:\n          - fact: security-txt.stauts\n          - fact: repository.archived\n            map: [{equals: true, answer: maybe}]\n",
        ),
    ]
    .concat();
    lint(&questions)
}

/// Lints checklist `acme` made of `questions`.
fn lint(questions: &str) -> Trigger {
    Trigger::Run {
        files: vec![("cl/acme.yaml", acme(questions, "").into_bytes())],
        args: vec!["checklist", "lint", "--checklists", "cl", "acme"],
    }
}

fn trigger(code: Code) -> Trigger {
    let waiver = |target: &str| {
        format!("waivers:\n  - {{{target}, reason: r, approved-by: a, expires: 2027-01-31}}\n")
    };
    match code {
        // Reading the file.
        Code::InvalidUtf8 => Trigger::Corpus("non-utf8.yaml"),
        Code::InputTooLarge => Trigger::Run {
            files: vec![("m.yaml", b"# x\n".repeat(1_400_000))],
            args: vec!["validate", "m.yaml"],
        },
        Code::NotARegularFile => Trigger::Library(fifo_in_portfolio),
        Code::EmptyDocument => Trigger::Corpus("empty.yaml"),
        Code::YamlSyntax => Trigger::Corpus("unterminated-quote.yaml"),
        Code::DuplicateKey => Trigger::Corpus("duplicate-key.yaml"),
        Code::YamlBudgetExceeded => Trigger::Corpus("alias-bomb.yaml"),
        Code::MultipleDocuments => manifest(format!("{VALID}---\n{VALID}")),

        // Schema.
        Code::UnknownField | Code::InvalidValue => Trigger::Corpus("unknown-field.yaml"),
        Code::MissingField => manifest("vendor: {}\n"),
        Code::WrongType => manifest(VALID.replace("assessor: A", "assessor: 3")),
        Code::SchemaViolation => manifest(VALID.replace("[baseline]", "[]")),

        // Checklists.
        Code::DuplicateChecklist => checklists(vec![
            ("cl/a.yaml", acme(&question("acme.a", ""), "")),
            ("cl/b.yaml", acme(&question("acme.b", ""), "")),
        ]),
        Code::DuplicateArea => checklists(vec![(
            "cl/acme.yaml",
            acme(
                &question("acme.a", ""),
                "  - id: acme\n    title: Again\n    questions:\n",
            ) + &question("acme.b", ""),
        )]),
        Code::DuplicateQuestion => {
            acme_questions(&(question("acme.a", "") + &question("acme.a", "")))
        }
        Code::DuplicateRule => {
            let rule = "  - {id: r, when: \"answers.acme.a == true\", effect: finding, message: m}\n";
            checklists(vec![(
                "cl/acme.yaml",
                acme(&question("acme.a", ""), &format!("rules:\n{rule}{rule}")),
            )])
        }
        Code::QuestionIdPrefix => {
            acme_questions(&(question("acme.ip", "") + &question("acme.ip.v6", "")))
        }
        Code::InvalidExpression => acme_questions(&question(
            "acme.a",
            "        when: \"answers.acme.b = true\"\n",
        )),
        Code::UnknownName => acme_questions(&question(
            "acme.a",
            "        when: \"answers.acme.nope == true\"\n",
        )),
        Code::DuplicateOption | Code::ReservedOption => acme_questions(&choice(
            "acme.a",
            "",
            &[("a", 1.0), ("a", 0.0), ("unknown", 0.0)],
        )),
        Code::InvalidBands => acme_questions(&question(
            "acme.a",
            "        bands:\n          - {score: 1}\n",
        )),
        Code::InvalidFavourable => acme_questions(&choice(
            "acme.a",
            "        favourable: false\n",
            &[("a", 1.0), ("b", 0.0)],
        )),

        // Manifests.
        Code::SecretInManifest => manifest(VALID.replace("name: V", "name: V, password: hunter2")),
        Code::InvalidDate => Trigger::Corpus("bad-date.yaml"),
        Code::UnknownChecklist
        | Code::InvalidUrl
        | Code::InvalidIp
        | Code::EvidenceAfterAssessment
        | Code::WaiverIncomplete => Trigger::Corpus("many-problems.yaml"),
        Code::UnknownQuestion => Trigger::Corpus("misspelled-question.yaml"),
        Code::QuestionNotInScope => valid_and("answers:\n  keys.withdrawal: {value: never}\n"),
        Code::InvalidAnswer => Trigger::Corpus("value-not-in-options.yaml"),
        Code::KeyAfterAssessment => manifest(VALID.replace(
            "permissions: [read]}",
            "permissions: [read], keys: [{exchange: kraken, label: bot, created: 2026-12-05, permissions: [read]}]}",
        )),
        Code::DocumentDates => valid_and(
            "documents:\n  - {kind: soc2-type-2, url: https://v.example/soc2, period-start: 2026-10-01, period-end: 2025-09-30}\n",
        ),
        Code::IncidentAfterAssessment => {
            valid_and("incidents:\n  - {date: 2026-12-10, kind: outage, severity: low}\n")
        }
        Code::RemediationDate
        | Code::RemediationUnverified
        | Code::NotApplicableWithoutReason => Trigger::Corpus("incident-and-reason-problems.yaml"),
        Code::WaiverTarget => {
            valid_and(&waiver("question: documentation.security_page, rule: security-txt-missing"))
        }
        Code::HostingInferred => manifest(
            VALID.replace("[baseline]", "[baseline, exchange-keys]")
                + "answers:\n  key_storage.custody: {value: user-hosted}\n",
        ),
        Code::SelfHostedDataClasses => manifest(
            VALID
                .replace("[baseline]", "[baseline, exchange-keys]")
                .replace(
                    "permissions: [read]}",
                    "permissions: [read], hosting: self-hosted, data-classes: [credentials]}",
                )
                + "answers:\n  key_storage.telemetry: {value: none}\n",
        ),
        Code::UnknownRule => valid_and(&waiver("rule: no-such-rule")),
        Code::WaiverOnReject => manifest(
            VALID.replace("[baseline]", "[baseline, exchange-keys]")
                + &waiver("rule: withdrawal-permission"),
        ),
        Code::UnknownCurrency => manifest(VALID.replace(
            "permissions: [read]}",
            "permissions: [read], funds-at-risk: {amount: 5, currency: BTC}}",
        )),

        // Policy.
        Code::PolicyTiersOrder => {
            let default = std::fs::read_to_string("policy/default.yaml").unwrap();
            let swapped = default.replace(
                "tiers: {low: 80, medium: 65, high: 45}",
                "tiers: {low: 50, medium: 65, high: 45}",
            );
            assert_ne!(default, swapped, "the default policy's tiers moved");
            Trigger::Run {
                files: vec![("p.yaml", swapped.into_bytes()), ("m.yaml", VALID.into())],
                args: vec!["assess", "--as-of", AS_OF, "--policy", "p.yaml", "m.yaml"],
            }
        }

        // Evaluation.
        Code::ExpressionFailed => assess_with_acme(
            acme(
                &question(
                    "acme.a",
                    "        when: \"incidents[0].kind == 'key-leak'\"\n",
                ),
                "",
            ),
            USES_ACME,
        ),
        Code::ConditionsUnstable => assess_with_acme(
            acme(
                &(question("acme.a", "        when: \"answers.acme.b is none\"\n")
                    + &question("acme.b", "        when: \"answers.acme.a is none\"\n")),
                "",
            ),
            &format!("{USES_ACME}answers:\n  acme.a: {{value: true}}\n  acme.b: {{value: true}}\n"),
        ),

        // Lint.
        Code::MissingHelp
        | Code::MissingRemediation
        | Code::UnknownFramework
        | Code::MissingReferences
        | Code::OptionsSameScore
        | Code::UnreachableCondition
        | Code::UnknownFact
        | Code::CollectAnswerInvalid => lint_findings(),
        // Its worst answer still scores 80.
        Code::AreaCannotFail => lint(&choice(
            "acme.a",
            "        references: {iso27001: A.5.1}\n",
            &[("good", 1.0), ("fair", 0.8)],
        )),

        // Questionnaires.
        Code::WorkbookUnreadable => import(b"not a zip".to_vec(), VALID, false),
        Code::NotAQuestionnaire => import(
            workbook::caiq(&["Question ID", "CSP CAIQ Answer"], false, &[]),
            VALID,
            false,
        ),
        Code::QuestionnaireOtherManifest => import(exported(), &VALID.replace("name: V", "name: W"), false),
        Code::QuestionnaireChecklistVersion => {
            edited(|book| {
                let row = (0..10)
                    .find(|&r| workbook::cell(book, "vetted", r, 1) == "baseline@1.0.0")
                    .unwrap();
                ("vetted".into(), row, 1, "baseline@0.9.0")
            })
        }
        Code::QuestionnaireUnknownId => edited(|book| {
            let (sheet, row, _) = first_question(book);
            (sheet, row, 0, "documentation.no_such_question")
        }),
        // The first question's id given to the second.
        Code::QuestionnaireDuplicateId => edited(|book| {
            let (sheet, row, id) = first_question(book);
            (sheet, row + 1, 0, Box::leak(id.into_boxed_str()))
        }),
        Code::QuestionnaireEditedRow => edited(|book| {
            let (sheet, row, _) = first_question(book);
            (sheet, row, 1, "Another question?")
        }),
        Code::SecretInWorkbook => {
            let key = format!("ghp_{}", "r8Q7p6O5n4M3l2K1j0I9h8G7f6E5d4C3b2A1".chars().rev().collect::<String>());
            let headers = ["Question ID", "Question", "CSP CAIQ Answer", "SSRM", "CSP Implementation Description"];
            import(workbook::caiq(&headers, true, &[("CEK-03.1", "Yes", &key)]), VALID, true)
        }
        Code::CaiqNoHeader => import(workbook::caiq(&["ID", "Answer"], true, &[]), VALID, true),

        // Command line.
        Code::Io => Trigger::Run {
            files: vec![],
            args: vec!["assess", "--as-of", AS_OF, "no/such/file.yaml"],
        },
        Code::FormatNotWritten => Trigger::Run {
            files: vec![("m.yaml", VALID.into())],
            args: vec!["compare", "--as-of", AS_OF, "--format", "sarif", "m.yaml", "m.yaml"],
        },
        Code::ReportNotJson => Trigger::Run {
            files: vec![("r.md", b"# Vendor assessment\n".to_vec())],
            args: vec!["verify-report", "r.md"],
        },
        Code::ReportUnverifiable => Trigger::Run {
            files: vec![(
                "r.json",
                b"{\"tool\": {\"name\": \"vetted\"}, \"format_version\": 3}\n".to_vec(),
            )],
            args: vec!["verify-report", "r.json"],
        },
        Code::Template => Trigger::Run {
            files: vec![
                ("t/report.md.j2", b"{{ vendor.nmae }}\n".to_vec()),
                ("m.yaml", VALID.into()),
            ],
            args: vec!["assess", "--as-of", AS_OF, "--templates", "t", "m.yaml"],
        },
        // The test runs `vetted` with stdin closed, never a terminal.
        Code::NoTerminal => Trigger::Run {
            files: vec![("m.yaml", VALID.into())],
            args: vec!["fill", "m.yaml"],
        },
        Code::FillIncomplete => Trigger::Run {
            files: vec![("answers.yaml", b"{}\n".to_vec())],
            args: vec!["fill", "new.yaml", "--answers", "answers.yaml"],
        },
        Code::CollectSetup => Trigger::Run {
            files: vec![
                ("m.yaml", VALID.into()),
                ("ca.pem", b"not a certificate\n".to_vec()),
            ],
            args: vec!["collect", "m.yaml", "--ca-cert", "ca.pem"],
        },
        Code::ProxyResolvesNames => Trigger::Run {
            files: vec![("m.yaml", VALID.into())],
            args: vec!["collect", "m.yaml", "--proxy", "http://127.0.0.1:3128"],
        },
        Code::KeyNotFound => Trigger::Run {
            files: vec![("m.yaml", VALID.into())],
            args: vec!["key", "verify", "m.yaml", "--key", "bot"],
        },
        Code::ExchangeNotSupported => Trigger::Run {
            files: vec![("m.yaml", KEYED.replace("Binance", "Gemini").into())],
            args: vec!["key", "verify", "m.yaml", "--key", "bot"],
        },
        // stdin is closed: it ends before the key's lines.
        Code::KeySecretInput => Trigger::Run {
            files: vec![("m.yaml", KEYED.into())],
            args: vec!["key", "verify", "m.yaml", "--key", "bot"],
        },
        // Nothing listens on port 9 of loopback: the request fails.
        Code::KeyUnverified => Trigger::Run {
            files: vec![("m.yaml", KEYED.into()), ("in", Vec::new())],
            args: vec![
                "key", "verify", "m.yaml", "--key", "bot", "--key-env", "HOME", "--secret-env",
                "HOME", "--base-url", "https://127.0.0.1:9", "--allow-private-network",
            ],
        },
        Code::UnwritableManifest => Trigger::Unreachable(
            "the YAML serializer has no error for the JSON values a loaded manifest holds; \
             the code stands guard in case a later serializer finds one",
        ),
        Code::FileChanged => Trigger::Library(file_changed),
    }
}

/// The questionnaire exported from [`VALID`].
fn exported() -> Vec<u8> {
    let catalog = vetted::checklist::Catalog::bundled().unwrap();
    let policy = vetted::rules::Policy::default_policy();
    let m = vetted::manifest::load("m.yaml", VALID.into(), &catalog)
        .unwrap()
        .manifest;
    vetted::questionnaire::export::write(&m, &catalog, &policy, &Default::default()).unwrap()
}

/// The sheet, row and id of the first question of the exported workbook.
fn first_question(book: &[u8]) -> (String, u32, String) {
    let (name, _, cells) = workbook::sheets(book).into_iter().nth(1).unwrap();
    let id = cells.get_value((1, 0)).unwrap().to_string();
    (name, 1, id)
}

/// The exported questionnaire with one cell changed, imported into
/// [`VALID`].
fn edited(edit: fn(&[u8]) -> (String, u32, u16, &'static str)) -> Trigger {
    let book = exported();
    let (sheet, row, col, value) = edit(&book);
    let changed = workbook::rewrite(&book, &[(&sheet, row, col, workbook::text(value))]);
    import(changed, VALID, false)
}

/// Imports `book` into the manifest `into` (as a CAIQ if `caiq`).
fn import(book: Vec<u8>, into: &str, caiq: bool) -> Trigger {
    let mut args = vec![
        "questionnaire",
        "import",
        "b.xlsx",
        "--into",
        "m.yaml",
        "--as-of",
        AS_OF,
    ];
    if caiq {
        args.extend(["--format", "caiq"]);
    }
    Trigger::Run {
        files: vec![("m.yaml", into.as_bytes().to_vec()), ("b.xlsx", book)],
        args,
    }
}

/// A portfolio folder holding a FIFO named like a manifest (a case file
/// cannot hold one).
fn fifo_in_portfolio() -> Vec<Code> {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("pipe.yaml"))
        .status()
        .unwrap();
    assert!(status.success());
    let catalog = vetted::checklist::Catalog::bundled().unwrap();
    let policy = vetted::rules::Policy::default_policy();
    let p = vetted::load_portfolio(dir.path(), &catalog, &policy, AS_OF.parse().unwrap()).unwrap();
    p.invalid
        .iter()
        .map(Result::unwrap)
        .flat_map(|i| i.diagnostics.into_iter().map(|d| d.code))
        .collect()
}

/// `collect` and `fill` write back only if the file is still what they
/// read; here it was edited in between.
fn file_changed() -> Vec<Code> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, format!("{VALID}# edited meanwhile\n")).unwrap();
    let catalog = vetted::checklist::Catalog::bundled().unwrap();
    let loaded = vetted::manifest::load("m.yaml", VALID.into(), &catalog).unwrap();
    let result = vetted::manifest::write::save(
        &path,
        VALID.as_bytes(),
        &loaded.manifest,
        &loaded.manifest,
        &catalog,
    );
    match result {
        Err(vetted::Error::Invalid(diags)) => diags.iter().map(|d| d.code).collect(),
        other => panic!("expected diagnostics, got {other:?}"),
    }
}

/// The codes `vetted` prints (`error[CODE]` or `warning[CODE]`) when run
/// with `args` in a directory holding `files`.
fn run(files: &[(&'static str, Vec<u8>)], args: &[&'static str]) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .current_dir(dir.path())
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    ["error[", "warning["]
        .into_iter()
        .flat_map(|opener| stderr.split(opener).skip(1))
        .filter_map(|rest| rest.split_once(']').map(|(code, _)| code.to_string()))
        .filter(|code| code.parse::<Code>().is_ok())
        .collect()
}

#[test]
fn every_code_is_emitted_by_some_input() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input");
    // Several codes share a run; each run happens once.
    let mut runs: BTreeMap<Invocation, BTreeSet<String>> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut unreachable = Vec::new();
    for &code in Code::ALL {
        let emitted: BTreeSet<String> = match trigger(code) {
            Trigger::Run { files, args } => runs
                .entry((files, args))
                .or_insert_with_key(|(files, args)| run(files, args))
                .clone(),
            Trigger::Corpus(name) => {
                let bytes = std::fs::read(corpus.join(name)).unwrap();
                let files = vec![("m.yaml", bytes)];
                let args = vec!["assess", "--as-of", AS_OF, "m.yaml"];
                runs.entry((files, args))
                    .or_insert_with_key(|(files, args)| run(files, args))
                    .clone()
            }
            Trigger::Library(call) => call().iter().map(|c| c.to_string()).collect(),
            Trigger::Unreachable(why) => {
                unreachable.push((code, why));
                continue;
            }
        };
        if !emitted.contains(code.as_str()) {
            missing.push(format!("{code}: the trigger printed {emitted:?}"));
        }
    }
    assert!(
        missing.is_empty(),
        "codes their trigger did not emit:\n{}",
        missing.join("\n")
    );
    // Said out loud, so that a code does not go quietly dead.
    assert_eq!(
        unreachable.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        [Code::UnwritableManifest],
        "{unreachable:?}"
    );
}
