//! `reviews.csv`, optional: a historian's verdict on each finding they looked at. Each row
//! names a finding by its stable id; the finding is then shown as reviewed, and `--strict`
//! lets it pass unless the verdict is `open`. A review of a finding the data no longer gives
//! is itself a finding (`review/stale`).

use super::observe::{Findings, View};
use super::rows::Checker;
use super::table::{self, ColumnSpec, optional, required};
use super::{Checked, Table};
use crate::diagnostics::{Diagnostics, did_you_mean, shorten};
use crate::findings::{Finding, Kind, Review, Row, Verdict};
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The file's name in the data directory.
pub const FILE_NAME: &str = "reviews.csv";

/// Columns of `reviews.csv`.
pub const REVIEW_COLUMNS: &[ColumnSpec] = &[
    required("finding"),
    required("verdict"),
    optional("note"),
    optional("sources"),
];

/// Reads `reviews.csv` (or its sheet) if there is one, and attaches each review to its
/// finding; problems go to `diags`, reviews of findings that do not exist become findings.
pub(super) fn apply(checked: &Checked, findings: &mut Findings, diags: &mut Diagnostics) {
    let reviews = read(checked, diags);
    if reviews.is_empty() {
        return;
    }
    let by_id: HashMap<&str, usize> = (reviews.iter().enumerate())
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    // Each finding's id is made once, to look its review up: ids are not kept.
    let view = View {
        findings,
        registry: &checked.registry,
    };
    let matched: Vec<(usize, usize)> = (findings.found.iter().enumerate())
        .filter_map(|(f, found)| Some((f, *by_id.get(view.stable_id(found).as_str())?)))
        .collect();
    let mut reviewed = vec![None; reviews.len()];
    for (f, r) in matched {
        reviewed[r] = Some(f);
    }
    for ((finding, review), f) in reviews.into_iter().zip(reviewed) {
        match f {
            Some(f) => {
                findings.found[f].review =
                    u32::try_from(findings.reviews.len()).expect("fewer than 2^32 reviews");
                findings.reviews.push(review);
            }
            None => findings.stale.push(Finding {
                kind: Kind::StaleReview,
                ids: vec![finding.clone()],
                rows: vec![review.at.clone()],
                message: format!(
                    "the review of `{finding}` names a finding the data no longer gives: remove the review, or update its id"
                )
                .into_boxed_str(),
                review: None,
                kinds: vec![None],
            }),
        }
    }
}

/// The valid rows of `reviews.csv`, each with the id of the finding it reviews, in file order.
fn read(checked: &Checked, diags: &mut Diagnostics) -> Vec<(String, Review)> {
    let mut reviews = Vec::new();
    let Some(source) = &checked.sources.reviews else {
        return reviews;
    };
    let shown = &source.shown;
    let file: Arc<str> = Arc::from(shown.as_str());
    let Some(reader) = table::open(source, REVIEW_COLUMNS, diags) else {
        return reviews;
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut checker = Checker::new(checked);
    // Citations are checked as in any table; their messages name this file.
    checker.table = Table::Sources;
    reader.for_each(Some(diags), |t, row| {
        let finding = t.cell(row, "finding");
        let at = |column: &str| Row {
            file: file.clone(),
            line: row.line,
            column: t.column(column),
        };
        let kind = finding.split('/').take(2).collect::<Vec<_>>().join("/");
        if Kind::from_name(&kind).is_none() {
            let names = Kind::ALL.map(Kind::name);
            let hint = did_you_mean(&kind, names)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let message = format!(
                "`{}` is not the id of a finding: ids start with a kind such as `chronology/report-before-event`{hint}; copy the id from the end of the finding's line",
                shorten(finding)
            );
            checker.diags.push(shown, row.line, t.column("finding"), message);
            return ControlFlow::Continue(());
        }
        if let Some(first) = seen.insert(finding.to_owned(), row.line) {
            let message = format!("`{}` is already reviewed at line {first}", shorten(finding));
            checker.diags.push(shown, row.line, t.column("finding"), message);
            return ControlFlow::Continue(());
        }
        let verdict_text = t.cell(row, "verdict");
        let Some(verdict) = Verdict::from_name(verdict_text) else {
            let message = format!(
                "unknown verdict `{}`; use `explained`, `error-in-source` or `open`",
                shorten(verdict_text)
            );
            checker.diags.push(shown, row.line, t.column("verdict"), message);
            return ControlFlow::Continue(());
        };
        let note = Some(t.cell(row, "note")).filter(|n| !n.is_empty()).map(str::to_owned);
        if note.is_none() && verdict != Verdict::Open {
            let message = format!(
                "a review with the verdict `{}` needs a `note` saying why",
                verdict.name()
            );
            checker.diags.push(shown, row.line, t.column("note"), message);
        }
        let sources = if t.cell(row, "sources").is_empty() {
            Vec::new()
        } else {
            checker.citations(t, row)
        };
        let review = Review {
            verdict,
            note,
            sources,
            at: at("finding"),
        };
        reviews.push((finding.to_owned(), review));
        ControlFlow::Continue(())
    });
    diags.append(checker.diags);
    reviews
}
