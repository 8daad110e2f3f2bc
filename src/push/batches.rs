//! The reading side of `push`: the graph cut into batches of N-Triples of
//! [`Target::batch`](super::Target) triples (the last one fewer), from the store or from an
//! N-Triples file already written (`push --from`, e.g. the dump `publish` wrote).
//!
//! From the store, one thread reads the default graph in Oxigraph's subject order, so that
//! a batch holds each subject's triples together (Virtuoso parses those faster than the
//! same triples by predicate: measured in BENCHMARKS.md). From a file, the file is first
//! read whole and parsed ([`check_file`]): a line that is not N-Triples is an error naming
//! the file and line before anything is sent, and the count it gives is the total the
//! progress and the checks use. Then its lines are sent as they are, as many per batch as
//! the batch holds, without parsing them again; a file that changed in between is an error.

use crate::error::{Context, Error, Result};
use oxigraph::model::GraphNameRef;
use oxigraph::store::Store;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::mpsc::SyncSender;

/// N-Triples lines and how many triples they hold.
pub(super) type Lines = (Vec<u8>, u64);

/// A batch, or the error that stopped reading.
pub(super) type Batch = Result<Lines>;

/// Writes the default graph of `store` as batches of `batch` triples into `batches`, until
/// the graph ends or the receiver is gone; nothing at all for an empty graph.
pub(super) fn from_store(store: &Store, batch: usize, batches: &SyncSender<Batch>) {
    let quads = store.quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph));
    let mut body = Vec::new();
    let mut n = 0u64;
    for quad in quads {
        let written = quad.map_err(Error::from).and_then(|quad| {
            writeln!(
                body,
                "{} {} {} .",
                quad.subject, quad.predicate, quad.object
            )
            .map_err(|e| Error::user(format!("cannot write a batch: {e}")))
        });
        if let Err(e) = written {
            let _ = batches.send(Err(e));
            return;
        }
        n += 1;
        if n == batch as u64 {
            if batches.send(Ok((std::mem::take(&mut body), n))).is_err() {
                return;
            }
            n = 0;
        }
    }
    if n > 0 {
        let _ = batches.send(Ok((body, n)));
    }
}

/// Opens an N-Triples file, `.nt`, or `.nt.gz` compressed by gzip (as `publish --gzip`
/// writes the dump).
fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let name = path
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let file = std::fs::File::open(path)
        .map_err(|e| Error::user(format!("cannot read {}: {e}", path.display())))?;
    if name.ends_with(".nt.gz") {
        let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, gz)))
    } else if name.ends_with(".nt") {
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
    } else {
        Err(Error::user(format!(
            "--from {}: push sends N-Triples files (.nt, or .nt.gz); write one with `histkg export --format ntriples -o graph.nt`",
            path.display()
        )))
    }
}

/// Whether a line of an N-Triples file holds a triple (N-Triples has one to a line; the
/// others are blank or a comment).
fn holds_triple(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii_start();
    !trimmed.is_empty() && trimmed[0] != b'#'
}

/// Parses the N-Triples file at `path` whole and gives the number of triples in it; a line
/// that does not parse (more than one triple on it among the ways), or a blank node when the file
/// will go in more than one batch (each batch is a document of its own, so a blank node
/// would become one node per batch) is an error naming the file and the line.
pub(super) fn check_file(path: &Path, batch: usize) -> Result<u64> {
    let shown = path.display();
    let mut triples = 0u64;
    let mut blank = None;
    let mut lines = 0u64;
    let mut reader = open(path)?;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = (reader.read_until(b'\n', &mut line))
            .map_err(|e| Error::user(format!("cannot read {shown}: {e}")))?;
        if read == 0 {
            break;
        }
        lines += 1;
        if !holds_triple(&line) {
            continue;
        }
        let mut parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NTriples)
            .for_slice(&line);
        // The parser refuses a second triple on the line itself.
        if let Some(triple) = parsed.next() {
            let triple = triple.map_err(|e| not_ntriples(&shown, lines, &e))?;
            if blank.is_none() && (triple.subject.is_blank_node() || triple.object.is_blank_node())
            {
                blank = Some(lines);
            }
        }
        if let Some(Err(e)) = parsed.next() {
            return Err(not_ntriples(&shown, lines, &e));
        }
        triples += 1;
    }
    if let Some(at) = blank
        && triples > batch as u64
    {
        return Err(Error::user(format!(
            "{shown}:{at}: a blank node, and the file goes in more than one batch of {batch}: each batch would make it a node of its own; give --batch {triples} or more, or name the node with an IRI"
        )));
    }
    Ok(triples)
}

/// The error for line `line` of `file`, which the parser refused: file, line and column,
/// then the parser's own words (its line is always 1, since it is given one line).
fn not_ntriples(
    file: &std::path::Display<'_>,
    line: u64,
    error: &oxigraph::io::RdfSyntaxError,
) -> Error {
    let text = error.to_string();
    let said = text
        .split_once(": ")
        .map_or(text.as_str(), |(_, said)| said);
    match error.location().map(|l| l.start.column + 1) {
        Some(column) => Error::user(format!("{file}:{line}:{column}: not N-Triples: {said}")),
        None => Error::user(format!("{file}:{line}: not N-Triples: {said}")),
    }
}

/// Sends the lines of the N-Triples file at `path` as batches of `batch` triples into
/// `batches`; `expected` is what [`check_file`] counted, and a file that no longer holds
/// as many triples is an error.
pub(super) fn from_file(path: &Path, batch: usize, expected: u64, batches: &SyncSender<Batch>) {
    let sent = (|| -> Result<u64> {
        let mut reader = open(path)?;
        let (mut body, mut n, mut total) = (Vec::new(), 0u64, 0u64);
        loop {
            let start = body.len();
            let read = (reader.read_until(b'\n', &mut body))
                .with_context(|| format!("cannot read {}", path.display()))?;
            if read == 0 {
                break;
            }
            if !holds_triple(&body[start..]) {
                body.truncate(start);
                continue;
            }
            if !body.ends_with(b"\n") {
                body.push(b'\n');
            }
            n += 1;
            total += 1;
            if n == batch as u64 {
                if batches.send(Ok((std::mem::take(&mut body), n))).is_err() {
                    return Ok(total);
                }
                n = 0;
            }
        }
        if n > 0 {
            let _ = batches.send(Ok((body, n)));
        }
        Ok(total)
    })();
    let failure = match sent {
        Ok(total) if total == expected => return,
        Ok(total) => Error::user(format!(
            "{} changed while it was pushed: it held {expected} triples when checked and {total} when sent",
            path.display()
        )),
        Err(e) => e,
    };
    let _ = batches.send(Err(failure));
}

#[cfg(test)]
mod tests {
    use super::holds_triple;

    #[test]
    fn blank_lines_and_comments_hold_no_triple() {
        assert!(holds_triple(b"<a:s> <a:p> <a:o> .\n"));
        assert!(holds_triple(b"  <a:s> <a:p> \"x\" . # a note\n"));
        assert!(!holds_triple(b"\n"));
        assert!(!holds_triple(b"   \t\r\n"));
        assert!(!holds_triple(b"# a comment\n"));
        assert!(!holds_triple(b"  # indented comment"));
    }
}
