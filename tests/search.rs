//! Search (issue 6): builds fixture sites with the real binary, then loads the index files
//! exactly as the browser does by running the shipped themes/default/static/search.js in an
//! embedded JavaScript engine (QuickJS, through bench/search/query.js), and checks what
//! queries answer. No system JavaScript runtime is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use newsgen::generators::search::text::{Analyzer, STOP_WORDS, keys};
use newsgen::util::text::plain_text;
use scraper::{Html, Selector};
use serde_json::{Value, json};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/themes/default/static/search.js"
);
const HARNESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/search/query.js");

/// A site folder in a temp dir.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(site_toml: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), site_toml).unwrap();
        Site { dir }
    }

    fn article(&self, rel: &str, front: &str, body: &str) {
        let p = self.dir.path().join("content").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, format!("+++\n{front}\n+++\n{body}\n")).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    fn build(&self) {
        let o = Command::new(env!("CARGO_BIN_EXE_newsgen"))
            .arg("build")
            .arg(self.dir.path())
            .env("SOURCE_DATE_EPOCH", "1798675200") // 2027-01-01
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// What a browser provides and QuickJS lacks, for search.js: `TextDecoder` (UTF-8, invalid
/// bytes replaced, as the web API does). `Intl` is absent, so search.js takes its word
/// splitting fallback, which the analysis test below holds to the index's own words.
const SHIMS: &str = "globalThis.TextDecoder = class TextDecoder {
  decode(bytes) { return __utf8(Array.from(bytes || [])); }
};";

/// The fetch shim: reads a file of the built output, as a browser fetches it.
fn read_output<'js>(
    ctx: rquickjs::Ctx<'js>,
    path: String,
) -> rquickjs::Result<rquickjs::TypedArray<'js, u8>> {
    let bytes = std::fs::read(&path)
        .map_err(|e| rquickjs::Exception::throw_message(&ctx, &format!("{path}: {e}")))?;
    rquickjs::TypedArray::new(ctx, bytes)
}

fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Runs the shipped search.js over `out` in an embedded JavaScript engine (QuickJS), through
/// the query harness bench/search/query.js, with a request (see there).
fn js(out: &Path, request: &Value) -> Value {
    use rquickjs::{CatchResultExt as _, Context, Function, Promise, Runtime};
    let script = std::fs::read_to_string(SCRIPT).expect("search.js");
    let harness = std::fs::read_to_string(HARNESS).expect("query.js");
    let runtime = Runtime::new().expect("QuickJS runtime");
    let context = Context::full(&runtime).expect("QuickJS context");
    let answer = context.with(|ctx| {
        let run = || -> rquickjs::Result<String> {
            let globals = ctx.globals();
            globals.set("__read", Function::new(ctx.clone(), read_output)?)?;
            globals.set("__utf8", Function::new(ctx.clone(), utf8)?)?;
            globals.set(
                "__search",
                out.join("search").to_string_lossy().into_owned(),
            )?;
            globals.set("__request", request.to_string())?;
            globals.set("__scriptBytes", script.len())?;
            ctx.eval::<(), _>(SHIMS)?;
            ctx.eval::<(), _>(script.as_str())?;
            ctx.eval::<(), _>(harness.as_str())?;
            let done: Promise = ctx.eval(
                "newsgenQuery(newsgenSearch, JSON.parse(__request), \
                   (rel) => Promise.resolve().then(() => __read(__search + '/' + rel)), \
                   __scriptBytes, () => Date.now()).then((a) => JSON.stringify(a))",
            )?;
            done.finish()
        };
        run()
            .catch(&ctx)
            .unwrap_or_else(|e| panic!("search.js failed: {e}"))
    });
    serde_json::from_str(&answer).expect("the harness answers JSON")
}

/// One query's answer.
fn query(out: &Path, q: Value) -> Value {
    js(out, &json!({ "queries": [q] }))["queries"][0].clone()
}

