//! Separators: any generated dataset saved with semicolons or tabs between cells (as
//! spreadsheet programs save CSV in most European locales, cells holding the separator
//! quoted) builds the same graph as with commas.

use super::generators::gen_dataset;
use super::round_trip::run;
use super::{Dataset, config};
use proptest::prelude::*;

/// The N-Triples export of `data` written with `delimiter`.
fn built(data: &Dataset, delimiter: u8) -> Result<Vec<u8>, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    data.write_with(&dir.path().join("data"), delimiter);
    run(dir.path(), &["build"])?;
    run(dir.path(), &["export", "--format", "ntriples"])
}

proptest! {
    #![proptest_config(config(Some(16)))]

    #[test]
    fn semicolons_and_tabs_build_what_commas_build(generated in gen_dataset()) {
        let (data, _) = generated.assemble();
        let commas = built(&data, b',')?;
        for delimiter in [b';', b'\t'] {
            let other = built(&data, delimiter)?;
            prop_assert!(
                other == commas,
                "with {:?} between cells the graph differs\n{}",
                delimiter as char,
                data.describe()
            );
        }
    }
}
