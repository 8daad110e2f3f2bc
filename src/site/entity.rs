//! Entity pages and documents: finding the entity a path names, its triples, its HTML page
//! (the card plus every statement about it and what refers to it) and the list of entities a
//! static site writes.

use super::{Links, Site, card};
use crate::error::{Context, Result};
use crate::export::citations::{CitationFormat, Source};
use crate::export::{self, Format};
use crate::query::human;
use crate::vocab::{Kind, Root, hkg, prov, rdf};
use minijinja::context;
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Term, Triple};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a URL path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Not an entity IRI of the dataset.
    Nothing,
    /// An entity IRI of the dataset that the graph does not hold.
    Missing(Kind),
    /// An entity the graph holds, with its triples (its own and its qualified derivations').
    Entity(Entity),
}

/// An entity the graph holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Its kind.
    pub kind: Kind,
    /// Its id (the slug in its IRI).
    pub id: String,
    /// Its IRI.
    pub node: NamedNode,
    /// Its triples and those of its qualified derivations.
    pub triples: Vec<Triple>,
}

/// A link to one of an entity page's other formats.
#[derive(Debug, Clone, Serialize)]
struct FormatLink {
    name: &'static str,
    href: String,
    media_type: &'static str,
}

/// One statement of the "All statements" table, or one thing referring to the entity.
#[derive(Debug, Serialize)]
struct Statement {
    property: String,
    value: String,
    href: Option<String>,
    lang: Option<String>,
}

impl Site {
    /// The entity a URL path (`/actor/ID`, or the same under the base IRI's path) names.
    pub fn locate(&self, path: &str) -> Result<Located> {
        let Some((kind, id, node)) = self.iris.entity_at(path) else {
            return Ok(Located::Nothing);
        };
        self.entity(kind, id, node)
    }

    /// The entity `node` of kind `kind`, if the graph holds it.
    fn entity(&self, kind: Kind, id: String, node: NamedNode) -> Result<Located> {
        let triples = self.entity_triples(&node)?;
        Ok(if triples.is_empty() {
            Located::Missing(kind)
        } else {
            Located::Entity(Entity {
                kind,
                id,
                node,
                triples,
            })
        })
    }

