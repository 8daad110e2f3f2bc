//! The command line: clap definitions (their doc comments are the `--help` text) and the
//! glue that calls the library and prints for people. Only this module and `main` print.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::export::{self, ExportFormat};
use crate::findings::Severity;
use crate::query::{QueryInput, ResultsFormat};
use crate::store::{self, LoadOptions};
use crate::vocab::BaseUrl;
use crate::{Error, ingest};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

mod push;
pub use push::PushArgs;

/// Turn historians' spreadsheets into a source-grounded RDF knowledge graph.
///
/// Exit status: 0 success, 1 bad input or query (the message says where), 2 internal or
/// I/O error.
#[derive(Debug, Parser)]
#[command(name = "histkg", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate data/ and load it into a new store generation, published atomically.
    ///
    /// Every problem in the input is reported as file:line:column; if there is any, nothing
    /// is written and the published store stays as it was.
    Build {
        /// Directory with ontology.ttl, dataset.ttl and the CSV tables.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
        /// Memory budget of the bulk loader in MB (default 1024); the data being validated
        /// comes on top of it.
        #[arg(long)]
        memory_mb: Option<usize>,
        /// Refuse the data (exit 1, nothing written) if source criticism finds anything that
        /// is not reviewed.
        #[arg(long)]
        strict: bool,
    },
    /// Validate data/ without writing anything, and criticise it: findings are printed as
    /// warnings (a report dated before its event, an actor acting after their death, ...).
    Check {
        /// Directory with ontology.ttl, dataset.ttl and the CSV tables.
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Exit 1 if source criticism finds anything that is not reviewed.
        #[arg(long)]
        strict: bool,
    },
    /// Run a SPARQL query: a .rq file, the name of a curated query in queries/, or -e TEXT.
    ///
    /// The prefixes rdf, rdfs, owl, xsd, skos, prov, dcterms, dcat, void, foaf, schema, crm,
    /// rico, geo, bibo, edtf, wd, hkg and the dataset's actor, event, place, source and
    /// assertion are pre-declared.
    Query {
        /// A .rq file or a curated query name (`histkg query reporting-chain`).
        #[arg(required_unless_present = "expression", conflicts_with = "expression")]
        query: Option<String>,
        /// The query text.
        #[arg(short = 'e', long = "expression", value_name = "TEXT")]
        expression: Option<String>,
        /// Output for SELECT and ASK (CONSTRUCT and DESCRIBE always give Turtle).
        #[arg(long, value_enum, default_value_t = ResultsFormat::Table)]
        format: ResultsFormat,
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
        /// Directory of curated queries.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        /// Print the query as standard SPARQL 1.1 for another engine (the PREFIX
        /// declarations it uses, then its text) instead of running it.
        #[arg(long)]
        standalone: bool,
    },
    /// Export the whole graph; the same data always gives byte-identical files.
    Export {
        /// Output format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// GEXF only: the events as nodes too, linked to their participants by role.
        #[arg(long)]
        events: bool,
        /// Output file (standard output when absent).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
    },
    /// Serve the published graph read-only: SPARQL endpoint, entity pages with content
    /// negotiation, VoID.
    Serve {
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Seconds a query may run before it is stopped and answered 503.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Values (rows times columns) a query's results may hold before it is stopped and
        /// answered 503; results are kept in memory until the query ends.
        #[arg(long, default_value_t = crate::serve::DEFAULT_MAX_VALUES)]
        max_values: usize,
        /// Allow cross-origin requests (Access-Control-Allow-Origin: *).
        #[arg(long)]
        cors: bool,
        /// Public URL of this server, for VoID (default: the dataset's base IRI).
        #[arg(long)]
        base_url: Option<String>,
        /// Directory of curated queries shown on the home page.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
    },
    /// Write the graph as a static site: a page and RDF documents per entity, dumps, VoID and
    /// a sample nginx configuration for content negotiation.
    Publish {
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
        /// Output directory (replaced if an earlier publish wrote it).
        #[arg(long)]
        out: PathBuf,
        /// Where the site will be served, for absolute links in VoID (default: the dataset's base IRI).
        #[arg(long)]
        base_url: Option<String>,
        /// Directory of curated queries listed on the home page.
        #[arg(long, default_value = "queries")]
        queries: PathBuf,
        /// Also write each dump gzip-compressed beside it (`graph.nt.gz`...), for a file
        /// server that sends precompressed files (nginx's `gzip_static`).
        #[arg(long)]
        gzip: bool,
    },
    /// Send the graph to another SPARQL store with the Graph Store HTTP Protocol, in batches
    /// of known length (the first a PUT with --replace, the others POSTs).
    Push(PushArgs),
    /// The sources behind one assertion or event, cited with their locators and listed in a
    /// CSL style.
    Cite {
        /// An assertion or event id (`ablai-hostage-with-galdan-tseren`), `assertion:ID`,
        /// `event:ID` or an IRI.
        claim: String,
        /// A CSL style: `chicago-author-date`, `apa`, `modern-language-association`,
        /// `chicago-notes`, `gost-r-705-2008-numeric`...
        #[arg(long, default_value = crate::cite::DEFAULT_STYLE)]
        style: String,
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
    },
    /// Show an entity's card: names, type, relations and events with dates, certainty and sources.
    Show {
        /// An id (`darma-bala`), a prefixed name (`actor:darma-bala`) or an IRI.
        entity: String,
        /// Store directory.
        #[arg(long, default_value = "store")]
        store: PathBuf,
    },
    /// List every source with how much of the graph cites it and rests on it alone; or, with
    /// `impact SOURCE`, what the loss of one source would leave without evidence.
    Sources {
        /// `impact SOURCE`, or nothing for the list.
        #[command(subcommand)]
        what: Option<SourcesCommand>,
        /// How to sort the list.
        #[arg(long, value_enum, default_value = "alone")]
        sort: crate::sources::SortBy,
        /// Store directory.
        #[arg(long, default_value = "store", global = true)]
        store: PathBuf,
    },
}

