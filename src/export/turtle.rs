//! A deterministic, pretty Turtle writer: only the prefixes used, subjects sorted and
//! grouped, `rdf:type` first (as `a`), predicates and objects sorted, one object per line
//! when there are several. The same triples always give the same bytes, so exports diff well.
//!
//! Oxigraph's own Turtle serializer groups by subject but does not sort (oxigraph issues
//! 1290 and 1344); this writer closes that gap.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

/// Abbreviates IRIs with a fixed set of prefixes.
pub struct Prefixes<'a> {
    /// (prefix, namespace), longest namespace first so the most specific one wins.
    by_length: Vec<(&'a str, &'a str)>,
}

impl<'a> Prefixes<'a> {
    /// Wraps a prefix list.
    pub fn new(prefixes: &'a [(String, String)]) -> Self {
        let mut by_length: Vec<(&str, &str)> = prefixes
            .iter()
            .map(|(p, n)| (p.as_str(), n.as_str()))
            .collect();
        by_length.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        Self { by_length }
    }

    /// `(prefix, local)` when `iri` can be written as a prefixed name.
    pub fn split<'i>(&self, iri: &'i str) -> Option<(&'a str, &'i str)> {
        self.by_length.iter().find_map(|(p, ns)| {
            let local = iri.strip_prefix(ns)?;
            is_pn_local(local).then_some((*p, local))
        })
    }

    /// The prefixes `triples` use, as (prefix, namespace), sorted by prefix.
    pub fn used(&self, triples: &[Triple]) -> Vec<(&'a str, &'a str)> {
        let mut used = BTreeSet::new();
        self.note_used(triples, &mut used);
        self.declarations(&used)
    }

    /// Adds the prefixes `triples` use to `used`.
    pub fn note_used(&self, triples: &[Triple], used: &mut BTreeSet<&'a str>) {
        let mut note = |iri: &str| {
            if let Some((p, _)) = self.split(iri) {
                used.insert(p);
            }
        };
        for t in triples {
            if let NamedOrBlankNode::NamedNode(n) = &t.subject {
                note(n.as_str());
            }
            if t.predicate.as_ref() != rdf::TYPE {
                note(t.predicate.as_str());
            }
            match &t.object {
                Term::NamedNode(n) => note(n.as_str()),
                Term::Literal(l) if !is_bare_or_plain(l) => note(l.datatype().as_str()),
                _ => {}
            }
        }
    }

    /// Every (prefix, namespace), sorted by prefix.
    pub fn all(&self) -> Vec<(&'a str, &'a str)> {
        self.declarations(&self.by_length.iter().map(|(p, _)| *p).collect())
    }

    /// The prefixes in `used`, sorted by prefix.
    pub fn declarations(&self, used: &BTreeSet<&str>) -> Vec<(&'a str, &'a str)> {
        self.by_length
            .iter()
            .filter(|(p, _)| used.contains(p))
            .map(|(p, n)| (*p, *n))
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect()
    }
}

/// A conservative PN_LOCAL: ASCII letters, digits, `_`, `-`, and inner dots.
fn is_pn_local(local: &str) -> bool {
    !local.ends_with('.')
        && !local.starts_with(['-', '.'])
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_bare_or_plain(l: &Literal) -> bool {
    l.language().is_some() || l.datatype() == xsd::STRING || bare(l).is_some()
}

/// The literal written without quotes, for canonical integers, decimals and booleans.
fn bare(l: &Literal) -> Option<&str> {
    let v = l.value();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = v.strip_prefix(['+', '-']).unwrap_or(v);
    let ok = match l.datatype() {
        d if d == xsd::INTEGER => digits(unsigned),
        d if d == xsd::DECIMAL => unsigned
            .split_once('.')
            .is_some_and(|(i, f)| (i.is_empty() || digits(i)) && digits(f)),
        d if d == xsd::BOOLEAN => v == "true" || v == "false",
        _ => false,
    };
    ok.then_some(v)
}

/// Writes `s` as a Turtle short string, escaping quotes, backslashes and control characters.
/// Runs of characters that need no escape are written at once.
fn write_string(w: &mut impl Write, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: &[u8] = match c {
            '"' => b"\\\"",
            '\\' => b"\\\\",
            '\n' => b"\\n",
            '\r' => b"\\r",
            '\t' => b"\\t",
            c if c.is_control() => b"",
            _ => continue,
        };
        w.write_all(&s.as_bytes()[start..i])?;
        if escape.is_empty() {
            write!(w, "\\u{:04X}", c as u32)?;
        } else {
            w.write_all(escape)?;
        }
        start = i + c.len_utf8();
    }
    w.write_all(&s.as_bytes()[start..])?;
    w.write_all(b"\"")
}

fn write_iri(w: &mut impl Write, iri: NamedNodeRef<'_>, prefixes: &Prefixes<'_>) -> io::Result<()> {
    match prefixes.split(iri.as_str()) {
        Some((p, local)) => write!(w, "{p}:{local}"),
        None => write!(w, "{iri}"),
    }
}

fn write_term(w: &mut impl Write, term: &Term, prefixes: &Prefixes<'_>) -> io::Result<()> {
    match term {
        Term::NamedNode(n) => write_iri(w, n.as_ref(), prefixes),
        Term::BlankNode(b) => write!(w, "{b}"),
        Term::Literal(l) => {
            if let Some(v) = bare(l) {
                return w.write_all(v.as_bytes());
            }
            write_string(w, l.value())?;
            if let Some(lang) = l.language() {
                write!(w, "@{lang}")
            } else if l.datatype() == xsd::STRING {
                Ok(())
            } else {
                w.write_all(b"^^")?;
                write_iri(w, l.datatype(), prefixes)
            }
        }
        #[allow(unreachable_patterns)]
        other => write!(w, "{other}"),
    }
}

