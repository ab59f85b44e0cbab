//! `newsgen serve`: the real binary on an ephemeral port, fetched over HTTP; live reload
//! events; the error overlay; partial rebuilds equal to full builds.
//!
//! The edit-to-served latency at archive size is measured by `bench/serve_latency.py`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use common::random_site::{Art, Rng, Site, seeds};
use newsgen::BuildOptions;
use newsgen::serve::incremental::Engine;

const SECTIONS: [&str; 4] = ["politics", "business", "sport", "world"];

/// The build time of every newsgen run here (2026-01-01), after all articles' dates.
const FIXED_NOW: &str = "1767225600";

/// Writes a site of `n` articles (dated in the past, newest first by index).
fn write_site(dir: &Path, n: usize, base_url: &str) {
    std::fs::write(
        dir.join("site.toml"),
        format!(
            "title = \"Serve Test News\"\nbase_url = \"{base_url}\"\ntimezone = \"UTC\"\n\
             per_page = 5\n\n[sections.politics]\ntitle = \"Politics\"\n"
        ),
    )
    .unwrap();
    for i in 0..n {
        write_article(dir, i, &format!("Story number {i}"), "");
    }
    std::fs::create_dir_all(dir.join("static")).unwrap();
    std::fs::write(dir.join("static/extra.css"), "body { color: #123; }\n").unwrap();
}

fn article_path(dir: &Path, i: usize) -> PathBuf {
    let section = SECTIONS[i % SECTIONS.len()];
    dir.join("content")
        .join(section)
        .join(format!("{}-story-{i}.md", article_date(i)))
}

/// Day `i` before 2025-06-30, so article 0 is the newest.
fn article_date(i: usize) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap() - chrono::Days::new(i as u64);
    d.format("%Y-%m-%d").to_string()
}

fn write_article(dir: &Path, i: usize, title: &str, extra_front: &str) {
    let path = article_path(dir, i);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let body: String = (0..4)
        .map(|p| format!("Paragraph {p} of story {i}, with *emphasis*.\n\n"))
        .collect();
    std::fs::write(
        &path,
        format!(
            "+++\ntitle = \"{title}\"\ndate = {}T{:02}:00:00Z\nauthors = [\"Author {}\"]\n\
             tags = [\"tag{}\", \"common\"]\nfeatured = {}\n{extra_front}+++\n{body}",
            article_date(i),
            i % 24,
            i % 3,
            i % 7,
            i.is_multiple_of(5),
        ),
    )
    .unwrap();
}

/// URL path (below the base) of article `i` with the default permalink.
fn article_url_path(i: usize) -> String {
    let d = article_date(i).replace('-', "/");
    format!("{}/{d}/story-{i}/", SECTIONS[i % SECTIONS.len()])
}

/// A running `newsgen serve`; killed when dropped (also when a test fails).
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/sub/`, from the first line of stdout.
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &Path, args: &[&str]) -> Server {
        Self::start_with_env(site, args, &[])
    }

    fn start_with_env(site: &Path, args: &[&str], env: &[(&str, &Path)]) -> Server {
        let (mut server, first_line) = Self::spawn(site, args, env);
        let first = first_line
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no address printed; stderr:\n{}", server.stderr()));
        server.url = first
            .strip_prefix("Serving ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        server
    }

    /// Starts the server; the first line of its output (`Serving URL`, printed once the first
    /// build is written) arrives on the receiver. `url` is left empty.
    fn spawn(site: &Path, args: &[&str], env: &[(&str, &Path)]) -> (Server, Receiver<String>) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsgen"));
        cmd.arg("serve")
            .args(args)
            .arg(site)
            .env("SOURCE_DATE_EPOCH", FIXED_NOW)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start newsgen serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_pipe = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let out = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let server = Server {
            child,
            url: String::new(),
            stderr,
        };
        (server, rx)
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `http://127.0.0.1:PORT`
    fn origin(&self) -> String {
        let rest = self.url.strip_prefix("http://").unwrap();
        format!("http://{}", &rest[..rest.find('/').unwrap()])
    }

    fn addr(&self) -> String {
        self.origin().strip_prefix("http://").unwrap().to_string()
    }

    /// Subscribes to the live-reload stream; events arrive as (name, data).
    fn events(&self) -> Receiver<(String, String)> {
        self.events_at(&format!("{}/__newsgen/events", self.origin()))
    }

    /// Subscribes to the live-reload stream as the page at URL path `page` does.
    fn page_events(&self, page: &str) -> Receiver<(String, String)> {
        let query: String = url_encode(page);
        self.events_at(&format!("{}/__newsgen/events?page={query}", self.origin()))
    }

    fn events_at(&self, url: &str) -> Receiver<(String, String)> {
        let (tx, rx) = channel();
        let url = url.to_string();
        std::thread::spawn(move || {
            let Ok(resp) = agent().get(&url).call() else {
                return;
            };
            let reader = BufReader::new(resp.into_body().into_reader());
            let (mut name, mut data) = (String::new(), Vec::<String>::new());
            for line in reader.lines().map_while(Result::ok) {
                if line.is_empty() {
                    if !name.is_empty() && tx.send((name.clone(), data.join("\n"))).is_err() {
                        return;
                    }
                    name.clear();
                    data.clear();
                } else if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                }
            }
        });
        rx
    }

    /// Sends a signal (`-INT`, `-HUP`...) and waits up to 5 s for the exit.
    fn signal(&mut self, which: &str) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args([which, &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    /// Stops serve as a user does (Ctrl-C), so it removes its temporary output folder; kills
    /// it only when it does not stop.
    fn drop(&mut self) {
        let running = matches!(self.child.try_wait(), Ok(None));
        if running && self.signal("-INT").is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// What JavaScript's `encodeURIComponent` makes of a URL path.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn get(url: &str) -> (u16, String, String) {
    let mut resp = agent().get(url).call().expect("request");
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (status, ctype, location.unwrap_or(body))
}

/// Sends a request line exactly as written (HTTP clients normalise `..` away) and returns the
/// status code.
fn raw_status(addr: &str, target: &str) -> u16 {
    raw_request(addr, target).0
}

fn wait_for(rx: &Receiver<(String, String)>, name: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((n, data)) if n == name => return data,
            Ok(_) => continue,
            Err(_) => panic!("no `{name}` event within {timeout:?}"),
        }
    }
}

fn title_of(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("h1").unwrap();
    doc.select(&sel)
        .next()
        .map(|h| h.text().collect::<String>().trim().to_string())
        .unwrap_or_default()
}

