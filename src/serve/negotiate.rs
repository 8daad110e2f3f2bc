//! Content negotiation: picks the best of the offered media types for an `Accept` header.

/// Picks the offered media type the client prefers: `Ok(None)` when none is acceptable (406),
/// `Err` naming the fault when the header is not a list of media ranges (400).
/// A missing or empty `Accept` accepts the first offer. Offers are in server preference order,
/// which breaks ties between equal client weights.
///
/// Lenient where old clients are known to differ from RFC 9110 §12.5.1: a bare `*` is read as
/// `*/*` and a weight may omit its leading zero (Java's default `*; q=.2`); parameters other
/// than `q` are ignored.
pub fn choose<'a>(accept: Option<&str>, offers: &[&'a str]) -> crate::Result<Option<&'a str>> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return Ok(offers.first().copied());
    };
    let mut ranges: Vec<(String, f32)> = Vec::new();
    // Empty list elements (`a, , b`) are allowed (RFC 9110 §5.6.1).
    for part in accept.split(',').filter(|p| !p.trim().is_empty()) {
        let mut pieces = part.split(';');
        let mut range = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if range == "*" {
            range = "*/*".to_owned();
        }
        let valid = range
            .split_once('/')
            .is_some_and(|(ty, sub)| is_token(ty) && is_token(sub) && (ty != "*" || sub == "*"));
        if !valid {
            return Err(crate::Error::user(format!(
                "`{}` is not a media range",
                part.trim()
            )));
        }
        let mut q = 1.0;
        for param in pieces {
            if let Some((k, v)) = param.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|q: &f32| (0.0..=1.0).contains(q))
                    .ok_or_else(|| {
                        crate::Error::user(format!(
                            "`{}` is not a weight between 0 and 1",
                            v.trim()
                        ))
                    })?;
            }
        }
        ranges.push((range, q));
    }
    if ranges.is_empty() {
        return Ok(offers.first().copied());
    }
    let weight = |offer: &str| -> f32 {
        let (ty, _) = offer.split_once('/').unwrap_or((offer, ""));
        // The most specific matching range decides (RFC 9110 §12.5.1).
        let mut best: Option<(u8, f32)> = None;
        for (range, q) in &ranges {
            let specificity = if range == offer {
                3
            } else if range.strip_suffix("/*") == Some(ty) {
                2
            } else if range == "*/*" {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(s, _)| specificity > s) {
                best = Some((specificity, *q));
            }
        }
        best.map_or(0.0, |(_, q)| q)
    };
    let mut chosen: Option<(&str, f32)> = None;
    for offer in offers {
        let w = weight(offer);
        if w > 0.0 && chosen.is_none_or(|(_, c)| w > c) {
            chosen = Some((offer, w));
        }
    }
    Ok(chosen.map(|(o, _)| o))
}

/// An RFC 9110 token (the type and subtype of a media range).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::choose;

    const RDF: &[&str] = &["text/html", "text/turtle", "application/n-triples"];

    #[test]
    fn browsers_get_html_and_clients_get_what_they_ask() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(choose(Some(firefox), RDF).ok(), Some(Some("text/html")));
        assert_eq!(
            choose(Some("text/turtle"), RDF).ok(),
            Some(Some("text/turtle"))
        );
        assert_eq!(
            choose(Some("application/n-triples, text/turtle;q=0.5"), RDF).ok(),
            Some(Some("application/n-triples"))
        );
        assert_eq!(choose(None, RDF).ok(), Some(Some("text/html")));
        assert_eq!(choose(Some("*/*"), RDF).ok(), Some(Some("text/html")));
        assert_eq!(
            choose(Some("text/*;q=0.5, text/turtle"), RDF).ok(),
            Some(Some("text/turtle"))
        );
        // Java's old default, with a bare `*` and `q=.2`.
        let java = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2";
        assert_eq!(choose(Some(java), RDF).ok(), Some(Some("text/html")));
        assert_eq!(
            choose(Some(" , text/turtle;charset=utf-8 ,"), RDF).ok(),
            Some(Some("text/turtle"))
        );
    }

    #[test]
    fn nothing_acceptable_gives_none() {
        assert_eq!(choose(Some("image/png"), RDF).ok(), Some(None));
        assert_eq!(choose(Some("text/turtle;q=0"), RDF).ok(), Some(None));
    }

    #[test]
    fn malformed_headers_are_errors() {
        for accept in [
            "garbage",
            "text/",
            "/turtle",
            "*/turtle",
            "text/turtle;q=abc",
            "text/turtle;q=2",
            "text/turtle;q=",
            ";q=0.5",
            "text/tur\"tle",
            "text /turtle",
        ] {
            assert!(choose(Some(accept), RDF).is_err(), "{accept}");
        }
    }
}
