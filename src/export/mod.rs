//! Exports of the published graph in the standard RDF formats, deterministic: the same
//! data gives byte-identical files.
//!
//! Order: subjects sorted by their N-Triples form; within a subject, `rdf:type` first, then
//! predicate, then object (N-Triples and N-Quads: lines sorted, so the whole file is sorted).
//! Turtle and TriG use our own pretty writer ([`turtle`]); RDF/XML and JSON-LD go through
//! Oxigraph's serializers (JSON-LD via `oxjsonld`, which writes a `@context` from the
//! prefixes).
//!
//! [`dump`] streams a whole store without holding the graph in memory. Decoding a triple
//! costs Oxigraph up to three RocksDB lookups (one per IRI or long literal), which is most of
//! an export's time, so worker threads read and format subjects in parallel while the
//! calling thread writes them in order. Turtle declares only the prefixes it uses, which are
//! known at the end: its body is written to a temporary file and copied after the `@prefix`
//! lines. JSON-LD and RDF/XML are serialized on the calling thread as the subjects arrive,
//! with every prefix of the dataset declared (`@context`, `xmlns:`): finding the used ones
//! first would cost a second pass over the store. (`oxjsonld` writes full IRIs, so its
//! `@context` names the prefixes without abbreviating anything.)

pub mod citations;
mod format;
pub mod gexf;
pub mod lpf;
pub mod turtle;

pub use format::{ExportFormat, Format, RESULTS_FORMATS, results_iri, results_media_type};

use crate::error::{Context, Result};
use crate::vocab::rdfs;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufWriter, Seek, Write};
use std::path::Path;
use std::sync::mpsc;

/// One subject's values, by predicate (as `<iri>`).
pub(crate) struct Values(BTreeMap<String, Vec<Term>>);

impl Values {
    /// The triples of `iri` in `store`, by predicate.
    pub(crate) fn read(store: &Store, iri: NamedNodeRef<'_>) -> Result<Self> {
        let triples = store
            .quads_for_pattern(Some(iri.into()), None, None, None)
            .map(|q| q.map(Triple::from))
            .collect::<Result<Vec<_>, _>>()
            .context("cannot read the store")?;
        Ok(Self::of(&triples))
    }

    pub(crate) fn of(triples: &[Triple]) -> Self {
        let mut values: BTreeMap<String, Vec<Term>> = BTreeMap::new();
        for t in triples {
            values
                .entry(t.predicate.to_string())
                .or_default()
                .push(t.object.clone());
        }
        Self(values)
    }

    pub(crate) fn all(&self, predicate: NamedNodeRef<'_>) -> &[Term] {
        self.0
            .get(&predicate.to_string())
            .map_or(&[][..], Vec::as_slice)
    }

    /// The lexical form of the first literal.
    pub(crate) fn literal(&self, predicate: NamedNodeRef<'_>) -> Option<&str> {
        self.all(predicate).iter().find_map(|t| match t {
            Term::Literal(l) => Some(l.value()),
            _ => None,
        })
    }

    /// The label in `lang`.
    pub(crate) fn label(&self, lang: &str) -> Option<&str> {
        self.all(rdfs::LABEL).iter().find_map(|t| match t {
            Term::Literal(l) if l.language() == Some(lang) => Some(l.value()),
            _ => None,
        })
    }

    /// The first IRI.
    pub(crate) fn iri(&self, predicate: NamedNodeRef<'_>) -> Option<&str> {
        self.all(predicate).iter().find_map(|t| match t {
            Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        })
    }
}

/// Subjects per unit of work handed to a worker thread.
const CHUNK: usize = 256;

/// The subjects of the default graph, in export order.
fn sorted_subjects(store: &Store) -> Result<Vec<NamedOrBlankNode>> {
    let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
        .parse_query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
        .context("cannot parse the query listing the subjects")?
        .on_store(store)
        .execute()
        .context("cannot list the subjects")?
    else {
        unreachable!("a SELECT query gives solutions");
    };
    let mut subjects = Vec::new();
    for solution in solutions {
        match solution.context("cannot list the subjects")?.get("s") {
            Some(Term::NamedNode(n)) => subjects.push(NamedOrBlankNode::from(n.clone())),
            Some(Term::BlankNode(b)) => subjects.push(NamedOrBlankNode::from(b.clone())),
            _ => {}
        }
    }
    subjects.sort_by_cached_key(|s| s.to_string());
    Ok(subjects)
}

/// Reads the store subject by subject in export order and hands each subject's triples
/// (sorted by [`turtle::sort_subject`]) to `prepare` on a worker thread, then the result to
/// `consume` on this thread, in order. Worker `k` of `n` takes chunks `k`, `k + n`, ... and
/// is at most two chunks ahead, so memory stays bounded whatever the store's size.
fn for_each_subject<T: Send>(
    store: &Store,
    prepare: impl Fn(Vec<Triple>) -> T + Sync,
    consume: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    for_each_of(store, &sorted_subjects(store)?, prepare, consume)
}