    /// Every triple whose subject is `node`.
    fn subject_triples(&self, node: &NamedNode) -> Result<Vec<Triple>> {
        let quads = self
            .store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None);
        let mut triples = Vec::new();
        for quad in quads {
            triples.push(Triple::from(quad?));
        }
        Ok(triples)
    }

    /// The entity's own triples and those of its qualified derivations (none if unknown).
    pub fn entity_triples(&self, node: &NamedNode) -> Result<Vec<Triple>> {
        let mut triples = self.subject_triples(node)?;
        let derivations: Vec<NamedNode> = triples
            .iter()
            .filter(|t| t.predicate == prov::QUALIFIED_DERIVATION)
            .filter_map(|t| match &t.object {
                Term::NamedNode(d) => Some(d.clone()),
                _ => None,
            })
            .collect();
        for derivation in derivations {
            triples.extend(self.subject_triples(&derivation)?);
        }
        Ok(triples)
    }

    /// Gives `each` the IRI of every entity of the dataset (without its triples;
    /// [`Site::entity_of`] reads each), class by class as the store's type index lists
    /// them: nothing is collected, so a graph of any size is listed in constant memory.
    ///
    /// With [`super::FAIL_READ_VARIABLE`] set to `entities`, fails as a store read would.
    pub fn each_entity(&self, mut each: impl FnMut(&NamedNode) -> Result<()>) -> Result<()> {
        let context = || "cannot list the entities".to_owned();
        super::injected_failure("entities").with_context(context)?;
        let classes = Root::ALL
            .map(Root::class)
            .into_iter()
            .chain([hkg::ASSERTION]);
        for class in classes {
            let typed = self.store.quads_for_pattern(
                None,
                Some(rdf::TYPE),
                Some(class.into()),
                Some(GraphNameRef::DefaultGraph),
            );
            for quad in typed {
                let quad = quad.map_err(crate::Error::from).with_context(context)?;
                if let NamedOrBlankNode::NamedNode(n) = &quad.subject
                    && self.iris.parse_entity(n.as_str()).is_some()
                {
                    each(n)?;
                }
            }
        }
        Ok(())
    }

    /// The entity `node`, if it is one of the dataset's and the graph holds it.
    pub fn entity_of(&self, node: &NamedNode) -> Result<Option<Entity>> {
        let Some((kind, id)) = self.iris.parse_entity(node.as_str()) else {
            return Ok(None);
        };
        Ok(match self.entity(kind, id, node.clone())? {
            Located::Entity(entity) => Some(entity),
            _ => None,
        })
    }

    /// The entity's RDF document in `format`.
    pub fn entity_document(
        &self,
        entity: &Entity,
        format: Format,
        w: impl std::io::Write,
    ) -> Result<()> {
        export::write(&entity.triples, format, &self.prefixes, w)
    }

    /// A source's citation in `format` (CSL-JSON, BibLaTeX); `None` for an entity that is
    /// no source.
    pub fn citation(&self, entity: &Entity, format: CitationFormat) -> Result<Option<String>> {
        if entity.kind != Kind::Source {
            return Ok(None);
        }
        let source = Source::read(&self.store, entity.node.as_ref(), self.iris.base())?;
        Ok(source.map(|s| format.write(&s)))
    }

    /// The entity's HTML page. On the server its other formats are at `path?format=EXT`, in a
    /// static site at `index.EXT` beside the page.
    pub fn entity_page(&self, links: &Links, entity: &Entity, path: &str) -> Result<String> {
        let card = card::card(&self.store, &self.prefixes, &entity.node)?;
        let impact = match entity.kind {
            Kind::Source => Some(crate::sources::impact(
                &self.store,
                &self.prefixes,
                &entity.node,
            )?),
            _ => None,
        };
        let mut hrefs = BTreeMap::new();
        let dependents = impact.iter().flat_map(|i| i.all().map(|d| d.iri.as_str()));
        for iri in card.linked().chain(dependents) {
            if let Some(h) = self.href(links, iri) {
                hrefs.insert(iri.to_owned(), h);
            }
        }
        let formats: Vec<FormatLink> = Format::DOCUMENTS
            .into_iter()
            .map(|f| FormatLink {
                name: f.name(),
                href: if links.static_site {
                    format!("index.{}", f.extension())
                } else {
                    format!("{path}?format={}", f.extension())
                },
                media_type: f.media_type(),
            })
            .collect();
        let rows = self.statements(links, entity)?;
        let incoming = self.incoming(links, &entity.node)?;
        self.render(
            "entity.html",
            links,
            context! { card, hrefs, formats, rows, incoming, impact },
        )
    }

    /// The entity's own statements, sorted as the Turtle export sorts them.
    fn statements(&self, links: &Links, entity: &Entity) -> Result<Vec<Statement>> {
        let abbreviations = self.abbreviations();
        let mut triples = entity.triples.clone();
        export::turtle::sort(&mut triples);
        let subject = NamedOrBlankNode::from(entity.node.clone());
        let mut rows = Vec::new();
        for t in triples.iter().filter(|t| t.subject == subject) {
            let property = human(&Term::NamedNode(t.predicate.clone()), &abbreviations);
            rows.push(match &t.object {
                Term::NamedNode(n) => {
                    let href = self.href(links, n.as_str());
                    Statement {
                        property,
                        value: if href.is_some() {
                            self.label(n.as_ref())?
                        } else {
                            human(&t.object, &abbreviations)
                        },
                        href: href.or_else(|| {
                            n.as_str()
                                .starts_with("http")
                                .then(|| n.as_str().to_owned())
                        }),
                        lang: None,
                    }
                }
                Term::Literal(l) => Statement {
                    property,
                    value: l.value().to_owned(),
                    href: None,
                    lang: l.language().map(str::to_owned),
                },
                other => Statement {
                    property,
                    value: other.to_string(),
                    href: None,
                    lang: None,
                },
            });
        }
        Ok(rows)
    }

    /// The entities of the dataset with a statement whose object is `node`.
    fn incoming(&self, links: &Links, node: &NamedNode) -> Result<Vec<Statement>> {
        let abbreviations = self.abbreviations();
        let mut rows = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(None, None, Some(node.as_ref().into()), None)
        {
            let quad = quad?;
            let NamedOrBlankNode::NamedNode(s) = &quad.subject else {
                continue;
            };
            let Some(href) = self.href(links, s.as_str()) else {
                continue;
            };
            rows.push(Statement {
                property: human(&Term::NamedNode(quad.predicate.clone()), &abbreviations),
                value: self.label(s.as_ref())?,
                href: Some(href),
                lang: None,
            });
        }
        Ok(rows)
    }
}
