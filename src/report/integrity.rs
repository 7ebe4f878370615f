//! What a report was made from, as SHA-256 digests: the manifest's bytes,
//! each checklist it uses, the policy and any overridden template, with
//! the build of `vetted` and the as-of date. Output is deterministic, so
//! the same inputs make the same report byte for byte: `vetted
//! verify-report` recomputes a filed JSON report from the inputs it finds
//! and names any input whose digest changed ([`Integrity::changes`]).

use serde::{Deserialize, Serialize};

use crate::checklist::Catalog;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Pos};
use crate::rules::Policy;

/// The digest algorithm, as the report names it.
pub const ALGORITHM: &str = "sha-256";

/// One input of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// What it is to the report: the checklist's or template's id, the
    /// policy's id, `manifest`.
    pub id: String,
    /// The file it was read from, as given (`<bundled>/...` for one built
    /// into `vetted`).
    pub file: String,
    /// SHA-256 of its bytes, in lowercase hex (what `sha256sum` prints).
    pub sha256: String,
}

impl Input {
    /// The input `id` read from `file` as `bytes`.
    pub fn new(id: &str, file: &str, bytes: &[u8]) -> Input {
        Input {
            id: id.to_string(),
            file: file.to_string(),
            sha256: sha256(bytes),
        }
    }
}

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The inputs of a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrity {
    /// Always [`ALGORITHM`].
    pub algorithm: String,
    /// The version of `vetted` that wrote the report.
    pub tool_version: String,
    /// The date the report was evaluated as of.
    pub as_of: Date,
    /// The manifest.
    pub manifest: Input,
    /// The checklists the manifest uses, in its order.
    pub checklists: Vec<Input>,
    /// The policy.
    pub policy: Input,
    /// Templates that replaced bundled ones (`--templates DIR`), by name.
    pub templates: Vec<Input>,
}

impl Integrity {
    /// The inputs of a report on `manifest` (the manifest's own
    /// [`Input`]), using `checklists` of `catalog` and `policy`, as of
    /// `as_of`, with no template overridden.
    pub fn new(
        manifest: Input,
        checklists: &[String],
        catalog: &Catalog,
        policy: &Policy,
        as_of: Date,
    ) -> Integrity {
        Integrity {
            algorithm: ALGORITHM.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            as_of,
            manifest,
            checklists: checklists
                .iter()
                .filter_map(|id| catalog.get(id))
                .map(|l| l.source.clone())
                .collect(),
            policy: policy.source.clone(),
            templates: Vec::new(),
        }
    }

    /// Names each input the file `recorded` names for the same input (by
    /// id) with the same digest: the same bytes found elsewhere (the
    /// bundled policy for a copy of it, a manifest given by another path)
    /// are the same input.
    fn adopt_files(&mut self, recorded: &Integrity) {
        let same = |now: &mut Input, was: &Input| {
            if now.id == was.id && now.sha256 == was.sha256 {
                now.file.clone_from(&was.file);
            }
        };
        same(&mut self.manifest, &recorded.manifest);
        same(&mut self.policy, &recorded.policy);
        for (now, was) in [
            (&mut self.checklists, &recorded.checklists),
            (&mut self.templates, &recorded.templates),
        ] {
            for input in now.iter_mut() {
                if let Some(r) = was.iter().find(|r| r.id == input.id) {
                    same(input, r);
                }
            }
        }
    }

    /// The inputs of `self` (as recorded) whose digest differs in `now`,
    /// or that only one of them has, each named (`checklist baseline
    /// (checklists/baseline.yaml)`), in order: manifest, checklists,
    /// policy, templates.
    pub fn changes(&self, now: &Integrity) -> Vec<String> {
        let name = |kind: &str, i: &Input| match kind {
            "manifest" => format!("manifest {}", i.file),
            _ => format!("{kind} {} ({})", i.id, i.file),
        };
        let mut out = Vec::new();
        let mut one = |kind: &str, was: Option<&Input>, is: Option<&Input>| match (was, is) {
            (Some(a), Some(b)) if a.sha256 == b.sha256 => {}
            (Some(a), Some(_)) => out.push(format!("{} changed", name(kind, a))),
            (Some(a), None) => out.push(format!("{} is not available now", name(kind, a))),
            (None, Some(b)) => out.push(format!("{} was not used", name(kind, b))),
            (None, None) => {}
        };
        one("manifest", Some(&self.manifest), Some(&now.manifest));
        let lists = [
            ("checklist", &self.checklists, &now.checklists),
            ("template", &self.templates, &now.templates),
        ];
        for (i, (kind, was, is)) in lists.into_iter().enumerate() {
            if i == 1 {
                one("policy", Some(&self.policy), Some(&now.policy));
            }
            let mut ids: Vec<&str> = was.iter().chain(is).map(|x| x.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let find = |list: &Vec<Input>| list.iter().find(|x| x.id == id).cloned();
                one(kind, find(was).as_ref(), find(is).as_ref());
            }
        }
        out
    }
}

