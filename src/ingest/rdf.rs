//! Reading `ontology.ttl` and `dataset.ttl`, and deriving from the ontology what the CSV
//! tables may say (which types, relation types and roles exist).

use crate::diagnostics::Diagnostics;
pub use crate::findings::Tier;
use crate::vocab::{hkg, void};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{Literal, NamedNodeRef, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Parses a Turtle file into triples. Blank nodes are refused: parsers name them at random,
/// which would make exports differ from build to build.
pub fn read_turtle(path: &Path, file: &str, diags: &mut Diagnostics) -> Vec<Triple> {
    let reader = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            diags.push(file, 1, None, format!("cannot read the file: {e}"));
            return Vec::new();
        }
    };
    let mut triples = Vec::new();
    for result in RdfParser::from_format(RdfFormat::Turtle).for_reader(reader) {
        match result {
            Ok(quad) => {
                let triple = Triple::from(quad);
                if triple.subject.is_blank_node() || triple.object.is_blank_node() {
                    diags.push(
                        file,
                        1,
                        None,
                        format!(
                            "blank node in `{triple}`; give it an IRI so that exports are deterministic"
                        ),
                    );
                } else {
                    triples.push(triple);
                }
            }
            Err(RdfParseError::Syntax(e)) => {
                let (line, column) = e.location().map_or((1, None), |l| {
                    (l.start.line + 1, Some(l.start.column as usize + 1))
                });
                diags.push(file, line, column, format!("Turtle syntax error: {e}"));
                break;
            }
            Err(RdfParseError::Io(e)) => {
                diags.push(file, 1, None, format!("cannot read the file: {e}"));
                break;
            }
        }
    }
    triples
}

/// What the ontology allows in the CSV tables, as local names in the `hkg:` namespace.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Subclasses of `hkg:Actor`.
    pub actor_classes: BTreeSet<String>,
    /// Subclasses of `hkg:Place`.
    pub place_classes: BTreeSet<String>,
    /// Subclasses of `hkg:Event`.
    pub event_classes: BTreeSet<String>,
    /// Subclasses of `hkg:Source`.
    pub source_classes: BTreeSet<String>,
    /// Instances of `hkg:RelationProperty`.
    pub relations: BTreeSet<String>,
    /// Instances of `hkg:RoleProperty`.
    pub roles: BTreeSet<String>,
    /// What source criticism reads from the ontology.
    pub criticism: Criticism,
}

/// What the ontology declares for source criticism (`crate::findings`), as local names.
#[derive(Debug, Default, Clone)]
pub struct Criticism {
    /// The tier of each source class (`hkg:sourceTier`), inherited by subclasses.
    pub tiers: BTreeMap<String, Tier>,
    /// Relation types whose object has one holder at a time (`hkg:OneHolderProperty`).
    pub one_holder: BTreeSet<String>,
    /// Roles whose actor, and relation types whose object, need not be alive at their date
    /// (`hkg:PosthumousProperty`).
    pub posthumous: BTreeSet<String>,
    /// The role of the deceased in each death class (`hkg:deceasedRole`), inherited.
    pub deceased_roles: BTreeMap<String, String>,
    /// The languages every actor, place and event should have a label in
    /// (`hkg:labelLanguage` of the dataset in `dataset.ttl`), as normalised tags.
    pub label_languages: Vec<String>,
}