/// main turns transparent huge pages off for the whole process: mimalloc asks for them on its
/// arenas, and zeroing whole 2 MiB pages was most of a rebuild's system time.
#[cfg(target_os = "linux")]
#[test]
fn newsgen_runs_without_transparent_huge_pages() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 3, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--port", "0"]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let thp = status
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:"))
        .map(str::trim);
    assert_eq!(thp, Some("0"), "{status}");
}

#[test]
fn serves_the_site_at_its_sub_path() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 12, "https://news.example.org/archive/");
    let server = Server::start(dir.path(), &["--port", "0"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert!(server.url.ends_with("/archive/"), "{}", server.url);
    let origin = server.origin();

    // `/` leads to the sub-path, folders without `/` get one.
    let (status, _, location) = get(&format!("{origin}/"));
    assert_eq!((status, location.as_str()), (301, "/archive/"));
    let (status, _, location) = get(&format!("{origin}/archive/politics"));
    assert_eq!((status, location.as_str()), (301, "/archive/politics/"));

    // The front page: HTML, links under the sub-path, base_url rewritten to the local server,
    // the live-reload script injected.
    let (status, ctype, html) = get(&server.url);
    assert_eq!(status, 200);
    assert_eq!(ctype, "text/html; charset=utf-8");
    let doc = scraper::Html::parse_document(&html);
    let canonical = doc
        .select(&scraper::Selector::parse("link[rel=canonical]").unwrap())
        .next()
        .and_then(|l| l.value().attr("href"))
        .map(str::to_string);
    assert_eq!(canonical.as_deref(), Some(server.url.as_str()));
    let hrefs: Vec<String> = doc
        .select(&scraper::Selector::parse("a[href^='/']").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        assert!(h.starts_with("/archive/"), "link outside the sub-path: {h}");
    }
    assert_eq!(
        doc.select(&scraper::Selector::parse("script[data-newsgen-live-reload]").unwrap())
            .count(),
        1
    );

    // An article, a static file, the feed.
    let (status, _, html) = get(&format!("{}{}", server.url, article_url_path(3)));
    assert_eq!(status, 200);
    assert_eq!(title_of(&html), "Story number 3");
    let (status, ctype, css) = get(&format!("{}extra.css", server.url));
    assert_eq!((status, ctype.as_str()), (200, "text/css; charset=utf-8"));
    assert_eq!(css, "body { color: #123; }\n");
    let (status, ctype, _) = get(&format!("{}feed.xml", server.url));
    assert_eq!(status, 200);
    assert!(ctype.contains("xml"), "{ctype}");

    // Unknown URLs get the site's 404 page with status 404.
    let (status, ctype, html) = get(&format!("{}no/such/page/", server.url));
    assert_eq!(status, 404);
    assert!(ctype.starts_with("text/html"));
    let (_, _, built_404) = get(&format!("{}404.html", server.url));
    assert_eq!(html, built_404);

    // HEAD: headers of GET, no body.
    let resp = agent().head(&server.url).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let len: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(len, get(&server.url).2.len());
    let mut body = resp.into_body();
    assert_eq!(body.read_to_string().unwrap(), "");

    // Only files of the built site: no way out, whatever the spelling.
    std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
    let addr = server.addr();
    for target in [
        "/archive/../secret.txt",
        "/archive/%2e%2e/secret.txt",
        "/archive/%2E%2E/%2E%2E/etc/passwd",
        "/archive/politics/..%2f..%2fsecret.txt",
        "/archive/..%5c..%5csecret.txt",
        "/archive/%00",
        "//etc/passwd",
        "/archive//etc/passwd",
        "/../../../../etc/passwd",
    ] {
        let status = raw_status(&addr, target);
        assert!(status == 400 || status == 404, "{target} answered {status}");
    }
    // A symlink inside the output leading out of it is not followed.
    drop(server);
}

/// Every hostile spelling of a path is refused with the status docs/serve.md promises, and
/// the secret files beside the served folder and beside its parent are never sent. `serve`
/// builds into `$TMPDIR/newsgen-serve-*/site`, so with TMPDIR set the test knows what a
/// traversal would reach: `../secret.txt` and `../../secret.txt` of the served folder.
#[test]
fn traversal_never_reaches_the_secret_beside_the_served_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    write_site(&site, 3, "https://news.example.org/");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("secret.txt"), "SECRET").unwrap();
    let server = Server::start_with_env(&site, &["--port", "0"], &[("TMPDIR", &tmp)]);
    let serve_dirs: Vec<PathBuf> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(serve_dirs.len(), 1, "{serve_dirs:?}");
    let served = serve_dirs[0].join("site");
    assert!(
        served.join("index.html").is_file(),
        "served from {}",
        served.display()
    );
    std::fs::write(serve_dirs[0].join("secret.txt"), "SECRET").unwrap();
    // A symbolic link inside the served folder leading out of it.
    std::os::unix::fs::symlink(tmp.join("secret.txt"), served.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&tmp, served.join("leakdir")).unwrap();

    let addr = server.addr();
    let bad_request = [
        "/../secret.txt",
        "/../../secret.txt",
        "/./index.html",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2E/secret.txt",
        "/politics/..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%255csecret.txt",
        "/..%5csecret.txt",
        "/%5c..%5c..%5csecret.txt",
        "/index.html%00",
        "/%00/../secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%c0%af..%c0%afsecret.txt",
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/%zz",
    ];
    for target in bad_request {
        let got = raw_request(&addr, target);
        assert!(!got.1.contains("SECRET"), "{target} leaked the secret");
        assert_eq!(got, (400, "bad request path\n".into()), "{target}");
    }
    for target in [
        "//etc/passwd",
        "/etc/passwd",
        &format!("/{}", tmp.join("secret.txt").display()),
        "/leak.txt",
        "/leakdir/secret.txt",
        "/secret.txt",
    ] {
        let (status, body) = raw_request(&addr, target);
        assert_eq!(status, 404, "{target}");
        assert!(
            !body.contains("SECRET") && !body.contains("root:"),
            "{target}"
        );
    }
    // Raw backslashes and NUL bytes in the request line never get past the HTTP parser.
    for target in ["/..\\secret.txt", "/\0/secret.txt"] {
        let (status, body) = raw_request(&addr, target);
        assert_eq!(status, 400, "{target:?}");
        assert!(!body.contains("SECRET"), "{target:?}");
    }
    // The same server still serves its own files.
    assert_eq!(raw_request(&addr, "/extra.css").0, 200);
}

/// Sends a request line exactly as written; returns the status code and the body.
fn raw_request(addr: &str, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut bytes = Vec::new();
    let _ = s.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
    (status, body.unwrap_or_default())
}

#[test]
fn build_output_has_no_reload_script() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 3, "https://news.example.org/");
    let out = dir.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(["build", "--output"])
        .arg(&out)
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", FIXED_NOW)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("</body>"));
    assert!(!html.contains("newsgen-live-reload"));
    assert!(!html.contains("__newsgen"));
}

