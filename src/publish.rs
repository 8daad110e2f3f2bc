//! `histkg publish`: the site's pages and documents as a static site, deployable on any file
//! server.
//!
//! Layout (deterministic: the same store gives the same files, byte for byte):
//!
//! ```text
//! out/index.html                     home page
//! out/network/index.html, out/timeline/index.html, out/map/index.html, out/findings/index.html
//! out/actor/ID/index.html            entity page (relative links: works from any folder)
//! out/actor/ID/index.{ttl,jsonld,nt,rdf}   the entity in each RDF format
//! out/graph.{ttl,nt,nq,trig,jsonld,rdf}    full dumps, streamed from the store
//! out/graph.*.gz                     with `--gzip`: each dump gzip-compressed (deterministic)
//! out/void.ttl                       VoID + DCAT description
//! out/shapes.ttl                     the SHACL shapes the graph conforms to
//! out/assets/                        the vendored front-end libraries
//! out/nginx.conf                     sample configuration for content negotiation
//! out/.histkg-site                   marker: publish may replace this directory
//! ```
//!
//! Must not: write outside `out`, replace a directory it did not write, or hold a whole dump
//! in memory.

use crate::error::{Context, Error, Result};
use crate::export::Format;
use crate::export::citations::CitationFormat;
use crate::site::{ASSETS, Links, Site};
use crate::vocab::{BaseUrl, Kind};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const MARKER: &str = ".histkg-site";

/// What a publication wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Entities written (each as one HTML page and four RDF documents).
    pub entities: usize,
    /// Files written in all.
    pub files: usize,
}

/// The output directory, counting the files written into it.
struct Out {
    dir: PathBuf,
    files: usize,
}

impl Out {
    /// Creates `relative` (and its directories) and hands a buffered writer to `fill`.
    fn write(
        &mut self,
        relative: impl AsRef<Path>,
        fill: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
    ) -> Result<()> {
        let (path, mut w) = self.create(relative)?;
        fill(&mut w).with_context(|| format!("cannot write {}", path.display()))?;
        self.close(&path, w)
    }

    /// Creates `relative` (and its directories): its path and a buffered writer.
    fn create(&self, relative: impl AsRef<Path>) -> Result<(PathBuf, BufWriter<File>)> {
        let path = self.dir.join(relative);
        let shown = || format!("cannot write {}", path.display());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(shown)?;
        }
        let w = BufWriter::new(File::create(&path).with_context(shown)?);
        Ok((path, w))
    }

    /// Flushes `w`, the writer of `path`, and counts the file.
    fn close(&mut self, path: &Path, w: BufWriter<File>) -> Result<()> {
        w.into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.files += 1;
        Ok(())
    }

    /// Writes `bytes` to `relative`.
    fn bytes(&mut self, relative: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
        self.write(relative, |w| Ok(w.write_all(bytes)?))
    }
}

/// Empties `out` if an earlier publication wrote it (refusing any other non-empty
/// directory), and creates it.
fn prepare(out: &Path) -> Result<()> {
    if out.exists() {
        let empty = fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).exists() {
            return Err(Error::user(format!(
                "{} is not empty and was not written by `histkg publish`; choose another --out or empty it",
                out.display()
            )));
        }
        fs::remove_dir_all(out).with_context(|| format!("cannot replace {}", out.display()))?;
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}

/// Writes the static site of `site` into `out`. `site_url` is where it will be served, used
/// for the absolute links of the VoID description.
///
/// The dumps are written first, in one pass over the store: memory is then what `histkg
/// export` takes; with `gzip`, each is then compressed beside it, streamed from the file.
/// The network view and the timeline stream their data into their files.
pub fn publish(site: &Site, out: &Path, site_url: &BaseUrl, gzip: bool) -> Result<Published> {
    prepare(out)?;
    let mut out = Out {
        dir: out.to_owned(),
        files: 0,
    };
    out.bytes(
        MARKER,
        b"written by histkg publish; publish replaces this directory\n",
    )?;
    dumps(site, &mut out)?;
    if gzip {
        for format in Format::DUMPS {
            compress(&mut out, &format!("graph.{}", format.extension()))?;
        }
    }
    let void = site.void(None, site_url)?;
    out.write("void.ttl", |w| site.write_rdf(&void, Format::Turtle, w))?;
    out.bytes("shapes.ttl", crate::site::SHAPES.as_bytes())?;
    out.bytes("nginx.conf", nginx().as_bytes())?;
    pages(site, &mut out)?;
    let entities = entity_pages(site, &mut out)?;
    Ok(Published {
        entities,
        files: out.files,
    })
}

/// The full dumps, written in one pass over the store.
fn dumps(site: &Site, out: &mut Out) -> Result<()> {
    let mut paths = Vec::new();
    let mut outputs = Vec::new();
    for format in Format::DUMPS {
        let (path, w) = out.create(format!("graph.{}", format.extension()))?;
        paths.push(path);
        outputs.push((format, w));
    }
    site.dump_each(&mut outputs, Some(&out.dir))
        .with_context(|| format!("cannot write the dumps graph.* in {}", out.dir.display()))?;
    for (path, (_, w)) in paths.iter().zip(outputs) {
        out.close(path, w)?;
    }
    Ok(())
}

/// Writes `name.gz` beside `name`: gzip at the best level, with no name and no time in its
/// header, so the same dump gives the same bytes.
fn compress(out: &mut Out, name: &str) -> Result<()> {
    let source = out.dir.join(name);
    let mut input =
        File::open(&source).with_context(|| format!("cannot read {}", source.display()))?;
    out.write(format!("{name}.gz"), |w| {
        let mut gz = flate2::GzBuilder::new().write(w, flate2::Compression::best());
        std::io::copy(&mut input, &mut gz)?;
        gz.finish()?;
        Ok(())
    })
}

