//! The vendored front-end files (`site/assets/README.md` says where each comes from), embedded
//! in the binary: served under `/assets/` and copied by `publish` into `assets/`.

/// One vendored file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its file name.
    pub name: &'static str,
    /// Its media type.
    pub media_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $media_type:literal) => {
        Asset {
            name: $name,
            media_type: $media_type,
            bytes: include_bytes!(concat!("assets/", $name)),
        }
    };
}

/// Every vendored file.
pub const ASSETS: &[Asset] = &[
    asset!("vis-network.min.js", "text/javascript"),
    asset!("vis-timeline-graph2d.min.js", "text/javascript"),
    asset!("LICENSE-vis-network-MIT", "text/plain"),
    asset!("LICENSE-vis-network-APACHE-2.0", "text/plain"),
    asset!("LICENSE-vis-timeline-MIT", "text/plain"),
    asset!("LICENSE-vis-timeline-APACHE-2.0", "text/plain"),
    asset!("leaflet.js", "text/javascript"),
    asset!("leaflet.css", "text/css"),
    asset!("LICENSE-leaflet-BSD-2-Clause", "text/plain"),
    asset!("topojson-client.min.js", "text/javascript"),
    asset!("LICENSE-topojson-client-ISC", "text/plain"),
    asset!("world-atlas-countries-50m.js", "text/javascript"),
    asset!("LICENSE-world-atlas-ISC", "text/plain"),
];

/// The vendored file called `name`, if there is one.
pub fn asset(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}
