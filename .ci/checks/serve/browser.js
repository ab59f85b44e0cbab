// Live reload in a real browser (see serve-browser.sh):
//   node browser.js SERVE_URL CHROMIUM SITE_DIR
// Opens an article served by `newsgen serve --watch` and a section page that does not show a
// featured article; edits that featured article's title: the article tab (whose sidebar shows
// it) must reload, the section tab must not. Then edits the article's own file and waits for
// the open page to reload by itself; breaks the file (the error overlay must appear over the
// last good page) and fixes it (the page must recover). Exits non-zero on the first failure.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [base, executablePath, siteDir] = process.argv.slice(2);

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}

(async () => {
  const sectionDir = path.join(siteDir, 'content', 'politics');
  const file = path.join(sectionDir, fs.readdirSync(sectionDir).filter((f) => f.endsWith('.md')).sort()[0]);
  const original = fs.readFileSync(file, 'utf8');
  const title = (original.match(/^title = "(.*)"$/m) || [])[1];
  if (!title) fail('no title in ' + file);

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsgen-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  let loads = 0;
  page.on('load', () => { loads += 1; });

  // The article, found by its headline on the section page.
  await page.goto(base + 'politics/');
  const href = await page.evaluate((t) => {
    const a = Array.from(document.querySelectorAll('a')).find((x) => x.textContent.trim() === t);
    return a && a.href;
  }, title);
  if (!href) fail('no link to "' + title + '" on ' + base + 'politics/');
  await page.goto(href);
  const h1 = () => page.evaluate(() => (document.querySelector('h1') || {}).textContent || '');
  if ((await h1()).trim() !== title) fail('article page shows "' + (await h1()) + '"');
  // Let the live-reload stream connect.
  await page.waitForTimeout(500);

  // 0. A featured article's title, shown in this article's sidebar, is edited: this tab reloads;
  // a tab on a section page that does not show that article stays as it is.
  const featured = fs.readdirSync(path.join(siteDir, 'content'), { recursive: true })
    .filter((f) => f.endsWith('.md')).sort().map((f) => path.join(siteDir, 'content', f))
    .filter((f) => f !== file && /^featured = true$/m.test(fs.readFileSync(f, 'utf8')))
    .map((f) => ({ f, text: fs.readFileSync(f, 'utf8') }))
    .map((x) => ({ ...x, title: (x.text.match(/^title = "(.*)"$/m) || [])[1] }));
  const bodyText = await page.evaluate(() => document.body.textContent);
  const star = featured.find((x) => x.title && bodyText.includes(x.title));
  if (!star) fail('no featured article is shown on ' + href);
  const other = await browser.newPage();
  let otherLoads = 0;
  other.on('load', () => { otherLoads += 1; });
  let quiet = null;
  for (const s of ['sport', 'entertainment', 'technology', 'national', 'business', 'world']) {
    const resp = await other.goto(base + s + '/');
    if (resp.ok() && !(await other.evaluate(() => document.body.textContent)).includes(star.title)) {
      quiet = base + s + '/';
      break;
    }
  }
  if (!quiet) fail('every section page shows "' + star.title + '"');
  await other.waitForTimeout(500);
  const otherBefore = otherLoads;
  const starEdited = 'Featured edit ' + Date.now();
  let loadsBefore = loads;
  let t0 = Date.now();
  fs.writeFileSync(star.f, star.text.replace('title = "' + star.title + '"', 'title = "' + starEdited + '"'));
  await page.waitForFunction((t) => document.body.textContent.includes(t), starEdited,
    { timeout: 15000 }).catch(() => fail('the article tab did not reload after the featured edit'));
  if (loads <= loadsBefore) fail('the featured title changed without a page load');
  console.log(`featured title edit -> article tab reloaded after ${Date.now() - t0} ms`);
  await other.waitForTimeout(1500);
  if (otherLoads !== otherBefore) fail(quiet + ' reloaded although the edit did not change it');
  console.log(`... and ${quiet} did not reload`);
  fs.writeFileSync(star.f, star.text);
  await page.waitForFunction((t) => document.body.textContent.includes(t), star.title,
    { timeout: 15000 }).catch(() => fail('the article tab did not reload after the undo'));
  await other.close();
  await page.waitForTimeout(300);
  loadsBefore = loads;

  // 1. An edit: the open page reloads by itself and shows the new headline.
  const edited = 'Edited in the browser check ' + Date.now();
  t0 = Date.now();
  fs.writeFileSync(file, original.replace('title = "' + title + '"', 'title = "' + edited + '"'));
  await page.waitForFunction((t) => (document.querySelector('h1') || {}).textContent.trim() === t,
    edited, { timeout: 15000 }).catch(() => fail('the page did not reload with the new headline'));
  const reloadMs = Date.now() - t0;
  if (loads <= loadsBefore) fail('the headline changed without a page load');
  console.log(`edit -> page reloaded by itself with the new headline after ${reloadMs} ms`);

  // 2. A broken edit: an overlay with the error over the last good page.
  t0 = Date.now();
  // The error message quotes the bad date: its markup must show as text, not as an element.
  fs.writeFileSync(file, '+++\ntitle = "Broken"\ndate = "<b>bold</b>"\n+++\nBody\n');
  await page.waitForSelector('#__newsgen_overlay', { timeout: 15000 })
    .catch(() => fail('no error overlay after a broken edit'));
  const overlay = await page.evaluate(() => document.getElementById('__newsgen_overlay').textContent);
  const rel = path.relative(siteDir, file).split(path.sep).join('/');
  if (!overlay.includes(rel)) fail('overlay does not name ' + rel + ': ' + overlay);
  if (!overlay.includes('"<b>bold</b>"')) fail('overlay does not quote the bad date as text: ' + overlay);
  if (await page.evaluate(() => !!document.querySelector('#__newsgen_overlay b'))) {
    fail('overlay contains unescaped HTML');
  }
  if ((await h1()).trim() !== edited) fail('the last good page is not under the overlay');
  console.log(`broken edit -> overlay after ${Date.now() - t0} ms: ${overlay.split('\n').find((l) => l.includes(rel))}`);

  // 3. The fix: the page reloads, the overlay is gone.
  const fixed = 'Fixed in the browser check ' + Date.now();
  t0 = Date.now();
  fs.writeFileSync(file, original.replace('title = "' + title + '"', 'title = "' + fixed + '"'));
  await page.waitForFunction((t) => (document.querySelector('h1') || {}).textContent.trim() === t
    && !document.getElementById('__newsgen_overlay'), fixed, { timeout: 15000 })
    .catch(() => fail('the page did not recover after the fix'));
  console.log(`fix -> page reloaded without overlay after ${Date.now() - t0} ms`);

  fs.writeFileSync(file, original);
  if (errors.length) fail('page errors: ' + errors.join('; '));
  await browser.close();
  console.log('serve browser check passed');
})().catch((e) => fail(String(e && e.stack || e)));