/// Writes `html` as a file.
fn page(html: String) -> impl FnOnce(&mut BufWriter<File>) -> Result<()> {
    move |w| Ok(w.write_all(html.as_bytes())?)
}

/// The home page, the network view, the timeline, the findings and the vendored files they
/// need.
fn pages(site: &Site, out: &mut Out) -> Result<()> {
    out.write("index.html", page(site.home(&Links::static_site(0))?))?;
    let views = Links::static_site(1);
    out.write("network/index.html", |w| site.network_to(&views, w))?;
    out.write("timeline/index.html", |w| site.timeline_to(&views, w))?;
    out.write("map/index.html", |w| site.map_to(&views, w))?;
    out.write("findings/index.html", page(site.findings(&views)?))?;
    for asset in ASSETS {
        out.bytes(Path::new("assets").join(asset.name), asset.bytes)?;
    }
    Ok(())
}

/// Every entity's page and documents, in the store's order (the files are the same in any
/// order); returns how many entities.
fn entity_pages(site: &Site, out: &mut Out) -> Result<usize> {
    let links = Links::static_site(2);
    let mut entities = 0;
    site.each_entity(|node| {
        let Some(entity) = site.entity_of(node)? else {
            return Ok(());
        };
        let dir = Path::new(entity.kind.segment()).join(&entity.id);
        let html = site.entity_page(&links, &entity, "")?;
        out.write(dir.join("index.html"), page(html))?;
        for format in Format::DOCUMENTS {
            out.write(dir.join(format!("index.{}", format.extension())), |w| {
                site.entity_document(&entity, format, w)
            })?;
        }
        for format in CitationFormat::ALL {
            if let Some(text) = site.citation(&entity, format)? {
                out.bytes(
                    dir.join(format!("index.{}", format.extension())),
                    text.as_bytes(),
                )?;
            }
        }
        entities += 1;
        Ok(())
    })?;
    Ok(entities)
}

/// A sample nginx server block serving the site with content negotiation.
fn nginx() -> String {
    let mut conf = String::from(
        "# Sample nginx configuration for a site written by `histkg publish`.
# Entity URLs such as /actor/darma-bala answer HTML to browsers (and to `*/*` or no Accept),
# RDF or a citation to clients that ask for it in Accept, and 406 to anything else; every
# response varies on Accept. Adjust `root` and `server_name`, and include this file in the
# `http` block. tests/interop/nginx.sh runs it in a real nginx.
map $http_accept $histkg_ext {
    default                        none;
",
    );
    // A pattern and its value, aligned, with at least one space between them (nginx reads
    // `"pattern"value` as one token and refuses the file).
    let mut entry = |media: &str, extension: &str| {
        let pattern = format!("\"~*{}\"", media.replace('+', "\\+"));
        conf.push_str(&format!("    {pattern:<30} {extension};\n"));
    };
    for format in Format::DOCUMENTS {
        entry(format.media_type(), format.extension());
    }
    for format in CitationFormat::ALL {
        entry(format.media_type(), format.extension());
    }
    // HTML for browsers, for `*/*` and for no Accept at all, as `serve` answers; anything
    // else the site does not hold gets 406 (there is no `index.none`).
    conf.push_str("    \"~*text/html\"                  html;\n");
    conf.push_str("    \"~*\\*/\\*\"                      html;\n");
    conf.push_str("    \"\"                             html;\n}\n\ntypes {\n");
    conf.push_str(&format!("    {:<24}html;\n", "text/html"));
    // This block replaces nginx's own: the vendored scripts and the map's stylesheet.
    conf.push_str(&format!("    {:<24}js;\n", "text/javascript"));
    conf.push_str(&format!("    {:<24}css;\n", "text/css"));
    // Every file the site holds, in the order of the map above.
    for format in [
        Format::Turtle,
        Format::Jsonld,
        Format::Ntriples,
        Format::Nquads,
        Format::Trig,
        Format::Rdfxml,
    ] {
        conf.push_str(&format!(
            "    {:<24}{};\n",
            format.media_type(),
            format.extension()
        ));
    }
    // nginx types a file by its last extension: `index.csl.json` is `json` (the site has no
    // other `.json` file).
    for format in CitationFormat::ALL {
        let extension = format.extension();
        let last = extension.rsplit('.').next().unwrap_or(extension);
        conf.push_str(&format!("    {:<24}{last};\n", format.media_type()));
    }
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.segment()).collect();
    conf.push_str(&format!(
        "}}

server {{
    listen 80;
    server_name example.org;
    root /srv/histkg-site;
    charset utf-8;
    # Pages and documents compressed on the fly; the dumps sent as the graph.*.gz that
    # `histkg publish --gzip` writes, where they exist (ngx_http_gzip_static_module).
    gzip on;
    gzip_vary on;
    gzip_types text/turtle application/n-triples application/n-quads application/trig
               application/ld+json application/rdf+xml text/javascript text/css;
    location ~ ^/graph\\. {{
        gzip_static on;
    }}

    # Named captures: evaluating the regex map above would overwrite $1 and $2.
    location ~ ^/(?<histkg_kind>{})/(?<histkg_id>[a-z0-9-]+)/?$ {{
        add_header Vary Accept always;
        try_files /$histkg_kind/$histkg_id/index.$histkg_ext =406;
    }}
    location = /.well-known/void {{
        try_files /void.ttl =404;
    }}
}}
",
        kinds.join("|")
    ));
    conf
}
