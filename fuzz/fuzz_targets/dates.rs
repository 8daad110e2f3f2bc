//! `dates::parse` on any UTF-8 string, in every calendar: it must not panic, and the bounds
//! of a date it accepts must be in order.
#![no_main]

use histkg::dates::{Calendar, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for calendar in [Calendar::Julian, Calendar::Gregorian, Calendar::Unknown] {
        match parse(text, calendar) {
            Ok(d) => {
                assert_eq!(d.edtf, text);
                if let (Some(lo), Some(hi)) = (d.not_before, d.not_after) {
                    assert!(lo <= hi, "{text:?} in {calendar:?}: {lo} > {hi}");
                }
            }
            Err(e) => assert!(!e.contains('\n'), "{text:?}: {e}"),
        }
    }
});
