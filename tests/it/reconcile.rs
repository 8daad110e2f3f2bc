//! `/reconcile`, the Entity Reconciliation API (0.2) of `histkg serve`, through the handler
//! on the shipped data: the manifest, names in three scripts giving the same person first,
//! `match` only for one exact candidate, types and limits, POST forms, CORS, and refusals
//! of bad batches. `tests/interop/reconcile.py` checks the same answers against the
//! specification's schemas over a real socket.

use crate::common::root;
use histkg::serve::{App, Options};
use oxhttp::model::{Body, Method, Request};
use serde_json::Value;

/// An App over the shipped data, built into a temporary store.
fn app() -> (tempfile::TempDir, App) {
    let dir = crate::common::built_shipped();
    let store = histkg::store::open(&dir.path().join("store")).unwrap();
    let options = Options::default();
    let app = App::new(store, &root().join("queries"), options).unwrap();
    (dir, app)
}

/// Sends a request: status, the CORS header, body.
fn send(app: &App, method: Method, uri: &str, form: Option<&str>) -> (u16, String, String) {
    let mut builder = Request::builder().method(method).uri(uri);
    if form.is_some() {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
    }
    let mut request = builder
        .body(Body::from(form.unwrap_or_default().to_owned()))
        .unwrap();
    let r = app.handle(&mut request);
    let cors = (r.headers().get("access-control-allow-origin"))
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        cors,
        r.into_body().to_string().unwrap(),
    )
}

/// `GET /reconcile?PARAM=VALUE` with the value form-encoded: status, CORS header, body.
fn get_param(app: &App, param: &str, value: &str) -> (u16, String, String) {
    let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    send(
        app,
        Method::GET,
        &format!("/reconcile?{param}={encoded}"),
        None,
    )
}

/// The answers to a batch of queries sent by GET.
fn reconcile(app: &App, queries: &str) -> Value {
    let (status, cors, body) = get_param(app, "queries", queries);
    assert_eq!((status, cors.as_str()), (200, "*"), "{body}");
    serde_json::from_str(&body).unwrap()
}

/// The ids of the candidates for query `q` of `answers`, best first.
fn ids(answers: &Value, q: &str) -> Vec<String> {
    (answers[q]["result"].as_array().unwrap().iter())
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_manifest_names_the_service_and_its_types() {
    let (_dir, app) = app();
    let (status, cors, body) = send(&app, Method::GET, "/reconcile", None);
    assert_eq!((status, cors.as_str()), (200, "*"));
    let manifest: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(manifest["versions"], serde_json::json!(["0.2"]));
    assert_eq!(manifest["identifierSpace"], "https://example.org/histkg/");
    assert_eq!(manifest["view"]["url"], "https://example.org/histkg/{{id}}");
    let types: Vec<&str> = (manifest["defaultTypes"].as_array().unwrap().iter())
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for t in ["Actor", "Person", "Polity", "Place", "Settlement"] {
        assert!(types.contains(&t), "{types:?}");
    }
    let (status, cors, _) = send(&app, Method::OPTIONS, "/reconcile", None);
    assert_eq!((status, cors.as_str()), (204, "*"));
}

#[test]
fn names_in_three_scripts_give_the_same_person_first() {
    let (_dir, app) = app();
    let answers = reconcile(
        &app,
        r#"{"a": {"query": "Абулхаир"}, "b": {"query": "Abulkhair"}, "c": {"query": "Abu'l-Khayr"},
            "d": {"query": "Әбілқайыр"}, "e": {"query": "Abulkhair", "type": "Settlement"}}"#,
    );
    for q in ["a", "b", "c", "d"] {
        let first = &answers[q]["result"][0];
        assert_eq!(first["id"], "actor/abulkhair", "{q}: {answers}");
    }
    // Exact names match; `Әбілқайыр` is only close to `Әбілқайыр хан`.
    assert_eq!(answers["a"]["result"][0]["match"], true);
    assert_eq!(answers["c"]["result"][0]["score"], 100.0);
    assert_eq!(answers["d"]["result"][0]["match"], false);
    assert!(answers["d"]["result"][0]["score"].as_f64().unwrap() < 100.0);
    // A type no such candidate has gives nothing like him.
    let settlements = answers["e"]["result"].as_array().unwrap();
    assert!(
        settlements.iter().all(|c| c["id"] != "actor/abulkhair"),
        "{settlements:?}"
    );
}