#[test]
fn busy_port_moves_to_the_next_and_says_so() {
    // Find two free consecutive ports by holding the first.
    let held = (20000..40000)
        .step_by(7)
        .find_map(|p| {
            let l = std::net::TcpListener::bind(("127.0.0.1", p)).ok()?;
            std::net::TcpListener::bind(("127.0.0.1", p + 1)).ok()?;
            Some(l)
        })
        .unwrap();
    let port = held.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 2, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--port", &port.to_string()]);
    assert_eq!(server.url, format!("http://127.0.0.1:{}/", port + 1));
    assert!(
        server.stderr().contains(&format!("port {port} is in use")),
        "{}",
        server.stderr()
    );
    assert_eq!(get(&server.url).0, 200);
}

/// `--bind` listens on that address only: 127.0.0.2 answers, 127.0.0.1 on the same port does
/// not. (Linux routes all of 127.0.0.0/8 to the loopback interface.)
#[cfg(target_os = "linux")]
#[test]
fn bind_listens_on_the_given_address_only() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 2, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--bind", "127.0.0.2", "--port", "0"]);
    assert!(
        server.url.starts_with("http://127.0.0.2:"),
        "printed {}",
        server.url
    );
    assert_eq!(get(&server.url).0, 200);
    let port = server.addr().rsplit_once(':').unwrap().1.to_string();
    let other = format!("127.0.0.1:{port}").parse().unwrap();
    assert!(
        std::net::TcpStream::connect_timeout(&other, Duration::from_secs(2)).is_err(),
        "something answers on {other}"
    );
}

/// Sends `which` (`-INT`, `-HUP`) to `server` and checks that it exits with success and
/// leaves nothing in `tmp`, the TMPDIR it was started with.
fn stops_leaving_nothing(server: &mut Server, which: &str, tmp: &Path) {
    let status = server.signal(which).expect("serve did not stop within 5 s");
    assert!(status.success(), "{status:?}\n{}", server.stderr());
    let left: Vec<_> = std::fs::read_dir(tmp).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn ctrl_c_stops_cleanly_and_removes_the_temporary_output() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 2, "https://news.example.org/");
    let tmp = tempfile::tempdir().unwrap();
    let mut server = Server::start_with_env(
        dir.path(),
        &["--watch", "--port", "0"],
        &[("TMPDIR", tmp.path())],
    );
    // An open live-reload connection must not keep the server from stopping.
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(5));
    assert!(std::fs::read_dir(tmp.path()).unwrap().count() > 0);
    stops_leaving_nothing(&mut server, "-INT", tmp.path());
}

/// Closing the terminal serve runs in (SIGHUP) stops it as Ctrl-C does, temp folder removed.
#[test]
fn hangup_stops_serve_and_removes_the_temp_folder() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 3, "https://news.example.org/");
    let tmp = tempfile::tempdir().unwrap();
    let mut server =
        Server::start_with_env(dir.path(), &["--port", "0"], &[("TMPDIR", tmp.path())]);
    assert!(std::fs::read_dir(tmp.path()).unwrap().count() > 0);
    stops_leaving_nothing(&mut server, "-HUP", tmp.path());
}

/// Ctrl-C during the first build (minutes at archive size, while pages are already served)
/// stops serve at once and leaves nothing of the partial output in the temp folder.
#[test]
fn interrupt_during_the_first_build_removes_the_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 3000, "https://news.example.org/");
    let tmp = tempfile::tempdir().unwrap();
    let (mut server, first_line) =
        Server::spawn(dir.path(), &["--port", "0"], &[("TMPDIR", tmp.path())]);
    let writing = |root: &Path| {
        walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
            .any(|e| e.file_name() == "index.html")
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !writing(tmp.path()) {
        assert!(
            Instant::now() < deadline,
            "no page written: {}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    stops_leaving_nothing(&mut server, "-INT", tmp.path());
    assert!(
        first_line.try_recv().is_err(),
        "the first build ended before the interrupt: make the site larger"
    );
}

#[test]
fn edit_reloads_broken_edit_shows_overlay_and_fix_recovers() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 10, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--watch", "--port", "0"]);
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(5));
    let page = format!("{}{}", server.url, article_url_path(4));
    assert_eq!(title_of(&get(&page).2), "Story number 4");

    // An edit: the page changes and a reload event arrives.
    write_article(dir.path(), 4, "Edited headline", "");
    wait_for(&events, "reload", Duration::from_secs(10));
    assert_eq!(title_of(&get(&page).2), "Edited headline");

    // Editor noise (swap files, vim's probe file) triggers nothing.
    let section = article_path(dir.path(), 4).parent().unwrap().to_path_buf();
    std::fs::write(section.join(".story.md.swp"), "x").unwrap();
    std::fs::write(section.join("4913"), "").unwrap();
    std::fs::write(section.join("story.md~"), "x").unwrap();
    assert!(
        events.recv_timeout(Duration::from_millis(800)).is_err(),
        "editor temp files caused a rebuild"
    );

    // A broken edit: the error reaches open pages (escaped), the last good site stays. The
    // error message quotes the bad date, so markup in it must arrive as text.
    let broken = article_path(dir.path(), 4);
    std::fs::write(
        &broken,
        "+++\ntitle = \"Broken\"\ndate = \"<b>bold</b>\"\n+++\nBody\n",
    )
    .unwrap();
    let overlay = wait_for(&events, "build-error", Duration::from_secs(10));
    let rel = broken
        .strip_prefix(dir.path())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    assert!(overlay.contains(&rel), "{overlay}");
    assert!(
        overlay.contains("&lt;b&gt;bold&lt;/b&gt;"),
        "the overlay does not quote the bad date: {overlay}"
    );
    assert!(!overlay.contains("<b>"), "unescaped: {overlay}");
    assert!(server.stderr().contains(&rel), "{}", server.stderr());
    let (status, _, html) = get(&page);
    assert_eq!(status, 200);
    assert_eq!(title_of(&html), "Edited headline");
    // A page opened now gets the overlay at once.
    let late = server.events();
    wait_for(&late, "build-error", Duration::from_secs(5));

    // The fix recovers without a restart.
    write_article(dir.path(), 4, "Fixed headline", "");
    wait_for(&events, "reload", Duration::from_secs(10));
    assert_eq!(title_of(&get(&page).2), "Fixed headline");

    // A template error: same overlay, naming the template; removing it recovers.
    let templates = dir.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("article.html"), "{% if %}broken\n").unwrap();
    let overlay = wait_for(&events, "build-error", Duration::from_secs(10));
    assert!(overlay.contains("article.html"), "{overlay}");
    assert_eq!(title_of(&get(&page).2), "Fixed headline");
    std::fs::remove_file(templates.join("article.html")).unwrap();
    wait_for(&events, "reload", Duration::from_secs(10));

    // A new article appears on its section page.
    write_article(dir.path(), 10, "Brand new story", "");
    wait_for(&events, "reload", Duration::from_secs(10));
    let (status, _, html) = get(&format!("{}{}", server.url, article_url_path(10)));
    assert_eq!((status, title_of(&html).as_str()), (200, "Brand new story"));

    // site.toml: a new sub-path is followed.
    let toml = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        toml.replace(
            "https://news.example.org/",
            "https://news.example.org/moved/",
        ),
    )
    .unwrap();
    wait_for(&events, "reload", Duration::from_secs(10));
    let (status, _, html) = get(&format!(
        "{}/moved/{}",
        server.origin(),
        article_url_path(4)
    ));
    assert_eq!((status, title_of(&html).as_str()), (200, "Fixed headline"));
}

