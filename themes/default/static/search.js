/* newsgen search: queries the static, chunked index under search/ (docs/search.md).
 * No dependencies, no build step. The text pipeline mirrors src/search/text.rs exactly:
 * UAX #29 words, NFKD without combining marks, lower case, apostrophes dropped, split at
 * non-letters/digits, stop words (from meta.json), Snowball English stemming.
 * In Node (tests, benchmark) it exports the engine; in a page it drives the search form. */
(function (root) {
  'use strict';

  // ---- text ---------------------------------------------------------------------------
  var APOS = /['\u2019\u2018\u02bc]/g;
  var POSSESSIVE = /['\u2019\u2018\u02bc]s$/;
  var NON_KEY = /[^\p{L}\p{N}]+/u;
  var MARKS = /\p{M}/gu;
  var MAX_WORD_CHARS = 40;

  function fold(word) {
    return word.normalize('NFKD').replace(MARKS, '').toLowerCase();
  }

  var segmenter = (typeof Intl !== 'undefined' && Intl.Segmenter)
    ? new Intl.Segmenter('en', { granularity: 'word' }) : null;

  /** UAX #29 words of a text (with their offsets), as unicode-segmentation's unicode_words. */
  function words(text) {
    var out = [];
    if (segmenter) {
      for (var s of segmenter.segment(text)) {
        if (s.isWordLike) out.push({ word: s.segment, index: s.index });
      }
    } else {
      var re = /[\p{L}\p{N}\p{M}]+(?:['\u2019.,][\p{L}\p{N}\p{M}]+)*/gu, m;
      while ((m = re.exec(text))) out.push({ word: m[0], index: m.index });
    }
    return out;
  }

  /** Index keys of one word (see word_keys in src/search/text.rs). */
  function wordKeys(word, stop) {
    var w = fold(word).replace(POSSESSIVE, '').replace(APOS, '');
    var out = [];
    var pieces = w.split(NON_KEY);
    for (var i = 0; i < pieces.length; i++) {
      var p = pieces[i];
      if (!p) continue;
      var n = Array.from(p).length;
      if (n === 1 && /^[a-z]$/.test(p)) continue;
      if (n > MAX_WORD_CHARS || stop.has(p)) continue;
      out.push(p);
    }
    return out;
  }

  // Snowball English (Porter2) stemmer, the algorithm of rust-stemmers' english.rs, on arrays
  // of code points so positions count characters as the Rust one does.
  var EXC1 = {
    skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl',
    gently: 'gentl', ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl',
    andes: 'andes', atlas: 'atlas', bias: 'bias', cosmos: 'cosmos', howe: 'howe',
    news: 'news', sky: 'sky'
  };
  var EXC2 = ['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed'];
  var STEP2 = [
    ['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'],
    ['iveness', 'ive'], ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'],
    ['entli', 'ent'], ['ation', 'ate'], ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'],
    ['iviti', 'ive'], ['fulli', 'ful'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'],
    ['izer', 'ize'], ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'], ['ogi', 'og'], ['li', '']
  ];
  var STEP3 = [
    ['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'],
    ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', '']
  ];
  var STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ant', 'ent', 'ism', 'ate',
    'iti', 'ous', 'ive', 'ize', 'ion', 'al', 'er', 'ic'];

  function isV(c) { return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y'; }

  function stemEnglish(word) {
    if (Object.prototype.hasOwnProperty.call(EXC1, word)) return EXC1[word];
    var w = Array.from(word);
    if (w.length < 3) return word;
    if (w[0] === "'") w.shift();
    var yFound = false, i;
    if (w[0] === 'y') { w[0] = 'Y'; yFound = true; }
    for (i = 0; i + 1 < w.length; i++) {
      if (isV(w[i]) && w[i + 1] === 'y') { w[i + 1] = 'Y'; yFound = true; }
    }
    var L = function () { return w.length; };
    var ends = function (s) {
      if (s.length > w.length) return false;
      for (var k = 0; k < s.length; k++) if (w[w.length - s.length + k] !== s[k]) return false;
      return true;
    };
    var setEnd = function (n, s) { w.splice(w.length - n, n); for (var c of s) w.push(c); };
    var afterVN = function (from) {
      var k = from;
      while (k < w.length && !isV(w[k])) k++;
      if (k >= w.length) return w.length;
      k++;
      while (k < w.length && isV(w[k])) k++;
      if (k >= w.length) return w.length;
      return k + 1;
    };
    var start = w.join('');
    var p1;
    if (/^(gener|arsen)/.test(start)) p1 = 5;
    else if (/^commun/.test(start)) p1 = 6;
    else p1 = afterVN(0);
    var p2 = p1 >= w.length ? w.length : afterVN(p1);
    // a short syllable ending at position e
    var shortv = function (e) {
      var c1 = w[e - 1], c2 = w[e - 2], c3 = w[e - 3];
      if (e >= 3 && !(isV(c1) || c1 === 'w' || c1 === 'x' || c1 === 'Y') && isV(c2) && !isV(c3)) return true;
      return e === 2 && !isV(c1) && isV(c2);
    };
    var hasVowel = function (from, to) {
      for (var k = from; k < to; k++) if (isV(w[k])) return true;
      return false;
    };

    // Step 1a
    if (ends('sses')) setEnd(4, 'ss');
    else if (ends('ied') || ends('ies')) setEnd(3, w.length - 3 > 1 ? 'i' : 'ie');
    else if (ends('ss') || ends('us')) { /* unchanged */ }
    else if (ends('s') && w.length >= 2 && hasVowel(0, w.length - 2)) setEnd(1, '');

    if (EXC2.indexOf(w.join('')) < 0) {
      // Step 1b
      var s1b = ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed'];
      for (i = 0; i < s1b.length; i++) if (ends(s1b[i])) break;
      if (i < s1b.length) {
        var suf = s1b[i], at = w.length - suf.length;
        if (suf === 'eed' || suf === 'eedly') {
          if (at >= p1) setEnd(suf.length, 'ee');
        } else if (hasVowel(0, at)) {
          setEnd(suf.length, '');
          if (ends('at') || ends('bl') || ends('iz')) w.push('e');
          else if (/^(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w.slice(-2).join(''))) w.pop();
          else if (w.length === p1 && shortv(w.length)) w.push('e');
        }
      }
      // Step 1c
      var last = w[w.length - 1];
      if ((last === 'y' || last === 'Y') && w.length >= 3 && !isV(w[w.length - 2])) {
        w[w.length - 1] = 'i';
      }
      // Step 2
      for (i = 0; i < STEP2.length; i++) if (ends(STEP2[i][0])) break;
      if (i < STEP2.length) {
        var at2 = w.length - STEP2[i][0].length;
        if (at2 >= p1) {
          if (STEP2[i][0] === 'ogi') { if (w[at2 - 1] === 'l') setEnd(3, 'og'); }
          else if (STEP2[i][0] === 'li') { if ('cdeghkmnrt'.indexOf(w[at2 - 1]) >= 0 && at2 >= 1) setEnd(2, ''); }
          else setEnd(STEP2[i][0].length, STEP2[i][1]);
        }
      }
      // Step 3
      for (i = 0; i < STEP3.length; i++) if (ends(STEP3[i][0])) break;
      if (i < STEP3.length) {
        var at3 = w.length - STEP3[i][0].length;
        if (at3 >= p1 && (STEP3[i][0] !== 'ative' || at3 >= p2)) setEnd(STEP3[i][0].length, STEP3[i][1]);
      }
      // Step 4
      for (i = 0; i < STEP4.length; i++) if (ends(STEP4[i])) break;
      if (i < STEP4.length) {
        var at4 = w.length - STEP4[i].length;
        if (at4 >= p2) {
          if (STEP4[i] !== 'ion') setEnd(STEP4[i].length, '');
          else if (w[at4 - 1] === 's' || w[at4 - 1] === 't') setEnd(3, '');
        }
      }
      // Step 5
      var at5 = w.length - 1;
      if (w[at5] === 'e') {
        if (at5 >= p2 || (at5 >= p1 && !shortv(at5))) w.pop();
      } else if (w[at5] === 'l') {
        if (at5 >= p2 && w[at5 - 1] === 'l') w.pop();
      }
    }
    var out = w.join('');
    return yFound ? out.replace(/Y/g, 'y') : out;
  }

  /** The analysis of a query: one term per key, each with its folded key and stem. */
  function analyze(text, stop, stemmer) {
    var terms = [];
    var ws = words(text);
    for (var i = 0; i < ws.length; i++) {
      var ks = wordKeys(ws[i].word, stop);
      for (var j = 0; j < ks.length; j++) {
        terms.push({ key: ks[j], stem: stemmer === 'english' ? stemEnglish(ks[j]) : ks[j] });
      }
    }
    return terms;
  }

  // ---- index --------------------------------------------------------------------------
  var MIN_PREFIX = 3;       // shorter last words are matched exactly only
  var MAX_EXPANSIONS = 12;  // most frequent keys a prefix expands to
  var PREFIX_FACTOR = 0.7;  // a prefix-only match counts less than the word itself
  var MAX_DICT_SCAN = 3;    // dictionary chunks a prefix may span

  function readVarint(bytes, pos) {
    var v = 0, mul = 1, b;
    do {
      b = bytes[pos.i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  }

  /**
   * The query engine over one index. `load(path, kind)` returns a Promise of the file below
   * search/ as text (`kind` 'text') or an ArrayBuffer ('bytes').
   */
  function Engine(load) {
    this.load = load;
    this.cache = new Map();
    this.meta = null;
  }

  Engine.prototype.file = function (path, kind) {
    var key = kind + ':' + path;
    if (!this.cache.has(key)) {
      var self = this;
      var p = this.load(path, kind).catch(function (e) { self.cache.delete(key); throw e; });
      this.cache.set(key, p);
    }
    return this.cache.get(key);
  };

  Engine.prototype.init = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.load('meta.json', 'text').then(function (text) {
        var meta = JSON.parse(text);
        if (meta.format !== 1) throw new Error('unsupported search index format ' + meta.format);
        self.meta = meta;
        self.stop = new Set(meta.stop);
        self.levelCount = 1 << meta.level_bits;
        return meta;
      });
    }
    return this.ready;
  };

  Engine.prototype.analyze = function (text) {
    return analyze(text, this.stop, this.meta.stemmer);
  };

  Engine.prototype.chunkFor = function (key) {
    var firsts = this.meta.dict, lo = 0, hi = firsts.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= key) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  Engine.prototype.dict = function (n) {
    var self = this, key = 'dict:' + n;
    if (!this.cache.has(key)) {
      this.cache.set(key, this.file('d/' + n + '.bin', 'bytes').then(function (buf) {
        var bytes = new Uint8Array(buf), pos = { i: 0 }, prev = '', out = [];
        var dec = new TextDecoder();
        while (pos.i < bytes.length) {
          var shared = readVarint(bytes, pos), len = readVarint(bytes, pos);
          var k = prev.slice(0, shared) + dec.decode(bytes.subarray(pos.i, pos.i + len));
          pos.i += len;
          var dfs = readVarint(bytes, pos);
          out.push({
            key: k, isStem: (dfs & 1) === 1, df: Math.floor(dfs / 2),
            pack: readVarint(bytes, pos), offset: readVarint(bytes, pos), len: readVarint(bytes, pos)
          });
          prev = k;
        }
        void self;
        return out;
      }));
    }
    return this.cache.get(key);
  };

  /** The dictionary entry of a stem, or null. */
  Engine.prototype.exact = function (stem) {
    var c = this.chunkFor(stem);
    if (c < 0) return Promise.resolve(null);
    return this.dict(c).then(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].key === stem && entries[i].isStem) return entries[i];
      }
      return null;
    });
  };

  /** Entries of keys starting with `prefix` (stems and surface words), most frequent first. */
  Engine.prototype.prefixed = async function (prefix) {
    var c = this.chunkFor(prefix), found = [], seen = new Set();
    if (c < 0) return found;
    for (var n = 0; n < MAX_DICT_SCAN && c + n < this.meta.dict.length; n++) {
      if (n > 0 && !this.meta.dict[c + n].startsWith(prefix)) break;
      var entries = await this.dict(c + n), past = false;
      for (var i = 0; i < entries.length; i++) {
        var e = entries[i];
        if (e.key.startsWith(prefix)) {
          var id = e.pack + ':' + e.offset;
          if (!seen.has(id)) { seen.add(id); found.push(e); }
        } else if (e.key > prefix) { past = true; break; }
      }
      if (past) break;
    }
    found.sort(function (a, b) { return b.df - a.df; });
    return found.slice(0, MAX_EXPANSIONS);
  };

  /** Decodes a postings list into article ids and levels. */
  Engine.prototype.postings = function (loc) {
    var bits = this.meta.level_bits;
    return this.file('p/' + loc.pack + '.bin', 'bytes').then(function (buf) {
      return decodePostings(new Uint8Array(buf, loc.offset, loc.len), loc.df, bits);
    });
  };

  function decodePostings(bytes, count, bits) {
    var docs = new Int32Array(count), levels = new Uint8Array(count);
    var pos = { i: 0 }, next = 0, k = 0, div = 1 << bits;
    while (pos.i < bytes.length && k < count) {
      var v = readVarint(bytes, pos);
      var doc = next + Math.floor(v / div);
      docs[k] = doc; levels[k] = v % div; k++;
      next = doc + 1;
    }
    return { docs: docs.subarray(0, k), levels: levels.subarray(0, k) };
  }

  Engine.prototype.sectionSet = function (i) {
    var bits = this.meta.level_bits, n = this.meta.docs;
    return this.file('s/' + i + '.bin', 'bytes').then(function (buf) {
      var p = decodePostings(new Uint8Array(buf), n, bits), set = new Uint8Array(n);
      for (var k = 0; k < p.docs.length; k++) set[p.docs[k]] = 1;
      return set;
    });
  };

  Engine.prototype.idf = function (df) {
    var n = this.meta.docs;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  };

  Engine.prototype.levelWeight = function (level) {
    return (level + 0.5) / this.levelCount * (this.meta.k1 + 1);
  };

  /** Scores of one query term: a Map from article id to its best score over the locations. */
  Engine.prototype.termScores = async function (locs) {
    var self = this, scores = new Map();
    var lists = await Promise.all(locs.map(function (l) { return self.postings(l.entry); }));
    lists.forEach(function (p, j) {
      var idf = self.idf(locs[j].entry.df), f = locs[j].factor;
      for (var k = 0; k < p.docs.length; k++) {
        var s = idf * self.levelWeight(p.levels[k]) * f, d = p.docs[k], old = scores.get(d);
        if (old === undefined || s > old) scores.set(d, s);
      }
    });
    return scores;
  };

  /**
   * Runs a query. opts: { prefix: bool (expand the last word as typed), section: slug,
   * year: number, sort: 'relevance' | 'date' }. Resolves to { terms, total, ids, scores,
   * highlight: { stems, prefixes } }: ids are article ids in result order.
   */
  Engine.prototype.search = async function (text, opts) {
    opts = opts || {};
    await this.init();
    var self = this, meta = this.meta;
    var terms = this.analyze(text);
    var endsInSpace = /\s$/.test(text);
    var result = { terms: terms, total: 0, ids: [], scores: [], highlight: { stems: [], prefixes: [] } };
    if (!terms.length) return result;
    var perTerm = await Promise.all(terms.map(async function (t, i) {
      var locs = [];
      var ex = await self.exact(t.stem);
      if (ex) locs.push({ entry: ex, factor: 1 });
      var expand = opts.prefix && i === terms.length - 1 && !endsInSpace &&
        Array.from(t.key).length >= MIN_PREFIX;
      if (expand) {
        var more = await self.prefixed(t.key);
        for (var k = 0; k < more.length; k++) {
          var e = more[k];
          if (ex && e.pack === ex.pack && e.offset === ex.offset) continue;
          locs.push({ entry: e, factor: PREFIX_FACTOR });
        }
        result.highlight.prefixes.push(t.key);
      }
      result.highlight.stems.push(t.stem);
      return locs;
    }));
    if (perTerm.some(function (l) { return l.length === 0; })) return result;
    var maps = await Promise.all(perTerm.map(function (locs) { return self.termScores(locs); }));
    maps.sort(function (a, b) { return a.size - b.size; });
    var range = [0, meta.docs];
    if (opts.year) {
      var y = meta.years.find(function (r) { return r[0] === Number(opts.year); });
      range = y ? [y[1], y[2]] : [0, 0];
    }
    var inSection = null;
    if (opts.section) {
      var si = meta.sections.findIndex(function (s) { return s.slug === opts.section; });
      inSection = si < 0 ? new Uint8Array(meta.docs) : await this.sectionSet(si);
    }
    var hits = [];
    maps[0].forEach(function (score, doc) {
      if (doc < range[0] || doc >= range[1]) return;
      if (inSection && !inSection[doc]) return;
      for (var m = 1; m < maps.length; m++) {
        var s = maps[m].get(doc);
        if (s === undefined) return;
        score += s;
      }
      hits.push([doc, score]);
    });
    if (opts.sort === 'date') hits.sort(function (a, b) { return a[0] - b[0]; });
    else hits.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    result.total = hits.length;
    result.ids = hits.map(function (h) { return h[0]; });
    result.scores = hits.map(function (h) { return h[1]; });
    return result;
  };

  /** Result records of article ids: { id, title, url, section, sectionSlug, iso, date, source, excerpt }. */
  Engine.prototype.fragments = async function (ids) {
    var meta = this.meta, per = meta.fragment_docs, dirFiles = meta.fragment_dir_files, self = this;
    var chunks = Array.from(new Set(ids.map(function (id) { return Math.floor(id / per); })));
    var loaded = new Map();
    await Promise.all(chunks.map(function (k) {
      return self.file('f/' + Math.floor(k / dirFiles) + '/' + k + '.json', 'text')
        .then(function (t) { loaded.set(k, JSON.parse(t)); });
    }));
    return ids.map(function (id) {
      var r = loaded.get(Math.floor(id / per))[id % per];
      var s = meta.sections[r[2]] || { title: '', slug: '' };
      return {
        id: id, title: r[0], url: r[1], section: s.title, sectionSlug: s.slug,
        iso: r[3], date: r[4], source: r[5], excerpt: r[6]
      };
    });
  };

  /** Splits text into [text, isMatch] runs for highlighting the query's words. */
  Engine.prototype.marks = function (text, highlight) {
    var stems = new Set(highlight.stems), prefixes = highlight.prefixes, self = this;
    var runs = [], pos = 0;
    words(text).forEach(function (w) {
      var ks = wordKeys(w.word, self.stop), hit = false;
      for (var i = 0; i < ks.length && !hit; i++) {
        var st = self.meta.stemmer === 'english' ? stemEnglish(ks[i]) : ks[i];
        if (stems.has(st)) hit = true;
        for (var j = 0; j < prefixes.length && !hit; j++) if (ks[i].startsWith(prefixes[j])) hit = true;
      }
      if (hit) {
        if (w.index > pos) runs.push([text.slice(pos, w.index), false]);
        runs.push([w.word, true]);
        pos = w.index + w.word.length;
      }
    });
    if (pos < text.length) runs.push([text.slice(pos), false]);
    return runs;
  };

  /**
   * A window of about `max` characters of `text` around its first highlighted word, as runs
   * (the excerpt is longer than a snippet so that words past the lead can be shown).
   */
  Engine.prototype.snippet = function (text, highlight, max) {
    var runs = this.marks(text, highlight), pos = 0, first = -1;
    for (var i = 0; i < runs.length; i++) {
      if (runs[i][1]) { first = pos; break; }
      pos += runs[i][0].length;
    }
    var start = 0;
    if (first > max / 3) {
      start = text.lastIndexOf(' ', first - Math.floor(max / 4));
      start = start < 0 ? 0 : start + 1;
    }
    var end = start + max >= text.length ? text.length : text.lastIndexOf(' ', start + max);
    if (end <= start) end = Math.min(text.length, start + max);
    var out = [], at = 0;
    if (start > 0) out.push(['\u2026', false]);
    runs.forEach(function (r) {
      var a = Math.max(at, start), b = Math.min(at + r[0].length, end);
      if (b > a) out.push([r[0].slice(a - at, b - at), r[1]]);
      at += r[0].length;
    });
    if (end < text.length && !/\u2026$/.test(text.slice(0, end))) out.push(['\u2026', false]);
    return out;
  };

  var api = { Engine: Engine, stem: stemEnglish, fold: fold, wordKeys: wordKeys, analyze: analyze, words: words };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  root.newsgenSearch = api;

  // ---- page ---------------------------------------------------------------------------
  if (typeof document === 'undefined') return;
  var PAGE_SIZE = 10;
  var SNIPPET_CHARS = 220;

  function start() {
    var box = document.querySelector('[data-search-index]');
    if (!box) return;
    var base = box.getAttribute('data-search-index');
    var form = box.querySelector('form');
    var input = form.querySelector('input[name=q]');
    var sectionSel = form.querySelector('select[name=section]');
    var yearSel = form.querySelector('select[name=year]');
    var sortSel = form.querySelector('select[name=sort]');
    var status = box.querySelector('.search-status');
    var list = box.querySelector('.search-results');
    var more = box.querySelector('.search-more');
    var version = '';
    var engine = new Engine(function (path, kind) {
      var url = base + path + (path === 'meta.json' ? '' : '?v=' + version);
      return fetch(url, path === 'meta.json' ? { cache: 'no-cache' } : {}).then(function (r) {
        if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
        return kind === 'text' ? r.text() : r.arrayBuffer();
      });
    });
    var seq = 0, current = null, shown = 0, timer = null;

    function say(text) { status.textContent = text; }

    function params() {
      return {
        q: input.value,
        section: sectionSel ? sectionSel.value : '',
        year: yearSel ? yearSel.value : '',
        sort: sortSel ? sortSel.value : 'relevance'
      };
    }

    function updateUrl(p) {
      var u = new URL(window.location.href);
      ['q', 'section', 'year', 'sort'].forEach(function (k) {
        var v = p[k];
        if (v && !(k === 'sort' && v === 'relevance')) u.searchParams.set(k, v); else u.searchParams.delete(k);
      });
      window.history.replaceState(null, '', u.toString());
    }

    function appendRuns(el, runs) {
      runs.forEach(function (run) {
        if (run[1]) {
          var m = document.createElement('mark');
          m.textContent = run[0];
          el.appendChild(m);
        } else {
          el.appendChild(document.createTextNode(run[0]));
        }
      });
    }

    function renderItems(records, highlight) {
      records.forEach(function (r) {
        var li = document.createElement('li');
        li.className = 'search-result';
        var h = document.createElement('h2');
        h.className = 'search-result-title';
        var a = document.createElement('a');
        a.href = r.url;
        appendRuns(a, engine.marks(r.title, highlight));
        h.appendChild(a);
        li.appendChild(h);
        var meta = document.createElement('p');
        meta.className = 'search-result-meta';
        var sec = document.createElement('span');
        sec.className = 'search-result-section';
        sec.textContent = r.section;
        meta.appendChild(sec);
        var t = document.createElement('time');
        t.className = 'search-result-date';
        t.dateTime = r.iso;
        t.textContent = r.date;
        meta.appendChild(t);
        if (r.source) {
          var src = document.createElement('span');
          src.className = 'search-result-source';
          src.textContent = r.source;
          meta.appendChild(src);
        }
        li.appendChild(meta);
        var p = document.createElement('p');
        p.className = 'search-result-snippet';
        appendRuns(p, engine.snippet(r.excerpt, highlight, SNIPPET_CHARS));
        li.appendChild(p);
        list.appendChild(li);
      });
    }

    async function showMore(mine) {
      var ids = current.ids.slice(shown, shown + PAGE_SIZE);
      var records = await engine.fragments(ids);
      if (mine !== seq) return;
      renderItems(records, current.highlight);
      shown += ids.length;
      more.hidden = shown >= current.total;
    }

    async function run(typing) {
      var mine = ++seq, p = params();
      updateUrl(p);
      if (!p.q.trim()) {
        list.replaceChildren();
        more.hidden = true;
        say('');
        return;
      }
      try {
        var res = await engine.search(p.q, {
          prefix: typing, section: p.section, year: p.year, sort: p.sort
        });
        if (!typing && res.total === 0) {
          res = await engine.search(p.q, { prefix: true, section: p.section, year: p.year, sort: p.sort });
        }
        if (mine !== seq) return;
        current = res;
        shown = 0;
        list.replaceChildren();
        if (!res.terms.length) {
          say('Type a word to search: “' + p.q.trim() + '” is too common to search for.');
          more.hidden = true;
          return;
        }
        await showMore(mine);
        if (mine !== seq) return;
        say(res.total === 0 ? 'No articles found for “' + p.q.trim() + '”.'
          : res.total + (res.total === 1 ? ' article' : ' articles') + ' found for “' + p.q.trim() + '”.');
      } catch (e) {
        if (mine === seq) say('Search is unavailable: ' + e.message);
      }
    }

    engine.init().then(function (meta) {
      version = meta.version;
      if (yearSel) {
        meta.years.forEach(function (y) {
          var o = document.createElement('option');
          o.value = String(y[0]);
          o.textContent = String(y[0]);
          yearSel.appendChild(o);
        });
      }
      var u = new URL(window.location.href);
      input.value = u.searchParams.get('q') || '';
      if (sectionSel) sectionSel.value = u.searchParams.get('section') || '';
      if (yearSel) yearSel.value = u.searchParams.get('year') || '';
      if (sortSel) sortSel.value = u.searchParams.get('sort') === 'date' ? 'date' : 'relevance';
      box.setAttribute('data-search-ready', '');
      if (input.value.trim()) run(false);
    }, function (e) { say('Search is unavailable: ' + e.message); });

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(true); }, 120);
    });
    [sectionSel, yearSel, sortSel].forEach(function (s) {
      if (s) s.addEventListener('change', function () { run(false); });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run(false);
    });
    more.addEventListener('click', function () { showMore(seq); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})(typeof globalThis !== 'undefined' ? globalThis : this);