impl Vocabulary {
    /// Derives the vocabulary from the ontology's triples.
    pub fn from_ontology(triples: &[Triple]) -> Self {
        let local = |t: &Term| match t {
            Term::NamedNode(n) => n.as_str().strip_prefix(hkg::NS).map(str::to_owned),
            _ => None,
        };
        let subject_local = |s: &NamedOrBlankNode| match s {
            NamedOrBlankNode::NamedNode(n) => n.as_str().strip_prefix(hkg::NS).map(str::to_owned),
            _ => None,
        };
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut typed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut tiers = BTreeMap::new();
        let mut deceased = BTreeMap::new();
        for t in triples {
            let (Some(s), Some(o)) = (subject_local(&t.subject), local(&t.object)) else {
                continue;
            };
            let predicate = t.predicate.as_ref();
            if predicate == rdfs::SUB_CLASS_OF {
                parents.entry(s).or_default().push(o);
            } else if predicate == rdf::TYPE {
                typed.entry(o).or_default().insert(s);
            } else if predicate == hkg::SOURCE_TIER {
                if let Some(tier) = Tier::from_name(&o) {
                    tiers.insert(s, tier);
                }
            } else if predicate == hkg::DECEASED_ROLE {
                deceased.insert(s, o);
            }
        }
        let descendants = |root: NamedNodeRef<'_>| -> BTreeSet<String> {
            let root = &root.as_str()[hkg::NS.len()..];
            parents
                .keys()
                .filter(|class| {
                    let mut stack = vec![class.as_str()];
                    let mut seen = BTreeSet::new();
                    while let Some(c) = stack.pop() {
                        if !seen.insert(c) {
                            continue;
                        }
                        for p in parents.get(c).into_iter().flatten() {
                            if p == root {
                                return true;
                            }
                            stack.push(p);
                        }
                    }
                    false
                })
                .cloned()
                .collect()
        };
        let instances = |class: NamedNodeRef<'_>| {
            typed
                .get(&class.as_str()[hkg::NS.len()..])
                .cloned()
                .unwrap_or_default()
        };
        let source_classes = descendants(hkg::SOURCE);
        let event_classes = descendants(hkg::EVENT);
        let criticism = Criticism {
            tiers: (source_classes.iter())
                .filter_map(|c| Some((c.clone(), inherited(&tiers, &parents, c)?)))
                .collect(),
            one_holder: instances(hkg::ONE_HOLDER_PROPERTY),
            posthumous: instances(hkg::POSTHUMOUS_PROPERTY),
            deceased_roles: (event_classes.iter())
                .filter_map(|c| Some((c.clone(), inherited(&deceased, &parents, c)?)))
                .collect(),
            // Declared in dataset.ttl, not in the ontology: set by the ingest.
            label_languages: Vec::new(),
        };
        Self {
            actor_classes: descendants(hkg::ACTOR),
            place_classes: descendants(hkg::PLACE),
            event_classes,
            source_classes,
            relations: instances(hkg::RELATION_PROPERTY),
            roles: instances(hkg::ROLE_PROPERTY),
            criticism,
        }
    }
}

/// The value `own` gives `class`, or else its nearest ancestor (by `parents`) that has one.
fn inherited<T: Clone>(
    own: &BTreeMap<String, T>,
    parents: &BTreeMap<String, Vec<String>>,
    class: &str,
) -> Option<T> {
    let mut level = vec![class];
    let mut seen = BTreeSet::new();
    while !level.is_empty() {
        if let Some(found) = level.iter().find_map(|c| own.get(*c)) {
            return Some(found.clone());
        }
        level = (level.into_iter())
            .filter(|c| seen.insert(*c))
            .flat_map(|c| parents.get(c).into_iter().flatten().map(String::as_str))
            .collect();
    }
    None
}

/// The `hkg:labelLanguage` values of the `void:Dataset` in `dataset.ttl`, in file order
/// without repeats: each a plain literal, normalised as a language tag, or the message
/// saying why one is not (with the text to look for in the file).
pub fn label_languages(triples: &[Triple]) -> Vec<Result<String, (String, String)>> {
    let datasets = datasets(triples);
    let mut out: Vec<Result<String, (String, String)>> = Vec::new();
    for t in triples {
        if t.predicate.as_ref() != hkg::LABEL_LANGUAGE || !datasets.contains(&&t.subject) {
            continue;
        }
        let tag = match &t.object {
            Term::Literal(l) => match Literal::new_language_tagged_literal("x", l.value()) {
                Ok(tagged) => Ok(tagged.language().unwrap_or_default().to_owned()),
                Err(e) => Err((
                    l.value().to_owned(),
                    format!(
                        "hkg:labelLanguage `{}` is not a language tag ({}); write one such as \"en\", \"ru\" or \"xal\"",
                        l.value(),
                        e.to_string().to_lowercase()
                    ),
                )),
            },
            other => Err((
                other.to_string(),
                format!(
                    "hkg:labelLanguage {other} is not a language tag: write it as a string such as \"ru\""
                ),
            )),
        };
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

/// The subjects typed `void:Dataset`.
fn datasets(triples: &[Triple]) -> Vec<&NamedOrBlankNode> {
    triples
        .iter()
        .filter(|t| {
            t.predicate.as_ref() == rdf::TYPE && t.object == Term::from(void::DATASET.into_owned())
        })
        .map(|t| &t.subject)
        .collect()
}

/// Finds the dataset's base IRI: the `void:uriSpace` of the `void:Dataset` in `dataset.ttl`.
pub fn base_iri(triples: &[Triple]) -> Option<String> {
    let datasets = datasets(triples);
    triples
        .iter()
        .filter(|t| t.predicate.as_ref() == void::URI_SPACE && datasets.contains(&&t.subject))
        .find_map(|t| match &t.object {
            Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        })
}