/// A tab hears `reload` only when its own page (or an asset) changed; the others hear
/// `build-ok` with the same build generation.
#[test]
fn reload_reaches_only_the_tabs_whose_page_changed() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 12, "https://news.example.org/sub/");
    let server = Server::start(dir.path(), &["--watch", "--port", "0"]);
    let path = |i: usize| format!("/sub/{}", article_url_path(i));
    let edited = server.page_events(&path(7));
    let unrelated = server.page_events(&path(9));
    let missing = server.page_events("/sub/no/such/page/");
    for rx in [&edited, &unrelated, &missing] {
        wait_for(rx, "hello", Duration::from_secs(5));
    }
    let next = |rx: &Receiver<(String, String)>| {
        rx.recv_timeout(Duration::from_secs(10))
            .expect("an event after the rebuild")
    };

    // A body edit changes one page: only its tab reloads.
    let p = article_path(dir.path(), 7);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text + "\nOne more paragraph.\n").unwrap();
    let (name, build) = next(&edited);
    assert_eq!(name, "reload");
    assert_eq!(
        next(&unrelated),
        ("build-ok".to_string(), build.clone()),
        "{}",
        server.stderr()
    );
    assert_eq!(next(&missing), ("build-ok".to_string(), build));
    assert!(
        get(&format!("{}{}", server.origin(), path(7)))
            .2
            .contains("One more paragraph.")
    );

    // A tab on a URL that is no page yet reloads when the page appears; the others do not.
    let coming = server.page_events(&path(12));
    wait_for(&coming, "hello", Duration::from_secs(5));
    write_article(dir.path(), 12, "Twelve", "");
    assert_eq!(next(&coming).0, "reload");
    assert_eq!(next(&unrelated).0, "build-ok");
    assert_eq!(next(&missing).0, "build-ok");

    // A stylesheet may be used by any page: every tab reloads.
    std::fs::write(
        dir.path().join("static/extra.css"),
        "body { color: #321; }\n",
    )
    .unwrap();
    assert_eq!(next(&unrelated).0, "reload");
    assert_eq!(next(&missing).0, "reload");
}

/// `--quiet`: no line per rebuild and no warnings, but errors still reach the terminal.
#[test]
fn quiet_serve_prints_errors_only() {
    let dir = tempfile::tempdir().unwrap();
    // Sections missing from site.toml: every build warns about them.
    write_site(dir.path(), 6, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--quiet", "--port", "0"]);
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(5));
    write_article(dir.path(), 2, "Quietly edited", "");
    wait_for(&events, "reload", Duration::from_secs(10));
    let page = format!("{}{}", server.url, article_url_path(2));
    assert_eq!(title_of(&get(&page).2), "Quietly edited");
    std::fs::write(article_path(dir.path(), 3), "+++\ntitle = 3\n+++\n").unwrap();
    wait_for(&events, "build-error", Duration::from_secs(10));
    let rel = format!("{}-story-3.md", article_date(3));
    let err = wait_stderr(&server, 10, |e| e.contains(&rel));
    for noise in ["changed:", "built ", "watching", "warning"] {
        assert!(
            !err.contains(noise),
            "`{noise}` printed with --quiet:\n{err}"
        );
    }
}

/// Every file of a folder, by relative path.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn assert_same_tree(partial: &Path, full: &Path, what: &str) {
    let a = tree(partial);
    let b = tree(full);
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{what}: only in partial {only_a:?}, only in full {only_b:?}"
    );
    let differ: Vec<_> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "{what}: files differ: {differ:?}");
}

/// Right after each `reload`, every file of a cold `newsgen build` of the same input is served
/// byte for byte (pages apart from the reload script), although serve rebuilds feeds,
/// sitemaps and the search index after the reload (delayed here so requests meet them).
#[test]
fn served_files_equal_a_cold_build_right_after_reload() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    write_site(&site, 24, "https://news.example.org/");
    let server = Server::start_with_env(
        &site,
        &["--port", "0"],
        &[("NEWSGEN_TEST_GENERATOR_DELAY_MS", Path::new("400"))],
    );
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(5));
    let script = newsgen::serve::reload::script();
    let cold_out = dir.path().join("cold");
    let fetch = |rel: &str| {
        let mut resp = agent()
            .get(&format!("{}/{rel}", server.origin()))
            .call()
            .unwrap();
        let status = resp.status().as_u16();
        let mut body = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .unwrap();
        if rel.ends_with(".html") {
            body = String::from_utf8(body)
                .unwrap()
                .replace(&script, "")
                .into_bytes();
        }
        (status, body)
    };
    // `early`: files fetched at once after the reload, while the generators may still run.
    let check = |what: &str, early: BTreeMap<String, (u16, Vec<u8>)>| {
        let _ = std::fs::remove_dir_all(&cold_out);
        let _ = std::fs::remove_dir_all(dir.path().join(".cold.newsgen"));
        newsgen::build(&BuildOptions {
            site_dir: site.clone(),
            output: Some(cold_out.clone()),
            base_url: Some(format!("{}/", server.origin())),
            now: Some(chrono::DateTime::from_timestamp(FIXED_NOW.parse().unwrap(), 0).unwrap()),
            ..BuildOptions::default()
        })
        .unwrap();
        let files = tree(&cold_out);
        assert!(files.len() > 100, "{what}: {} files", files.len());
        for (rel, (status, _)) in &early {
            if !files.contains_key(rel) {
                assert_eq!(*status, 404, "{what}: {rel} is served but not built");
            }
        }
        for (rel, want) in &files {
            let (status, got) = early.get(rel).cloned().unwrap_or_else(|| fetch(rel));
            assert_eq!(status, 200, "{what}: {rel}");
            assert!(got == *want, "{what}: {rel} differs from a cold build's");
        }
        files
            .into_keys()
            .filter(|rel| !rel.ends_with(".html"))
            .collect::<Vec<_>>()
    };
    let mut generated = check("first build", BTreeMap::new());
    let rewrite = |i: usize, f: &dyn Fn(String) -> String| {
        let p = article_path(&site, i);
        std::fs::write(&p, f(std::fs::read_to_string(&p).unwrap())).unwrap();
    };
    type Edit<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let edits: Vec<Edit> = vec![
        (
            "title of the newest",
            Box::new(|| write_article(&site, 0, "New lead", "")),
        ),
        (
            "body",
            Box::new(|| rewrite(9, &|t| t + "\nA searchable zebra.\n")),
        ),
        (
            "tags",
            Box::new(|| rewrite(13, &|t| t.replace("\"common\"]", "\"common\", \"Fresh\"]"))),
        ),
        (
            "added",
            Box::new(|| write_article(&site, 24, "Added story", "")),
        ),
        (
            "deleted",
            Box::new(|| std::fs::remove_file(article_path(&site, 5)).unwrap()),
        ),
    ];
    for (what, edit) in edits {
        edit();
        wait_for(&events, "reload", Duration::from_secs(20));
        let early = generated
            .iter()
            .map(|rel| (rel.clone(), fetch(rel)))
            .collect();
        generated = check(what, early);
    }
}