/// Sorts triples in the writer's order: by subject, `rdf:type` first, then predicate, then object.
pub fn sort(triples: &mut [Triple]) {
    triples.sort_by_cached_key(|t| {
        (
            t.subject.to_string(),
            t.predicate.as_ref() != rdf::TYPE,
            t.predicate.to_string(),
            t.object.to_string(),
        )
    });
}

/// Sorts the triples of one subject in the writer's order: `rdf:type` first, then predicate,
/// then object.
pub fn sort_subject(triples: &mut [Triple]) {
    triples.sort_by_cached_key(|t| {
        (
            t.predicate.as_ref() != rdf::TYPE,
            t.predicate.to_string(),
            t.object.to_string(),
        )
    });
}

/// `@prefix` lines.
pub fn write_header(w: &mut impl Write, declarations: &[(&str, &str)]) -> io::Result<()> {
    for (p, ns) in declarations {
        writeln!(w, "@prefix {p}: <{ns}> .")?;
    }
    Ok(())
}

/// Writes the block of one subject (a blank line, the subject, its predicates and objects),
/// `group` being that subject's triples in the writer's order without repeats.
pub fn write_subject(
    w: &mut impl Write,
    group: &[Triple],
    prefixes: &Prefixes<'_>,
) -> io::Result<()> {
    let Some(first) = group.first() else {
        return Ok(());
    };
    w.write_all(b"\n")?;
    match &first.subject {
        NamedOrBlankNode::NamedNode(n) => write_iri(w, n.as_ref(), prefixes)?,
        other => write!(w, "{other}")?,
    }
    let mut j = 0;
    while j < group.len() {
        let predicate = &group[j].predicate;
        let objects = group[j..]
            .iter()
            .take_while(|t| &t.predicate == predicate)
            .count();
        w.write_all(b"\n    ")?;
        let (first_sep, sep): (&[u8], &[u8]) = if predicate.as_ref() == rdf::TYPE {
            (b"a ", b" , ")
        } else {
            write_iri(w, predicate.as_ref(), prefixes)?;
            (b" ", b" ,\n        ")
        };
        w.write_all(first_sep)?;
        for (k, t) in group[j..j + objects].iter().enumerate() {
            if k > 0 {
                w.write_all(sep)?;
            }
            write_term(w, &t.object, prefixes)?;
        }
        j += objects;
        w.write_all(if j == group.len() { b" .\n" } else { b" ;" })?;
    }
    Ok(())
}

/// Writes `triples` as pretty Turtle. Sorts them first.
pub fn write(
    mut triples: Vec<Triple>,
    prefixes: &[(String, String)],
    mut w: impl Write,
) -> io::Result<()> {
    sort(&mut triples);
    triples.dedup();
    let prefixes = Prefixes::new(prefixes);
    write_header(&mut w, &prefixes.used(&triples))?;
    for group in triples.chunk_by(|a, b| a.subject == b.subject) {
        write_subject(&mut w, group, &prefixes)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn nn(s: &str) -> NamedNode {
        NamedNode::new(s).unwrap()
    }

    #[test]
    fn writes_sorted_grouped_turtle_with_only_used_prefixes() {
        let prefixes = vec![
            ("ex".to_owned(), "http://example.org/".to_owned()),
            ("unused".to_owned(), "http://unused.org/".to_owned()),
            (
                "rdfs".to_owned(),
                "http://www.w3.org/2000/01/rdf-schema#".to_owned(),
            ),
        ];
        let triples = vec![
            Triple::new(
                nn("http://example.org/b"),
                nn("http://www.w3.org/2000/01/rdf-schema#label"),
                Literal::new_language_tagged_literal("B \"quoted\"\n", "en").unwrap(),
            ),
            Triple::new(
                nn("http://example.org/a"),
                nn("http://www.w3.org/2000/01/rdf-schema#label"),
                Literal::new_language_tagged_literal("Б", "ru").unwrap(),
            ),
            Triple::new(
                nn("http://example.org/a"),
                rdf::TYPE,
                nn("http://example.org/T"),
            ),
            Triple::new(
                nn("http://example.org/a"),
                nn("http://www.w3.org/2000/01/rdf-schema#label"),
                Literal::new_language_tagged_literal("A", "en").unwrap(),
            ),
            Triple::new(
                nn("http://example.org/a"),
                nn("http://example.org/n"),
                Literal::from(3),
            ),
            Triple::new(
                nn("http://example.org/a"),
                nn("http://example.org/w"),
                nn("http://other.org/x/y"),
            ),
        ];
        let mut out = Vec::new();
        write(triples, &prefixes, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "@prefix ex: <http://example.org/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\nex:a\n    a ex:T ;\n    ex:n 3 ;\n    ex:w <http://other.org/x/y> ;\n    rdfs:label \"A\"@en ,\n        \"Б\"@ru .\n\nex:b\n    rdfs:label \"B \\\"quoted\\\"\\n\"@en .\n"
        );
    }

    #[test]
    fn local_names_that_turtle_cannot_spell_stay_full_iris() {
        let prefixes = vec![("ex".to_owned(), "http://example.org/".to_owned())];
        let p = Prefixes::new(&prefixes);
        assert_eq!(p.split("http://example.org/a-b"), Some(("ex", "a-b")));
        assert_eq!(p.split("http://example.org/a/b"), None);
        assert_eq!(p.split("http://example.org/a."), None);
    }
}
