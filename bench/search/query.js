#!/usr/bin/env node
// Runs themes/default/static/search.js against a built site's search/ folder the way a
// browser does (same engine, same files, fetched lazily) and reports what each query returned
// and how many bytes it fetched. Used by the benchmark (in Node) and by tests/search.rs (in
// an embedded JavaScript engine, which calls `newsgenQuery` below with its own file reader).
//
//   node query.js SCRIPT OUTPUT_DIR < request.json > answer.json
//
// request: { "queries": [ { "q": "...", "prefix": false, "section": "", "year": 0,
//                            "sort": "relevance", "page": 10, "typing": false } ],
//            "stem": ["words"], "analyze": ["texts"], "stop": ["stop words"] }
// A query starts with an empty cache (a first query); its bytes include the script's.
// With "typing": true, the query is typed one character at a time into one engine (prefix
// search on every keystroke) and the bytes of the whole sequence are reported.
'use strict';

/** An engine whose loader reads `search/<rel>` with `read(rel)` (a Promise of a Uint8Array)
 * and counts what it fetched in `stats`. */
function engine(api, read, stats) {
  return new api.Engine(async (rel, kind) => {
    const bytes = await read(rel);
    stats.bytes += bytes.length;
    stats.files.push(rel);
    if (kind === 'text') return new TextDecoder().decode(bytes);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  });
}

async function runOne(e, q, stats) {
  const opts = { prefix: !!q.prefix, section: q.section || '', year: q.year || '', sort: q.sort || 'relevance' };
  const res = await e.search(q.q, opts);
  const page = res.ids.slice(0, q.page || 10);
  const records = await e.fragments(page);
  return {
    q: q.q,
    terms: res.terms,
    total: res.total,
    ids: res.ids,
    results: records.map((r) => ({
      id: r.id, title: r.title, url: r.url, section: r.sectionSlug, date: r.date, iso: r.iso,
      source: r.source,
      marked: e.marks(r.title + ' | ' + r.excerpt, res.highlight).filter((x) => x[1]).map((x) => x[0]),
      snippet: e.snippet(r.excerpt, res.highlight, 220).map((x) => (x[1] ? '[' + x[0] + ']' : x[0])).join(''),
    })),
    bytes: stats.bytes,
    files: stats.files.length,
  };
}

/** Answers `request` with the engine `api` (search.js's exports); `scriptBytes` is the size of
 * search.js, `clock()` milliseconds for timings. */
async function answer(api, request, read, scriptBytes, clock) {
  const out = { queries: [], stems: [], analyzed: [] };
  for (const q of request.queries || []) {
    const stats = { bytes: scriptBytes, files: ['search.js'] };
    const e = engine(api, read, stats);
    const start = clock();
    let one;
    if (q.typing) {
      for (let i = 1; i <= q.q.length; i++) {
        one = await runOne(e, { ...q, q: q.q.slice(0, i), prefix: true }, stats);
      }
    } else {
      one = await runOne(e, q, stats);
    }
    one.ms = clock() - start;
    one.fetched = stats.files;
    out.queries.push(one);
  }
  out.stems = (request.stem || []).map((w) => api.stem(w));
  const stop = new Set(request.stop || []);
  out.analyzed = (request.analyze || []).map((t) => api.analyze(t, stop, 'english').map((x) => x.stem));
  return out;
}

if (typeof module !== 'undefined' && typeof require !== 'undefined' && require.main === module) {
  const fs = require('fs');
  const path = require('path');
  const [script, outDir] = process.argv.slice(2);
  const api = require(path.resolve(script));
  const read = (rel) => fs.promises.readFile(path.join(outDir, 'search', rel));
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  const clock = () => Number(process.hrtime.bigint()) / 1e6;
  answer(api, request, read, fs.statSync(script).size, clock)
    .then((a) => process.stdout.write(JSON.stringify(a)))
    .catch((e) => {
      console.error(e.stack || String(e));
      process.exit(1);
    });
} else {
  globalThis.newsgenQuery = answer;
}