/// The next build outcome on a page-less event stream: `reload` (a build succeeded) or
/// `build-error`; `None` when none comes within `timeout`.
fn next_build(rx: &Receiver<(String, String)>, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((name, _)) if name == "reload" || name == "build-error" => return Some(name),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// A cold `newsgen build` of the random site into a fresh folder, with serve's base_url:
/// its files, or its error.
fn cold_tree(site: &Site, base_url: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cold");
    newsgen::build(&BuildOptions {
        site_dir: site.path().to_path_buf(),
        output: Some(out.clone()),
        base_url: Some(base_url.to_string()),
        no_cache: true,
        now: Some(common::fixed_now()),
        ..BuildOptions::default()
    })
    .map_err(|e| e.to_string())?;
    Ok(tree(&out))
}

/// What the server at `origin` serves differs from the cold build `want` in: every file of
/// `want` fetched over HTTP (an HTML page with the reload script taken out, exactly that text,
/// once; a page with a `</body>` must have it), and
/// every file of `gone` (an earlier cold build's, not in `want`) must be a 404.
fn served_differences(
    origin: &str,
    want: &BTreeMap<String, Vec<u8>>,
    gone: &[String],
) -> Vec<String> {
    let script = newsgen::serve::reload::script();
    let agent = agent();
    let fetch = |rel: &str| {
        let path: Vec<String> = rel.split('/').map(url_encode).collect();
        let mut resp = agent
            .get(&format!("{origin}/{}", path.join("/")))
            .call()
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .unwrap();
        (status, body)
    };
    let mut differ = Vec::new();
    for (rel, bytes) in want {
        let (status, mut got) = fetch(rel);
        let mut scripts = 0;
        if rel.ends_with(".html") {
            let text = String::from_utf8(got).expect("served HTML is UTF-8");
            scripts = text.matches(&script).count();
            got = text.replacen(&script, "", 1).into_bytes();
        }
        // Every page with a body gets the reload script once.
        let body_end = bytes.windows(7).any(|w| w == b"</body>");
        if rel.ends_with(".html") && scripts != usize::from(body_end) {
            differ.push(format!("{rel}: the reload script {scripts} times"));
        }
        if status != 200 || got != *bytes {
            differ.push(format!("{rel} (status {status})"));
        }
    }
    for rel in gone {
        let (status, _) = fetch(rel);
        if status != 404 {
            differ.push(format!("{rel} is served ({status}) but no longer built"));
        }
    }
    differ
}

/// The randomised equivalence oracle of tests/incremental.rs, over HTTP (issue 10): the real
/// binary runs `serve --watch` on the random site; after each random edit and the rebuild it
/// triggers (awaited on the event stream), every file of a cold `newsgen build` of the same
/// input is served byte for byte (pages apart from the reload script), a file that is no
/// longer built is a 404, and a build that fails cold fails in serve too. Two seeds by
/// default; `NEWSGEN_EQUIV_SEEDS=N` runs seeds 1..=N.
#[test]
fn served_site_equals_a_cold_build_after_random_edits() {
    for seed in seeds() {
        let mut site = Site::new(seed);
        let mut rng = Rng(seed ^ 0x5E7E);
        let server = Server::start(site.path(), &["--port", "0"]);
        let base_url = format!("{}/", server.origin());
        let events = server.events();
        wait_for(&events, "hello", Duration::from_secs(10));
        let mut built = cold_tree(&site, &base_url).expect("the random site builds");
        assert!(built.len() > 50, "seed {seed}: {} files", built.len());
        let first = served_differences(&server.origin(), &built, &[]);
        assert!(first.is_empty(), "seed {seed}, first build: {first:?}");
        let (mut log, mut compared) = (Vec::new(), 0);
        for _ in 0..12 {
            log.push(site.edit(&mut rng));
            if site.changed.is_empty() {
                continue; // no file changed, so no rebuild
            }
            let context = format!("seed {seed}, edits:\n  {}", log.join("\n  "));
            let cold = cold_tree(&site, &base_url);
            let gone: Vec<String> = match &cold {
                Ok(want) => built
                    .keys()
                    .filter(|k| !want.contains_key(*k))
                    .cloned()
                    .collect(),
                Err(_) => Vec::new(),
            };
            // An edit's files may reach serve in two batches (two builds): a mismatch after a
            // build is final only when no further build follows.
            let mut last = vec!["no build happened".to_string()];
            let mut wait = Duration::from_secs(60);
            while let Some(outcome) = next_build(&events, wait) {
                wait = Duration::from_secs(10);
                last = match (&cold, outcome.as_str()) {
                    (Ok(want), "reload") => served_differences(&server.origin(), want, &gone),
                    (Err(_), "build-error") => Vec::new(),
                    (Ok(_), _) => vec![format!("serve failed:\n{}", server.stderr())],
                    (Err(e), _) => vec![format!("serve built what fails cold: {e}")],
                };
                if last.is_empty() {
                    break;
                }
            }
            assert!(
                last.is_empty(),
                "served site differs from a cold build:\n{}\n{context}",
                last[..last.len().min(20)].join("\n")
            );
            compared += 1;
            if let Ok(want) = cold {
                built = want;
            }
        }
        assert!(
            compared >= 8,
            "seed {seed}: only {compared} edits compared: {log:?}"
        );
    }
}

/// The first build answers page requests from its model before it is written (the first
/// page of a large archive in seconds): here the build is held (`NEWSGEN_TEST_PREVIEW_UNTIL`)
/// while every page of a cold build and the stylesheet are fetched, and each must equal the
/// cold build's file; once released, the build is served whole and equal too.
#[test]
fn pages_served_during_the_first_build_equal_a_cold_build() {
    let site = Site::new(3);
    let hold = tempfile::tempdir().unwrap();
    let release = hold.path().join("release");
    let (server, first_line) = Server::spawn(
        site.path(),
        &["--port", "0"],
        &[("NEWSGEN_TEST_PREVIEW_UNTIL", &release)],
    );
    let marker = "pages are served at ";
    let err = wait_stderr(&server, 60, |e| e.contains(marker));
    let rest = &err[err.find(marker).unwrap() + marker.len()..];
    let url = rest.split_whitespace().next().unwrap();
    let origin = url.trim_end_matches('/');
    let cold = cold_tree(&site, url).expect("the random site builds");
    let early: BTreeMap<String, Vec<u8>> = cold
        .iter()
        .filter(|(rel, _)| rel.ends_with("index.html") || *rel == "style.css")
        .map(|(rel, bytes)| (rel.clone(), bytes.clone()))
        .collect();
    assert!(early.len() > 50, "{} pages", early.len());
    let differ = served_differences(origin, &early, &[]);
    assert!(
        differ.is_empty(),
        "served early: {:?}",
        &differ[..differ.len().min(10)]
    );
    assert!(
        first_line.try_recv().is_err(),
        "the first build finished while held"
    );
    std::fs::write(&release, "").unwrap();
    let serving = first_line.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(serving, format!("Serving {url}"));
    let differ = served_differences(origin, &cold, &[]);
    assert!(
        differ.is_empty(),
        "served after the first build: {:?}",
        &differ[..differ.len().min(10)]
    );
}

/// After an edit of articles' text, a template or a static file, pages are served from the
/// model in memory before the incremental build behind them writes anything: here that build
/// is held (`NEWSGEN_TEST_HOLD_BEHIND`) while every page of a cold build (and the edited
/// static file) is fetched, and each must equal the cold build's file.
#[test]
fn pages_from_the_model_in_memory_equal_a_cold_build() {
    type Edit = fn(&mut Site);
    let mut site = Site::new(5);
    // A template of the site's own, edited below (a new theme folder is a new theme).
    site.template = Some(0);
    site.sync();
    let hold = tempfile::tempdir().unwrap();
    let release = hold.path().join("release");
    let server = Server::start_with_env(
        site.path(),
        &["--port", "0"],
        &[("NEWSGEN_TEST_HOLD_BEHIND", &release)],
    );
    let base_url = format!("{}/", server.origin());
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(10));
    let patched = |e: &str| e.matches("pages served from the model in memory").count();
    let edits: [(&str, Edit); 7] = [
        ("title, summary and body", |s| {
            let a = &mut s.arts[3];
            a.title.push_str(" (corrected)");
            a.summary = Some("A standfirst written later.".into());
            a.body.push_str("\nOne more paragraph, with *emphasis*.\n");
        }),
        ("the newest article's title", |s| {
            newest_published(s).title = "Breaking: a newer headline".into();
        }),
        ("tags and an author", |s| {
            let a = newest_published(s);
            a.tags.push("A Fresh Tag".into());
            a.tags.remove(0);
            a.authors.push("Nova Writer".into());
        }),
        (
            "the fresh tag removed (its term goes, later ones move up)",
            |s| {
                newest_published(s).tags.retain(|t| t != "A Fresh Tag");
            },
        ),
        ("a section's title in site.toml", |s| {
            let title = s.section_titles.values_mut().next().unwrap();
            title.push_str(" and more");
        }),
        ("a template", |s| s.template = Some(1)),
        ("a static file", |s| {
            s.statics
                .insert("notes/a.txt".into(), "note a, edited".into());
        }),
    ];
    for (what, edit) in edits {
        edit(&mut site);
        site.sync();
        let before = server.stderr();
        let builds = before.matches("built ").count();
        assert_eq!(
            next_build(&events, Duration::from_secs(30)).as_deref(),
            Some("reload")
        );
        // Printed before the reload is sent, but read from the pipe by another thread.
        let err = wait_stderr(&server, 10, |e| patched(e) > patched(&before));
        assert_eq!(
            patched(&err),
            patched(&before) + 1,
            "{what}: not patched:\n{err}"
        );
        let cold = cold_tree(&site, &base_url).expect("the random site builds");
        let pages: BTreeMap<String, Vec<u8>> = cold
            .iter()
            .filter(|(rel, _)| rel.ends_with("index.html") || rel.starts_with("notes/"))
            .map(|(rel, bytes)| (rel.clone(), bytes.clone()))
            .collect();
        assert!(pages.len() > 50, "{what}: {} pages", pages.len());
        let differ = served_differences(&server.origin(), &pages, &[]);
        assert!(
            differ.is_empty(),
            "{what}: {:?}",
            &differ[..differ.len().min(10)]
        );
        assert_eq!(
            server.stderr().matches("built ").count(),
            builds,
            "{what}: the build behind ran while held"
        );
        std::fs::write(&release, "").unwrap();
        wait_stderr(&server, 60, |e| e.matches("built ").count() > builds);
        std::fs::remove_file(&release).unwrap();
    }

    // Edits made while the build behind an earlier one is still held are patched and served
    // at once, not after it; released, the builds catch up with all of them.
    let builds = server.stderr().matches("built ").count();
    for k in 0..3 {
        let before = server.stderr();
        site.arts[3].title = format!("Corrected again, {k} times");
        site.sync();
        assert_eq!(
            next_build(&events, Duration::from_secs(30)).as_deref(),
            Some("reload"),
            "edit {k} while a build is held"
        );
        wait_stderr(&server, 10, |e| patched(e) > patched(&before));
        let cold = cold_tree(&site, &base_url).expect("the random site builds");
        let pages: BTreeMap<String, Vec<u8>> = cold
            .into_iter()
            .filter(|(rel, _)| rel.ends_with("index.html"))
            .collect();
        let differ = served_differences(&server.origin(), &pages, &[]);
        assert!(
            differ.is_empty(),
            "edit {k}: {:?}",
            &differ[..differ.len().min(10)]
        );
    }
    assert_eq!(server.stderr().matches("built ").count(), builds);
    std::fs::write(&release, "").unwrap();
    wait_stderr(&server, 60, |e| e.matches("built ").count() > builds);
    let cold = cold_tree(&site, &base_url).expect("the random site builds");
    let differ = served_differences(&server.origin(), &cold, &[]);
    assert!(
        differ.is_empty(),
        "after the held builds: {:?}",
        &differ[..differ.len().min(10)]
    );
}

