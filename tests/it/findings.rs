//! Source criticism on the planted fixture (`tests/fixtures/findings`): every kind of finding
//! once, with every row involved, and no near-miss; `--strict`; ids that survive a
//! reordering of the rows.

use crate::common::{fails, golden, histkg, ok, root, shipped_ttl, snapshot};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// A temporary directory whose `data/` is the planted fixture (rows reversed if `reversed`).
fn planted(reversed: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fs::create_dir_all(&data).unwrap();
    for entry in fs::read_dir(root().join("tests/fixtures/findings")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = fs::read_to_string(&path).unwrap();
            let text = if reversed {
                let mut lines: Vec<&str> = text.lines().collect();
                lines[1..].reverse();
                lines.join("\n") + "\n"
            } else {
                text
            };
            fs::write(data.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    shipped_ttl(&data);
    dir
}

/// What `histkg check` prints on stderr for the planted fixture.
fn findings() -> String {
    let dir = planted(false);
    let out = histkg(dir.path(), &["check"]);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

/// The ids of the findings in `stderr` (the parenthesis that ends each finding's line).
fn ids(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter(|l| l.contains(": warning: ") || l.contains(": note: "))
        .map(|l| {
            let open = l.rfind(" (").expect("a finding ends with its id");
            l[open + 2..l.len() - 1].to_owned()
        })
        .collect()
}

#[test]
fn the_planted_fixture_gives_its_golden_findings() {
    golden(&root().join("tests/golden/findings.txt"), &findings());
}

/// One test per kind: the finding is reported, at its first row, naming every other row.
macro_rules! planted {
    ($($name:ident: $id:literal at $first:literal, [$($other:literal),*];)*) => {$(
        #[test]
        fn $name() {
            let stderr = findings();
            let line = stderr
                .lines()
                .find(|l| l.ends_with(concat!(" (", $id, ")")))
                .unwrap_or_else(|| panic!("no finding {} in:\n{stderr}", $id));
            assert!(line.starts_with(concat!($first, ": ")), "{line}");
            $(assert!(line.contains($other), "{} not named in {line}", $other);)*
        }
    )*};
}

planted! {
    participant_after_death: "chronology/participant-after-death/embassy-1741/envoy-dead/envoy"
        at "data/participants.csv:8:2", ["data/actors.csv:3:7", "data/events.csv:8:5", "(1741-03-01)"];
    participant_before_birth: "chronology/participant-before-birth/embassy-1741/envoy-young/envoy"
        at "data/participants.csv:9:2", ["data/actors.csv:4:7", "data/events.csv:8:5"];
    relation_outside_life: "chronology/relation-outside-life/friend-dead-hostile/friend-dead"
        at "data/relations.csv:9:5", ["data/actors.csv:13:7"];
    office_after_death: "chronology/office-after-death/governor-dead-held/governor-dead"
        at "data/relations.csv:8:5", ["data/actors.csv:11:7"];
    report_before_event: "chronology/report-before-event/report-x/interrogation-y"
        at "data/events.csv:3:5", ["data/events.csv:2:5", "(1741-08-10)", "(1741-08-26)"];
    answer_before_prompt: "chronology/answer-before-prompt/instruction-z/report-x"
        at "data/events.csv:7:5", ["data/events.csv:3:5"];
    old_style_report: "calendar/old-style-slip/report-slip/interrogation-y"
        at "data/events.csv:4:5", ["data/events.csv:2:5", "1741-08-10 O.S. = 1741-08-21", "5 days"];
    old_style_relation: "calendar/old-style-slip/contact-misread/contact-os"
        at "data/relations.csv:17:5", ["data/relations.csv:15:5"];
    death_date: "conflict/death-date/death-deceased/deceased/agent"
        at "data/participants.csv:11:2", ["data/actors.csv:18:7", "data/events.csv:9:5"];
    office_overlap: "conflict/office-overlap/khan-a-ruled/khan-b-ruled"
        at "data/relations.csv:3:5", ["data/relations.csv:2:5"];
    own_ancestor: "conflict/own-ancestor/a-parent-b/b-parent-a"
        at "data/relations.csv:11:1", ["data/relations.csv:12:1"];
    spouse_ancestor: "conflict/spouse-ancestor/grandchild-spouse-elder/elder/grandchild"
        at "data/relations.csv:21:1", ["data/relations.csv:19:1", "data/relations.csv:20:1"];
    recorded_disagreement: "conflict/recorded-disagreement/disputed-ruled/khan-a-ruled"
        at "data/relations.csv:7:1", ["data/relations.csv:2:1", ": note: "];
    single_tertiary_source: "evidence/single-tertiary-source/single-tertiary"
        at "data/relations.csv:13:10", ["data/sources.csv:4:2"];
    uncited_source: "evidence/uncited-source/unused-source" at "data/sources.csv:5:1", [];
    event_without_participants: "evidence/event-without-participants/meeting-empty"
        at "data/events.csv:11:1", [];
    isolated_actor: "evidence/isolated-actor/lonely" at "data/actors.csv:20:1", [];
    missing_language: "names/missing-language/heir/ru" at "data/actors.csv:22:4",
        ["`heir` has no label in `ru`", "hkg:labelLanguage"];
}

#[test]
fn every_kind_is_planted_and_no_near_miss_is_reported() {
    let stderr = findings();
    let found = ids(&stderr);
    assert_eq!(found.len(), 18, "{stderr}");
    let kinds: BTreeSet<&str> = found
        .iter()
        .map(|id| {
            let mut parts = id.splitn(3, '/');
            let (group, what) = (parts.next().unwrap(), parts.next().unwrap());
            &id[..group.len() + 1 + what.len()]
        })
        .collect();
    // Every kind but `review/stale`, which needs a reviews.csv (planted in the reviews test).
    assert_eq!(
        kinds.len(),
        histkg::findings::Kind::ALL.len() - 1,
        "{kinds:?}"
    );
    // Uncertain bounds that only overlap, the same day in both calendars, co-rulers, a report
    // about a dead man, a successor of a dead predecessor, a death on time, two sources, a
    // collection cited through its part, an archive named by a source, a levirate marriage
    // (the widow's only Russian label is `ru-Latn`, which meets `ru`).
    for near_miss in [
        "envoy-uncertain",
        "report-late",
        "report-vague",
        "contact-ns",
        "co-khan",
        "khan-d",
        "report-about-dead",
        "successor",
        "deceased-ok",
        "two-sources",
        "whole-collection",
        "part-doc",
        "`archive`",
        "widow",
    ] {
        assert!(
            !found.iter().any(|id| id.contains(near_miss)) && !stderr.contains(near_miss),
            "near-miss {near_miss} reported:\n{stderr}"
        );
    }
    assert!(
        stderr.ends_with(
            "17 findings and 1 note in data (calendar 2, chronology 6, conflict 5, evidence 4, names 1): doubts for a historian to look at (README, \"Source criticism\")\n"
        ),
        "{stderr}"
    );
}

#[test]
fn finding_ids_survive_a_reordering_of_the_rows() {
    let dir = planted(true);
    let out = histkg(dir.path(), &["check"]);
    assert!(out.status.success(), "{out:?}");
    let reversed = ids(&String::from_utf8(out.stderr).unwrap());
    assert_eq!(reversed, ids(&findings()));
}

#[test]
fn strict_refuses_findings_and_writes_nothing() {
    let dir = planted(false);
    let stderr = fails(dir.path(), &["check", "--strict"]);
    assert!(
        stderr.ends_with(
            "error: --strict: 17 findings in data not settled by a review; fix the rows or review each finding in reviews.csv; nothing was written\n"
        ),
        "{stderr}"
    );
    let stderr = fails(dir.path(), &["build", "--strict"]);
    assert!(stderr.contains("error: --strict: 17 findings"), "{stderr}");
    assert!(
        !dir.path().join("store").exists(),
        "build --strict wrote a store"
    );
    // Without --strict the same data builds, and a later strict build leaves it as it was.
    ok(dir.path(), &["build"]);
    let before = snapshot(dir.path(), "store");
    fails(dir.path(), &["build", "--strict"]);
    assert_eq!(snapshot(dir.path(), "store"), before, "the store changed");
}

/// The `names/missing-language` findings of the planted fixture once `dataset.ttl` declares
/// `languages` as its `hkg:labelLanguage` (none when `languages` is empty).
fn missing_languages(languages: &str) -> BTreeSet<String> {
    let dir = planted(false);
    let path = dir.path().join("data/dataset.ttl");
    let text = fs::read_to_string(&path).unwrap();
    let declared = "    hkg:labelLanguage \"en\" , \"ru\" ;\n";
    assert!(
        text.contains(declared),
        "the shipped dataset.ttl declares en and ru"
    );
    let replaced = if languages.is_empty() {
        String::new()
    } else {
        format!("    hkg:labelLanguage {languages} ;\n")
    };
    fs::write(&path, text.replace(declared, &replaced)).unwrap();
    let out = histkg(dir.path(), &["check"]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let found = ids(&stderr);
    found
        .into_iter()
        .filter(|id| id.starts_with("names/missing-language/"))
        .collect()
}

#[test]
fn the_languages_every_name_needs_are_the_datasets_choice() {
    // None declared: no finding, though `heir` has no Russian label.
    assert_eq!(missing_languages(""), BTreeSet::new());
    // Kalmyk (Oirat) declared instead of Russian: every actor, place and event of the
    // fixture lacks it (23 + 1 + 11), `heir` no longer lacks anything asked of it.
    let xal = missing_languages("\"en\" , \"XAL\"");
    assert_eq!(xal.len(), 35, "{xal:?}");
    assert!(xal.iter().all(|id| id.ends_with("/xal")), "{xal:?}");
    for id in ["heir", "fortress", "report-x"] {
        assert!(
            xal.contains(&format!("names/missing-language/{id}/xal")),
            "{id}: {xal:?}"
        );
    }
}

#[test]
fn data_without_doubts_prints_no_findings() {
    let dir = planted(false);
    let data = dir.path().join("data");
    // Only the rows around one sound report: its event, its participants and its source.
    let keep = |file: &str, ids: &[&str]| {
        let path = data.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines.filter(|l| ids.iter().any(|id| l.starts_with(&format!("{id},")))) {
            out.push_str(line);
            out.push('\n');
        }
        fs::write(path, out).unwrap();
    };
    keep("sources.csv", &["primary-doc"]);
    keep("actors.csv", &["khan-a", "envoy-uncertain"]);
    keep("places.csv", &[]);
    keep("relations.csv", &["friend"]);
    keep("events.csv", &["interrogation-y", "report-late"]);
    keep("participants.csv", &["interrogation-y", "report-late"]);
    // The archive of primary-doc is gone: point it nowhere.
    let sources = fs::read_to_string(data.join("sources.csv")).unwrap();
    fs::write(
        data.join("sources.csv"),
        sources.replace(",archive,1,", ",,1,"),
    )
    .unwrap();
    let events = fs::read_to_string(data.join("events.csv")).unwrap();
    fs::write(data.join("events.csv"), events.replace(",fortress,", ",,")).unwrap();
    let out = histkg(dir.path(), &["check", "--strict"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    assert!(!Path::new(&data).join("reviews.csv").exists());
}

/// `reviews.csv` with a review of each finding of `ids` (verdict and note), then `extra` rows.
fn write_reviews(dir: &Path, ids: &BTreeSet<String>, verdict: &str, extra: &str) {
    let mut csv = String::from("finding,verdict,note,sources\n");
    for id in ids {
        csv.push_str(&format!(
            "{id},{verdict},Looked at in the fixture.,study:p. 1\n"
        ));
    }
    csv.push_str(extra);
    fs::write(dir.join("data/reviews.csv"), csv).unwrap();
}

#[test]
fn reviews_show_findings_as_reviewed_and_settle_them_for_strict() {
    let dir = planted(false);
    let all = ids(&findings());
    let warnings: BTreeSet<String> = all
        .iter()
        .filter(|id| !id.starts_with("conflict/recorded-disagreement/"))
        .cloned()
        .collect();
    let (open, settled): (BTreeSet<String>, BTreeSet<String>) = warnings
        .iter()
        .cloned()
        .partition(|id| id.starts_with("evidence/isolated-actor/"));
    write_reviews(
        dir.path(),
        &settled,
        "explained",
        "evidence/isolated-actor/lonely,open,,\n",
    );
    let stderr = fails(dir.path(), &["check", "--strict"]);
    assert!(
        stderr.contains(
            "data/actors.csv:20:1: reviewed as open: actor `lonely` has no relation and takes part in no event (evidence/isolated-actor/lonely); review [data/reviews.csv:18:1]"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "data/events.csv:3:5: reviewed as explained: `report-x` (1741-08-10) is dated wholly before the event it tells of, `interrogation-y` (1741-08-26) [data/events.csv:2:5] (chronology/report-before-event/report-x/interrogation-y); review: Looked at in the fixture. [data/reviews.csv:"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("(calendar 2, chronology 6, conflict 5, evidence 4, names 1, 17 reviewed)"),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: --strict: 1 finding in data not settled by a review; fix the rows or review each finding in reviews.csv; nothing was written\n"), "{stderr}");
    assert_eq!(open.len(), 1);
    // Settled (error-in-source settles too), strict passes and builds.
    write_reviews(dir.path(), &warnings, "error-in-source", "");
    ok(dir.path(), &["build", "--strict"]);
    // A review of a finding that no longer exists is itself a finding, which strict refuses.
    write_reviews(
        dir.path(),
        &warnings,
        "explained",
        "chronology/report-before-event/report-x/gone,explained,The event was removed.,\n",
    );
    let stderr = fails(dir.path(), &["check", "--strict"]);
    assert!(
        stderr.contains(
            "data/reviews.csv:19:1: warning: the review of `chronology/report-before-event/report-x/gone` names a finding the data no longer gives: remove the review, or update its id (review/stale/chronology/report-before-event/report-x/gone)"
        ),
        "{stderr}"
    );
}

#[test]
fn bad_reviews_are_refused_with_file_line_and_column() {
    let dir = planted(false);
    fs::write(
        dir.path().join("data/reviews.csv"),
        "finding,verdict,note,sources\n\
         chronology/report-befor-event/report-x/interrogation-y,explained,Why.,\n\
         evidence/isolated-actor/lonely,maybe,Why.,\n\
         evidence/uncited-source/unused-source,explained,,\n\
         evidence/event-without-participants/meeting-empty,explained,Why.,nowhere\n\
         evidence/event-without-participants/meeting-empty,open,,\n",
    )
    .unwrap();
    let before = fs::read_dir(dir.path()).unwrap().count();
    let stderr = fails(dir.path(), &["build"]);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            !l.contains(": warning: ") && !l.contains(": note: ") && !l.contains("doubts for")
        })
        .collect();
    assert_eq!(
        errors,
        [
            "data/reviews.csv:2:1: `chronology/report-befor-event/report-x/interrogation-y` is not the id of a finding: ids start with a kind such as `chronology/report-before-event`; did you mean `chronology/report-before-event`?; copy the id from the end of the finding's line",
            "data/reviews.csv:3:2: unknown verdict `maybe`; use `explained`, `error-in-source` or `open`",
            "data/reviews.csv:4:3: a review with the verdict `explained` needs a `note` saying why",
            "data/reviews.csv:5:4: unknown source `nowhere`",
            "data/reviews.csv:6:1: `evidence/event-without-participants/meeting-empty` is already reviewed at line 5",
            "error: 5 problems in data; nothing was written",
        ],
        "{stderr}"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        before,
        "build wrote something"
    );
}

#[test]
fn evidence_strength_is_computed_at_build_and_queryable() {
    let dir = planted(false);
    ok(dir.path(), &["build"]);
    let csv = ok(
        dir.path(),
        &[
            "query",
            "--format",
            "csv",
            "-e",
            "SELECT ?a ?n ?p ?s ?t ?both WHERE { VALUES ?a { assertion:two-sources assertion:same-work assertion:single-tertiary assertion:khan-a-ruled } \
             ?a hkg:sourceCount ?n \
             OPTIONAL { ?a hkg:primarySources ?p } OPTIONAL { ?a hkg:secondarySources ?s } \
             OPTIONAL { ?a hkg:tertiarySources ?t } OPTIONAL { ?a hkg:corroborated ?both } } ORDER BY ?a",
        ],
    );
    let base = "https://example.org/histkg/assertion/";
    assert_eq!(
        csv.replace(base, ""),
        "a,n,p,s,t,both\r\n\
         khan-a-ruled,1,1,,,\r\n\
         same-work,2,2,,,\r\n\
         single-tertiary,1,,,1,\r\n\
         two-sources,2,,1,1,true\r\n",
        "a document and the collection it is printed in are one work, not two corroborating sources"
    );
    let card = ok(dir.path(), &["show", "two-sources"]);
    assert!(
        card.contains("2 sources (1 secondary, 1 tertiary), corroborated"),
        "{card}"
    );
}

#[test]
fn sources_lists_what_rests_on_each_source_and_impact_what_its_loss_would_leave() {
    let dir = planted(false);
    ok(dir.path(), &["build"]);
    let list = ok(dir.path(), &["sources", "--sort", "id"]);
    golden(&root().join("tests/golden/sources-list.txt"), &list);
    let row = |id: &str| {
        list.lines()
            .find(|l| l.starts_with(&format!("│ {id} ")))
            .map(|l| {
                l.split('┆')
                    .map(|c| c.trim_matches([' ', '│']))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| panic!("no {id} in\n{list}"))
    };
    assert_eq!(
        row("encyclopedia"),
        ["encyclopedia", "EncyclopediaEntry", "tertiary", "2", "1"]
    );
    assert_eq!(
        row("unused-source"),
        ["unused-source", "Book", "secondary", "0", "0"]
    );
    let impact = ok(dir.path(), &["sources", "impact", "encyclopedia"]);
    assert_eq!(
        impact,
        "source:encyclopedia\n\
         \n\
         rests on it alone (left without evidence without it): 1\n  \
         assertion:single-tertiary  Khan B alliedWith Khan D\n\
         \n\
         actors and places whose only source it is: 0\n\
         \n\
         would lose a corroboration: 1\n  \
         assertion:two-sources  Khan B hostileTo Khan D\n"
    );
    let impact = ok(dir.path(), &["sources", "impact", "source:study"]);
    golden(
        &root().join("tests/golden/sources-impact-study.txt"),
        &impact,
    );
    assert!(
        impact.contains("  actor:archive  Synthetic Archive\n"),
        "{impact}"
    );
    // A document printed in a collection does not corroborate the collection.
    let impact = ok(dir.path(), &["sources", "impact", "part-doc"]);
    assert!(
        impact.ends_with("would lose a corroboration: 0\n"),
        "{impact}"
    );
    let stderr = fails(dir.path(), &["sources", "impact", "nowhere"]);
    assert!(
        stderr.contains("no entity `nowhere` in the graph"),
        "{stderr}"
    );
}

#[test]
fn a_source_page_says_what_rests_on_it() {
    let dir = planted(false);
    ok(dir.path(), &["build"]);
    ok(dir.path(), &["publish", "--out", "site"]);
    let page = fs::read_to_string(dir.path().join("site/source/encyclopedia/index.html")).unwrap();
    assert!(
        page.contains("<h2>What rests on this source</h2>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>Left without evidence without it (1)</dt><dd><a href=\"..&#x2f;..&#x2f;assertion&#x2f;single-tertiary&#x2f;\">Khan B alliedWith Khan D</a></dd>"),
        "{page}"
    );
    assert!(
        page.contains("<dt>Would lose a corroboration (1)</dt>"),
        "{page}"
    );
    // Other entities' pages have no such section.
    let page = fs::read_to_string(dir.path().join("site/actor/khan-a/index.html")).unwrap();
    assert!(!page.contains("What rests on this source"), "{page}");
}

#[test]
fn findings_are_in_the_graph_on_the_pages_and_in_show() {
    let dir = planted(false);
    ok(dir.path(), &["build"]);
    let concerns = ok(
        dir.path(),
        &[
            "query",
            "--format",
            "csv",
            "-e",
            "SELECT ?c WHERE { <https://example.org/histkg/finding/chronology/participant-after-death/embassy-1741/envoy-dead/envoy> hkg:concerns ?c } ORDER BY ?c",
        ],
    );
    assert_eq!(
        concerns,
        "c\r\nhttps://example.org/histkg/actor/envoy-dead\r\nhttps://example.org/histkg/event/embassy-1741\r\n"
    );
    let findings = ok(
        dir.path(),
        &[
            "query",
            "--format",
            "csv",
            "-e",
            "SELECT (COUNT(?f) AS ?n) WHERE { ?f a hkg:Finding }",
        ],
    );
    assert_eq!(findings, "n\r\n18\r\n");
    let card = ok(dir.path(), &["show", "envoy-dead"]);
    assert!(
        card.contains("\ndoubts\n  chronology/participant-after-death: `envoy-dead` (1700-01-01/1736-01-11) is envoy in `embassy-1741` (1741-03-01), wholly after the end of their dates\n"),
        "{card}"
    );
    ok(dir.path(), &["publish", "--out", "site"]);
    let page = fs::read_to_string(dir.path().join("site/event/embassy-1741/index.html")).unwrap();
    assert!(page.contains("<h2>Doubts</h2>"), "{page}");
    assert!(
        page.contains("<code>chronology&#x2f;participant-before-birth</code>"),
        "{page}"
    );
}

#[test]
fn the_findings_page_lists_every_finding_and_void_counts_them() {
    let dir = planted(false);
    ok(dir.path(), &["build"]);
    ok(dir.path(), &["publish", "--out", "site"]);
    let page = fs::read_to_string(dir.path().join("site/findings/index.html")).unwrap();
    assert!(page.contains("18 findings, 0 reviewed."), "{page}");
    assert!(
        page.contains("<h2 id=\"chronology&#x2f;report-before-event\"><code>chronology&#x2f;report-before-event</code> (1)</h2>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"..&#x2f;event&#x2f;interrogation-y&#x2f;\">event:interrogation-y</a>, <a href=\"..&#x2f;event&#x2f;report-x&#x2f;\">event:report-x</a>"),
        "{page}"
    );
    assert_eq!(
        page.matches("<span class=\"muted\">not reviewed</span>")
            .count(),
        18
    );
    let void = fs::read_to_string(dir.path().join("site/void.ttl")).unwrap();
    assert!(
        void.contains(
            "<https://example.org/histkg/dataset#finding>\n    void:class hkg:Finding ;\n    void:entities 18 ."
        ),
        "{void}"
    );
}