fn titles(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

const SITE_TOML: &str = r#"
title = "Test News"
base_url = "https://example.org/news/"
timezone = "Pacific/Auckland"
[sections.politics]
title = "Politics"
[sections.sport]
title = "Sport"
"#;

/// A small archive with the cases the issue names: diacritics, stems, prefixes, filters.
fn news() -> Site {
    let s = Site::new(SITE_TOML);
    s.article(
        "politics/2025-10-30-maori-seats.md",
        "title = \"Māori seats debate heats up\"\ndate = 2025-10-30T23:30:00Z\nsource = \"Metro Wire\"\ntags = [\"parliament\"]",
        "The select committee heard submissions on the future of the seats before the election.",
    );
    s.article(
        "politics/2026-03-01-council-vote.md",
        "title = \"Council backs harbour bridge repairs\"\ndate = 2026-03-01T09:00:00+13:00",
        "Councillors voted 9-6. The mayor said the bridge had waited too long. Elections are next year.",
    );
    s.article(
        "politics/2026-05-01-harbour-bridge.md",
        "title = \"Harbour bridge closes for a weekend\"\ndate = 2026-05-01T09:00:00+12:00\nsummary = \"Traffic will divert through the city.\"",
        "Crews will work around the clock on the harbour bridge deck. The harbour ferry adds sailings.",
    );
    s.article(
        "sport/2026-06-01-maori-all-blacks.md",
        "title = \"Maori All Blacks name squad\"\ndate = 2026-06-01T09:00:00+12:00\nsource = \"Sport Desk\"",
        "Selectors named an unchanged squad. Mention of the harbour city where they train.",
    );
    s.article(
        "sport/2026-07-01-rowing.md",
        "title = \"Rowers electrify the regatta\"\ndate = 2026-07-01T09:00:00+12:00",
        "The crews were electrifying on the water.",
    );
    s
}

#[test]
fn queries_fold_diacritics_stem_filter_and_rank() {
    let site = news();
    site.build();
    let out = site.out();
    let answers = js(
        &out,
        &json!({ "queries": [
            { "q": "Māori" },
            { "q": "maori" },
            { "q": "MAORI'S" },
            { "q": "elections" },
            { "q": "election" },
            { "q": "elec" },
            { "q": "elec", "prefix": true },
            { "q": "harbour", "sort": "relevance" },
            { "q": "harbour", "sort": "date" },
            { "q": "harbour", "section": "sport" },
            { "q": "harbour", "year": 2025 },
            { "q": "harbour", "year": 2026, "section": "politics", "sort": "date" },
            { "q": "harbour bridge" },
            { "q": "harbour zebra" },
            { "q": "the of" },
            { "q": "metro wire" },
        ] }),
    );
    let a = answers["queries"].as_array().unwrap();
    let t = |i: usize| titles(&a[i]);

    // Diacritics and case: both spellings find both articles, every way round.
    let both = vec![
        "Maori All Blacks name squad".to_string(),
        "Māori seats debate heats up".to_string(),
    ];
    for (i, answer) in a.iter().enumerate().take(3) {
        let mut got = t(i);
        got.sort();
        assert_eq!(got, both, "query {}", answer["q"]);
    }
    // The highlight marks both spellings.
    let marked: Vec<String> = a[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["marked"].as_array().unwrap().clone())
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert!(marked.contains(&"Māori".to_string()), "{marked:?}");
    assert!(marked.contains(&"Maori".to_string()), "{marked:?}");

    // Stems: "elections" finds the article that only says "election", and vice versa.
    let mut e = t(3);
    e.sort();
    assert_eq!(
        e,
        vec![
            "Council backs harbour bridge repairs",
            "Māori seats debate heats up"
        ]
    );
    assert_eq!(a[4]["total"], a[3]["total"]);
    // Prefixes: "elec" alone is no word; as typed it finds election and electrify.
    assert_eq!(a[5]["total"], 0);
    let mut p = t(6);
    p.sort();
    assert_eq!(
        p,
        vec![
            "Council backs harbour bridge repairs",
            "Māori seats debate heats up",
            "Rowers electrify the regatta"
        ]
    );

    // Relevance: the headline with "harbour" plus two body mentions comes first.
    assert_eq!(a[7]["total"], 3);
    assert_eq!(t(7)[0], "Harbour bridge closes for a weekend");
    // The snippet shows the matched words highlighted (marked with [] by the harness).
    let snippet = a[7]["results"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("the [harbour] bridge deck"), "{snippet}");
    // Newest first: by date, whatever the relevance.
    assert_eq!(
        t(8),
        vec![
            "Maori All Blacks name squad",
            "Harbour bridge closes for a weekend",
            "Council backs harbour bridge repairs"
        ]
    );
    // Filters.
    assert_eq!(t(9), vec!["Maori All Blacks name squad"]);
    assert_eq!(a[10]["total"], 0);
    assert_eq!(
        t(11),
        vec![
            "Harbour bridge closes for a weekend",
            "Council backs harbour bridge repairs"
        ]
    );
    // Every word must match.
    assert_eq!(a[12]["total"], 2);
    assert_eq!(a[13]["total"], 0);
    // Only stop words: nothing to search for.
    assert_eq!(a[14]["terms"].as_array().unwrap().len(), 0);
    // The source is searchable and shown.
    assert_eq!(t(15), vec!["Māori seats debate heats up"]);

    // Result metadata: link under the base path, section, date in the site time zone
    // (23:30 UTC on 30 Oct is 31 Oct in Auckland), source.
    let r = &a[15]["results"][0];
    assert_eq!(r["url"], "/news/politics/2025/10/31/maori-seats/");
    assert_eq!(r["section"], "politics");
    assert_eq!(r["date"], "31 Oct 2025");
    assert_eq!(r["iso"], "2025-10-31T12:30:00+13:00");
    assert_eq!(r["source"], "Metro Wire");
    assert!(
        out.join("politics/2025/10/31/maori-seats/index.html")
            .is_file()
    );
}

#[test]
fn search_page_is_accessible_and_honours_the_base_path() {
    let site = news();
    site.build();
    let html = std::fs::read_to_string(site.out().join("search/index.html")).unwrap();
    let doc = Html::parse_document(&html);
    let one = |sel: &str| {
        doc.select(&Selector::parse(sel).unwrap())
            .next()
            .unwrap_or_else(|| panic!("no {sel} in search page"))
    };
    assert_eq!(
        one("[data-search-index]").attr("data-search-index"),
        Some("/news/search/")
    );
    assert_eq!(
        one("script[src$='search.js']").attr("src"),
        Some("/news/search.js")
    );
    let input = one(".search-form input[name=q]");
    let id = input.attr("id").unwrap();
    one(&format!("label[for={id}]"));
    assert_eq!(one(".search-status").attr("aria-live"), Some("polite"));
    for name in ["section", "year", "sort"] {
        let sel = one(&format!("select[name={name}]"));
        one(&format!("label[for={}]", sel.attr("id").unwrap()));
    }
    let sections: Vec<_> = doc
        .select(&Selector::parse("select[name=section] option").unwrap())
        .filter_map(|o| o.attr("value"))
        .collect();
    assert_eq!(sections, vec!["", "politics", "sport"]);
    // The header search box on every page leads here with ?q=.
    let front = std::fs::read_to_string(site.out().join("index.html")).unwrap();
    let front = Html::parse_document(&front);
    let form = front
        .select(&Selector::parse("form[role=search]").unwrap())
        .next()
        .unwrap();
    assert_eq!(form.attr("action"), Some("/news/search/"));
    assert!(site.out().join("search.js").is_file());
    assert!(site.out().join("search/meta.json").is_file());
}

#[test]
fn search_can_be_turned_off() {
    let site = Site::new(&format!("{SITE_TOML}\n[search]\nenabled = false\n"));
    site.article(
        "politics/2026-01-01-a.md",
        "title = \"A\"\ndate = 2026-01-01",
        "Body.",
    );
    site.build();
    assert!(!site.out().join("search").exists());
    let front = std::fs::read_to_string(site.out().join("index.html")).unwrap();
    assert!(!front.contains("role=\"search\""));
}

#[test]
fn index_is_deterministic() {
    let site = news();
    site.build();
    let read_all = |dir: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir.join("search"))
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first = read_all(&site.out());
    site.build();
    assert_eq!(first, read_all(&site.out()));
    assert!(first.len() >= 6);
}

