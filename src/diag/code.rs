//! Diagnostic codes: the one list of every problem `vetted` reports.
//!
//! Each [`Code`] has a stable kebab-case name (scripts match on it, JSON
//! output carries it), the [`Stage`] that checks it, a description of what it
//! means with an input that triggers it, and the general way to fix it. A
//! diagnostic's own `help` says what to do about one instance; the code's
//! help is the general advice for the documentation.
//!
//! `docs/diagnostics.md` is generated from this list
//! ([`diagnostics_markdown`]) and `tests/docs.rs` holds the file to it, so a
//! code cannot exist without documentation, nor documentation without a
//! code. The texts are Markdown written for that page; fenced blocks carry a
//! language (`yaml`, `text`) because rustdoc would run a bare one as a Rust
//! doctest.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// When a code is checked. The reference page is grouped by stage, in this
/// order, which is the order in which a file meets the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Size, encoding and YAML syntax of any file.
    Reading,
    /// The format's JSON Schema.
    Schema,
    /// Checklists, one by one and across the catalog.
    Checklist,
    /// A manifest's own checks.
    Manifest,
    /// The policy's own checks.
    Policy,
    /// Scoring a valid manifest.
    Evaluation,
    /// `vetted checklist lint` (warnings).
    Lint,
    /// `vetted questionnaire import`: a workbook's cells.
    Questionnaire,
    /// Problems the command line reports itself.
    CommandLine,
}

impl Stage {
    /// Every stage, in the order of the reference page.
    pub const ALL: [Stage; 9] = [
        Stage::Reading,
        Stage::Schema,
        Stage::Checklist,
        Stage::Manifest,
        Stage::Policy,
        Stage::Evaluation,
        Stage::Lint,
        Stage::Questionnaire,
        Stage::CommandLine,
    ];

    /// The heading of the stage's section.
    pub const fn title(self) -> &'static str {
        match self {
            Stage::Reading => "Reading the file (text and YAML)",
            Stage::Schema => "Schema",
            Stage::Checklist => "Checklists",
            Stage::Manifest => "Manifests",
            Stage::Policy => "Policy",
            Stage::Evaluation => "Evaluation",
            Stage::Lint => "Lint (`vetted checklist lint`)",
            Stage::Questionnaire => "Questionnaires (`vetted questionnaire import`)",
            Stage::CommandLine => "Command line",
        }
    }

    /// The stage's name in the index table.
    const fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading the file",
            Stage::Questionnaire => "Questionnaires",
            Stage::Lint => "Lint (warnings)",
            other => other.title(),
        }
    }

    /// Codes of other stages that this stage also reports.
    const fn also(self) -> &'static [Code] {
        match self {
            Stage::CommandLine => &[Code::UnknownChecklist],
            Stage::Questionnaire => &[
                Code::InputTooLarge,
                Code::InvalidAnswer,
                Code::NotApplicableWithoutReason,
                Code::InvalidUrl,
                Code::InvalidDate,
                Code::EvidenceAfterAssessment,
            ],
            _ => &[],
        }
    }

    /// What the codes of this stage have in common (Markdown).
    pub const fn intro(self) -> &'static str {
        match self {
            Stage::Reading => {
                r"
These apply to every file `vetted` reads: manifests, checklists and
policies. Each stops at the first problem.
"
            }
            Stage::Schema => {
                r"
After parsing, the file is checked against its JSON Schema
(`vetted schema manifest|checklist|policy` prints it). All schema problems
of a file are reported together. Paths in messages are written like
`integration.permissions[1]`.

YAML reads only `true` and `false` as booleans: `yes`, `no`, `on` and `off`
are text. Unquoted numbers (`2026`, `1.0`) are numbers.
"
            }
            Stage::Checklist => {
                r"
Checklists are loaded from the binary, from `--checklists DIR` (every
`*.yaml` and `*.yml`; a file whose `id` matches a bundled checklist replaces
it) and, with `vetted validate`, from a file with top-level `areas`. After
each file passes the schema, the checks below run across all loaded
checklists together. Any error here stops every command except
`vetted schema`, since no manifest can be checked against a broken
catalog.

Checklists are taken in order of their ids; when an id is defined twice
(`duplicate-area`, `duplicate-question`, `duplicate-rule`), the first
definition is kept and the diagnostic points at the later one, which may be
in a bundled file (`<bundled>/checklists/...`). Rename the one in your file.
"
            }
            Stage::Manifest => {
                r"
A manifest describes one vendor, one integration and the answers to the
checklists it uses. Checked by every command that reads manifests
(`assess`, `validate`, `compare`, `diff`, `portfolio`); `compare` and `diff`
report the problems of all their files together. The
credential guard runs together with the schema; the date check runs when
both pass; the remaining checks run when dates pass too.
"
            }
            Stage::Policy => {
                r"
A policy (`--policy FILE`, default `policy/default.yaml` built in) goes
through the reading and schema checks above, then this one.
"
            }
            Stage::Evaluation => {
                r"
Runs when a manifest is scored (`assess`, `compare`, `diff`, `portfolio`),
after it has passed every check above. `validate` does not score, so it
never reports this.
"
            }
            Stage::Lint => {
                r"
`vetted checklist lint [ID...] [--policy FILE]` checks loaded checklists
(all of them, or the ids given) for problems the loader accepts. Findings
are warnings; the command exits 1 if there is any, 0 if there is none, and
prints `N problem(s) found` or `no problems found`.
"
            }
            Stage::Questionnaire => {
                r"
`vetted questionnaire import BOOK.xlsx --into MANIFEST` reads a workbook a
vendor returned. Problems are reported at their cell, as a spreadsheet
names it (`book.xlsx:Keys!C14`, `book.xlsx:'Key storage'!D3`), all at
once, and nothing is imported while any remains. Answers are checked as
the manifest loader checks them, so the codes of the manifest stage appear
too (`invalid-answer`, `not-applicable-without-reason`, `invalid-url` for
an evidence address that is not https, `invalid-date`,
`evidence-after-assessment`).
"
            }
            Stage::CommandLine => {
                r"
Usage errors (an unknown option, `--as-of 2026-02-30`, `--fail-on severe`,
`compare` with fewer than two files) are reported by the argument parser as
`error: ...` with a usage line, and exit with code 2. When a `--fail-on`
gate is reached, the report is still written and a line such as
`vetted: verdict ... fails --fail-on` is printed, with exit code 1; that is
a result, not a diagnostic.

The codes below are usually printed without a file position, as
`error[CODE]: ...`. See also [`unknown-checklist`](#unknown-checklist).
"
            }
        }
        .trim_ascii()
    }
}

/// Defines [`Code`] from one entry per code, so that a code's name, stage
/// and texts stay together and a new code cannot lack any of them.
macro_rules! codes {
    ($(
        $variant:ident = $name:literal in $stage:ident {
            description: $description:literal,
            help: $help:literal $(,)?
        }
    )*) => {
        /// A stable diagnostic code. Its text (`as_str`) never changes once
        /// released: scripts match on it and the JSON output carries it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the order of the reference page.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name, as printed in `error[NAME]`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The stage that reports this code.
            pub const fn stage(self) -> Stage {
                match self {
                    $(Code::$variant => Stage::$stage,)*
                }
            }

            /// What the code means, with an input that triggers it (Markdown).
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
                .trim_ascii()
            }

            /// The general way to fix it (Markdown; the reference page prints
            /// it after `Fix:`).
            pub const fn help(self) -> &'static str {
                match self {
                    $(Code::$variant => $help,)*
                }
                .trim_ascii()
            }
        }
    };
}