#[test]
fn a_batch_posted_as_a_form_is_answered_with_limits_and_types() {
    let (_dir, app) = app();
    let queries =
        r#"{"q0": {"query": "Darma-Bala", "type": ["Person"], "limit": 1}, "q1": "Orenburg"}"#;
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("queries", queries)
        .finish();
    let (status, cors, body) = send(&app, Method::POST, "/reconcile", Some(&form));
    assert_eq!((status, cors.as_str()), (200, "*"), "{body}");
    let answers: Value = serde_json::from_str(&body).unwrap();
    let q0 = answers["q0"]["result"].as_array().unwrap();
    assert_eq!(q0.len(), 1);
    assert_eq!(q0[0]["id"], "actor/darma-bala");
    assert_eq!(q0[0]["type"][0]["id"], "Actor");
    assert!(
        answers["q1"]["result"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("place/orenburg"),
        "{answers}"
    );
}

#[test]
fn bad_batches_are_refused_with_a_message() {
    let (_dir, app) = app();
    let get = |queries: &str| get_param(&app, "queries", queries);
    let (status, _, body) = get("{not json");
    assert_eq!(status, 400);
    assert!(body.starts_with("`queries` is not JSON"), "{body}");
    let (status, _, body) = get(r#"["Abulkhair"]"#);
    assert_eq!(status, 400);
    assert!(body.contains("must be a JSON object of queries"), "{body}");
    let (status, _, body) = get(r#"{"q": {"query": "x", "limit": 0}}"#);
    assert_eq!(status, 400);
    assert!(
        body.contains("`limit` must be a whole number from 1 to 50"),
        "{body}"
    );
    let many: Vec<String> = (0..=100).map(|i| format!("\"q{i}\": \"x\"")).collect();
    let (status, _, body) = get(&format!("{{{}}}", many.join(",")));
    assert_eq!(status, 400);
    assert!(
        body.contains("at most 100 queries in one batch, not 101"),
        "{body}"
    );
    let (status, _, body) = get(r#"{"q": {"type": "Person"}}"#);
    assert_eq!(status, 400);
    assert!(body.contains("query `q` has no `query` string"), "{body}");
}

#[test]
fn preview_and_suggest_answer_what_openrefine_asks() {
    let (_dir, app) = app();
    let (_, _, body) = send(&app, Method::GET, "/reconcile", None);
    let manifest: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        manifest["preview"]["url"],
        "https://example.org/histkg/reconcile/preview?id={{id}}"
    );
    assert_eq!(
        manifest["suggest"]["entity"]["service_path"],
        "/reconcile/suggest/entity"
    );
    let (status, cors, card) = send(
        &app,
        Method::GET,
        "/reconcile/preview?id=actor/abulkhair",
        None,
    );
    assert_eq!((status, cors.as_str()), (200, "*"));
    assert!(
        card.contains(
            "<a href=\"https:&#x2f;&#x2f;example.org&#x2f;histkg&#x2f;actor&#x2f;abulkhair\" target=\"_blank\"><b>Abulkhair</b></a>"
        ),
        "{card}"
    );
    assert!(card.contains("Әбілқайыр хан"), "{card}");
    let (status, _, body) = send(
        &app,
        Method::GET,
        "/reconcile/preview?id=actor/nobody",
        None,
    );
    assert_eq!(status, 404, "{body}");
    let prefix: String = form_urlencoded::byte_serialize("Абул".as_bytes()).collect();
    let (status, _, body) = send(
        &app,
        Method::GET,
        &format!("/reconcile/suggest/entity?prefix={prefix}"),
        None,
    );
    assert_eq!(status, 200);
    let entities: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<&str> = (entities["result"].as_array().unwrap().iter())
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"actor/abulkhair"), "{ids:?}");
    let (_, _, body) = send(
        &app,
        Method::GET,
        "/reconcile/suggest/type?prefix=sett",
        None,
    );
    let types: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        types["result"],
        serde_json::json!([{"id": "Settlement", "name": "Settlement"}])
    );
}

#[test]
fn data_extension_adds_names_dates_types_relations_and_sources() {
    let (_dir, app) = app();
    let (_, _, body) = send(
        &app,
        Method::GET,
        "/reconcile/propose_properties?type=Person",
        None,
    );
    let proposal: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(proposal["type"], "Person");
    assert_eq!(proposal["properties"][0]["id"], "label_ru");
    let extend = r#"{"ids": ["actor/abulkhair"], "properties": [{"id": "label_ru"}, {"id": "dates"}, {"id": "type"}, {"id": "related"}, {"id": "sources"}]}"#;
    let form: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("extend", extend)
        .finish();
    let (status, cors, body) = send(&app, Method::POST, "/reconcile", Some(&form));
    assert_eq!((status, cors.as_str()), (200, "*"), "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer["meta"][0],
        serde_json::json!({"id": "label_ru", "name": "Russian name"})
    );
    let row = &answer["rows"]["actor/abulkhair"];
    assert_eq!(row["label_ru"], serde_json::json!([{"str": "Абулхаир"}]));
    assert_eq!(
        row["dates"],
        serde_json::json!([{"str": "1693/1748-08-17"}])
    );
    assert!(
        row["type"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"id": "Person", "name": "Person"})),
        "{row}"
    );
    assert!(!row["related"].as_array().unwrap().is_empty(), "{row}");
    assert!(
        (row["sources"].as_array().unwrap().iter()).any(|s| s["id"] == "source/bse-abulkhair"),
        "{row}"
    );
    let (status, _, body) = get_param(
        &app,
        "extend",
        r#"{"ids": ["actor/abulkhair"], "properties": [{"id": "wives"}]}"#,
    );
    assert_eq!(status, 400);
    assert!(
        body.starts_with("unknown property `wives`; the properties are: label_ru"),
        "{body}"
    );
}