/// [`for_each_subject`] over the given `subjects` only, in their order.
fn for_each_of<T: Send>(
    store: &Store,
    subjects: &[NamedOrBlankNode],
    prepare: impl Fn(Vec<Triple>) -> T + Sync,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    let chunks: Vec<&[NamedOrBlankNode]> = subjects.chunks(CHUNK).collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(chunks.len().max(1));
    let read = |subject: &NamedOrBlankNode| -> Result<T> {
        let mut triples = store
            .quads_for_pattern(
                Some(subject.as_ref()),
                None,
                None,
                Some(GraphNameRef::DefaultGraph),
            )
            .map(|q| q.map(Triple::from))
            .collect::<Result<Vec<_>, _>>()
            .context("cannot read the store")?;
        turtle::sort_subject(&mut triples);
        triples.dedup();
        Ok(prepare(triples))
    };
    std::thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(workers);
        for k in 0..workers {
            let (sender, receiver) = mpsc::sync_channel::<Result<Vec<T>>>(2);
            receivers.push(receiver);
            let chunks = &chunks;
            let read = &read;
            scope.spawn(move || {
                for chunk in chunks.iter().skip(k).step_by(workers) {
                    let done = chunk.iter().map(read).collect::<Result<Vec<T>>>();
                    // The receiver is gone when the writer failed: stop quietly.
                    if sender.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        for i in 0..chunks.len() {
            let done = receivers[i % workers]
                .recv()
                .context("an export worker stopped")??;
            for item in done {
                consume(item)?;
            }
        }
        Ok(())
    })
}

/// One subject's triples as sorted N-Triples lines.
fn ntriples_lines(triples: &[Triple]) -> Vec<u8> {
    let mut lines: Vec<String> = triples.iter().map(|t| format!("{t} .\n")).collect();
    lines.sort_unstable();
    lines.concat().into_bytes()
}

/// One subject made ready on a worker thread for every output of a [`dump_each`].
struct Prepared<'a> {
    /// The triples, for the RDF/XML and JSON-LD serializers.
    triples: Option<Vec<Triple>>,
    /// Sorted N-Triples lines (N-Triples and N-Quads).
    lines: Option<Vec<u8>>,
    /// The Turtle block (Turtle and TriG) and the prefixes it uses.
    turtle: Option<(Vec<u8>, BTreeSet<&'a str>)>,
}

/// Streams the whole store (default graph) in `format` to `w`. Temporary files, when the
/// format needs them, go to `spill_dir` (the system's temporary directory when `None`).
pub fn dump(
    store: &Store,
    format: Format,
    prefixes: &[(String, String)],
    w: impl Write,
    spill_dir: Option<&Path>,
) -> Result<()> {
    dump_each(store, prefixes, &mut [(format, w)], spill_dir)
}

/// Streams the whole store to every `(format, writer)` of `outputs`, reading the store once:
/// each writer gets what [`dump`] would write to it. `publish` writes its six dumps so, in
/// the time and memory of one.
///
/// N-Triples, N-Quads and JSON-LD/RDF-XML are written as the subjects arrive. Turtle and TriG
/// declare only the prefixes they use, known at the end: their body (one for both) is
/// written to a temporary file in `spill_dir` and copied after the `@prefix` lines.
pub fn dump_each<W: Write>(
    store: &Store,
    prefixes: &[(String, String)],
    outputs: &mut [(Format, W)],
    spill_dir: Option<&Path>,
) -> Result<()> {
    let abbreviations = turtle::Prefixes::new(prefixes);
    let declared = abbreviations.all();
    let (mut lines, mut pretty, mut serializers) = (Vec::new(), Vec::new(), Vec::new());
    for (format, w) in outputs.iter_mut() {
        match format {
            Format::Ntriples | Format::Nquads => lines.push(w),
            Format::Turtle | Format::Trig => pretty.push(w),
            Format::Rdfxml | Format::Jsonld => {
                serializers.push(Serializer::new(*format, &declared, w)?);
            }
        }
    }
    let mut spill = if pretty.is_empty() {
        None
    } else {
        let file = match spill_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .context("cannot create a temporary file for the export")?;
        Some(BufWriter::with_capacity(1 << 20, file))
    };
    let mut used = BTreeSet::new();
    let (want_lines, want_triples) = (!lines.is_empty(), !serializers.is_empty());
    let want_turtle = spill.is_some();
    for_each_subject(
        store,
        |triples| {
            let turtle = want_turtle.then(|| {
                let mut bytes = Vec::with_capacity(1024);
                turtle::write_subject(&mut bytes, &triples, &abbreviations)
                    .expect("writing to memory cannot fail");
                let mut uses = BTreeSet::new();
                abbreviations.note_used(&triples, &mut uses);
                (bytes, uses)
            });
            Prepared {
                lines: want_lines.then(|| ntriples_lines(&triples)),
                turtle,
                triples: want_triples.then_some(triples),
            }
        },
        |subject| {
            if let Some(bytes) = &subject.lines {
                for w in &mut lines {
                    w.write_all(bytes)?;
                }
            }
            if let (Some((bytes, uses)), Some(spill)) = (subject.turtle, &mut spill) {
                used.extend(uses);
                spill.write_all(&bytes)?;
            }
            for triple in subject.triples.iter().flatten() {
                for serializer in &mut serializers {
                    serializer.write(triple)?;
                }
            }
            Ok(())
        },
    )?;
    if let Some(spill) = spill {
        let mut body = spill
            .into_inner()
            .map_err(|e| e.into_error())
            .context("cannot write a temporary file for the export")?;
        let declarations = abbreviations.declarations(&used);
        for w in pretty {
            body.rewind()?;
            turtle::write_header(w, &declarations)?;
            std::io::copy(&mut body, w)?;
        }
    }
    for serializer in serializers {
        serializer.finish()?;
    }
    for (_, w) in outputs.iter_mut() {
        w.flush()?;
    }
    Ok(())
}

/// Oxigraph's RDF/XML or `oxjsonld`'s JSON-LD serializer, fed one triple at a time.
enum Serializer<W: Write> {
    RdfXml(oxigraph::io::WriterQuadSerializer<CarriageReturns<W>>),
    JsonLd(oxjsonld::WriterJsonLdSerializer<W>),
}

impl<W: Write> Serializer<W> {
    /// A serializer for `format` (RDF/XML or JSON-LD) declaring `declarations` up front.
    fn new(format: Format, declarations: &[(&str, &str)], w: W) -> Result<Self> {
        Ok(if format == Format::Rdfxml {
            let mut serializer = RdfSerializer::from_format(RdfFormat::RdfXml);
            for (p, ns) in declarations {
                serializer = serializer
                    .with_prefix(*p, *ns)
                    .with_context(|| format!("cannot declare the prefix {p}: <{ns}>"))?;
            }
            Self::RdfXml(serializer.for_writer(CarriageReturns(w)))
        } else {
            let mut serializer = oxjsonld::JsonLdSerializer::new();
            for (p, ns) in declarations {
                serializer = serializer
                    .with_prefix(*p, *ns)
                    .with_context(|| format!("cannot declare the prefix {p}: <{ns}>"))?;
            }
            Self::JsonLd(serializer.for_writer(w))
        })
    }

    fn write(&mut self, triple: &Triple) -> Result<()> {
        match self {
            Self::RdfXml(writer) => writer.serialize_triple(triple)?,
            Self::JsonLd(writer) => {
                writer.serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))?
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self {
            Self::RdfXml(writer) => writer.finish()?.flush()?,
            Self::JsonLd(writer) => writer.finish()?.flush()?,
        }
        Ok(())
    }
}

/// Writes each carriage return of the RDF/XML serializer's output as `&#13;`.
///
/// Oxigraph writes literal text as it is, and an XML parser turns a raw CR (and CR LF) into
/// LF (XML 1.0 §2.11), so a literal with a CR (a cell edited on Windows) would not survive
/// the RDF/XML export; the character reference does. A CR can only come from a literal (IRIs
/// and language tags have none), where the reference means the same character.
struct CarriageReturns<W: Write>(W);

impl<W: Write> Write for CarriageReturns<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'\r') {
            self.0.write_all(&rest[..at])?;
            self.0.write_all(b"&#13;")?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Writes `triples` (a small document: they are sorted in memory) in `format`, abbreviating
/// IRIs with `prefixes` where the format can.
pub fn write(
    triples: &[Triple],
    format: Format,
    prefixes: &[(String, String)],
    mut w: impl Write,
) -> Result<()> {
    match format {
        Format::Turtle | Format::Trig => turtle::write(triples.to_vec(), prefixes, w)?,
        Format::Ntriples | Format::Nquads => {
            let mut lines: Vec<String> = triples.iter().map(|t| format!("{t} .\n")).collect();
            lines.sort();
            lines.dedup();
            for line in lines {
                w.write_all(line.as_bytes())?;
            }
            w.flush()?;
        }
        Format::Rdfxml | Format::Jsonld => {
            let used = turtle::Prefixes::new(prefixes).used(triples);
            let mut writer = Serializer::new(format, &used, w)?;
            triples.iter().try_for_each(|t| writer.write(t))?;
            writer.finish()?;
        }
    }
    Ok(())
}
