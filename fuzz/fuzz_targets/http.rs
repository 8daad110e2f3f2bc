//! `App::handle` on any request over a store built from the mini fixture: it must not panic
//! and must not answer 500. The input is read as `METHOD TARGET`, header lines `name: value`,
//! an empty line and the body; inputs the HTTP model cannot represent are skipped. Run it with
//! `ASAN_OPTIONS=detect_leaks=0`: the store stays open for the whole run, and LeakSanitizer
//! reports its RocksDB block cache as leaked at exit.
#![no_main]

use clap::Parser;
use histkg::serve::{App, Options};
use libfuzzer_sys::fuzz_target;
use oxhttp::model::{Body, Method, Request, StatusCode};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The application over a store built once, in a temporary directory, with the library's
/// own `histkg build`.
fn app() -> &'static App {
    static APP: OnceLock<(tempfile::TempDir, App)> = OnceLock::new();
    &APP.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        for entry in std::fs::read_dir(root.join("tests/fixtures/mini")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
        for f in ["ontology.ttl", "dataset.ttl"] {
            std::fs::copy(root.join("data").join(f), data.join(f)).unwrap();
        }
        let store = dir.path().join("store");
        let args = ["histkg", "build", "--data"]
            .map(str::to_owned)
            .into_iter()
            .chain([
                data.display().to_string(),
                "--store".to_owned(),
                store.display().to_string(),
            ]);
        histkg::cli::run(histkg::cli::Cli::parse_from(args)).unwrap();
        let published = histkg::store::open(&store).unwrap();
        let options = Options {
            timeout: Duration::from_secs(2),
            cors: true,
            base_url: None,
        };
        let app = App::new(published, &root.join("queries"), options).unwrap();
        (dir, app)
    })
    .1
}

fn request(data: &[u8]) -> Option<Request<Body>> {
    let head_end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let head = std::str::from_utf8(&data[..head_end]).ok()?;
    let body = data.get(head_end + 2..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).ok()?)
        .uri(target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        builder = builder.header(name.trim(), value.trim());
    }
    builder.body(Body::from(body)).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(mut request) = request(data) else {
        return;
    };
    let head = request.method() == Method::HEAD;
    let response = app().handle(&mut request);
    let status = response.status();
    assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "{status}: {:?}",
        response.into_body().to_string()
    );
    // Read to its end, as a client would: a dump is streamed by a thread of its own, which
    // must not be left writing to a closed pipe (libFuzzer's `main` leaves SIGPIPE fatal).
    let body = response.into_body().to_vec().unwrap();
    if head {
        assert!(body.is_empty());
    }
});