/// The newest article the random site publishes: no draft, dated before the build's "now"
/// (2026-01-01).
fn newest_published(site: &mut Site) -> &mut Art {
    let published = |a: &&mut Art| !a.draft && a.date.as_str() < "2025-12-31";
    let newest = site.arts.iter_mut().filter(published);
    newest
        .max_by_key(|a| a.date.clone())
        .expect("the random site publishes articles")
}

/// A serve rebuild with its deferred generators.
fn rebuild(
    engine: &mut Engine,
    changes: Option<&[PathBuf]>,
) -> Result<newsgen::build::BuildReport, newsgen::Error> {
    let mut r = engine.rebuild(changes)?;
    r.deferred
        .take()
        .expect("serve defers generators")
        .finish()
        .0?;
    Ok(r)
}

#[test]
fn partial_rebuilds_equal_full_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    write_site(&site, 40, "https://news.example.org/sub/");
    let opts = BuildOptions {
        site_dir: site.clone(),
        output: Some(dir.path().join("served")),
        base_url: Some("http://127.0.0.1:4321/sub/".into()),
        inject_script: Some(newsgen::serve::reload::script()),
        now: Some("2025-07-01T00:00:00Z".parse().unwrap()),
        ..BuildOptions::default()
    };
    let mut engine = Engine::new(opts.clone());
    let first = rebuild(&mut engine, None).unwrap();
    assert_eq!(first.rendered, first.pages);
    let total_pages = first.rendered;

    type Edit = Box<dyn Fn(&Path) -> Vec<PathBuf>>;
    let rel = |site: &Path, i: usize| {
        article_path(site, i)
            .strip_prefix(site)
            .unwrap()
            .to_path_buf()
    };
    let edits: Vec<(&str, Edit)> = vec![
        (
            "body of an old article",
            Box::new(move |s| {
                let p = article_path(s, 33);
                let text = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, text + "\nOne more paragraph.\n").unwrap();
                vec![rel(s, 33)]
            }),
        ),
        (
            "title of the newest article",
            Box::new(move |s| {
                write_article(s, 0, "A new headline for the newest", "");
                vec![rel(s, 0)]
            }),
        ),
        (
            "title of a mid article",
            Box::new(move |s| {
                write_article(s, 17, "Mid headline", "summary = \"A summary\"\n");
                vec![rel(s, 17)]
            }),
        ),
        (
            "tags and featured",
            Box::new(move |s| {
                let p = article_path(s, 21);
                let text = std::fs::read_to_string(&p)
                    .unwrap()
                    .replace("\"common\"]", "\"common\", \"Brand New Tag\"]")
                    .replace("featured = false", "featured = true");
                std::fs::write(&p, text).unwrap();
                vec![rel(s, 21)]
            }),
        ),
        (
            "date moved",
            Box::new(move |s| {
                let p = article_path(s, 25);
                let text = std::fs::read_to_string(&p).unwrap();
                let text = text.replace(&article_date(25), "2025-06-29");
                std::fs::write(&p, text).unwrap();
                vec![rel(s, 25)]
            }),
        ),
        (
            "section changed",
            Box::new(move |s| {
                let p = article_path(s, 26);
                let text = std::fs::read_to_string(&p).unwrap().replacen(
                    "+++\n",
                    "+++\nsection = \"science\"\n",
                    1,
                );
                std::fs::write(&p, text).unwrap();
                vec![rel(s, 26)]
            }),
        ),
        (
            "article added",
            Box::new(move |s| {
                write_article(s, 40, "Added", "");
                vec![rel(s, 40)]
            }),
        ),
        (
            "article deleted",
            Box::new(move |s| {
                std::fs::remove_file(article_path(s, 39)).unwrap();
                vec![rel(s, 39)]
            }),
        ),
        (
            "only article of a section deleted",
            Box::new(move |s| {
                let p = article_path(s, 26);
                std::fs::remove_file(&p).unwrap();
                vec![rel(s, 26)]
            }),
        ),
    ];
    let full_out = dir.path().join("full");
    // A cold build: no earlier output, no cache.
    let cold = || {
        let _ = std::fs::remove_dir_all(&full_out);
        let _ = std::fs::remove_dir_all(dir.path().join(".full.newsgen"));
        newsgen::build(&BuildOptions {
            output: Some(full_out.clone()),
            ..opts.clone()
        })
        .unwrap();
    };
    for (what, edit) in edits {
        let changes = edit(&site);
        let r = rebuild(&mut engine, Some(&changes)).unwrap();
        cold();
        assert_same_tree(&dir.path().join("served"), &full_out, what);
        if what == "body of an old article" {
            assert!(
                r.rendered * 4 < total_pages,
                "{what}: rendered {} of {total_pages} pages",
                r.rendered
            );
        }
    }

    // A broken edit fails and leaves the output as it was; the fix is partial again.
    let before = tree(&dir.path().join("served"));
    let p = article_path(&site, 5);
    let good = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, "+++\ntitle = 3\n+++\n").unwrap();
    assert!(rebuild(&mut engine, Some(&[rel(&site, 5)])).is_err());
    assert!(tree(&dir.path().join("served")) == before);
    std::fs::write(&p, good.replace("Story number 5", "Story five")).unwrap();
    let r = rebuild(&mut engine, Some(&[rel(&site, 5)])).unwrap();
    assert!(r.rendered * 2 < total_pages, "after a fix: {r:?}");
    cold();
    assert_same_tree(&dir.path().join("served"), &full_out, "after a fix");
}