#[test]
fn a_date_keeps_only_candidates_whose_dates_overlap_it() {
    let (_dir, app) = app();
    // Two men named Galdan-Tseren: the khong-taiji (1693?/1745) and Ayuka's son (undated).
    let answers = reconcile(
        &app,
        r#"{"in": {"query": "Galdan-Tseren", "type": "Person", "properties": [{"pid": "dates", "v": "1740"}]},
            "after": {"query": "Galdan-Tseren", "type": "Person", "properties": [{"pid": "dates", "v": "1760/1770"}]}}"#,
    );
    assert_eq!(ids(&answers, "in")[0], "actor/galdan-tseren", "{answers}");
    assert!(
        !ids(&answers, "after").contains(&"actor/galdan-tseren".to_owned()),
        "{answers}"
    );
    assert!(
        ids(&answers, "after").contains(&"actor/galdan-tseren-son-of-ayuka".to_owned()),
        "an undated candidate stays: {answers}"
    );
    let (status, _, body) = get_param(
        &app,
        "queries",
        r#"{"q": {"query": "x", "properties": [{"pid": "wife", "v": "y"}]}}"#,
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("unknown property `wife`; the properties are: dates"),
        "{body}"
    );
}

#[test]
fn a_related_actor_or_a_place_keeps_only_linked_candidates() {
    let (_dir, app) = app();
    // The two Galdan-Tserens again: Ayuka's son is his child (parentOf); the khong-taiji is
    // Tsewang Rabtan's son and successor. A reconciled cell comes as {"id": ...}.
    let answers = reconcile(
        &app,
        r#"{"ayuka": {"query": "Galdan-Tseren", "properties": [{"pid": "related", "v": "Аюка"}]},
            "tsewang": {"query": "Galdan-Tseren", "properties": [{"pid": "related", "v": {"id": "actor/tsewang-rabtan", "name": "Tsewang Rabtan"}}]},
            "orsk": {"query": "Abulkhair", "properties": [{"pid": "place", "v": "Orsk"}]},
            "astrakhan": {"query": "Abulkhair", "properties": [{"pid": "place", "v": "Astrakhan"}]},
            "both": {"query": "Neplyuev", "properties": [{"pid": "place", "v": "Орск"}, {"pid": "related", "v": ["Abulkhair", "nobody"]}]}}"#,
    );
    assert_eq!(
        ids(&answers, "ayuka")[0],
        "actor/galdan-tseren-son-of-ayuka",
        "{answers}"
    );
    assert!(
        !ids(&answers, "ayuka").contains(&"actor/galdan-tseren".to_owned()),
        "{answers}"
    );
    assert_eq!(
        ids(&answers, "tsewang")[0],
        "actor/galdan-tseren",
        "{answers}"
    );
    assert!(
        !ids(&answers, "tsewang").contains(&"actor/galdan-tseren-son-of-ayuka".to_owned()),
        "{answers}"
    );
    // Abulkhair took part in events at Orsk (the oath of 1742), none at Astrakhan.
    assert_eq!(ids(&answers, "orsk")[0], "actor/abulkhair", "{answers}");
    assert_eq!(answers["orsk"]["result"][0]["match"], true);
    assert!(
        !ids(&answers, "astrakhan").contains(&"actor/abulkhair".to_owned()),
        "{answers}"
    );
    assert_eq!(ids(&answers, "both")[0], "actor/neplyuev", "{answers}");
    // The properties OpenRefine offers for a column, and a bad value refused.
    let (status, _, body) = send(
        &app,
        Method::GET,
        "/reconcile/suggest/property?prefix=pl",
        None,
    );
    assert_eq!(status, 200);
    let suggested: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(suggested["result"][0]["id"], "place", "{suggested}");
    let (_, _, body) = send(
        &app,
        Method::GET,
        "/reconcile/suggest/property?prefix=",
        None,
    );
    assert_eq!(body.matches("\"id\"").count(), 3, "{body}");
    let (status, _, body) = get_param(
        &app,
        "queries",
        r#"{"q": {"query": "x", "properties": [{"pid": "place", "v": 12}]}}"#,
    );
    assert_eq!(status, 400);
    assert!(body.contains("`place` must be an id or a name"), "{body}");
}
