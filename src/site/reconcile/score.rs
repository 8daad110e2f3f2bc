//! The measures a query is matched by: a bound on the Jaro-Winkler similarity of two keys,
//! cheap enough to decide which names of the index are worth scoring, and spans of days.

use oxigraph::model::Term;

/// How many times each letter and digit occurs in a key (a key holds nothing else).
pub type Bag = [u8; 36];

/// The letters and digits of `key`, counted (at most 255 of each).
pub fn bag(key: &str) -> Bag {
    let mut bag = [0u8; 36];
    for b in key.bytes() {
        let i = match b {
            b'a'..=b'z' => usize::from(b - b'a'),
            b'0'..=b'9' => 26 + usize::from(b - b'0'),
            _ => continue,
        };
        bag[i] = bag[i].saturating_add(1);
    }
    bag
}

/// The highest Jaro-Winkler similarity (out of 100) keys `a` and `b` can have, from their
/// lengths and letter counts: Jaro is at most (m/|a| + m/|b| + 1)/3 for m matching letters,
/// m at most the letters they share, and Winkler's prefix adds at most 0.4 of what is left.
pub fn ceiling(a: &str, a_bag: &Bag, b: &str, b_bag: &Bag) -> f64 {
    let shared: u32 = (a_bag.iter().zip(b_bag))
        .map(|(x, y)| u32::from(*x.min(y)))
        .sum();
    if shared == 0 || a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let m = f64::from(shared);
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    100.0 * (jaro + 0.4 * (1.0 - jaro)).min(1.0)
}

/// A Gregorian `xsd:date` as a day number.
pub fn day(term: Option<&Term>) -> Option<i64> {
    let Some(Term::Literal(l)) = term else {
        return None;
    };
    let date = crate::dates::parse(l.value(), crate::dates::Calendar::Gregorian).ok()?;
    date.not_before.map(crate::dates::Day::number)
}

/// Whether two spans of day numbers (open ends `None`) can share a day.
pub fn overlaps(a: (Option<i64>, Option<i64>), b: (Option<i64>, Option<i64>)) -> bool {
    let before =
        |end: Option<i64>, start: Option<i64>| matches!((end, start), (Some(e), Some(s)) if e < s);
    !before(a.1, b.0) && !before(b.1, a.0)
}

#[cfg(test)]
mod tests {
    use super::{bag, ceiling};

    #[test]
    fn the_ceiling_is_never_below_the_score() {
        let keys = [
            "abulkhair",
            "abulkhayr",
            "abilqaiyrkhan",
            "darmabala",
            "galdantseren",
            "ablai",
            "a",
            "aa",
            "ab",
            "ba",
            "nurdukabyu0",
            "nurdukabyu10",
            "x1y2",
            "zzzz",
        ];
        for a in keys {
            for b in keys {
                let score = 100.0 * strsim::jaro_winkler(a, b);
                let bound = ceiling(a, &bag(a), b, &bag(b));
                assert!(bound + 1e-9 >= score, "{a} {b}: {score} > {bound}");
            }
        }
    }
}
