//! The tables of a dataset and their columns: what the CSV files are called, which columns
//! each may have, and which kind of entity each declares.

use super::table::{ColumnSpec, optional, required};
use crate::vocab::Kind;

/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("citation"),
    optional("title"),
    optional("creator"),
    optional("issued"),
    optional("url"),
    optional("doi"),
    optional("part_of"),
    optional("archive"),
    optional("fond"),
    optional("opis"),
    optional("delo"),
    optional("folios"),
    optional("language"),
    optional("note"),
];

/// Columns of `actors.csv`.
pub const ACTOR_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    optional("label_ru"),
    optional("labels"),
    optional("alt_labels"),
    optional("dates"),
    optional("calendar"),
    optional("description"),
    optional("wikidata"),
    required("sources"),
];

/// Columns of `places.csv`.
pub const PLACE_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    optional("label_ru"),
    optional("labels"),
    optional("alt_labels"),
    optional("lat"),
    optional("long"),
    optional("coordinates_source"),
    optional("coordinates_note"),
    optional("part_of"),
    optional("description"),
    required("sources"),
];

/// Columns of `relations.csv`.
pub const RELATION_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("subject"),
    required("predicate"),
    required("object"),
    optional("date"),
    optional("date_as_written"),
    optional("calendar"),
    optional("place"),
    optional("certainty"),
    required("sources"),
    optional("note"),
];

/// Columns of `events.csv`.
pub const EVENT_COLUMNS: &[ColumnSpec] = &[
    required("id"),
    required("type"),
    required("label_en"),
    optional("label_ru"),
    optional("date"),
    optional("date_as_written"),
    optional("calendar"),
    optional("place"),
    optional("about"),
    optional("in_response_to"),
    optional("certainty"),
    required("sources"),
    optional("description"),
];

/// Columns of `participants.csv`.
pub const PARTICIPANT_COLUMNS: &[ColumnSpec] = &[
    required("event"),
    required("actor"),
    required("role"),
    optional("note"),
];

/// The tables of a dataset, in reading order (an id may be referred to before its table is
/// read: every table's ids are registered first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// `sources.csv`: works and archival records.
    Sources,
    /// `actors.csv`: people, polities, institutions, offices, groups.
    Actors,
    /// `places.csv`.
    Places,
    /// `relations.csv`: assertions between two entities.
    Relations,
    /// `events.csv`.
    Events,
    /// `participants.csv`: who took part in an event, in which role.
    Participants,
}

impl Table {
    /// Every table, in reading order.
    pub const ALL: [Table; 6] = [
        Table::Sources,
        Table::Actors,
        Table::Places,
        Table::Relations,
        Table::Events,
        Table::Participants,
    ];

    /// The file's name in the data directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Sources => "sources.csv",
            Table::Actors => "actors.csv",
            Table::Places => "places.csv",
            Table::Relations => "relations.csv",
            Table::Events => "events.csv",
            Table::Participants => "participants.csv",
        }
    }

    /// The columns it may have.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Sources => SOURCE_COLUMNS,
            Table::Actors => ACTOR_COLUMNS,
            Table::Places => PLACE_COLUMNS,
            Table::Relations => RELATION_COLUMNS,
            Table::Events => EVENT_COLUMNS,
            Table::Participants => PARTICIPANT_COLUMNS,
        }
    }

    /// The kind of entity its rows declare (participations declare none).
    pub fn declares(self) -> Option<Kind> {
        match self {
            Table::Sources => Some(Kind::Source),
            Table::Actors => Some(Kind::Actor),
            Table::Places => Some(Kind::Place),
            Table::Relations => Some(Kind::Assertion),
            Table::Events => Some(Kind::Event),
            Table::Participants => None,
        }
    }

    /// Its position in [`Table::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// One value for each table, found by its [`Table`].
#[derive(Debug, Clone)]
pub(crate) struct PerTable<T>([T; 6]);

impl<T> PerTable<T> {
    /// The value `make(table)` for each table.
    pub(crate) fn new(make: impl FnMut(Table) -> T) -> Self {
        Self(Table::ALL.map(make))
    }
}

impl<T> std::ops::Index<Table> for PerTable<T> {
    type Output = T;

    fn index(&self, table: Table) -> &T {
        &self.0[table.index()]
    }
}

impl<T> std::ops::IndexMut<Table> for PerTable<T> {
    fn index_mut(&mut self, table: Table) -> &mut T {
        &mut self.0[table.index()]
    }
}