/// Waits until `cond` holds for the server's stderr; panics with it after `secs` seconds.
fn wait_stderr(server: &Server, secs: u64, cond: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let err = server.stderr();
        if cond(&err) {
            return err;
        }
        assert!(Instant::now() < deadline, "timed out; stderr:\n{err}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_watches_by_default_opens_the_browser_and_says_when_nothing_was_built() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 2, "https://news.example.org/");
    // The first build fails: an article without a title.
    let broken = article_path(dir.path(), 0);
    std::fs::write(&broken, "+++\ndate = 2025-06-30\n+++\nx\n").unwrap();
    // `--open` runs $BROWSER with the URL; this one writes it down.
    let opened = dir.path().join("opened.txt");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let server = Server::start_with_env(
        dir.path(),
        &["-p", "0", "--open"],
        &[("BROWSER", browser.as_path())],
    );
    let err = wait_stderr(&server, 10, |e| e.contains("watching content/"));
    assert!(
        err.contains("no site has been built yet"),
        "the first failed build must not claim a last good build: {err}"
    );
    assert!(!err.contains("last good build"), "{err}");
    let (status, _, page) = get(&server.url);
    assert_eq!(status, 503);
    assert!(page.contains("No site has been built yet."), "{page}");
    assert!(!page.contains("last good version"), "{page}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !opened.is_file() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap().trim(),
        server.url,
        "--open opens the served URL"
    );
    // Watching without --watch: fixing the file builds the site.
    write_article(dir.path(), 0, "Fixed", "");
    wait_stderr(&server, 30, |e| {
        e.contains("built 2 articles") || e.contains("rebuilt")
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&server.url).0 != 200 {
        assert!(Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(Duration::from_millis(100));
    }

    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 2, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--no-watch", "--port", "0"]);
    let err = wait_stderr(&server, 10, |e| e.contains("not watching"));
    assert!(!err.contains("watching content/"), "{err}");
}

/// A number from the environment, for the load test's size.
fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number"))
        })
        .unwrap_or(default)
}

