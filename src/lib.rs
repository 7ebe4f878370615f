//! `vetted`: decide whether a third party may have access, and on what terms.
//!
//! The pipeline: [`checklist`]s and a [`manifest`] are loaded and validated
//! (every problem a [`diag::Diagnostic`] with `file:line:col`), [`evaluate`]d
//! under a [`rules::Policy`] into an [`evaluate::Assessment`], and rendered by
//! [`report`]. The library never prints and never exits; the `vetted` binary
//! does that.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cache;
pub mod checklist;
pub mod codec;
pub mod date;
pub mod diag;
pub mod document;
pub mod evaluate;
pub mod fsutil;
pub mod key;
pub mod level;
pub mod manifest;
pub mod questionnaire;
pub mod report;
pub mod rules;
pub mod schema;
pub mod visible;
pub mod yaml;

use std::path::{Path, PathBuf};

/// What can go wrong in a library call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid; every problem found is listed.
    #[error("{} problem(s) in the input", .0.len())]
    Invalid(Vec<diag::Diagnostic>),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A template failed.
    #[error(transparent)]
    Render(#[from] report::RenderError),
    /// The request cannot be carried out as asked (a format the command
    /// does not write, say); nothing in any file is wrong.
    #[error("{message}")]
    Usage {
        /// Its code.
        code: diag::Code,
        /// What is wrong.
        message: String,
        /// How to ask instead.
        help: String,
    },
}

impl From<Vec<diag::Diagnostic>> for Error {
    fn from(d: Vec<diag::Diagnostic>) -> Self {
        Error::Invalid(d)
    }
}

/// The most any one input may hold: the YAML limit, which every file
/// `vetted` reads (manifests, checklists, the policy, templates, answers,
/// certificates) is far below.
pub const MAX_INPUT_BYTES: usize = yaml::Limits::DEFAULT_MAX_BYTES;

/// Reads a file (or a pipe or device named as one), at most
/// [`MAX_INPUT_BYTES`], naming it in the error; more is refused with
/// `input-too-large` without reading it all.
pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fsutil::read_file(path, MAX_INPUT_BYTES)
        .map_err(|e| read_error(&path.display().to_string(), path, e))
}

/// Reads a stream (stdin) to its end, at most [`MAX_INPUT_BYTES`]; `name`
/// is what diagnostics call it (`<stdin>`), `path` what I/O errors do.
pub fn read_stream(name: &str, path: &Path, reader: impl std::io::Read) -> Result<Vec<u8>, Error> {
    fsutil::read_limited(reader, MAX_INPUT_BYTES, 0).map_err(|e| read_error(name, path, e))
}