/// What `histkg sources` can do besides listing.
#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// What rests on SOURCE alone (left without evidence without it), which actors and places
    /// would lose all their sources, and what would lose a corroboration.
    Impact {
        /// A source id (`moca-124`), `source:ID` or an IRI.
        source: String,
    },
}

/// Prints what the library says through `log` on standard error, one message a line: the
/// server's "serving on" and "now serving", a build paused for the crash tests.
struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let _ = writeln!(std::io::stderr().lock(), "{}", record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: Stderr = Stderr;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    // Fails only when a logger is already set (a second `run` in one process): keep it.
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    match cli.command {
        Command::Build {
            data,
            store,
            memory_mb,
            strict,
        } => build(&data, &store, memory_mb, strict),
        Command::Check { data, strict } => {
            let checked = check(&data, strict)?;
            println!(
                "{}: {} rows valid, nothing written",
                data.display(),
                checked.rows
            );
            Ok(())
        }
        Command::Query {
            query,
            expression,
            format,
            store,
            queries,
            standalone,
        } => {
            let input = match (expression, query) {
                (Some(text), _) => QueryInput::Text(text),
                (None, Some(arg)) => QueryInput::from_arg(&arg),
                (None, None) => unreachable!("clap requires one of them"),
            };
            let (origin, text) = input.read(&queries)?;
            let store = store::open(&store)?;
            if standalone {
                let prefixes = crate::query::prefixes(&store)?;
                print!("{}", crate::query::standalone(&prefixes, &text));
                return Ok(());
            }
            // Buffered: standard output is line-buffered, one write per result row otherwise.
            let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            Ok(crate::query::run(&store, &origin, &text, format, out)?)
        }
        Command::Export {
            format,
            events,
            output,
            store,
        } => export(format, events, output.as_deref(), &store),
        Command::Serve {
            store,
            bind,
            timeout,
            max_values,
            cors,
            base_url,
            queries,
        } => {
            if !(timeout > 0.0 && timeout.is_finite()) {
                return Err(Error::user("--timeout must be a positive number of seconds").into());
            }
            let options = crate::serve::Options {
                timeout: Duration::from_secs_f64(timeout),
                max_values,
                cors,
                base_url: base_url.as_deref().map(parse_base_url).transpose()?,
            };
            let live = crate::serve::Live::open(&store, &queries, options)?;
            Ok(crate::serve::run(live, bind)?)
        }
        Command::Publish {
            store,
            out,
            base_url,
            queries,
            gzip,
        } => {
            let base_url = base_url.as_deref().map(parse_base_url).transpose()?;
            let site = crate::site::Site::open(store::open(&store)?, &queries)?;
            let site_url = base_url.unwrap_or_else(|| BaseUrl::of(site.iris()));
            let published = crate::publish::publish(&site, &out, &site_url, gzip)?;
            println!(
                "wrote {} files for {} entities to {}",
                published.files,
                published.entities,
                out.display()
            );
            Ok(())
        }
        Command::Push(args) => push::push(args),
        Command::Sources { what, sort, store } => sources(what, sort, &store),
        Command::Cite {
            claim,
            style,
            store,
        } => {
            let store = store::open(&store)?;
            let out = std::io::stdout().lock();
            Ok(crate::cite::cite(&store, &claim, &style, out)?)
        }
        Command::Show { entity, store } => {
            let store = store::open(&store)?;
            Ok(crate::show::show(
                &store,
                &entity,
                std::io::stdout().lock(),
            )?)
        }
    }
}