/// Every article of a larger archive is found by a word only it has: exercises many
/// dictionary chunks, packs and fragment files, and their offsets.
#[test]
fn every_article_of_a_larger_archive_is_found() {
    let site = Site::new(SITE_TOML);
    let n = 1200;
    let common = "harbour council election rugby weather market housing transport school \
                  hospital police court budget minister festival concert";
    let words: Vec<&str> = common.split_whitespace().collect();
    for i in 0..n {
        let section = if i % 3 == 0 { "sport" } else { "politics" };
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let year = 2020 + i / 336;
        let mut body = String::new();
        for k in 0..60 {
            body.push_str(words[(i * 7 + k * 3) % words.len()]);
            body.push(' ');
        }
        body.push_str(&format!(
            "Reference zq{i}x, file kv{i}w, desk jb{i}m, code pl{i}t."
        ));
        site.article(
            &format!("{section}/{year}-{month:02}-{day:02}-story-{i}.md"),
            &format!(
                "title = \"Story {i} on {}\"\ndate = {year}-{month:02}-{day:02}T{:02}:00:00",
                words[i % words.len()],
                i % 24
            ),
            &body,
        );
    }
    site.build();
    let picks: Vec<usize> = (0..n).step_by(37).chain([n - 1]).collect();
    let queries: Vec<Value> = picks
        .iter()
        .map(|i| json!({ "q": format!("zq{i}x") }))
        .collect();
    let answers = js(&site.out(), &json!({ "queries": queries }));
    for (i, a) in picks.iter().zip(answers["queries"].as_array().unwrap()) {
        assert_eq!(a["total"], 1, "zq{i}x");
        assert!(
            a["results"][0]["title"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Story {i} on ")),
            "{a}"
        );
    }
    let meta: Value =
        serde_json::from_slice(&std::fs::read(site.out().join("search/meta.json")).unwrap())
            .unwrap();
    assert!(meta["dict"].as_array().unwrap().len() > 3, "several chunks");
    // A common word in newest-first order: ids ascending, all matching articles counted.
    let a = query(
        &site.out(),
        json!({ "q": "rugby", "sort": "date", "page": 5 }),
    );
    let ids: Vec<u64> = a["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert!(ids.len() > n / 3, "{}", ids.len());
    // A first query fetches a few files, not the index.
    assert!(a["files"].as_u64().unwrap() < 12, "{}", a["files"]);
}

/// Words of every example-site article, the fixture and hard cases of the Snowball English
/// algorithm; plus the words of a file named by NEWSGEN_STEM_WORDS (CI passes a dictionary).
fn stem_words() -> Vec<String> {
    let mut words: Vec<String> = [
        "skis",
        "skies",
        "dying",
        "lying",
        "tying",
        "idly",
        "gently",
        "ugly",
        "early",
        "only",
        "singly",
        "sky",
        "news",
        "howe",
        "atlas",
        "cosmos",
        "bias",
        "andes",
        "inning",
        "innings",
        "outing",
        "outings",
        "canning",
        "herring",
        "earring",
        "proceed",
        "exceed",
        "succeed",
        "generate",
        "generously",
        "communism",
        "communication",
        "arsenal",
        "arsenic",
        "youth",
        "sayyid",
        "yelling",
        "toy",
        "toys",
        "cry",
        "cries",
        "ties",
        "tie",
        "ied",
        "gas",
        "gaps",
        "kiwis",
        "this",
        "caress",
        "caresses",
        "ponies",
        "pony",
        "agreed",
        "feed",
        "plastered",
        "motoring",
        "sing",
        "conflated",
        "troubled",
        "sized",
        "hopping",
        "tanned",
        "falling",
        "hissing",
        "fizzed",
        "failing",
        "filing",
        "happy",
        "happiness",
        "relational",
        "conditional",
        "rational",
        "valenci",
        "hesitanci",
        "digitizer",
        "conformabli",
        "radicalli",
        "differentli",
        "vileli",
        "analogousli",
        "vietnamization",
        "predication",
        "operator",
        "feudalism",
        "decisiveness",
        "hopefulness",
        "callousness",
        "formaliti",
        "sensitiviti",
        "sensibiliti",
        "triplicate",
        "formative",
        "formalize",
        "electriciti",
        "electrical",
        "hopeful",
        "goodness",
        "revival",
        "allowance",
        "inference",
        "airliner",
        "gyroscopic",
        "adjustable",
        "defensible",
        "irritant",
        "replacement",
        "adjustment",
        "dependent",
        "adoption",
        "homologou",
        "communism",
        "activate",
        "angulariti",
        "homologous",
        "effective",
        "bowdlerize",
        "probate",
        "rate",
        "cease",
        "controll",
        "roll",
        "logi",
        "biologi",
        "archaeology",
        "lessli",
        "fullness",
        "fulli",
        "spoonfulli",
        "ably",
        "by",
        "aye",
        "eyed",
        "yelped",
        "Māori",
        "naïve",
        "über",
        "münchen",
        "coöperate",
        "x",
        "ab",
        "abc",
        "1990s",
        "2025",
        "covid19",
        "ee",
        "eed",
        "bleed",
        "ing",
        "bring",
        "string",
        "during",
        "ed",
        "red",
        "bred",
        "emerging",
        "universal",
        "past",
        "later",
        "organ",
        "organization",
        "generous",
        "pastoral",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut add_text = |text: &str| keys(text, |k| words.push(k.to_string()));
    for e in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
    {
        add_text(&std::fs::read_to_string(e.path()).unwrap());
    }
    if let Ok(path) = std::env::var("NEWSGEN_STEM_WORDS") {
        add_text(&std::fs::read_to_string(path).unwrap());
    }
    words.sort();
    words.dedup();
    words
        .into_iter()
        .map(|w| newsgen::generators::search::text::fold(&w).into_owned())
        .collect()
}

#[test]
fn browser_stemmer_matches_rust_stemmers() {
    let words = stem_words();
    let answer = js(Path::new("."), &json!({ "stem": words }));
    let en = Analyzer::for_language("en");
    let mismatches: Vec<String> = words
        .iter()
        .zip(answer["stems"].as_array().unwrap())
        .filter(|(w, js)| en.stem(w) != js.as_str().unwrap())
        .map(|(w, js)| format!("{w}: rust {} js {js}", en.stem(w)))
        .collect();
    assert!(words.len() > 1000, "{}", words.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} differ: {:?}",
        mismatches.len(),
        words.len(),
        &mismatches[..mismatches.len().min(30)]
    );
}

#[test]
fn browser_analysis_matches_the_index_on_the_example_articles() {
    let mut texts = vec![
        "Māori’s seats — the U.S. and NZ's 1,000 “quoted” e-mail O'Brien naïve Crème ＡＢＣ ﬁnance"
            .to_string(),
    ];
    for e in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
    {
        let raw = std::fs::read_to_string(e.path()).unwrap();
        texts.push(plain_text(&raw));
    }
    let answer = js(
        Path::new("."),
        &json!({ "analyze": texts, "stop": STOP_WORDS }),
    );
    let en = Analyzer::for_language("en");
    for (text, js) in texts.iter().zip(answer["analyzed"].as_array().unwrap()) {
        let js: Vec<String> = js
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(en.stems(text), js, "in {}", &text[..text.len().min(80)]);
    }
}

/// A generated archive of `n` articles in three sections over three years: words drawn with
/// Zipf-like frequencies (a few very common, a long tail of rare ones), so postings lists
/// range from every article to one. Deterministic (a fixed linear congruential sequence).
fn generated_archive(n: usize) -> Site {
    let s = Site::new(&format!("{SITE_TOML}[sections.world]\ntitle = \"World\"\n"));
    let common = "harbour council election transport ferry sailings cancelled māori school \
                  hospital police court budget minister festival weather housing market rugby \
                  water roads bridge mayor union strike port wharf tourism rates library";
    let common: Vec<&str> = common.split_whitespace().collect();
    let mut seed: u64 = 42;
    let mut next = move |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % m
    };
    for i in 0..n {
        let section = ["politics", "sport", "world"][i % 3];
        let (year, month, day) = (2023 + i % 3, 1 + i / 3 % 12, 1 + i / 36 % 28);
        let words: Vec<String> = (0..120)
            .map(|_| {
                // Rank r log-uniform, so with probability ~1/r: the common words first, then
                // a 5,000-word tail.
                let u = next(1 << 20) as f64 / f64::from(1 << 20);
                let r = 5030f64.powf(u) as usize - 1;
                match common.get(r) {
                    Some(w) => w.to_string(),
                    None => format!("tail{}", r % 5000),
                }
            })
            .collect();
        s.article(
            &format!("{section}/{year}-{month:02}-{day:02}-story-{i}.md"),
            &format!(
                "title = \"{} {} report {i}\"\ndate = {year}-{month:02}-{day:02}T{:02}:15:00",
                common[i % common.len()],
                common[(i / 7) % common.len()],
                i % 24
            ),
            &words.join(" "),
        );
    }
    s
}

/// Writes only the search index of the site (the model as a build makes it, no pages).
fn build_index_only(site: &Site) -> u64 {
    let dir = site.dir.path();
    let (config, _) = newsgen::load::config::Config::load(dir).expect("config");
    let tree = newsgen::load::content::walk(dir);
    let (loaded, _) = newsgen::load::read_articles(dir, tree.articles, config.timezone, None);
    let now = chrono::DateTime::from_timestamp(1_798_675_200, 0).expect("2027-01-01");
    let (model, _) = newsgen::model::build_site(
        config,
        loaded,
        tree.assets,
        newsgen::model::BuildFlags::default(),
        now.with_timezone(&chrono_tz::UTC),
    )
    .expect("model");
    let out = site.out();
    let total = std::sync::atomic::AtomicU64::new(0);
    newsgen::generators::search::build_index(&model, &|rel: &str, bytes: &[u8]| {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, bytes).expect("write");
        total.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    })
    .expect("index");
    total.into_inner()
}

