//! `histkg publish`: the server's pages as a static site, deployable on any file server.
//!
//! Layout (deterministic: the same store gives the same files, byte for byte):
//!
//! ```text
//! out/index.html                     home page
//! out/actor/ID/index.html            entity page (relative links: works from any folder)
//! out/actor/ID/index.{ttl,jsonld,nt,rdf}   the entity in each RDF format
//! out/graph.{ttl,nt,nq,trig,jsonld,rdf}    full dumps
//! out/void.ttl                       VoID + DCAT description
//! out/nginx.conf                     sample configuration for content negotiation
//! out/.histkg-site                   marker: publish may replace this directory
//! ```

use crate::export;
use crate::serve::{App, DUMPS, Links};
use anyhow::{Context, Result, bail};
use oxigraph::store::Store;
use std::fs;
use std::path::Path;

const MARKER: &str = ".histkg-site";

/// What a publication wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Entities written (each as one HTML page and four RDF documents).
    pub entities: usize,
    /// Files written in all.
    pub files: usize,
}

/// Writes the static site for `app` (over `store`) into `out`. `site_url` is where it will be
/// served (it ends in `/`), used for the absolute links of the VoID description.
pub fn publish(app: &App, store: &Store, out: &Path, site_url: &str) -> Result<Published> {
    if out.exists() {
        let empty = fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            bail!(crate::Error::user(format!(
                "{} is not empty and was not written by `histkg publish`; choose another --out or empty it",
                out.display()
            )));
        }
        fs::remove_dir_all(out).with_context(|| format!("cannot replace {}", out.display()))?;
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut files = 0;
    let mut write = |path: &Path, bytes: &[u8]| -> Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        files += 1;
        Ok(())
    };
    let failed = |(status, message): (oxhttp::model::StatusCode, String)| {
        anyhow::anyhow!("{status}: {message}")
    };
    write(
        &out.join(MARKER),
        b"written by histkg publish; publish replaces this directory\n",
    )?;

    let home = app
        .home(&Links {
            root: String::new(),
            static_site: true,
        })
        .map_err(failed)?;
    write(&out.join("index.html"), &home.into_body().to_vec()?)?;

    let view = Links {
        root: "../".to_owned(),
        static_site: true,
    };
    write(
        &out.join("network/index.html"),
        &app.network(&view).map_err(failed)?.into_body().to_vec()?,
    )?;
    write(
        &out.join("timeline/index.html"),
        &app.timeline(&view).map_err(failed)?.into_body().to_vec()?,
    )?;
    for (name, _, bytes) in crate::serve::ASSETS {
        write(&out.join("assets").join(name), bytes)?;
    }

    let entities = app.entities();
    let links = Links {
        root: "../../".to_owned(),
        static_site: true,
    };
    for node in &entities {
        let (kind, id) = app
            .parse_entity(node.as_str())
            .context("entity outside the dataset")?;
        let dir = out.join(kind.segment()).join(&id);
        write(
            &dir.join("index.html"),
            &app.entity_document(node, &links, "text/html")
                .map_err(failed)?,
        )?;
        for (ext, media) in [
            ("ttl", "text/turtle"),
            ("jsonld", "application/ld+json"),
            ("nt", "application/n-triples"),
            ("rdf", "application/rdf+xml"),
        ] {
            write(
                &dir.join(format!("index.{ext}")),
                &app.entity_document(node, &links, media).map_err(failed)?,
            )?;
        }
    }

    let prefixes = crate::query::prefixes(store)?;
    for (format, _) in DUMPS {
        let mut bytes = Vec::new();
        export::dump(store, format, &prefixes, &mut bytes, Some(out))?;
        write(&out.join(format!("graph.{}", format.extension())), &bytes)?;
    }
    let mut void = Vec::new();
    export::write(
        app.void_triples("", site_url),
        export::Format::Turtle,
        &prefixes,
        &mut void,
    )?;
    write(&out.join("void.ttl"), &void)?;
    write(&out.join("nginx.conf"), NGINX.as_bytes())?;
    Ok(Published {
        entities: entities.len(),
        files,
    })
}

/// A sample nginx server block serving the site with content negotiation.
const NGINX: &str = r#"# Sample nginx configuration for a site written by `histkg publish`.
# Entity URLs such as /actor/darma-bala answer HTML to browsers and RDF to clients that ask
# for it in Accept; every response varies on Accept. Adjust `root` and `server_name`.
map $http_accept $histkg_ext {
    default                        html;
    "~*text/turtle"                ttl;
    "~*application/ld\+json"       jsonld;
    "~*application/n-triples"      nt;
    "~*application/rdf\+xml"       rdf;
    "~*text/html"                  html;
}

types {
    text/html               html;
    text/turtle             ttl;
    application/ld+json     jsonld;
    application/n-triples   nt;
    application/n-quads     nq;
    application/trig        trig;
    application/rdf+xml     rdf;
}

server {
    listen 80;
    server_name example.org;
    root /srv/histkg-site;
    charset utf-8;

    location ~ ^/(actor|assertion|event|place|source)/([a-z0-9-]+)/?$ {
        add_header Vary Accept always;
        try_files /$1/$2/index.$histkg_ext =406;
    }
    location = /.well-known/void {
        try_files /void.ttl =404;
    }
}
"#;