codes! {
    // Reading the file (text and YAML)

    InvalidUtf8 = "invalid-utf8" in Reading {
        description: r"
The file is not UTF-8 text. The position is that of the first invalid byte.
A UTF-8 byte-order mark at the start is accepted.

Triggered by: a file saved in a legacy encoding such as Latin-1 or
Windows-1252 (`name: Café` with `é` as the single byte `0xE9`), a UTF-16
file, or a binary file passed by mistake.
",
        help: "save the file as UTF-8.",
    }

    InputTooLarge = "input-too-large" in Reading {
        description: r"
The file is larger than 5 MB (5,242,880 bytes) and was refused before
parsing. Real manifests and checklists are a few kilobytes. A regular file
is refused from its size, before a byte is read; a stream (stdin, a pipe,
a device such as `/dev/zero`) is read up to one byte past the limit and
refused there, so an endless input stops at once.

```text
error[input-too-large]: the input is over the limit of 5242880 bytes; reading stopped there and nothing was parsed
```

Triggered by: passing a log, a dump or the wrong file, or `yes | vetted
assess -`.
",
        help: "check that this is the file you meant; split or trim it.",
    }

    NotARegularFile = "not-a-regular-file" in Reading {
        description: r"
An entry of the folder given to `vetted portfolio` ends in `.yaml` or
`.yml` but is not a regular file: a FIFO (named pipe), a socket, a device,
or a symbolic link to one of those. It is listed among the invalid
manifests without being opened: opening a FIFO waits for a writer that may
never come, and a device such as `/dev/zero` never ends. A symbolic link
to a regular file is read as usual.

```text
vendors/zero.yaml:1:1: error[not-a-regular-file]: this is a character device, not a regular file, and was not opened
```

A file named on the command line (`vetted assess FILE`, `-` for stdin)
may be a pipe or a device: it is read, up to the size limit
(`input-too-large`).
",
        help: r"
keep only manifests under the folder, or rename the entry so that it does
not end in `.yaml` or `.yml`.
",
    }

    EmptyDocument = "empty-document" in Reading {
        description: r"
The file holds no YAML document: it is empty or only comments. Every format
`vetted` reads is a mapping.

```yaml
# TODO: fill in
```
",
        help: r"
start from a file in `examples/`, or run `vetted schema manifest` (or
`checklist`, `policy`) to see the format.
",
    }

    YamlSyntax = "yaml-syntax" in Reading {
        description: r#"
The YAML cannot be parsed. The message says what the parser expected, and
the position is where it gave up (the actual mistake may be just before).

```yaml
# an unclosed quote
vendor:
  name: "Acme Bot
```

```yaml
# a tab used for indentation
vendor:
	name: Acme
```
"#,
        help: r#"
YAML indents with spaces, never tabs. Close quotes. Quote values that
contain `: `, start with `'`, `"`, `@`, `` ` ``, `*`, `&`, `!`, `%`, `[` or
`{`, or that you want read as text rather than a number or boolean.
"#,
    }

    DuplicateKey = "duplicate-key" in Reading {
        description: r"
A key appears twice in the same mapping. `vetted` never lets the second one
silently win.

```yaml
answers:
  documentation.security_page:
    value: detailed
  documentation.security_page:     # error[duplicate-key]
    value: none
```
",
        help: "keep one entry; merge the two if both hold something you need.",
    }

    YamlBudgetExceeded = "yaml-budget-exceeded" in Reading {
        description: r#"
The document is larger or more deeply built than any honest file: nesting
deeper than 48 levels, more than 200,000 nodes, more than 1,000 anchors or
aliases, or aliases that expand to more than 200,000 nodes (an "alias bomb").

```yaml
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
# ... and so on: each level multiplies the size by ten
```
"#,
        help: r"
write the data out plainly. Manifests, checklists and policies need no
anchors or aliases and nest about six levels deep.
",
    }

    MultipleDocuments = "multiple-documents" in Reading {
        description: r"
The file holds more than one YAML document (a `---` line followed by more
content). Every format `vetted` reads is one document per file.

```yaml
vendor: {name: Acme}
---
vendor: {name: Other}
```
",
        help: "remove the `---` line and what follows, or split the file in two.",
    }

    // Schema

    UnknownField = "unknown-field" in Schema {
        description: r"
A key that the format does not have, usually a typo. The position is the
key. The help suggests the closest known field, or lists the allowed ones.

```yaml
vendor: {name: Corpus Vendor, webiste: https://corpus.example}
# error[unknown-field]: unknown field `webiste` in `vendor`
#   help: did you mean `website`?
```
",
        help: r"
correct the spelling or remove the key. Field names are kebab-case
(`egress-ips`, `funds-at-risk`, `approved-by`).
",
    }

    MissingField = "missing-field" in Schema {
        description: r"
A required field is absent. The position is the mapping that lacks it.

```yaml
vendor: {}
# error[missing-field]: `vendor` is missing the required field `name`
```

Required, among others: `vendor.name`; `integration.purpose`,
`integration.checklists`, `integration.permissions`; `assessment.assessor`,
`assessment.date`; `value` in every answer; `url` and `observed` in
evidence; `exchange`, `label`, `created` and `permissions` in a key;
`options` in `choice` and `multi` questions.
",
        help: "add the field.",
    }

    WrongType = "wrong-type" in Schema {
        description: r"
A value has the wrong type: text where a list is expected, a number where
text is expected, and so on.

```yaml
assessment: {assessor: 3, date: 2026-11-20}
# error[wrong-type]: `assessment.assessor` should be a string but is the number `3`
```

```yaml
keys:
  - {exchange: binance, label: main, created: 2026-01-01, permissions: [read], ip-restricted: yes}
# error[wrong-type]: `integration.keys[0].ip-restricted` should be a boolean but is a string
# (`yes` is text in YAML 1.2)
```
",
        help: r#"
quote a value to make it text (`label: "2026"`), write `true` or
`false` for booleans, and `[a, b]` for lists.
"#,
    }

    InvalidValue = "invalid-value" in Schema {
        description: r"
A value is of the right type but not allowed: not one of a fixed set of
values, or not in the expected form. The help suggests the closest allowed
value, or describes the form.

```yaml
integration: {purpose: Test, checklists: [baseline], permissions: [read, withdrawl]}
# error[invalid-value]: `integration.permissions[1]` is `withdrawl`, which is not one of: read, trade, transfer, withdraw, write, admin
#   help: did you mean `withdraw`?
```

```yaml
funds-at-risk: {amount: 500, currency: usd}
# `integration.funds-at-risk.currency` is `usd`, which is not in the expected form
#   help: it must match the pattern `^[A-Z]{3,5}$`
```
",
        help: r"
use one of the listed values, or the form the help describes (for
example checklist ids are lowercase with hyphens, question ids are dotted
snake_case such as `keys.ip_binding`).
",
    }

    SchemaViolation = "schema-violation" in Schema {
        description: r#"
Any other schema rule: an empty list where at least one item is needed, an
empty string, a number outside its range, a `rules[].effect` that is neither
`reject`, `finding` nor `{min-tier: LEVEL}`, `options` on a question type
that has none. The message names the path and the rule; the value itself is
written as `value`.

```yaml
integration: {purpose: Test, checklists: [], permissions: [read]}
# error[schema-violation]: `integration.checklists`: value has less than 1 item
```

The same code, at `1:1` with "the document does not fit the format", means
a file passed the schema but still could not be loaded. That is a defect in
`vetted`; please report it with the file.
"#,
        help: r"
read the message against `vetted schema NAME` and change the value to
fit.
",
    }

    // Checklists

    DuplicateChecklist = "duplicate-checklist" in Checklist {
        description: r"
Two of your files define the same checklist `id`. (A file with the id of a
bundled checklist is not a duplicate: it replaces the bundled one.)

```yaml
# checklists/acme.yaml and checklists/acme-v2.yaml both say:
id: acme
```
",
        help: r"
give one of them another `id`, or move the old file out of the
directory.
",
    }

    DuplicateArea = "duplicate-area" in Checklist {
        description: r"
An area `id` is used twice, in one checklist or in two loaded checklists.
Area ids must be unique across all of them, bundled ones included.

```yaml
id: acme
areas:
  - id: keys            # also an area of the bundled `exchange-keys`
    title: Keys
    questions: [...]
```
",
        help: "rename the area in your file.",
    }

    DuplicateQuestion = "duplicate-question" in Checklist {
        description: r"
A question `id` is used twice, in the same checklist or in two loaded
checklists.

```yaml
questions:
  - id: keys.withdrawal     # already defined by `exchange-keys`
```
",
        help: r"
rename the question. Prefixing ids with your area (`acme_keys.withdrawal`)
avoids clashes.
",
    }

    DuplicateRule = "duplicate-rule" in Checklist {
        description: r"
A rule `id` is used by two loaded checklists (or twice in one).

```yaml
rules:
  - id: withdrawal-permission    # already a rule of `exchange-keys`
```
",
        help: "rename the rule.",
    }

    QuestionIdPrefix = "question-id-prefix" in Checklist {
        description: r"
One question id is another id plus a further `.segment`, such as `keys.ip`
and `keys.ip.v6`. In expressions `answers.keys.ip` would then be both an
answer and a group of answers. The diagnostic points at the longer id.

```yaml
questions:
  - id: keys.ip
  - id: keys.ip.v6       # error[question-id-prefix]
```
",
        help: "rename one of them, e.g. `keys.ip_v6`.",
    }

    InvalidExpression = "invalid-expression" in Checklist {
        description: r#"
A `when` condition (of a question or a rule) is not a valid minijinja
expression.

```yaml
when: "answers.keys.withdrawal = 'never'"     # `=` instead of `==`
```
"#,
        help: r#"
correct the expression, e.g.
`when: "answers.keys.withdrawal == 'never'"`. Quote the whole expression in
YAML when it starts with a quote or contains `: `.
"#,
    }

    UnknownName = "unknown-name" in Checklist {
        description: r#"
A `when` condition reads a name that does not exist. Conditions may read:

- `answers.<question id>` (any question of any loaded checklist);
- `integration.` `purpose`, `permissions`, `exchange_keys`, `funds_at_risk`,
  `data_classes`, `keys`;
- `vendor.` `name`, `website`, `docs`, `repository`, `egress_ips`;
- `incidents`.

Note the underscores: manifest fields such as `funds-at-risk` are
`funds_at_risk` in expressions (`integration.funds-at-risk` would read as
`integration.funds - at - risk`).

```yaml
when: "answers.keys.withdrawl == 'required'"
# error[unknown-name]: the expression uses `answers.keys.withdrawl`, which does not exist
#   help: did you mean `answers.keys.withdrawal`?
```
"#,
        help: "correct the name as the help suggests.",
    }

    DuplicateOption = "duplicate-option" in Checklist {
        description: r"
Two options of one question have the same `value`.

```yaml
options:
  - {value: never, label: Never, score: 1.0}
  - {value: never, label: Not at all, score: 1.0}
```
",
        help: "remove or rename one of them.",
    }

    ReservedOption = "reserved-option" in Checklist {
        description: r"
A question declares an option `unknown`. Every question already accepts
`unknown` as an answer, and it always scores 0.

```yaml
options:
  - {value: unknown, label: Don't know, score: 0.0}
```
",
        help: "remove the option.",
    }

    InvalidBands = "invalid-bands" in Checklist {
        description: r"
A question's `bands` cannot be used. One of:

- `bands` on a question whose `type` is not `number` or `date`;
- a band's `up-to` is not greater than the previous band's;
- a band other than the last leaves out `up-to`.

```yaml
type: number
bands:
  - {up-to: 30, score: 1.0}
  - {score: 0.5}            # only the last band may leave out `up-to`
  - {up-to: 7, score: 0.0}  # and bounds must increase
```
",
        help: r"
order the bands by increasing `up-to` (inclusive upper bounds; for
dates, the age in days) and leave `up-to` out of the last band only.
",
    }

    InvalidFavourable = "invalid-favourable" in Checklist {
        description: r"
`favourable` (which answer scores 1) is set on a question that is not of
type `bool`.

```yaml
type: choice
favourable: false
```
",
        help: r"
remove `favourable`, or make the question `type: bool`. For other
types, the option scores or bands say what is favourable.
",
    }

    // Manifests

    SecretInManifest = "secret-in-manifest" in Manifest {
        description: r#"
The manifest holds, or seems to hold, a credential. Manifests are shared,
committed to repositories and attached to tickets, so a key written into one
is a leaked key. A manifest describes a key (exchange, label, permissions,
dates); it never holds it.

The guard runs on the whole file before anything else about its content,
even in fields the schema does not know, and refuses:

- **Fields named like a credential**, when they have a value. The name is
  split into words at any character that is not a letter or digit and
  compared without case: any of the words `secret`, `secrets`, `passphrase`,
  `password`, `passwd`, `pwd`, `passcode`, `mnemonic`, `seed`, `apikey`,
  `apisecret`, `secretkey`, `otp`, `totp`, `privatekey`, `privkey`, `token`,
  `credential`, `credentials`, `xprv`, or the word pairs `api key`,
  `private key`, `access token`, `auth token`, `secret key`,
  `recovery phrase`, `access key`, `client secret`, `signing key`. So
  `api_key`, `apiKey`, `API-Key`, `secret`, `seed_phrase` and `private-key`
  are all refused. Question ids directly under `answers` are exempt (a
  question *about* secret storage is not a secret), but the values below
  them are checked.
- **Values and comments** (every text value anywhere in the file, every
  field name, and every YAML comment) holding:
  - a PEM or OpenSSH private key block (`-----BEGIN` and a label with
    `PRIVATE`), or a PuTTY private key;
  - a wallet recovery (seed) phrase: 12 or more consecutive words of one
    official BIP-39 word list, in any of its ten languages, however written
    (numbered, comma-separated, capitalised, one per list item, wrapped);
  - a token with a published prefix (GitHub `ghp_`/`github_pat_`, GitLab
    `glpat-`, Slack `xox..-`, Stripe `sk_live_`, Google `AIza`/`ya29.`,
    AWS `AKIA`/`ASIA`, OpenAI, Anthropic, npm, PyPI, Hugging Face,
    SendGrid, Telegram bot tokens, Bitget, Gemini, and others), a JSON Web
    Token, a Coinbase CDP key name, a WIF or extended private key (told by
    its checksum and version);
  - a URL with a password (`scheme://user:pass@host`, also in a sentence
    or a connection string), a token as its user name, a credential in its
    query or fragment (`password=`, `api_key=`, `access_token=`...), a
    token in its path, or a Slack or Discord webhook;
  - a value written after its name: `password=...`, `passphrase: ...`,
    `the admin password is ...`, `API key: <uuid>`, `secret <hex>`,
    `private key: <64 hex>`;
  - an API key or secret on its own: a token of 16 or more characters of
    key characters whose mix of capitals, small letters and digits is that
    of random data, not of words.

  Not refused on their shape alone: hex strings (hashes, checksums,
  transaction ids, commit ids, Ethereum addresses), UUIDs, addresses whose
  checksum holds (Bitcoin, Tron, bech32), Solana addresses, base64 of
  text, SRI and IPFS ids, PGP fingerprints, slugs and identifiers made of
  words. Written after a secret's name (`key:`, `secret`), hex and UUIDs
  are refused too.

The diagnostic names the path and position and what the value looks like,
but never prints the value itself:

```yaml
integration:
  keys:
    - exchange: binance
      label: main
      api_key: KEY                  # refused: named like a credential
answers:
  documentation.security_page:
    value: detailed
    note: "key RANDOM-40-CHARS"     # refused when the placeholder is a real-looking key
```

```text
m.yaml:5:7: error[secret-in-manifest]: `integration.keys[0].api_key` is named like a credential, and manifests never hold credentials; the value is not shown here
  help: delete the value: a manifest describes a key (exchange, label, permissions), never holds it. If a real key or phrase was ever saved in this file, revoke it at the exchange now
m.yaml:9:11: error[secret-in-manifest]: `answers.documentation.security_page.note` holds what looks like an API key or secret (a long random token); the value is not shown here
  help: ...
```

(The schema also reports `api_key` as an `unknown-field` in the same run.)
"#,
        help: r"
delete the value, and the field if it is not part of the format
(`label` is your name for the key, not the key).

**If a real key, secret, passphrase or recovery phrase was ever saved in
the file, deleting it is not enough.** It may already be in version control
history, backups, editor swap files or a ticket. Revoke or delete the key at
the exchange and create a new one; move funds away from a wallet whose
recovery phrase was exposed.

The guard errs on the side of refusing. If it flags something that is not a
secret (a long order number, an opaque reference), reword or shorten it, or
replace it with a link to where it is recorded. There is no switch to turn
the guard off.
",
    }

    InvalidDate = "invalid-date" in Manifest {
        description: r"
A date field is not a real calendar date in the form `YYYY-MM-DD`. Checked:
`assessment.date`; `created` and `expires` of keys; `date` of incidents;
`expires` of waivers; `observed` and `expires` of evidence. (Answers to
`date` questions are checked as `invalid-answer`.)

```yaml
assessment: {assessor: Test, date: 2026-02-30}
# error[invalid-date]: `assessment.date` is `2026-02-30`, which is not a date
#   help: write dates as YYYY-MM-DD, e.g. 2026-11-20
```
",
        help: "write a real date with four-digit year and two-digit month and day.",
    }

    UnknownChecklist = "unknown-checklist" in Manifest {
        description: r"
The manifest lists a checklist that is not loaded.

```yaml
integration: {purpose: Test, checklists: [baseline, exchange-kyes], permissions: [read]}
# error[unknown-checklist]: there is no checklist `exchange-kyes`
#   help: did you mean `exchange-keys`?
```

The same code is printed, without a position, by `vetted checklist show ID`,
`vetted checklist lint ID...` and `vetted fill FILE --checklist ID` (before
any question) when `ID` is not a loaded checklist:

```text
error[unknown-checklist]: there is no checklist `exchange-kyes`
  help: did you mean `exchange-keys`?
```

These exit with code 2.
",
        help: r"
correct the id (`vetted checklist list` shows the available ones), or
pass the directory holding your own checklist with `--checklists DIR`.
",
    }

    InvalidUrl = "invalid-url" in Manifest {
        description: r#"
A web address is not a valid absolute `http` or `https` URL with a host.
Checked: `vendor.website`, `vendor.docs`, `vendor.repository`, evidence
`url`, incident `postmortem` and `references`.

```yaml
vendor: {name: Acme, website: "not a url"}
# error[invalid-url]: `vendor.website` is not a valid URL (relative URL without a base)
```

```yaml
answers:
  compliance.attestation:
    value: [soc2-type-2]
    evidence: [{url: "ftp://files.acme.example/soc2.pdf", observed: 2026-11-18}]
# error[invalid-url]: `answers.compliance.attestation.evidence[0].url` uses the scheme `ftp`; only web addresses are accepted
```
"#,
        help: "write the full address, e.g. `https://vendor.example/security`.",
    }

    InvalidIp = "invalid-ip" in Manifest {
        description: r"
An entry of `vendor.egress-ips`, or of a key's `ip-allowlist`, is not an
IPv4 or IPv6 address or CIDR range.

```yaml
vendor: {name: Acme, egress-ips: [203.0.113.300, 203.0.113.0/33]}
```
",
        help: r"
write addresses such as `203.0.113.10`, `2001:db8::1` or ranges such
as `203.0.113.0/28` (prefix at most 32 for IPv4, 128 for IPv6).
",
    }

    UnknownQuestion = "unknown-question" in Manifest {
        description: r"
An answer, or a waiver's `question`, names a question that no loaded
checklist has. The help suggests the closest question of the manifest's
checklists.

```yaml
answers:
  documentation.securty_page:
    value: detailed
# error[unknown-question]: there is no question `documentation.securty_page`
#   help: did you mean `documentation.security_page`?
```

```yaml
waivers:
  - {question: keys.withdrawl, reason: ..., approved-by: ..., expires: 2027-01-31}
# error[unknown-question]: the waiver names `keys.withdrawl`, which is not a question
```
",
        help: r"
correct the id. `vetted checklist show ID` lists a checklist's
questions.
",
    }

    QuestionNotInScope = "question-not-in-scope" in Manifest {
        description: r"
An answer is given for a question of a checklist that exists but is not in
`integration.checklists`.

```yaml
integration: {purpose: Test, checklists: [baseline], permissions: [read]}
answers:
  keys.withdrawal: {value: never}
# error[question-not-in-scope]: question `keys.withdrawal` belongs to checklist `exchange-keys`, which this manifest does not use
#   help: add `exchange-keys` to integration.checklists, or remove the answer
```
",
        help: r"
add the checklist to `integration.checklists`, or remove the answer.
",
    }

    InvalidAnswer = "invalid-answer" in Manifest {
        description: r"
An answer's `value` does not fit its question. `unknown` is always
accepted. By question type:

- `choice`: one option value, as text;
- `multi`: a list of option values; `none` only on its own;
- `bool`: `true` or `false` (`yes` and `no` are text);
- `number`: a number;
- `date`: a date `YYYY-MM-DD`;
- `text`: text.

```yaml
documentation.security_page:
  value: detailled
# error[invalid-answer]: `detailled` is not an option of question `documentation.security_page`
#   help: did you mean `detailed`?
```

```yaml
key_monitoring.user_alerts:
  value: [none, unknown-ip]
# question `key_monitoring.user_alerts` has `none` together with other options
```
",
        help: r"
use one of the values the help lists, or `unknown` when you do not
know.
",
    }

    EvidenceAfterAssessment = "evidence-after-assessment" in Manifest {
        description: r"
A piece of evidence was `observed` after `assessment.date`. Evidence cannot
support an assessment made before it was seen.

```yaml
assessment: {assessor: Test, date: 2026-11-20}
answers:
  documentation.security_page:
    value: detailed
    evidence:
      - {url: https://corpus.example/security, observed: 2026-12-01}
```
",
        help: r"
correct the `observed` date, or move `assessment.date` to the day the
assessment was actually completed.
",
    }

    KeyAfterAssessment = "key-after-assessment" in Manifest {
        description: r"
A key in `integration.keys` was `created` after `assessment.date`.

```yaml
integration:
  keys:
    - {exchange: kraken, label: bot, created: 2026-12-05, permissions: [read]}
assessment: {assessor: Test, date: 2026-11-20}
```
",
        help: r"
correct the key's `created` date, or reassess with a current
`assessment.date`.
",
    }

    IncidentAfterAssessment = "incident-after-assessment" in Manifest {
        description: r"
An incident's `date` is after `assessment.date`.

```yaml
incidents:
  - {date: 2026-12-10, kind: outage, severity: low}
```
",
        help: r"
correct the date; an incident found after the assessment calls for a
new assessment with a later date.
",
    }

    DocumentDates = "document-dates" in Manifest {
        description: r"
A document's dates cannot all be true: a SOC 2 period that ends before it
starts, an expiry before the document was issued, or a period end or issue
date after `assessment.date` (an assessment can only rely on a document that
existed when it was made).

```yaml
documents:
  - kind: soc2-type-2
    url: https://trust.vendor.example/soc2
    period-start: 2026-10-01
    period-end: 2025-09-30
```
",
        help: "correct the dates from the document itself (the auditor's opinion, the certificate).",
    }

    RemediationDate = "remediation-date" in Manifest {
        description: r"
An incident's `remediation.completed` or `remediation.verified` date falls
before the incident or after the assessment. A remediation happens after its
incident, and an assessment can only rely on one that happened before it.

```yaml
incidents:
  - date: 2025-03-01
    kind: key-leak
    severity: critical
    remediation: {verified-by: Example Pentest Ltd, verified: 2024-12-01}
```
",
        help: "correct the date (here, a verification after 2025-03-01).",
    }

    RemediationUnverified = "remediation-unverified" in Manifest {
        description: r"
A remediation gives `verified` without `verified-by`, or the other way
round. Remediation counts as verified (and lets an incident age from open
to easing) only when both say who checked the changes and when.

```yaml
    remediation: {summary: Signing moved to an isolated service, verified: 2024-02-01}
```
",
        help: r"
add `verified-by: NAME` (the auditor, tester or assessor who checked
it), or drop `verified` if nobody did.
",
    }

    NotApplicableWithoutReason = "not-applicable-without-reason" in Manifest {
        description: r"
An answer is `not-applicable` but has no `note`. A question that does not
apply must say why, because the report and the compliance document show the
reason instead of an answer.

```yaml
answers:
  keys.ip_field_advice: {value: not-applicable}
```
",
        help: r"
```yaml
answers:
  keys.ip_field_advice:
    value: not-applicable
    note: OAuth connection; there is no key and no IP field.
```
",
    }

    HostingInferred = "hosting-inferred" in Manifest {
        description: r"
A warning. The manifest does not say who hosts the software, but answers
`key_storage.custody: user-hosted`, the way manifests said it before
`integration.hosting` existed. It is read as `hosting: self-hosted`: the
vendor never receives the key, so vendor-side questions and rules do not
apply. The assessment goes on.

```yaml
integration:
  checklists: [baseline, exchange-keys]
answers:
  key_storage.custody: {value: user-hosted}
```
",
        help: r"
say it where the evaluation reads it:

```yaml
integration:
  hosting: self-hosted
```
",
    }

    SelfHostedDataClasses = "self-hosted-data-classes" in Manifest {
        description: r"
A warning. The software is self-hosted and `key_storage.telemetry` says it
talks only to the exchanges, yet `integration.data-classes` lists data.
`data-classes` is the data the vendor receives; listing what the software
merely handles on your own systems makes the vendor-side questions (its
agreements, breach notice, staff access, attestation) apply to a project
that receives nothing, and lowers confidence for answers nobody can give.
The assessment goes on as written.

```yaml
integration:
  hosting: self-hosted
  data-classes: [credentials, trading-history]
answers:
  key_storage.telemetry: {value: none}
```
",
        help: r"
remove `data-classes` when nothing reaches the vendor; if the software does
send data home (cloud sync, telemetry, support uploads), list only that data
and correct the telemetry answer.
",
    }

    WaiverIncomplete = "waiver-incomplete" in Manifest {
        description: r"
A waiver lacks `reason`, `approved-by` or `expires` (one diagnostic for
each missing field; blank text counts as missing). Without them a waiver is
not an exception, only a gap.

```yaml
waivers:
  - question: documentation.security_page
# three errors: no `reason`, no `approved-by`, no `expires`
```
",
        help: r"
```yaml
waivers:
  - question: documentation.security_page
    reason: Security page promised for Q1; compensating controls reviewed in call on 2026-11-18
    approved-by: R. Okafor (CISO)
    expires: 2027-03-31
```
",
    }

    WaiverTarget = "waiver-target" in Manifest {
        description: r"
A waiver names neither a `question` nor a `rule`, or names both.

```yaml
waivers:
  - {question: keys.ip_binding, rule: trade-unbound, reason: ..., approved-by: ..., expires: 2027-01-31}
```
",
        help: "write one waiver per question or rule.",
    }

    UnknownRule = "unknown-rule" in Manifest {
        description: r"
A waiver's `rule` names no rule of any loaded checklist.

```yaml
waivers:
  - {rule: security-text-missing, reason: ..., approved-by: ..., expires: 2027-01-31}
```
",
        help: r"
correct the rule id (rules are listed at the end of
`vetted checklist show ID`), e.g. `security-txt-missing`.
",
    }

    WaiverOnReject = "waiver-on-reject" in Manifest {
        description: r"
A waiver targets a rule whose effect is `reject`. Rejects cannot be waived:
they mark integrations that must not happen as described, such as a key that
can withdraw funds.

```yaml
waivers:
  - {rule: withdrawal-permission, reason: ..., approved-by: ..., expires: 2027-01-31}
# error[waiver-on-reject]: rule `withdrawal-permission` rejects, and a reject cannot be waived
```
",
        help: r"
change the integration so that the rule no longer applies (for
example, drop the `withdraw` or `transfer` permission from the integration
and its keys), then remove the waiver.
",
    }

    UnknownCurrency = "unknown-currency" in Manifest {
        description: r"
Funds at risk are stated in a currency the policy cannot convert to the
currency of its thresholds (`inherent-risk.funds-currency`, USD in the
default policy, which also has round rates for USDT, USDC, EUR, GBP and
CHF). Judging 50,000 of an unknown unit against USD thresholds would
misjudge the risk without saying so. Checked when a manifest is assessed
against a policy (`assess`, `portfolio`, `compare`, `diff`); `fill` asks
again at the prompt.

```yaml
integration:
  funds-at-risk: {amount: 5, currency: BTC}
# error[unknown-currency]: funds at risk are in `BTC`, which the policy cannot convert to USD (it knows USD, CHF, EUR, GBP, USDC, USDT)
#   help: state the amount in USD, or give the policy a rate under inherent-risk.exchange-rates
```
",
        help: r"
state the amount in the policy's currency, or use a policy of your own
with a rate: `exchange-rates: {BTC: 90000}` (what one unit is worth in
`funds-currency`).
",
    }

    // Policy

    PolicyTiersOrder = "policy-tiers-order" in Policy {
        description: r"
The tier minimums do not decrease from `low` to `high`. A score reaching
`low` is tier low; below `high` it is critical, so `low >= medium >= high`
must hold.

```yaml
tiers: {low: 50, medium: 65, high: 45}
```
",
        help: "reorder the numbers, e.g. `tiers: {low: 80, medium: 65, high: 45}`.",
    }

    // Evaluation

    ExpressionFailed = "expression-failed" in Evaluation {
        description: r#"
A checklist's `when` condition parsed, but failed while being evaluated
against this manifest. The position is the `when` in the checklist file, not
in the manifest. Conditions are evaluated strictly: reading something that
does not exist is an error, never `false`. Typical causes:

- reading something that is absent for this manifest, such as
  `incidents[0].kind` when the manifest lists no incidents;
- arithmetic on an answer that is missing (`none`) or `unknown`, such as
  `answers.key_monitoring.log_retention / 30 >= 3`;
- an unknown filter or a filter applied to the wrong kind of value;
- an expression that runs far longer than any condition should (evaluation
  has a fixed step budget).

```yaml
# in a checklist
when: "incidents[0].kind == 'key-leak'"
# error[expression-failed]: the condition of `acme.leak_followup` (`incidents[0].kind == 'key-leak'`) failed: ...
#   help: compare values of the same type; use `is none` to test for a missing answer
```
"#,
        help: r"
in the checklist, write the condition so that it holds for every
manifest, e.g.
`incidents | selectattr('kind', 'eq', 'key-leak') | list | length > 0`, or
`answers.key_monitoring.log_retention is number and answers.key_monitoring.log_retention / 30 >= 3`.
",
    }

    ConditionsUnstable = "conditions-unstable" in Evaluation {
        description: r"
The `when` conditions of the checklists a manifest uses switch each other on
and off (question A is asked when B is not answered, and B when A is not),
so which questions apply never settles.
",
        help: r"
make a follow-up's condition depend only on questions asked before it.
",
    }

    // Lint (`vetted checklist lint`)

    MissingHelp = "missing-help" in Lint {
        description: r"
A question has no `help` (or only blank text), so a reviewer does not know
why it matters or how to check it.

```yaml
- id: acme.sso
  text: Does the vendor support SSO?
  severity: medium
  type: bool
```
",
        help: r"
add `help:` saying why the question matters and where to find the
answer.
",
    }

    MissingRemediation = "missing-remediation" in Lint {
        description: r"
A question has no `remediation`, so a finding on it tells the reader
nothing to do.
",
        help: r"
add `remediation:` saying what to ask of the vendor or how to limit the
risk.
",
    }

    UnknownFramework = "unknown-framework" in Lint {
        description: r"
A key of a question's `references` is not one of the frameworks the reports
know: `soc2`, `iso27001`, `ccss`, `mvsp`, `rfc9116`, `gdpr`, `caiq`,
`scorecard`, `owasp`, `rfc8446`, `mozilla`, `rfc7208` (SPF), `rfc7489` (DMARC),
`rfc8659` (CAA), `rfc4033` (DNSSEC).

```yaml
references: {iso27k: A.5.15}
#   help: did you mean `iso27001`?
```
",
        help: "use one of the known keys.",
    }

    MissingReferences = "missing-references" in Lint {
        description: r"
A question cites no control of a framework the reports know: it has no
`references`, or only keys that are not among the frameworks listed under
`unknown-framework`. The compliance document lists controls by framework,
so such a question does not appear in it, although its answer still
counts in the score.

```yaml
- id: acme.status_page
  text: Does the vendor run a public status page?
  # no references
#   help: add `references:` with the controls it serves, e.g. `{iso27001: A.5.19, soc2: CC9.2}`
```
",
        help: r"
add `references:` naming the controls the question serves, such as
`{iso27001: A.5.22, soc2: CC2.3}`.
",
    }

    OptionsSameScore = "options-same-score" in Lint {
        description: r"
Every option of a `choice` or `multi` question has the same score, so the
answer cannot change the result.

```yaml
options:
  - {value: yes, label: Yes, score: 1.0}
  - {value: no, label: No, score: 1.0}
```
",
        help: r"
give the options scores that reflect how good each answer is (0 to 1),
or make the question `type: text` if it only collects information.
",
    }

    UnreachableCondition = "unreachable-condition" in Lint {
        description: r#"
No combination of answers makes a question's or rule's `when` true, so the
question is never asked or the rule never fires. Lint tries every value the
questions read can take (each option, `unknown`, no answer, and sample
numbers and dates) against a few contrasting integrations. A condition that
fails to evaluate every time also counts as unreachable. Conditions with too
many combinations to try (over 50,000) are skipped.

```yaml
when: "answers.keys.withdrawal == 'yes'"   # options are never, optional, required
```
"#,
        help: "compare against values the questions actually offer.",
    }

    AreaCannotFail = "area-cannot-fail" in Lint {
        description: r"
Even with the worst answer to every question, an area scores at or above
the policy's tier-`high` minimum (45 in the default policy), so it can
never flag a vendor on its own. Worst answers are the lowest option or band
score; `bool` and `multi` questions count 0.

```yaml
questions:
  - {id: acme.a, ..., options: [{value: good, score: 1.0, ...}, {value: bad, score: 0.8, ...}]}
```
",
        help: r"
give the worst options a score near 0. Pass `--policy FILE` to lint
against the thresholds you actually use.
",
    }

    UnknownFact = "unknown-fact" in Lint {
        description: r"
A question's `collect:` names a fact that no collector of `vetted collect`
produces, so the question is never filled from evidence. `vetted collect
--list-facts` prints every fact; Scorecard checks are
`scorecard.check.<check-name>` in lower case.

```yaml
collect:
  - fact: security-txt.stauts     # did you mean `security-txt.status`?
```
",
        help: "use a fact from the list.",
    }

    CollectAnswerInvalid = "collect-answer-invalid" in Lint {
        description: r"
A `collect:` mapping gives an answer the question does not accept (not one
of its options, or not a yes/no for a `bool` question), so `vetted collect`
skips it.

```yaml
type: bool
collect:
  - fact: repository.archived
    map: [{equals: true, answer: maybe}]
```
",
        help: "map to one of the question's option values (or `true`/`false`).",
    }

    // Questionnaires

    WorkbookUnreadable = "workbook-unreadable" in Questionnaire {
        description: r"
The file given to `vetted questionnaire import` is not an Excel workbook
(`.xlsx`) that can be read: not a zip archive, a damaged one, or one whose
parts would unpack to more than 64 MB (checked from the archive's
directory before anything is unpacked).

```text
vendor.xlsx: error[workbook-unreadable]: the file is not an Excel workbook (.xlsx): it is not a zip archive
```
",
        help: "save the questionnaire as an Excel workbook (`.xlsx`) in the spreadsheet program and import that file.",
    }

    NotAQuestionnaire = "not-a-questionnaire" in Questionnaire {
        description: r"
The workbook was not made by `vetted questionnaire export` (it lacks the
hidden sheet that identifies the manifest and the checklists), or by a
version of `vetted` whose layout this one does not read. A vendor's CSA
CAIQ is such a workbook: it is read with `--format caiq`.
",
        help: "import the workbook exported for this manifest, or add `--format caiq` for a CAIQ.",
    }

    QuestionnaireOtherManifest = "questionnaire-other-manifest" in Questionnaire {
        description: r"
The workbook was exported from another manifest: its recorded reference (a
hash of the vendor's name, the purpose and the checklists) differs from
this manifest's. The message names the vendor it was made for.

```text
acme.xlsx: error[questionnaire-other-manifest]: the workbook was made for `Other Vendor` (reference 3f2a…), not for this manifest (vendor `Acme`, reference 9c01…)
```
",
        help: "import it into the manifest it was exported from; after changing the vendor's name, the purpose or the checklists, export a new questionnaire.",
    }

    QuestionnaireChecklistVersion = "questionnaire-checklist-version" in Questionnaire {
        description: r"
A warning: the workbook was exported with another version of a checklist
than the manifest uses now. Answers are still matched by question id;
questions that no longer exist are reported as `questionnaire-unknown-id`.
",
        help: "nothing, if the import reports no other problem; export a new questionnaire for the questions added since.",
    }

    QuestionnaireUnknownId = "questionnaire-unknown-id" in Questionnaire {
        description: r"
A row's hidden question id (column A) is not a question of the manifest's
checklists (it was edited, or the question was removed from the
checklist), or a row with answers has no id (added by hand). Rows are
matched to questions by this id only, never by position or text.
",
        help: "export a fresh questionnaire and copy the answers into it; never edit the hidden ids.",
    }

    QuestionnaireDuplicateId = "questionnaire-duplicate-id" in Questionnaire {
        description: r"
Two rows carry the same question id: a row was copied, or an id edited to
another question's.
",
        help: "keep one row per question.",
    }

    QuestionnaireEditedRow = "questionnaire-edited-row" in Questionnaire {
        description: r"
A row's hidden id names a question whose text is not the row's question
text, although the checklist's version is unchanged: the id (or the text)
was edited, so the answer may belong to another question.
",
        help: "export a fresh questionnaire and copy the answers into it.",
    }

    SecretInWorkbook = "secret-in-workbook" in Questionnaire {
        description: r"
A cell, on any sheet (hidden ones too), holds what the credential guard
refuses in a manifest: an API key or secret, a token, a private key, a
recovery phrase, a password written after its name, a URL carrying one
(see [`secret-in-manifest`](#secret-in-manifest)). The cell is named and the
kind of credential given; the text is never shown. Nothing is imported.
",
        help: "delete the credential from the workbook, and have its owner rotate it: it was exposed to everyone who handled the file.",
    }

    CaiqNoHeader = "caiq-no-header" in Questionnaire {
        description: r"
`vetted questionnaire import FILE --format caiq` found no CAIQ header row:
no sheet has, in its first 20 rows, a row naming `Question ID` and `CSP
CAIQ Answer` (with or without a note in brackets after the name).
",
        help: "import the vendor's completed CAIQ v4 workbook as the CSA publishes it.",
    }

    // Command line

    Io = "io" in CommandLine {
        description: r"
A file or directory could not be read or written. The message names the
path and the system's reason.

```text
error[io]: no/such/file.yaml: No such file or directory (os error 2)
```

Causes: a manifest path (or stdin for `-`), `--policy FILE`,
`--checklists DIR` or a file in it, `--templates DIR` (which must be a
directory), the directory given to `vetted portfolio`, or `-o OUT` (for
example when its directory does not exist). Exit code 3.

In `vetted portfolio`, a manifest file under the directory that cannot be
read is reported as a positioned diagnostic and listed among the invalid
manifests, while the others are still assessed:

```text
vendors/acme.yaml:1:1: error[io]: Permission denied (os error 13)
```

A cache directory named with `--cache DIR` that cannot be created or
written is a warning only: the run goes on without the cache.

```text
warning[io]: /read-only/cache: Permission denied (os error 13); the cache is not used
```
",
        help: r"
check the path and permissions. Output files are written atomically, so
a failed write leaves no partial report behind.
",
    }

    Template = "template" in CommandLine {
        description: r"
A Markdown template could not be rendered. This happens with templates you
supply through `--templates DIR` (`report.md.j2`, `compliance.md.j2`, `checklist.md.j2`,
`compare.md.j2`, `diff.md.j2`, `portfolio.md.j2`); the message names the
template and, where known, the line. Templates treat
unknown names as errors, so a misspelt variable fails here instead of
printing nothing.

```text
error[template]: template report.md.j2: <minijinja's message, with the template line>
  help: fix the template named above, or drop --templates to use the bundled one
```

Triggered by: `{{ vendor.nmae }}` in an overriding `report.md.j2`.
",
        help: r"
correct the template (start from a copy of the file in `templates/`),
or drop `--templates`. `--format json` does not use templates. Exit code 2;
nothing is written.
",
    }

    FormatNotWritten = "format-not-written" in CommandLine {
        description: r"
The command does not write the format asked for. SARIF (`--format sarif`)
holds findings located in manifests, so `vetted assess` and `vetted
portfolio` write it; `compare` and `diff` have no findings of their own to
locate. `vetted portfolio --format sarif --fail-on overdue` is refused too:
the overdue actions live in the register, which SARIF does not hold.

```text
error[format-not-written]: `vetted compare` does not write sarif
  help: use --format md, html or json; `vetted assess FILE --format sarif` writes each manifest's findings
```
",
        help: r"
use `--format md`, `html` or `json` with this command, or `vetted assess
FILE --format sarif` (one manifest) or `vetted portfolio DIR --format sarif`
(every manifest) for findings. Exit code 2; nothing is written.
",
    }

    ReportNotJson = "report-not-json" in CommandLine {
        description: r"
`vetted verify-report` was given a file that is not a JSON report of
`vetted`: not JSON at all (a Markdown or HTML report, a truncated file), or
JSON that is not an object naming `vetted` as its tool.

```text
error[report-not-json]: report.md:1:1: this is not JSON (expected value at line 1 column 1)
  help: give the JSON report: vetted assess FILE --format json -o report.json
```
",
        help: r"
verify the JSON form of the report (`vetted assess FILE --format json`,
with or without `--template compliance`): the Markdown and HTML show the
same integrity block but are not checked. Exit code 2.
",
    }

    ReportUnverifiable = "report-unverifiable" in CommandLine {
        description: r"
`vetted verify-report` was given a JSON report it cannot recompute: one of
another `format_version` (written by an older or newer `vetted`), or one
without a well-formed `integrity` block, or one made from stdin with no
manifest named.

```text
error[report-unverifiable]: old.json: the report is format 3; this vetted writes format 6
  help: verify it with the version of vetted that wrote it, or assess the manifest again
```
",
        help: r"
verify a report with the build of `vetted` that wrote it (its
`tool.version`), or assess the manifest again to file a new report; for a
report made from stdin, name the manifest: `vetted verify-report
REPORT.json MANIFEST`. Exit code 2.
",
    }

    NoTerminal = "no-terminal" in CommandLine {
        description: r"
`vetted fill` asks questions and was started without a terminal (in a
pipeline, a CI job, or with input redirected). It stops at once instead of
waiting for answers that will never come.

```text
error[no-terminal]: vetted fill asks questions and needs a terminal
  help: run it in a terminal, or pass --answers FILE with scripted answers
```
",
        help: r"
run it in a terminal, or script it with `--answers FILE`: a YAML or JSON
mapping of prompt keys (`vendor.name`, `integration.purpose`,
`integration.permissions`, `assessment.assessor`, `answer:<question id>`,
`evidence:<question id>`, `observed:<question id>`, `note:<question id>`)
to answers. Exit code 2; nothing is written.
",
    }

    FillIncomplete = "fill-incomplete" in CommandLine {
        description: r"
`vetted fill` could not start a new manifest: no `--checklist` was given,
a required field (vendor name, purpose, assessor) was left empty three
times, or the new manifest was refused (a vendor name that looks like a
secret, say; the reason is printed first as `Not saved: ...`).

```text
error[fill-incomplete]: Vendor name is required
```

When `fill` resumes an existing manifest that does not load, it prints that
file's diagnostics (any code above) and exits 2 without changing it.
",
        help: r"
pass `--checklist ID` for a new manifest (repeat it for several) and
answer the required fields. Exit code 2; nothing is written.
",
    }

    CollectSetup = "collect-setup" in CommandLine {
        description: r"
`vetted collect` could not set up its HTTP client: a `--ca-cert` file holds
no PEM certificate or an unusable one, `--proxy` is not a proxy URL, or the
proxy's name does not resolve. Nothing was fetched or written.

```text
error[collect-setup]: corp-ca.pem: the CA file holds no PEM certificate
  help: --ca-cert takes a PEM file (-----BEGIN CERTIFICATE-----); --proxy a URL such as socks5://proxy.corp:1080
```
",
        help: r"
pass a PEM file (`-----BEGIN CERTIFICATE-----`), or a proxy URL such
as `socks5://proxy.corp:1080`. Exit code 2.
",
    }

    ProxyResolvesNames = "proxy-resolves-names" in CommandLine {
        description: r"
`vetted collect --proxy` named a proxy that resolves the names it is asked
to connect to (`http://`, `https://`, `socks5h://`, `socks4://`) while the
SSRF guard is on. `vetted` checks the address of every name before it
connects; such a proxy would look the name up again, and a name whose DNS
answer changes in between (DNS rebinding) could reach an internal address
through it. The HTTP client can only ask an HTTP proxy for a name, so the
proxy is refused. Nothing was fetched or written.

```text
error[proxy-resolves-names]: --proxy http://proxy.corp:3128/: this proxy resolves the names it is asked for itself, ...
```
",
        help: r"
use a SOCKS5 proxy (`--proxy socks5://proxy.corp:1080`): `vetted` resolves
and checks each name and asks the proxy for that address, while TLS still
verifies the name. For an intranet vendor, `--allow-private-network` turns
the guard off, and any proxy may be used. Exit code 2.
",
    }

    KeyNotFound = "key-not-found" in CommandLine {
        description: r"
`vetted key verify --key LABEL` named a key the manifest does not describe
under `integration.keys`, or `--all` found no key to verify. Nothing was
asked or written.

```text
error[key-not-found]: vendor.yaml has no key labelled `bot-main`
  help: the manifest's keys: bot-trading, bot-read
```
",
        help: r"
pass the `label` of a key in `integration.keys` (the message lists them),
or describe the key there first. Exit code 2.
",
    }

    ExchangeNotSupported = "exchange-not-supported" in CommandLine {
        description: r"
`vetted key verify` was asked about a key on an exchange it cannot ask:
it knows Binance, OKX, Bybit, Coinbase (Advanced Trade), Kraken and
KuCoin, each through its documented read-only key endpoint
(`docs/exchanges.md`).

```text
error[exchange-not-supported]: key `main` is on `Gemini`, which vetted key verify cannot ask
```
",
        help: r"
check the key's permissions by hand on the exchange's key page and record
them in the manifest; or, if the exchange is one of those listed under a
different name, write that name. Exit code 2.
",
    }

    KeySecretInput = "key-secret-input" in CommandLine {
        description: r"
The key id, secret or passphrase for `vetted key verify` could not be
read: standard input ended before every key had its lines, a named
environment variable is not set, a Coinbase key file is not a CDP key, or
a secret is not of its exchange's form (a Kraken secret is base64).
Secrets are never accepted as arguments. Nothing was asked or written.

```text
error[key-secret-input]: standard input ended before the secret of key `bot` (Binance)
```
",
        help: r"
pipe one line per value, in the order of the keys: the key id, the
secret, then the passphrase for OKX and KuCoin (for Coinbase the key
name and its PEM private key, or `--key-file` with the downloaded JSON);
or run on a terminal to be asked without echo; or name environment
variables with `--key-env`, `--secret-env` and `--passphrase-env`.
Exit code 2.
",
    }

    KeyUnverified = "key-unverified" in CommandLine {
        description: r"
An exchange gave no answer about a key: the network failed, the key or
its signature was refused, the request's time was outside the exchange's
receive window (the message gives the clock offset when the exchange sent
its time), the exchange is rate limiting or in maintenance. Other keys
are still verified and recorded; this one is not.

```text
error[key-unverified]: key `bot` on Binance: the exchange refused the request's timestamp (-1021: Timestamp for this request is outside of the recvWindow.); this machine's clock is 42 s behind the exchange's: set it (NTP) and try again
```
",
        help: r"
follow the advice in the message (check the pasted key, set the clock,
wait out the rate limit), then run the command again. Exit code 4.
",
    }

    UnwritableManifest = "unwritable-manifest" in CommandLine {
        description: r"
`vetted fill` or `vetted collect` could not turn the updated manifest into
YAML. This should not happen with a manifest that loaded; nothing was
written, and the file on disk is unchanged.
",
        help: "report it with the manifest attached. Exit code 2.",
    }

    FileChanged = "file-changed" in CommandLine {
        description: r"
`vetted collect` read the manifest, fetched for a while, and found the file
different when it came to write it back (someone edited it, or `vetted
fill` saved an answer, in the meantime). Nothing was written, so the other
change is kept.

```text
vendor.yaml:1:1: error[file-changed]: the manifest changed on disk while it was being updated; nothing was written
  help: run the command again on the new version
```
",
        help: "run `vetted collect` again.",
    }

}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code serializes as its name, so JSON output reads `"code": "invalid-date"`.
impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A name that is not a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a diagnostic code", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

/// The first line of the generated part of `docs/diagnostics.md`: what comes
/// before it is written by hand, what follows is [`diagnostics_markdown`].
pub const GENERATED_MARKER: &str = "<!-- Generated from src/diag/code.rs: edit the texts there, then run `UPDATE_DOCS=1 cargo test --test docs`. -->";

/// The reference part of `docs/diagnostics.md`, from [`GENERATED_MARKER`] to
/// the end: an index of the codes by stage, then each stage's section with
/// one subsection per code (its description, then `Fix:` and its help).
/// Internal: for the documentation test, not a stable interface.
#[doc(hidden)]
pub fn diagnostics_markdown() -> String {
    let mut out = format!("{GENERATED_MARKER}\n\n## Index\n\n| Stage | Codes |\n|---|---|\n");
    let list = |codes: &mut dyn Iterator<Item = Code>| {
        codes
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for stage in Stage::ALL {
        let own = list(&mut Code::ALL.iter().copied().filter(|c| c.stage() == stage));
        let also = match stage.also() {
            [] => String::new(),
            codes => format!(" (and {})", list(&mut codes.iter().copied())),
        };
        out.push_str(&format!("| {} | {own}{also} |\n", stage.label()));
    }
    for stage in Stage::ALL {
        out.push_str(&format!("\n## {}\n\n{}\n", stage.title(), stage.intro()));
        for code in Code::ALL.iter().filter(|c| c.stage() == stage) {
            // A help that opens with a block (an example to copy) goes
            // under `Fix:` rather than on its line.
            let gap = if code.help().starts_with("```") {
                "\n\n"
            } else {
                " "
            };
            out.push_str(&format!(
                "\n### `{code}`\n\n{}\n\nFix:{gap}{}\n",
                code.description(),
                code.help()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn codes_unique() {
        let mut seen = BTreeSet::new();
        for code in Code::ALL {
            assert!(
                seen.insert(code.as_str()),
                "`{code}` is used by two variants"
            );
        }
        assert_eq!(seen.len(), Code::ALL.len());
    }

    #[test]
    fn names_are_kebab_case_and_parse_back() {
        for &code in Code::ALL {
            let name = code.as_str();
            let kebab = name.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
            assert!(kebab, "`{name}` is not kebab-case");
            assert_eq!(name.parse::<Code>(), Ok(code));
            assert_eq!(code.to_string(), name);
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
        }
        assert!("no-such-code".parse::<Code>().is_err());
    }

    #[test]
    fn every_code_says_what_it_means_and_how_to_fix_it() {
        for &code in Code::ALL {
            assert!(
                !code.description().is_empty(),
                "`{code}` has no description"
            );
            assert!(!code.help().is_empty(), "`{code}` has no help");
        }
        for stage in Stage::ALL {
            assert!(!stage.intro().is_empty(), "{stage:?} has no introduction");
        }
    }

    #[test]
    fn the_reference_has_one_section_per_code() {
        let md = diagnostics_markdown();
        let index = md.split("\n## ").nth(1).unwrap();
        assert!(index.starts_with("Index\n"), "{index}");
        for &code in Code::ALL {
            let heading = format!("\n### `{code}`\n");
            assert_eq!(md.matches(&heading).count(), 1, "`{code}`");
            assert!(md.contains(code.description()), "`{code}`");
            let listed = format!("`{code}`");
            assert!(index.contains(&listed), "`{code}` is not in the index");
        }
    }
}