/// A failed bounded read as a library error: a size or kind problem is a
/// diagnostic about the input (exit 2), anything else an I/O error.
fn read_error(file: &str, path: &Path, e: fsutil::ReadError) -> Error {
    match read_diagnostic(file, e) {
        Ok(d) => Error::Invalid(vec![d]),
        Err(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// The diagnostic for a failed bounded read of `file`, or the I/O error
/// when it is not about the input itself.
pub(crate) fn read_diagnostic(
    file: &str,
    e: fsutil::ReadError,
) -> Result<diag::Diagnostic, std::io::Error> {
    match e {
        fsutil::ReadError::Io(e) => Err(e),
        fsutil::ReadError::TooLarge(size) => {
            Ok(yaml::too_large(file, size, &yaml::Limits::default()))
        }
        fsutil::ReadError::NotRegular(kind) => Ok(diag::Diagnostic::error(
            diag::Code::NotARegularFile,
            file,
            diag::Pos::START,
            format!("this is {kind}, not a regular file, and was not opened"),
        )
        .with_help("keep only manifests under the folder, or rename this entry so that it does not end in .yaml or .yml")),
    }
}

/// Loads the bundled checklists plus every `*.yaml`/`*.yml` in `dir`.
pub fn load_catalog(dir: Option<&Path>) -> Result<checklist::Catalog, Error> {
    let mut extra = Vec::new();
    if let Some(dir) = dir {
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            extra.push(checklist::Source {
                file: path.display().to_string(),
                bytes: read(&path)?,
            });
        }
    }
    Ok(checklist::Catalog::with_extra(extra)?)
}

/// Loads a policy file, or the embedded default.
pub fn load_policy(path: Option<&Path>) -> Result<rules::Policy, Error> {
    match path {
        None => Ok(rules::Policy::default_policy()),
        Some(p) => Ok(rules::Policy::load(&p.display().to_string(), read(p)?)?),
    }
}

/// Reads the templates of `dir` that override embedded ones.
pub fn load_templates(dir: Option<&Path>) -> Result<report::Renderer, Error> {
    let mut overrides = std::collections::BTreeMap::new();
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        for (name, path) in report::override_paths(dir) {
            let text = String::from_utf8_lossy(&read(&path)?).into_owned();
            overrides.insert(name, text);
        }
    }
    Ok(report::Renderer::new(overrides))
}

/// Loads, validates and evaluates one manifest, and builds its report.
pub fn assess(
    file: &str,
    bytes: Vec<u8>,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
) -> Result<(report::Report, Vec<diag::Diagnostic>), Error> {
    let source = report::integrity::Input::new("manifest", file, &bytes);
    let (loaded, assessment) = evaluate_loaded(file, bytes, catalog, policy, as_of)?;
    let mut report = report::Report::build(&loaded.manifest, source, catalog, policy, &assessment);
    report.advice = Some(evaluate::advise(
        &loaded.manifest,
        catalog,
        policy,
        as_of,
        &assessment,
    ));
    Ok((report, loaded.warnings))
}
pub mod compare;
pub mod diff;
pub mod portfolio;

/// Loads, validates and evaluates one manifest.
pub fn evaluate_file(
    file: &str,
    bytes: Vec<u8>,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
) -> Result<(manifest::Manifest, evaluate::Assessment), Vec<diag::Diagnostic>> {
    evaluate_loaded(file, bytes, catalog, policy, as_of).map(|(l, a)| (l.manifest, a))
}

/// Loads, validates and evaluates one manifest, keeping its source (for
/// positions, as SARIF needs them) and its warnings.
pub fn evaluate_loaded(
    file: &str,
    bytes: Vec<u8>,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
) -> Result<(manifest::Loaded, evaluate::Assessment), Vec<diag::Diagnostic>> {
    let loaded = manifest::load(file, bytes, catalog)?;
    manifest::check_currency(&loaded, policy).map_err(|d| vec![d])?;
    let assessment = evaluate::evaluate(&loaded.manifest, catalog, policy, as_of)?;
    Ok((loaded, assessment))
}

/// The findings of every manifest under `dir` as one SARIF log (`vetted
/// portfolio --format sarif`), in the order the register lists them; a
/// manifest that cannot be assessed gives its diagnostics as results.
pub fn portfolio_sarif(
    dir: &Path,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
) -> Result<report::sarif::Log, Error> {
    let mut files = portfolio::manifest_files(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    // In the order the register lists them.
    portfolio::sort_by_name(&mut files);
    let mut log = report::sarif::LogBuilder::default();
    for path in &files {
        let file = path.display().to_string();
        let loaded = read_manifest_file(path, &file)
            .map_err(|d| vec![d])
            .and_then(|bytes| evaluate_loaded(&file, bytes, catalog, policy, as_of));
        match loaded {
            Ok((loaded, a)) => log.add(&loaded.doc, catalog, &a),
            Err(diagnostics) => log.add_invalid(&diagnostics),
        }
    }
    Ok(log.finish())
}

/// A manifest file of a portfolio, read only if it is a regular file (a
/// FIFO or a link to `/dev/zero` in the folder must not hang or fill
/// memory) and within the input limit.
fn read_manifest_file(path: &Path, file: &str) -> Result<Vec<u8>, diag::Diagnostic> {
    fsutil::read_regular_file(path, MAX_INPUT_BYTES).map_err(|e| {
        read_diagnostic(file, e).unwrap_or_else(|e| {
            diag::Diagnostic::error(crate::diag::Code::Io, file, diag::Pos::START, e.to_string())
        })
    })
}

/// Assesses every manifest under `dir` (recursively) on as many threads as
/// the machine has. A manifest that fails is listed with its diagnostics and
/// never stops the others. Memory does not grow with the number of
/// manifests: each one's result goes into the portfolio's lists as soon as
/// the ones before it are in ([`portfolio::Builder`]).
pub fn load_portfolio(
    dir: &Path,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
) -> Result<portfolio::Portfolio, Error> {
    load_portfolio_cached(dir, catalog, policy, as_of, None).map(|(p, _)| p)
}

/// [`load_portfolio`], reusing what `cache` holds for manifests it has
/// seen (same bytes, name, checklists, policy, date and build) and storing
/// what it computes; with what the cache did.
pub fn load_portfolio_cached(
    dir: &Path,
    catalog: &checklist::Catalog,
    policy: &rules::Policy,
    as_of: date::Date,
    cache: Option<&cache::Cache>,
) -> Result<(portfolio::Portfolio, cache::Stats), Error> {
    let mut files = portfolio::manifest_files(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    // The register lists manifests by name as shown, which is not always
    // the order of paths (`a/b` comes after `a-c`): assess them in that
    // order, so that each result can be written as it comes.
    portfolio::sort_by_name(&mut files);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16);
    let scope = cache.map(|c| (c, portfolio::cache_scope(c, catalog, policy, as_of)));
    let counts = portfolio::CacheCounts::default();
    let assess = |path: &PathBuf| -> portfolio::Outcome {
        let file = path.display().to_string();
        let bytes = read_manifest_file(path, &file).map_err(|d| portfolio::Invalid {
            file: file.clone(),
            diagnostics: vec![d],
        })?;
        let evaluate = |bytes: Vec<u8>| {
            evaluate_file(&file, bytes, catalog, policy, as_of)
                .map(|(m, a)| portfolio::summarise(&file, &m, &a, policy, as_of))
                .map_err(|diagnostics| portfolio::Invalid {
                    file: file.clone(),
                    diagnostics,
                })
        };
        match &scope {
            Some((cache, scope)) => {
                portfolio::cached(cache, scope, &file, bytes, &counts, evaluate)
            }
            None => evaluate(bytes),
        }
    };
    let spill_error = |source| Error::Io {
        path: std::env::temp_dir(),
        source,
    };
    let mut builder = portfolio::Builder::new(as_of);
    portfolio::in_order(&files, threads, assess, |outcome| builder.push(outcome))
        .map_err(spill_error)?;
    let built = builder.finish().map_err(spill_error)?;
    Ok((built, counts.get()))
}
pub mod evidence;
pub mod fill;
