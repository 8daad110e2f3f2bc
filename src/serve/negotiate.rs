//! Content negotiation: picks the best of the offered media types for an `Accept` header.

/// Picks the offered media type the client prefers, or `None` when none is acceptable.
/// A missing or empty `Accept` accepts the first offer. Offers are in server preference order,
/// which breaks ties between equal client weights.
pub fn choose<'a>(accept: Option<&str>, offers: &[&'a str]) -> Option<&'a str> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return offers.first().copied();
    };
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next()?.trim().to_ascii_lowercase();
            if range.is_empty() {
                return None;
            }
            let mut q = 1.0;
            for param in pieces {
                if let Some((k, v)) = param.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            Some((range, q))
        })
        .collect();
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
    chosen.map(|(o, _)| o)
}

#[cfg(test)]
mod tests {
    use super::choose;

    const RDF: &[&str] = &["text/html", "text/turtle", "application/n-triples"];

    #[test]
    fn browsers_get_html_and_clients_get_what_they_ask() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(choose(Some(firefox), RDF), Some("text/html"));
        assert_eq!(choose(Some("text/turtle"), RDF), Some("text/turtle"));
        assert_eq!(
            choose(Some("application/n-triples, text/turtle;q=0.5"), RDF),
            Some("application/n-triples")
        );
        assert_eq!(choose(None, RDF), Some("text/html"));
        assert_eq!(choose(Some("*/*"), RDF), Some("text/html"));
        assert_eq!(
            choose(Some("text/*;q=0.5, text/turtle"), RDF),
            Some("text/turtle")
        );
    }

    #[test]
    fn nothing_acceptable_gives_none() {
        assert_eq!(choose(Some("image/png"), RDF), None);
        assert_eq!(choose(Some("text/turtle;q=0"), RDF), None);
    }
}