/// `histkg sources`, with or without `impact SOURCE`.
fn sources(
    what: Option<SourcesCommand>,
    sort: crate::sources::SortBy,
    store: &std::path::Path,
) -> Result<()> {
    let store = store::open(store)?;
    let prefixes = crate::query::prefixes(&store)?;
    let mut out = std::io::stdout().lock();
    match what {
        None => Ok(crate::sources::print::list(
            &store, &prefixes, sort, &mut out,
        )?),
        Some(SourcesCommand::Impact { source }) => Ok(crate::sources::print::impact(
            &store, &prefixes, &source, &mut out,
        )?),
    }
}

/// Streams the graph to `output` (standard output when `None`).
fn export(
    format: ExportFormat,
    events: bool,
    output: Option<&std::path::Path>,
    store: &std::path::Path,
) -> Result<()> {
    let rdf = format.rdf();
    if events && format != ExportFormat::Gexf {
        return Err(Error::user(
            "--events is for --format gexf (the other exports have no network to add them to)",
        )
        .into());
    }
    let store = store::open(store)?;
    let Some(format) = rdf else {
        let write = |w: &mut dyn std::io::Write| match format {
            ExportFormat::Csl => export::citations::write_csl(&store, w),
            ExportFormat::Bibtex => export::citations::write_bibtex(&store, w),
            ExportFormat::Lpf => export::lpf::write(&store, w),
            _ => export::gexf::write(&store, events, w),
        };
        return match output {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                write(&mut std::io::BufWriter::with_capacity(1 << 20, file))
                    .with_context(|| format!("cannot write {}", path.display()))
            }
            None => Ok(write(&mut std::io::BufWriter::with_capacity(
                1 << 20,
                std::io::stdout().lock(),
            ))?),
        };
    };
    let prefixes = crate::query::prefixes(&store)?;
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            // Temporary files next to the output: same disk, no surprise in /tmp.
            let spill = path.parent().filter(|p| !p.as_os_str().is_empty());
            export::dump(
                &store,
                format,
                &prefixes,
                std::io::BufWriter::with_capacity(1 << 20, file),
                Some(spill.unwrap_or(std::path::Path::new("."))),
            )
            .with_context(|| format!("cannot write {}", path.display()))
        }
        None => Ok(export::dump(
            &store,
            format,
            &prefixes,
            std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
            None,
        )?),
    }
}

/// `--base-url`, parsed once: a user error naming the flag when it is not an http(s) URL.
fn parse_base_url(text: &str) -> Result<BaseUrl> {
    BaseUrl::parse(text).map_err(|e| Error::user(format!("--base-url: {e}")).into())
}

