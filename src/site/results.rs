//! SPARQL results as a page, for people who ask the endpoint from a browser.

use super::{Links, Site};
use crate::error::Result;
use crate::query::human;
use minijinja::context;
use oxigraph::model::Term;
use oxigraph::sparql::{QuerySolution, Variable};
use serde::Serialize;

/// One value of a results table: its text, and a link when it is an entity of the dataset.
#[derive(Debug, Serialize)]
pub struct Cell {
    /// The value for people (prefixed IRI, literal with its language).
    pub value: String,
    /// The entity's page.
    pub href: Option<String>,
}

impl Site {
    /// The page of an ASK query's answer.
    pub fn boolean_page(&self, links: &Links, query: &str, value: bool) -> Result<String> {
        self.render(
            "results.html",
            links,
            context! {
                query,
                boolean => value,
                variables => Vec::<String>::new(),
                rows => Vec::<Vec<Cell>>::new(),
            },
        )
    }

    /// The page of a SELECT query's solutions: a table with links to the entities.
    pub fn solutions_page(
        &self,
        links: &Links,
        query: &str,
        variables: &[Variable],
        solutions: &[QuerySolution],
    ) -> Result<String> {
        let abbreviations = self.abbreviations();
        let rows: Vec<Vec<Cell>> = solutions
            .iter()
            .map(|solution| {
                variables
                    .iter()
                    .map(|v| match solution.get(v) {
                        Some(t @ Term::NamedNode(n)) => Cell {
                            value: human(t, &abbreviations),
                            href: self.href(links, n.as_str()),
                        },
                        Some(t) => Cell {
                            value: human(t, &abbreviations),
                            href: None,
                        },
                        None => Cell {
                            value: String::new(),
                            href: None,
                        },
                    })
                    .collect()
            })
            .collect();
        let names: Vec<&str> = variables.iter().map(Variable::as_str).collect();
        self.render(
            "results.html",
            links,
            context! {
                query,
                boolean => minijinja::Value::from(()),
                variables => names,
                rows,
            },
        )
    }
}
