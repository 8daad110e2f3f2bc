//! `histkg export --format lpf`: the mini fixture's places against a golden file, and a
//! place with coordinates, variants, a description and a whole it is part of
//! (test rows, invented) giving each Linked Places element. The World Historical
//! Gazetteer's schema reads the shipped data's export in `tests/interop/run.sh`.

use crate::common::{golden, mini, ok, root};

#[test]
fn lpf_matches_its_golden_file() {
    let dir = mini();
    ok(dir.path(), &["build"]);
    let lpf = ok(dir.path(), &["export", "--format", "lpf"]);
    golden(&root().join("tests/golden/mini.lpf.json"), &lpf);
}

#[test]
fn every_element_of_a_place_has_its_linked_places_form() {
    let dir = mini();
    std::fs::write(
        dir.path().join("data/places.csv"),
        "id,type,label_en,label_ru,labels,alt_labels,lat,long,coordinates_source,part_of,description,sources\n\
         samara,Settlement,Samara,Самара,,,,,,,,moca-124\n\
         saratov,Settlement,Saratov,Саратов,,,,,,,,mitirov-1998\n\
         steppe,Region,Test Steppe,Тестовая степь,,,,,,,,moca-124\n\
         fort-a,Fortress,Test Fort,Тестовая крепость,Тест кала@kk,Fort A@en | Крепость А@ru,51.2,58.6,moca-124,steppe,A fort made for this test.,moca-124 | mitirov-1998\n",
    )
    .unwrap();
    ok(dir.path(), &["build"]);
    let lpf: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["export", "--format", "lpf"])).unwrap();
    assert_eq!(lpf["type"], "FeatureCollection");
    assert_eq!(lpf["@context"], histkg::export::lpf::CONTEXT);
    let features = lpf["features"].as_array().unwrap();
    assert_eq!(features.len(), 4);
    let fort = features
        .iter()
        .find(|f| f["@id"] == "https://example.org/histkg/place/fort-a")
        .unwrap();
    assert_eq!(
        fort["properties"],
        serde_json::json!({"title": "Test Fort", "fclasses": ["S"]})
    );
    // Longitude first, as GeoJSON has it.
    assert_eq!(
        fort["geometry"],
        serde_json::json!({"type": "GeometryCollection", "geometries": [{
            "type": "Point",
            "coordinates": [58.6, 51.2],
            "source": "https://example.org/histkg/source/moca-124"
        }]})
    );
    let toponyms: Vec<(&str, &str)> = (fort["names"].as_array().unwrap().iter())
        .map(|n| (n["toponym"].as_str().unwrap(), n["lang"].as_str().unwrap()))
        .collect();
    assert_eq!(
        toponyms,
        [
            ("Test Fort", "en"),
            ("Тест кала", "kk"),
            ("Тестовая крепость", "ru"),
            ("Fort A", "en"),
            ("Крепость А", "ru"),
        ]
    );
    let citations = fort["names"][0]["citations"].as_array().unwrap();
    assert_eq!(citations.len(), 2);
    assert_eq!(
        citations[0]["@id"],
        "https://example.org/histkg/source/mitirov-1998"
    );
    // Places have no Wikidata column yet: no `links` (`owl:sameAs` would give `closeMatch`).
    assert!(fort.get("links").is_none(), "{fort}");
    assert_eq!(
        fort["relations"],
        serde_json::json!([{
            "relationType": "gvp:broaderPartitive",
            "relationTo": "https://example.org/histkg/place/steppe",
            "label": "part of Test Steppe"
        }])
    );
    assert_eq!(
        fort["descriptions"],
        serde_json::json!([{"value": "A fort made for this test.", "lang": "en"}])
    );
    assert_eq!(
        fort["types"],
        serde_json::json!([{"identifier": "https://example.org/histkg/ontology#Fortress", "label": "fortress"}])
    );
}
