//! The id registry: every id of the dataset numbered once, with where it was declared, and
//! the messages for empty, unsafe and duplicate ids.

use super::Table;
use super::schema::PerTable;
use crate::diagnostics::{At, Diagnostics, shorten};
use crate::vocab::{Kind, MAX_ID_LEN, is_slug};
use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};

/// Where an id was first declared.
pub(super) struct Declared {
    pub(super) kind: Kind,
    pub(super) table: Table,
    pub(super) line: u64,
}

/// The ids one table declares.
pub(super) struct TableIds {
    pub(super) table: Table,
    pub(super) kind: Kind,
    /// Each id with its line, in file order.
    pub(super) ids: Vec<(Box<str>, u64)>,
    /// The 1-based position of the `id` column.
    pub(super) column: Option<usize>,
}

/// Every id of the dataset, each numbered once: the ids in number order, and a hash table of
/// their numbers (each id is held once, and a number gives its id back).
#[derive(Default)]
pub(super) struct Registry {
    ids: Vec<Box<str>>,
    numbers: HashTable<u32>,
    hasher: RandomState,
    pub(super) declared: Vec<Declared>,
}

impl Registry {
    pub(super) fn get(&self, id: &str) -> Option<(u32, &Declared)> {
        let hash = self.hasher.hash_one(id);
        let &n = self.numbers.find(hash, |&n| &*self.ids[n as usize] == id)?;
        Some((n, &self.declared[n as usize]))
    }

    /// The id numbered `n`.
    pub(super) fn id(&self, n: u32) -> &str {
        &self.ids[n as usize]
    }

    /// Every id with its number, in number order (tables in reading order, rows in file
    /// order).
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, &str)> {
        (0..).zip(self.ids.iter().map(|id| &**id))
    }

    /// Numbers `id` if it is new; false if it was already registered.
    fn insert(&mut self, id: Box<str>, declared: Declared) -> bool {
        if self.get(&id).is_some() {
            return false;
        }
        let n = u32::try_from(self.ids.len()).expect("fewer than 2^32 ids");
        let hash = self.hasher.hash_one(&*id);
        let (ids, hasher) = (&self.ids, &self.hasher);
        self.numbers
            .insert_unique(hash, n, |&m| hasher.hash_one(&*ids[m as usize]));
        self.ids.push(id);
        self.declared.push(declared);
        true
    }

    /// Registers the ids of every table, reporting empty, unsafe and duplicate ones in table
    /// and line order. Every safe id is registered before anything is reported, so that a
    /// suggestion for an unsafe id can say when it is taken, wherever.
    pub(super) fn new(
        tables: Vec<TableIds>,
        files: &PerTable<String>,
        diags: &mut Diagnostics,
    ) -> Self {
        let mut registry = Self::default();
        let mut refused = Vec::new();
        for TableIds {
            table,
            kind,
            ids,
            column: col,
        } in tables
        {
            for (id, line) in ids {
                if !is_slug(&id) || registry.get(&id).is_some() {
                    refused.push((table, col, id, line));
                } else {
                    registry.insert(id, Declared { kind, table, line });
                }
            }
        }
        for (table, col, id, line) in refused {
            let file = &files[table];
            let message = if id.is_empty() {
                "empty id; give every row a unique id such as `darma-bala`".to_owned()
            } else if !is_slug(&id) {
                registry.unsafe_id(&id, files)
            } else {
                let (_, first) = registry.get(&id).expect("a safe id is registered");
                format!(
                    "duplicate id `{id}`: already used by {} at {}",
                    kind_noun(first.kind),
                    At(&files[first.table], first.line, None)
                )
            };
            diags.push(file, line, col, message);
        }
        registry
    }

    /// Why `id` is not a safe slug, with a slug to use instead (or where that slug is taken).
    fn unsafe_id(&self, id: &str, files: &PerTable<String>) -> String {
        let shown = shorten(id);
        let iri = id.contains("://");
        // For an IRI, its last segment (`…/actor/darma-bala` -> `darma-bala`).
        let base = if iri {
            id.trim_end_matches(['/', '#'])
                .rsplit(['/', '#'])
                .next()
                .unwrap_or_default()
        } else {
            id
        };
        let advice = match slug_suggestion(base) {
            None => String::new(),
            Some(slug) => match self.get(&slug) {
                Some((_, d)) => format!(
                    "; its slug `{slug}` is already used by {} at {}",
                    kind_noun(d.kind),
                    At(&files[d.table], d.line, None)
                ),
                None => format!("; for example `{slug}`"),
            },
        };
        let length = id.chars().count();
        if iri {
            format!(
                "id `{shown}` is an IRI; write only the slug, from which histkg makes the IRI{advice}"
            )
        } else if length > MAX_ID_LEN {
            format!(
                "id `{shown}` is {length} characters long; an id is a slug of at most {MAX_ID_LEN} characters (lowercase ASCII letters and digits joined by single hyphens)"
            )
        } else {
            format!(
                "id `{shown}` is not a safe slug: use lowercase ASCII letters and digits joined by single hyphens, at most {MAX_ID_LEN} characters{advice}"
            )
        }
    }
}

/// The table each kind of entity is declared in, for messages.
pub(super) fn kind_noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => "an actor",
        Kind::Place => "a place",
        Kind::Event => "an event",
        Kind::Source => "a source",
        Kind::Assertion => "a relation",
    }
}

/// Proposes a slug for an invalid id: lowercase, Latin letters without their accents (in
/// composed or decomposed form), other characters as single hyphens.
pub(super) fn slug_suggestion(id: &str) -> Option<String> {
    // U+00C0..U+017F: the ASCII letter of each Latin-1 and Latin Extended-A letter; `*` for
    // the ligatures spelt with two letters, `-` for the two signs among them.
    const LATIN: &str = concat!(
        "aaaaaa*ceeeeiiiidnooooo-ouuuuy**aaaaaa*ceeeeiiiidnooooo-ouuuuy*y",
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll",
        "lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs",
    );
    let mut slug = String::new();
    for c in id.chars() {
        let folded = match c {
            'Æ' | 'æ' => "ae",
            'Þ' | 'þ' => "th",
            'ß' => "ss",
            'Ĳ' | 'ĳ' => "ij",
            'Œ' | 'œ' => "oe",
            // Combining accents (a decomposed `é` is `e` and U+0301) are dropped.
            '\u{300}'..='\u{36f}' => continue,
            '\u{c0}'..='\u{17f}' => {
                let i = c as usize - 0xc0;
                &LATIN[i..=i]
            }
            _ => "",
        };
        if !folded.is_empty() && folded != "-" {
            slug.push_str(folded);
        } else if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    is_slug(slug).then(|| slug.to_owned())
}

#[cfg(test)]
mod tests {
    use super::slug_suggestion;

    #[test]
    fn slug_suggestions_fold_accents_and_case() {
        let s = |id: &str| slug_suggestion(id).unwrap_or_default();
        assert_eq!(s("Darma-Bala"), "darma-bala");
        assert_eq!(s("Donryung envoy/1741"), "donryung-envoy-1741");
        assert_eq!(s("galdan-tséren"), "galdan-tseren");
        assert_eq!(s("galdan-tse\u{301}ren"), "galdan-tseren");
        assert_eq!(s("Łukasz Æthelstan ŒUVRE"), "lukasz-aethelstan-oeuvre");
        assert_eq!(s("../avpri"), "avpri");
        assert_eq!(s("Абулхаир"), "");
        assert_eq!(s(&"a".repeat(81)), "");
    }
}