fn build(
    data: &std::path::Path,
    store_dir: &std::path::Path,
    memory_mb: Option<usize>,
    strict: bool,
) -> Result<()> {
    // SIGINT and SIGTERM cancel the build before it publishes; a second signal exits at once,
    // which is as safe as a crash.
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in signal_hook::consts::TERM_SIGNALS {
        signal_hook::flag::register_conditional_shutdown(*signal, 130, cancel.clone())
            .and_then(|_| signal_hook::flag::register(*signal, cancel.clone()))
            .context("cannot install the signal handlers")?;
    }
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} loading {msg} triples ({elapsed})")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };
    let (reporter, bar) = (progress.clone(), progress.clone());
    // The checks end while the load goes on: their problems or findings are printed then,
    // and refuse the build before anything is published.
    let built = crate::build::check_and_load(
        data,
        store_dir,
        &LoadOptions {
            memory_mb,
            cancel: Some(cancel),
        },
        || store::lock(store_dir).map_err(|e| store::explain_write_error(e, store_dir)),
        move |verdict| {
            bar.suspend(|| match verdict {
                Err(invalid) => Err(report_problems(data, invalid)),
                Ok(checked) => report_findings(data, checked, strict),
            })
        },
        move |n| reporter.set_message(n.to_string()),
    )
    .map_err(|e| store::explain_write_error(e, store_dir))?;
    progress.finish_and_clear();
    let mut out = std::io::stdout().lock();
    writeln!(out, "built {} from {}", built.dir.display(), data.display())?;
    writeln!(out, "{}", built.summary)?;
    Ok(())
}

/// Loads and validates the data, printing every problem (one `file:line:column: message` per
/// line) before failing, then every finding; with `strict`, a finding refuses the data.
fn check(data: &std::path::Path, strict: bool) -> Result<ingest::Checked> {
    let checked = ingest::check(data).map_err(|invalid| report_problems(data, &invalid))?;
    report_findings(data, &checked, strict)?;
    Ok(checked)
}

/// Prints every finding of a checked dataset and their summary; with `strict`, one not
/// settled by a review refuses the data.
fn report_findings(
    data: &std::path::Path,
    checked: &ingest::Checked,
    strict: bool,
) -> crate::Result<()> {
    if checked.finding_count() == 0 {
        return Ok(());
    }
    // Buffered: a finding is written in several pieces, and standard error is not.
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    let (mut warnings, mut notes, mut reviewed, mut blocking) = (0, 0, 0, 0);
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for f in checked.findings() {
        writeln!(err, "{f}")?;
        match f.kind.severity() {
            Severity::Warning => warnings += 1,
            Severity::Note => notes += 1,
        }
        reviewed += usize::from(f.review.is_some());
        blocking += usize::from(f.blocks());
        let group = f.kind.name().split('/').next().unwrap_or_default();
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, n)) => *n += 1,
            None => groups.push((group, 1)),
        }
    }
    groups.sort();
    let groups: Vec<String> = groups.iter().map(|(g, n)| format!("{g} {n}")).collect();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let notes = match notes {
        0 => String::new(),
        n => format!(" and {n} note{}", plural(n)),
    };
    let reviewed = match reviewed {
        0 => String::new(),
        n => format!(", {n} reviewed"),
    };
    writeln!(
        err,
        "{warnings} finding{}{notes} in {} ({}{reviewed}): doubts for a historian to look at (README, \"Source criticism\")",
        plural(warnings),
        data.display(),
        groups.join(", ")
    )?;
    err.flush()?;
    if strict && blocking > 0 {
        return Err(Error::user(format!(
            "--strict: {blocking} finding{} in {} not settled by a review; fix the rows or review each finding in reviews.csv; nothing was written",
            plural(blocking),
            data.display()
        )));
    }
    Ok(())
}

/// Prints every problem of a refused dataset; the error says how many.
fn report_problems(data: &std::path::Path, invalid: &crate::diagnostics::InvalidData) -> Error {
    let mut err = std::io::stderr().lock();
    for d in &invalid.0 {
        let _ = writeln!(err, "{d}");
    }
    let n = invalid.0.len();
    Error::user(format!(
        "{n} problem{} in {}; nothing was written",
        if n == 1 { "" } else { "s" },
        data.display()
    ))
}

/// `histkg push`: sends the store's graph to `target`, says what went, and with `verify`
/// reads it back.
#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