/// What a URL of the load test may answer.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Page,
    Missing,
    PageOrMissing,
}

/// Checks one response of the load test: the status the URL allows, and a complete body (an
/// HTML page that ends with `</html>`, a feed that parses, the stylesheet whole).
fn check_response(url: &str, expect: Expect, status: u16, body: &str) -> Result<(), String> {
    let allowed = match expect {
        Expect::Page => status == 200,
        Expect::Missing => status == 404,
        Expect::PageOrMissing => status == 200 || status == 404,
    };
    if !allowed {
        return Err(format!("{url}: status {status}"));
    }
    let complete = if url.ends_with(".xml") {
        roxmltree::Document::parse(body).is_ok()
    } else if url.ends_with(".css") {
        body.starts_with("body {") && body.ends_with("}\n")
    } else {
        let doc = scraper::Html::parse_document(body);
        let title = scraper::Selector::parse("head > title").unwrap();
        body.trim_end().ends_with("</html>") && doc.select(&title).next().is_some()
    };
    if complete {
        Ok(())
    } else {
        Err(format!(
            "{url}: status {status}, torn or empty body of {} bytes",
            body.len()
        ))
    }
}

/// One editor's script, step `k` of a cycle: edit an article, add one, delete it, change the
/// stylesheet (a full rebuild that swaps the output folder), break the article template and
/// fix it again (a failed build, then a full one).
fn edit_step(dir: &Path, k: usize) {
    let template = dir.join("themes/default/templates/article.html");
    match k % 6 {
        0 => write_article(dir, 5, &format!("Edited {k}"), ""),
        1 => write_article(dir, 39, "Added", ""),
        2 => std::fs::remove_file(article_path(dir, 39)).unwrap(),
        3 => std::fs::write(
            dir.join("static/extra.css"),
            format!("body {{ color: #{:03}; }}\n", k % 1000),
        )
        .unwrap(),
        4 => {
            std::fs::create_dir_all(template.parent().unwrap()).unwrap();
            std::fs::write(&template, "{% if %}broken").unwrap();
        }
        _ => std::fs::remove_file(&template).unwrap(),
    }
}

/// `serve --watch` under load while files change: `NEWSGEN_LOAD_CLIENTS` clients (20) send
/// `NEWSGEN_LOAD_REQUESTS` requests (5,000) over loopback, stopping after
/// `NEWSGEN_LOAD_SECONDS` (120) at the latest, while [`edit_step`] runs, each step waiting
/// for its rebuild (at least two whole cycles of steps). Every
/// response must be a complete page or a proper 404: no 5xx, no connection error, no torn
/// body. Prints requests per second and p50/p99 latency.
/// `cargo test --release --test serve -- --ignored --nocapture load_while_editing`
#[test]
#[ignore = "load test; run with --ignored (see docs/serve.md)"]
fn load_while_editing() {
    let clients = env_number("NEWSGEN_LOAD_CLIENTS", 20) as usize;
    let total = env_number("NEWSGEN_LOAD_REQUESTS", 5000) as usize;
    let limit = Duration::from_secs(env_number("NEWSGEN_LOAD_SECONDS", 120));
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 39, "https://news.example.org/");
    let server = Server::start(dir.path(), &["--watch", "--port", "0"]);
    let mut urls: Vec<(String, Expect)> = ["", "politics/", "tags/common/", "feed.xml"]
        .iter()
        .map(|u| (u.to_string(), Expect::Page))
        .collect();
    urls.extend((0..12).map(|i| (article_url_path(i), Expect::Page)));
    urls.push(("extra.css".into(), Expect::Page));
    urls.push(("no/such/page/".into(), Expect::Missing));
    urls.push((article_url_path(39), Expect::PageOrMissing));
    let urls = Arc::new(urls);

    let next = Arc::new(AtomicUsize::new(0));
    let steps = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let events = server.events();
    wait_for(&events, "hello", Duration::from_secs(10));
    let start = Instant::now();
    let editor = {
        let (dir, stop, steps) = (dir.path().to_path_buf(), stop.clone(), steps.clone());
        std::thread::spawn(move || {
            while !stop.load(SeqCst) {
                let k = steps.load(SeqCst);
                edit_step(&dir, k);
                let outcome = if k % 6 == 4 { "build-error" } else { "reload" };
                wait_for(&events, outcome, Duration::from_secs(60));
                steps.fetch_add(1, SeqCst);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (urls, next, base) = (urls.clone(), next.clone(), server.url.clone());
            let steps = steps.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                loop {
                    let n = next.fetch_add(1, SeqCst);
                    // Until `total` requests and two whole edit cycles, or the time limit.
                    if (n >= total && steps.load(SeqCst) >= 12) || start.elapsed() > limit {
                        return (latencies, errors);
                    }
                    let (path, expect) = &urls[n % urls.len()];
                    let t = Instant::now();
                    match agent.get(&format!("{base}{path}")).call() {
                        Ok(mut resp) => {
                            let status = resp.status().as_u16();
                            match resp.body_mut().read_to_string() {
                                Ok(body) => {
                                    latencies.push(t.elapsed());
                                    if let Err(e) = check_response(path, *expect, status, &body) {
                                        errors.push(e);
                                    }
                                }
                                Err(e) => errors.push(format!("/{path}: body: {e}")),
                            }
                        }
                        Err(e) => errors.push(format!("/{path}: {e}")),
                    }
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for w in workers {
        let (l, e) = w.join().unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let elapsed = start.elapsed();
    stop.store(true, SeqCst);
    editor.join().unwrap();
    let steps = steps.load(SeqCst);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    eprintln!(
        "{} requests by {clients} clients in {:.1} s: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms; \
         {steps} edits; {} bad responses",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        errors.len()
    );
    assert!(errors.is_empty(), "{:#?}", &errors[..errors.len().min(20)]);
    assert!(
        latencies.len() >= total.min(500),
        "only {} requests",
        latencies.len()
    );
    assert!(steps >= 12, "only {steps} edits: not two whole cycles");
}
