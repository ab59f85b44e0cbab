// Drives headless Chromium through the example site's search page (see search-browser.sh).
//   node browser.js BASE_URL CHROMIUM
// Exits non-zero with a message on the first expectation that fails.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [base, executablePath] = process.argv.slice(2);
const basePath = new URL(base).pathname; // "/archive/"

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}

async function results(page) {
  return page.$$eval('.search-results .search-result', (items) => items.map((li) => ({
    title: li.querySelector('.search-result-title').textContent,
    href: li.querySelector('.search-result-title a').getAttribute('href'),
    section: li.querySelector('.search-result-section').textContent,
    date: li.querySelector('time').textContent,
    source: (li.querySelector('.search-result-source') || {}).textContent || '',
    marks: Array.from(li.querySelectorAll('mark')).map((m) => m.textContent),
  })));
}

async function waitForResults(page, minCount) {
  await page.waitForFunction((n) => document.querySelectorAll('.search-results .search-result').length >= n
    && /found/.test(document.querySelector('.search-status').textContent), minCount, { timeout: 15000 });
}

(async () => {
  // Playwright passes the profile folder as --user-data-dir itself.
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
  const fetched = [];
  page.on('requestfinished', (r) => fetched.push(r.url()));

  // 1. Type a prefix, without diacritics, as a reader would: "kowh" finds "Kōwhai Air".
  await page.goto(base + 'search/');
  await page.waitForSelector('[data-search-ready]', { timeout: 15000 });
  await page.locator('#search-q').pressSequentially('kowh', { delay: 60 });
  await waitForResults(page, 1);
  let got = await results(page);
  const kowhai = got.find((r) => r.title.startsWith('Kōwhai Air posts record half-year profit'));
  if (!kowhai) fail('typing "kowh" did not show the Kōwhai Air article: ' + JSON.stringify(got));
  if (!kowhai.href.startsWith(basePath + 'business/')) fail('result link ignores the base path: ' + kowhai.href);
  if (!kowhai.marks.includes('Kōwhai')) fail('"Kōwhai" is not highlighted: ' + JSON.stringify(kowhai.marks));
  if (kowhai.section !== 'Business' || !/\d{4}$/.test(kowhai.date)) fail('result metadata: ' + JSON.stringify(kowhai));
  if (!new URL(page.url()).searchParams.get('q')) fail('the query is not in the URL: ' + page.url());
  const status = await page.textContent('.search-status');
  if (await page.getAttribute('.search-status', 'aria-live') !== 'polite') fail('status is not a live region');
  console.log('typed "kowh": ' + got.length + ' result(s); status: ' + status);

  // 2. A linked query: stems ("elections" → by-election articles), newest first, a section filter.
  await page.goto(base + 'search/?q=elections&sort=date&section=politics');
  await waitForResults(page, 2);
  got = await results(page);
  if (!got.some((r) => /by-election/i.test(r.title))) fail('?q=elections found no by-election: ' + JSON.stringify(got));
  if (got.some((r) => r.section !== 'Politics')) fail('section filter leaked: ' + JSON.stringify(got));
  if (await page.inputValue('#search-q') !== 'elections') fail('?q= did not fill the search box');
  if (await page.inputValue('#search-sort') !== 'date') fail('?sort= did not set the order');
  console.log('?q=elections (politics, newest first): ' + got.map((r) => r.date + ' ' + r.title).join(' | '));

  // 3. The header search box on the front page leads to the search page with results.
  await page.goto(base);
  await page.fill('#site-search', 'Maori');
  await Promise.all([page.waitForURL(/\/archive\/search\/\?q=Maori/), page.press('#site-search', 'Enter')]);
  await waitForResults(page, 1);
  got = await results(page);
  // The co-governance article says "Māori" (with a macron) in its body.
  if (!got.some((r) => /co-governance/.test(r.title))) fail('"Maori" did not find the article that says "Māori": ' + JSON.stringify(got));
  console.log('header box "Maori": ' + got.length + ' result(s), e.g. ' + got[0].title);

  const index = fetched.filter((u) => u.includes('/archive/search/') && !u.endsWith('/search/'));
  if (!index.length) fail('no index files were fetched under the base path');
  if (errors.length) fail('page errors: ' + errors.join('; '));
  await browser.close();
  console.log('search browser check passed (' + index.length + ' index requests)');
})().catch((e) => fail(e.stack || String(e)));