#[test]
fn a_query_fetches_under_400_kb_of_a_large_archive() {
    let n = 3000;
    let site = generated_archive(n);
    let index_bytes = build_index_only(&site);
    // The index is several times the budget, so fetching it whole would fail below.
    assert!(index_bytes > 1_000_000, "index is only {index_bytes} bytes");
    let queries = json!([
        { "q": "harbour council" },
        { "q": "Māori election", "sort": "date" },
        { "q": "ferry sailings cancelled", "section": "sport" },
        { "q": "tail4321 harbour", "year": 2024 },
        { "q": "transport", "typing": true },
    ]);
    let answers = js(&site.out(), &json!({ "queries": queries }));
    let answers = answers["queries"].as_array().expect("answers");
    assert_eq!(answers.len(), 5);
    for a in answers {
        let bytes = a["bytes"].as_u64().expect("bytes");
        eprintln!(
            "{:?}: {} hits, {bytes} bytes in {} files",
            a["q"], a["total"], a["files"]
        );
        assert!(
            a["total"].as_u64().expect("total") >= 1,
            "{}: no hits",
            a["q"]
        );
        assert!(
            bytes < 400_000,
            "{}: {bytes} bytes fetched ({})",
            a["q"],
            a["fetched"]
        );
    }
    // The common words match most of the archive: the budget holds for big result sets.
    assert!(answers[0]["total"].as_u64().expect("total") > n as u64 / 2);
}
