#!/usr/bin/env node
// Runs themes/default/static/search.js against a built site's search/ folder the way a
// browser does (same engine, same files, fetched lazily) and reports what each query returned
// and how many bytes it fetched. Used by tests/search.rs and the benchmark.
//
//   node query.js SCRIPT OUTPUT_DIR < request.json > answer.json
//
// request: { "queries": [ { "q": "...", "prefix": false, "section": "", "year": 0,
//                            "sort": "relevance", "page": 10, "typing": false } ],
//            "stem": ["words"], "analyze": ["texts"] }
// A query starts with an empty cache (a first query); its bytes include the script's.
// With "typing": true, the query is typed one character at a time into one engine (prefix
// search on every keystroke) and the bytes of the whole sequence are reported.
'use strict';
const fs = require('fs');
const path = require('path');

const [script, outDir] = process.argv.slice(2);
const api = require(path.resolve(script));
const scriptBytes = fs.statSync(script).size;
const request = JSON.parse(fs.readFileSync(0, 'utf8'));

function engine(stats) {
  return new api.Engine(async (rel, kind) => {
    const buf = await fs.promises.readFile(path.join(outDir, 'search', rel));
    stats.bytes += buf.length;
    stats.files.push(rel);
    if (kind === 'text') return buf.toString('utf8');
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
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

(async () => {
  const answer = { queries: [], stems: [], analyzed: [] };
  for (const q of request.queries || []) {
    const stats = { bytes: scriptBytes, files: ['search.js'] };
    const e = engine(stats);
    const start = process.hrtime.bigint();
    let out;
    if (q.typing) {
      for (let i = 1; i <= q.q.length; i++) {
        out = await runOne(e, { ...q, q: q.q.slice(0, i), prefix: true }, stats);
      }
    } else {
      out = await runOne(e, q, stats);
    }
    out.ms = Number(process.hrtime.bigint() - start) / 1e6;
    out.fetched = stats.files;
    answer.queries.push(out);
  }
  answer.stems = (request.stem || []).map((w) => api.stem(w));
  const stop = new Set(request.stop || []);
  answer.analyzed = (request.analyze || []).map((t) => api.analyze(t, stop, 'english').map((x) => x.stem));
  process.stdout.write(JSON.stringify(answer));
})().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
