//! The places as a Linked Places Format FeatureCollection (`histkg export --format lpf`),
//! GeoJSON-LD for the World Historical Gazetteer, Recogito and Peripleo; deterministic, one
//! feature per place in id order.
//!
//! - `properties`: `title` (the English label, else the first) and `fclasses`, the GeoNames
//!   feature class declared for the place's class in the ontology (`hkg:featureClass`: a
//!   settlement is `P`, a river `H`, a region `L`, a fortress `S`).
//! - `names`: every label and variant with its language tag and the place's sources as
//!   `citations` (label: the bibliographic citation, `@id`: the source's IRI). Tags are BCP
//!   47, so the shortest code: ISO 639-1 where there is one (`ru`, `kk`), else ISO 639-3
//!   (`xal` Kalmyk, `ota` Ottoman Turkish), as LP-TSV asks.
//! - `when` from the Gregorian bounds where the place has dates; `types` (the class's IRI and
//!   label); `geometry`, a Point (longitude, latitude) where it has coordinates; `links`,
//!   `closeMatch` for each `owl:sameAs` (a Wikidata item is the modern place, close to the
//!   historical one rather than the same record); `relations`, `gvp:broaderPartitive` for
//!   `hkg:partOf`; `descriptions` from `rdfs:comment`.

use super::Values;
use super::gexf::typed;
use crate::error::{Context, Result};
use crate::vocab::{dcterms, geo, hkg, owl, prov, rdf, rdfs, skos};
use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};
use oxigraph::store::Store;
use serde_json::{Map, Value, json};
use std::io::Write;

/// The Linked Places context the features declare.
pub const CONTEXT: &str = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld";

/// The IRIs among `terms`, sorted.
fn iris(terms: &[Term]) -> Vec<&str> {
    let mut out: Vec<&str> = terms
        .iter()
        .filter_map(|t| match t {
            Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out
}

/// The English label of `iri`, else any.
fn label_of(store: &Store, iri: &str) -> Result<Option<String>> {
    let v = Values::read(store, NamedNodeRef::new_unchecked(iri))?;
    Ok(v.label("en")
        .or_else(|| v.literal(rdfs::LABEL))
        .map(str::to_owned))
}

/// The feature of one place.
fn feature(store: &Store, place: NamedNodeRef<'_>) -> Result<Value> {
    let v = Values::read(store, place)?;
    let classes: Vec<&str> = iris(v.all(rdf::TYPE))
        .into_iter()
        .filter(|c| *c != hkg::PLACE.as_str())
        .collect();
    let mut citations = Vec::new();
    for source in iris(v.all(prov::WAS_DERIVED_FROM)) {
        let s = Values::read(store, NamedNodeRef::new_unchecked(source))?;
        let label = s
            .literal(dcterms::BIBLIOGRAPHIC_CITATION)
            .or_else(|| s.literal(rdfs::LABEL))
            .unwrap_or(source);
        citations.push(json!({"label": label, "@id": source}));
    }
    let mut names = Vec::new();
    for predicate in [rdfs::LABEL, skos::ALT_LABEL] {
        let mut found: Vec<(&str, &str)> = (v.all(predicate).iter())
            .filter_map(|t| match t {
                Term::Literal(l) => Some((l.language().unwrap_or(""), l.value())),
                _ => None,
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        for (lang, text) in found {
            let mut name = Map::new();
            name.insert("toponym".into(), json!(text));
            if !lang.is_empty() {
                name.insert("lang".into(), json!(lang));
            }
            name.insert("citations".into(), Value::Array(citations.clone()));
            names.push(Value::Object(name));
        }
    }
    let title = v
        .label("en")
        .or_else(|| v.literal(rdfs::LABEL))
        .unwrap_or(place.as_str());
    let mut fclasses = Vec::new();
    let mut types = Vec::new();
    for class in &classes {
        let c = Values::read(store, NamedNodeRef::new_unchecked(class))?;
        if let Some(fclass) = c.literal(hkg::FEATURE_CLASS) {
            fclasses.push(json!(fclass));
        }
        let label = c.label("en").unwrap_or(class.trim_start_matches(hkg::NS));
        types.push(json!({"identifier": class, "label": label}));
    }
    let mut feature = Map::new();
    let mut put = |key: &str, value: Value| {
        feature.insert(key.to_owned(), value);
    };
    put("@id", json!(place.as_str()));
    put("type", json!("Feature"));
    put(
        "properties",
        json!({"title": title, "fclasses": Value::Array(fclasses)}),
    );
    if let Some(start) = v.literal(hkg::NOT_BEFORE) {
        let mut span = json!({"start": {"in": start}});
        if let Some(end) = v.literal(hkg::NOT_AFTER) {
            span["end"] = json!({"in": end});
        }
        put("when", json!({"timespans": [span]}));
    }
    put("names", Value::Array(names));
    put("types", Value::Array(types));
    let coordinate = |p| v.literal(p).and_then(|c| c.parse::<f64>().ok());
    if let (Some(lat), Some(long)) = (coordinate(geo::LAT), coordinate(geo::LONG)) {
        // One point in a collection, so that it can carry the source of its coordinates
        // (Linked Places puts `source` on the members of a GeometryCollection).
        let mut point = json!({"type": "Point", "coordinates": [long, lat]});
        if let Some(source) = iris(v.all(hkg::COORDINATES_FROM)).into_iter().next() {
            point["source"] = json!(source);
        }
        put(
            "geometry",
            json!({"type": "GeometryCollection", "geometries": [point]}),
        );
    }
    let links: Vec<Value> = iris(v.all(owl::SAME_AS))
        .into_iter()
        .map(|same| json!({"type": "closeMatch", "identifier": same}))
        .collect();
    if !links.is_empty() {
        put("links", Value::Array(links));
    }
    let mut relations = Vec::new();
    for whole in iris(v.all(hkg::PART_OF)) {
        let label = label_of(store, whole)?.unwrap_or_else(|| whole.to_owned());
        relations.push(json!({
            "relationType": "gvp:broaderPartitive",
            "relationTo": whole,
            "label": format!("part of {label}"),
        }));
    }
    if !relations.is_empty() {
        put("relations", Value::Array(relations));
    }
    let descriptions: Vec<Value> = (v.all(rdfs::COMMENT).iter())
        .filter_map(|t| match t {
            Term::Literal(l) => {
                Some(json!({"value": l.value(), "lang": l.language().unwrap_or("en")}))
            }
            _ => None,
        })
        .collect();
    if !descriptions.is_empty() {
        put("descriptions", Value::Array(descriptions));
    }
    Ok(Value::Object(feature))
}

/// Writes every place of `store` as one Linked Places FeatureCollection.
pub fn write(store: &Store, mut w: impl Write) -> Result<()> {
    write!(
        w,
        "{{\n  \"type\": \"FeatureCollection\",\n  \"@context\": \"{CONTEXT}\",\n  \"features\": ["
    )?;
    let mut first = true;
    for place in typed(store, hkg::PLACE)? {
        let NamedOrBlankNode::NamedNode(place) = place else {
            continue;
        };
        w.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        let text = serde_json::to_string_pretty(&feature(store, place.as_ref())?)
            .context("cannot write a feature")?;
        // Indented one level more, inside `features`.
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                w.write_all(b"\n")?;
            }
            write!(w, "    {line}")?;
        }
    }
    w.write_all(if first { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
    w.flush()?;
    Ok(())
}