/// The integrity block of the JSON report `bytes` (read from `file`), or
/// why it has none this build can check.
pub fn recorded(file: &str, bytes: &[u8]) -> Result<Integrity, Diagnostic> {
    let help = "give the JSON report: vetted assess FILE --format json -o report.json";
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let pos = Pos {
            line: u32::try_from(e.line()).unwrap_or(0),
            col: u32::try_from(e.column()).unwrap_or(0),
        };
        Diagnostic::error(
            Code::ReportNotJson,
            file,
            pos,
            format!("this is not JSON ({e})"),
        )
        .with_help(help)
    })?;
    if value.pointer("/tool/name").and_then(|v| v.as_str()) != Some("vetted") {
        return Err(Diagnostic::error(
            Code::ReportNotJson,
            file,
            Pos::START,
            "this JSON is not a report of vetted (no `tool.name: vetted`)",
        )
        .with_help(help));
    }
    let unverifiable = |message: String| {
        Diagnostic::error(Code::ReportUnverifiable, file, Pos::START, message).with_help(
            "verify it with the version of vetted that wrote it, or assess the manifest again",
        )
    };
    let version = value.get("format_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(super::FORMAT_VERSION)) {
        let was = version.map_or("of no known format".to_string(), |v| format!("format {v}"));
        return Err(unverifiable(format!(
            "the report is {was}; this vetted writes format {}",
            super::FORMAT_VERSION
        )));
    }
    let block = value.get("integrity").cloned().unwrap_or_default();
    serde_json::from_value(block).map_err(|e| {
        unverifiable(format!(
            "the report's integrity block is missing or malformed ({e})"
        ))
    })
}

/// A filed report checked against the inputs found now.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The inputs as the report records them.
    pub recorded: Integrity,
    /// The same inputs as found now.
    pub now: Integrity,
    /// Whether the report is byte for byte what the inputs make now.
    pub matches: bool,
    /// Why the manifest found now could not be assessed (then it does not
    /// match).
    pub problems: Vec<Diagnostic>,
}

impl Verification {
    /// The inputs whose digest changed ([`Integrity::changes`]).
    pub fn changes(&self) -> Vec<String> {
        self.recorded.changes(&self.now)
    }
}

/// Checks the JSON report `report` (read from `file`) against `manifest`
/// (the bytes found now), `catalog`, `policy` and the templates
/// `overridden`: recomputes the report as of its recorded date, with the
/// manifest under its recorded name, and compares the bytes.
pub fn verify(
    file: &str,
    report: &[u8],
    manifest: Vec<u8>,
    catalog: &Catalog,
    policy: &Policy,
    overridden: &[Input],
) -> Result<Verification, Diagnostic> {
    let recorded = recorded(file, report)?;
    let name = recorded.manifest.file.clone();
    let ids: Vec<String> = recorded.checklists.iter().map(|c| c.id.clone()).collect();
    let mut now = Integrity::new(
        Input::new("manifest", &name, &manifest),
        &ids,
        catalog,
        policy,
        recorded.as_of,
    );
    now.templates = overridden.to_vec();
    now.adopt_files(&recorded);
    let (matches, problems) = match crate::assess(&name, manifest, catalog, policy, recorded.as_of)
    {
        Ok((mut again, _)) => {
            again.integrity = now.clone();
            (again.to_json().as_bytes() == report, Vec::new())
        }
        Err(crate::Error::Invalid(d)) => (false, d),
        Err(e) => (
            false,
            vec![Diagnostic::error(
                Code::Io,
                &name,
                Pos::START,
                e.to_string(),
            )],
        ),
    };
    Ok(Verification {
        recorded,
        now,
        matches,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_digest() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn changes_name_each_input_that_differs() {
        let catalog = Catalog::bundled().unwrap();
        let policy = Policy::default_policy();
        let as_of = "2026-11-27".parse().unwrap();
        let ids = ["baseline".to_string(), "exchange-keys".to_string()];
        let was = Integrity::new(
            Input::new("manifest", "m.yaml", b"a"),
            &ids,
            &catalog,
            &policy,
            as_of,
        );
        assert!(was.changes(&was).is_empty());
        let mut now = was.clone();
        now.manifest = Input::new("manifest", "m.yaml", b"b");
        now.checklists[1].sha256 = sha256(b"edited");
        now.templates
            .push(Input::new("report.md.j2", "report.md.j2", b"x"));
        assert_eq!(
            was.changes(&now),
            [
                "manifest m.yaml changed",
                "checklist exchange-keys (<bundled>/checklists/exchange-keys.yaml) changed",
                "template report.md.j2 (report.md.j2) was not used",
            ]
        );
        now.checklists.pop();
        now.policy.sha256 = sha256(b"p");
        assert_eq!(
            was.changes(&now)[1..3],
            [
                "checklist exchange-keys (<bundled>/checklists/exchange-keys.yaml) is not available now",
                "policy default (<bundled>/policy/default.yaml) changed",
            ]
        );
    }
}
