//! Live reload: the script injected into every page while serving, the messages sent to it
//! over Server-Sent Events, and the error overlay shown when a build fails.

use std::collections::HashSet;
use std::sync::Arc;

use crate::error::Error;
use crate::util::escape::escape_html;

/// URL of the Server-Sent Events stream the injected script listens to. It sits outside any
/// base_url sub-path so one script works for every site.
pub const EVENTS_PATH: &str = "/__newsgen/events";

/// A message to every open page.
#[derive(Debug, Clone)]
pub enum Message {
    /// A build succeeded: pages it changed reload, the others hear `build-ok`.
    Reload {
        /// The new build generation.
        build: String,
        changed: Arc<Changed>,
    },
    /// The generators of that build (feeds, sitemaps, search index) finished after it: only
    /// a tab showing a file they changed reloads.
    Generated {
        build: String,
        changed: Arc<Changed>,
    },
    /// A build failed: show this HTML (already escaped) over the page.
    BuildError(String),
    /// The server is stopping: end the stream.
    Shutdown,
}

/// The output files one build wrote or removed, as open pages ask about them.
#[derive(Debug, Default)]
pub struct Changed {
    files: HashSet<String>,
    /// A stylesheet, script, image or font changed: any page may show it.
    assets: bool,
}

impl Changed {
    /// From the build's list of written and removed files (relative to the output).
    pub fn new(files: &[String]) -> Changed {
        Changed {
            assets: files.iter().any(|f| is_asset(f)),
            files: files.iter().cloned().collect(),
        }
    }

    /// Whether a tab showing the output file `file` must reload. `exists`: whether `file` is
    /// in the output; a tab on a missing page shows `404.html`.
    pub fn affects(&self, file: &str, exists: bool) -> bool {
        self.assets || self.files.contains(file) || (!exists && self.files.contains("404.html"))
    }
}

/// Whether an output file is something pages load by URL (stylesheet, script, image, font):
/// a changed asset reloads every tab, since any page may use it. Other files (pages, feeds,
/// sitemaps, the search index) reload only a tab showing that very file.
fn is_asset(rel: &str) -> bool {
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext.to_ascii_lowercase().as_str(),
        "css"
            | "js"
            | "mjs"
            | "png"
            | "jpg"
            | "jpeg"
            | "gif"
            | "webp"
            | "avif"
            | "svg"
            | "ico"
            | "woff"
            | "woff2"
            | "ttf"
            | "otf"
    )
}

/// The `<script>` put before `</body>` of every page while serving (never by `newsgen build`).
///
/// It listens to [`EVENTS_PATH`], naming its own page (`?page=` + the URL path): `hello`
/// carries the build generation (a page that reconnects after a restart or a missed rebuild
/// sees a new one and reloads), `reload` reloads (sent only to pages the build changed),
/// `build-ok` (a build that left this page as it was) records the generation and hides the
/// overlay, `build-error` shows an overlay with the error list. EventSource reconnects by itself; when
/// the browser gives up (the server was down too long) the script reconnects every second.
pub fn script() -> String {
    format!(
        r#"<script data-newsgen-live-reload>
(function () {{
  var known = null, id = "__newsgen_overlay",
    url = "{EVENTS_PATH}?page=" + encodeURIComponent(location.pathname);
  function hide() {{ var o = document.getElementById(id); if (o) o.remove(); }}
  function show(html) {{
    var o = document.getElementById(id);
    if (!o) {{
      o = document.createElement("div"); o.id = id;
      o.setAttribute("role", "alert");
      o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 monospace;padding:2em;";
      document.body.appendChild(o);
    }}
    o.innerHTML = html;
  }}
  function connect() {{
    var es = new EventSource(url);
    es.addEventListener("hello", function (e) {{
      if (known !== null && known !== e.data) {{ location.reload(); }}
      known = e.data;
    }});
    es.addEventListener("reload", function () {{ location.reload(); }});
    es.addEventListener("build-error", function (e) {{ show(e.data); }});
    es.addEventListener("build-ok", function (e) {{ known = e.data; hide(); }});
    es.onerror = function () {{
      if (es.readyState === EventSource.CLOSED) {{ es.close(); setTimeout(connect, 1000); }}
    }};
  }}
  connect();
}})();
</script>
"#
    )
}

/// The overlay's inner HTML for a failed build: every diagnostic on its own line, escaped.
/// `served` tells whether an earlier build succeeded (and so is what the server shows).
pub fn overlay_fragment(error: &Error, served: bool) -> String {
    let lines: Vec<String> = match error {
        Error::Site(diags) => diags.iter().map(|d| d.to_string()).collect(),
        other => vec![other.to_string()],
    };
    let state = if served {
        "The last good version of the site is still being served."
    } else {
        "No site has been built yet."
    };
    let mut html = format!(
        "<h2 style=\"margin:0 0 1em;color:#ff6b6b\">newsgen: build failed</h2>\
         <p>{state} Fix the file and save: the page reloads by itself.</p>\
         <pre style=\"white-space:pre-wrap\">",
    );
    for line in lines {
        html.push_str(&escape_html(&line));
        html.push('\n');
    }
    html.push_str("</pre>");
    html
}

/// A whole page showing a failed build, for when no good build exists yet. It carries the
/// live-reload script, so fixing the file reloads it.
pub fn error_page(fragment: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>newsgen: build failed\
         </title></head>\n<body style=\"background:#141414;color:#fff;font:14px/1.5 monospace;\
         padding:2em\">\n<div id=\"__newsgen_overlay\" role=\"alert\">{fragment}</div>\n{}</body></html>\n",
        script()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn overlay_escapes_messages() {
        let e = Error::Site(vec![Diagnostic::error(
            "content/a.md",
            Some(3),
            "bad <script>alert(1)</script> & more",
        )]);
        let html = overlay_fragment(&e, true);
        assert!(html.contains(
            "content/a.md:3: error: bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
        ));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn script_listens_to_the_events_path() {
        let s = script();
        assert!(s.starts_with("<script"));
        assert!(s.contains(EVENTS_PATH));
        assert!(s.trim_end().ends_with("</script>"));
    }
}
