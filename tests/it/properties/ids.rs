//! Ids and IRIs: slugs make valid IRIs that parse back, `is_slug` follows the documented
//! rule, and the ingest refuses every other id wherever it appears.

use super::generators::slug;
use super::{BASE, config, fixed_dataset, row};
use histkg::ingest;
use histkg::vocab::{Iris, Kind, MAX_ID_LEN, is_slug};
use oxigraph::model::NamedNode;
use proptest::prelude::*;
use proptest::sample::select;

/// Slugs from a tiny alphabet, so that two of them are often equal.
fn small_slug() -> impl Strategy<Value = String> {
    "[ab]{1,2}(-[ab]{1,2}){0,1}"
}

fn kind() -> impl Strategy<Value = Kind> {
    select(Kind::ALL.to_vec())
}

/// Base IRIs as `void:uriSpace` may give them (ending in `/` or `#`).
fn base() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(BASE.to_owned()),
        "https://[a-z]{1,8}\\.org/([a-z0-9]{1,6}/){0,3}",
        "http://example\\.org/[a-z]{1,6}#",
        "urn:uuid:[0-9a-f]{8}/",
    ]
}

/// Any string, biased towards the ones that look like ids.
fn any_id() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9 ./#:>_A-Z-]{0,90}",
        slug(),
        slug().prop_map(|s| format!(" {s}")),
        slug().prop_map(|s| s.to_uppercase()),
        // Near misses whose only defect is a hyphen in the wrong place or the length.
        slug().prop_map(|s| format!("{s}-")),
        slug().prop_map(|s| format!("-{s}")),
        (slug(), slug()).prop_map(|(a, b)| format!("{a}--{b}")),
        "[a-z0-9]{80,82}",
    ]
}

/// A character no slug may contain.
fn unsafe_char() -> impl Strategy<Value = char> {
    prop_oneof![
        select(vec![
            '>', '<', ' ', '/', '#', ':', '?', '%', '"', '\\', '\t', '\n', '\r', '.', '_', '{',
            '}', '|', '^', '`', '@', '\0', '\u{a0}', '\u{2011}', '\u{ff0d}',
        ]),
        proptest::char::range('A', 'Z'),
        any::<char>().prop_filter("non-ASCII", |c| !c.is_ascii()),
    ]
}

/// The rule the README documents, written independently of `is_slug`.
fn documented_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

proptest! {
    #![proptest_config(config(None))]

    #[test]
    fn slug_ids_make_valid_iris_that_parse_back(base in base(), kind in kind(), id in slug()) {
        prop_assert!(is_slug(&id), "{id}");
        let iris = Iris::new(&base).unwrap();
        let iri = iris.entity(kind, &id);
        NamedNode::new(iri.as_str())
            .map_err(|e| TestCaseError::fail(format!("{iri} is not a valid IRI: {e}")))?;
        prop_assert_eq!(iris.parse_entity(iri.as_str()), Some((kind, id.clone())));
        // A qualified derivation hangs off the entity: a valid IRI, and never an entity.
        let derivation = iris.derivation(&iri, &id);
        prop_assert!(NamedNode::new(derivation.as_str()).is_ok(), "{derivation}");
        prop_assert_eq!(iris.parse_entity(derivation.as_str()), None);
    }

    #[test]
    fn distinct_ids_make_distinct_iris(
        // Equal pairs are rare when drawn independently: a quarter of the cases are equal.
        (a, b) in prop_oneof![
            3 => ((kind(), small_slug()), (kind(), small_slug())),
            1 => (kind(), small_slug()).prop_map(|a| (a.clone(), a)),
        ]
    ) {
        let iris = Iris::new(BASE).unwrap();
        let (ia, ib) = (iris.entity(a.0, &a.1), iris.entity(b.0, &b.1));
        prop_assert_eq!(ia == ib, a == b, "{} {}", ia, ib);
        let (da, db) = (iris.derivation(&ia, &b.1), iris.derivation(&ib, &a.1));
        prop_assert_eq!(da == db, a == b, "{} {}", da, db);
    }

    #[test]
    fn is_slug_follows_the_documented_rule(id in any_id()) {
        prop_assert_eq!(is_slug(&id), documented_slug(&id), "{:?}", id);
        if is_slug(&id) {
            let iri = Iris::new(BASE).unwrap().entity(Kind::Actor, &id);
            prop_assert!(NamedNode::new(iri.as_str()).is_ok(), "{iri}");
        }
    }

    #[test]
    fn is_slug_refuses_unsafe_characters(
        before in "[a-z0-9-]{0,10}",
        bad in unsafe_char(),
        after in "[a-z0-9-]{0,10}",
    ) {
        let id = format!("{before}{bad}{after}");
        prop_assert!(!is_slug(&id), "{:?}", id);
    }
}

/// Where an unsafe id goes in [`ingest_refuses_unsafe_ids`].
#[derive(Debug, Clone, Copy)]
enum IdPlace {
    /// A new row of `actors.csv` with this id.
    ActorId,
    /// A row of `participants.csv` naming this actor.
    ParticipantActor,
    /// A row of `relations.csv` with this object.
    RelationObject,
    /// An event's `place`.
    EventPlace,
}

proptest! {
    #![proptest_config(config(Some(64)))]

    /// No string that `is_slug` refuses (once the ingest has trimmed the cell) becomes an
    /// IRI: the ingest refuses the whole dataset, whatever column the id is in.
    #[test]
    fn ingest_refuses_unsafe_ids(
        id in any_id().prop_filter("a slug once trimmed", |id| !is_slug(id.trim())),
        at in select(vec![IdPlace::ActorId, IdPlace::ParticipantActor, IdPlace::RelationObject, IdPlace::EventPlace]),
    ) {
        // An empty optional cell means "not known".
        prop_assume!(!(matches!(at, IdPlace::EventPlace) && id.trim().is_empty()));
        let mut data = fixed_dataset();
        let (table, line) = match at {
            IdPlace::ActorId => {
                data.actors.push(row(&[("id", id.as_str()), ("type", "Person"), ("label_en", "X"), ("label_ru", "Х"), ("sources", "s0")]));
                ("actors.csv", data.actors.len() + 1)
            }
            IdPlace::ParticipantActor => {
                data.participants.push(row(&[("event", "e0"), ("actor", id.as_str()), ("role", "agent")]));
                ("participants.csv", data.participants.len() + 1)
            }
            IdPlace::RelationObject => {
                data.relations.push(row(&[("id", "r9"), ("subject", "a0"), ("predicate", "supported"), ("object", id.as_str()), ("sources", "s0")]));
                ("relations.csv", data.relations.len() + 1)
            }
            IdPlace::EventPlace => {
                data.events[0].retain(|(c, _)| *c != "place");
                data.events[0].push(("place", id.clone()));
                ("events.csv", 2)
            }
        };
        let dir = tempfile::tempdir().unwrap();
        data.write(dir.path());
        let Err(invalid) = ingest::check(dir.path()) else {
            return Err(TestCaseError::fail(format!("{id:?} in {table} was accepted")));
        };
        let file = dir.path().join(table).display().to_string();
        prop_assert!(
            invalid.0.iter().any(|d| d.location.file == file && d.location.line == line as u64),
            "no problem reported at {}:{}: {}", file, line, invalid
        );
    }
}
