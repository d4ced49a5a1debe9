// Opens a govlens dashboard.html in headless Chromium (the system's, through
// playwright-core: no browser is downloaded) with every request failed, and
// reports what it saw as JSON: the requests attempted, console errors and
// uncaught exceptions, which charts drew (a canvas with more than one
// colour) or say why not, and the ranking's first entry after each step.
//
//   node dashboard.mjs PAGE STEPS.json OUT.json
//
// STEPS is a list of {"do": ...}: "select" {id, value} (a filter's <select>),
// "click" {kind: "map"|"tiles", code} (a real mouse click where the region is
// drawn), "search" {text}, "clear", "screenshot" {path, width?}, "read".
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [page_path, steps_path, out_path] = process.argv.slice(2);
const steps = JSON.parse(readFileSync(steps_path, 'utf8'));
const url = pathToFileURL(page_path).href;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // Belt and braces: no name resolves and no proxy answers.
    '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=http://127.0.0.1:9',
  ],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
const requests = [];
const errors = [];
// Every request fails, but the page's own file.
await context.route('**/*', (route) => {
  const u = route.request().url();
  if (u === url) { return route.continue(); }
  requests.push(u);
  return route.abort('internetdisconnected');
});
const page = await context.newPage();
page.on('request', (r) => {
  const u = r.url();
  if (u !== url && !u.startsWith('data:') && !requests.includes(u)) { requests.push(u); }
});
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') { errors.push(m.type() + ': ' + m.text()); } });
page.on('pageerror', (e) => errors.push('exception: ' + e.message));

const t0 = Date.now();
await page.goto(url, { waitUntil: 'load' });
try {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
} catch (e) {
  // Said, with whatever the console had, rather than a stack trace.
  errors.push('the page never drew: ' + e.message.split('\n')[0]);
  await browser.close();
  writeFileSync(out_path, JSON.stringify({ opened_ms: null, requests, errors, seen: [] }, null, 1));
  process.exit(0);
}
const opened_ms = Date.now() - t0;

// Each chart: drawn (its canvas has ink of more than one colour), or the
// sentence said in its place.
async function charts() {
  return page.evaluate(() => {
    const out = {};
    document.querySelectorAll('.chart').forEach((box) => {
      const msg = box.nextElementSibling && box.nextElementSibling.className === 'msg' ? box.nextElementSibling.textContent : null;
      const canvas = box.querySelector('canvas');
      let colours = 0;
      if (canvas && box.style.display !== 'none') {
        // Read through a copy made for reading (the chart's own canvas is
        // left as ECharts made it).
        const { width, height } = canvas;
        const copy = document.createElement('canvas');
        copy.width = width; copy.height = height;
        const ctx = copy.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(canvas, 0, 0);
        const px = ctx.getImageData(0, 0, width, height).data;
        const seen = new Set();
        for (let i = 0; i < px.length && seen.size < 50; i += 4 * 7) {
          if (px[i + 3] > 0) { seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]); }
        }
        colours = seen.size;
      }
      out[box.id] = { drawn: colours > 1, colours, message: msg };
    });
    return out;
  });
}
async function observe(label) {
  await page.waitForTimeout(50);
  return {
    step: label,
    first: await page.getAttribute('#rank-first', 'data-code'),
    first_text: await page.textContent('#rank-first'),
    region: await page.evaluate(() => window.govlensDashboard.state.region),
    period: await page.evaluate(() => window.govlensDashboard.state.period),
    cards: await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.card')].map((c) => [c.dataset.metric, c.querySelector('.value').textContent]))),
    charts: await charts(),
    pwned: await page.evaluate(() => window.__pwned === 1),
    // Elements no page of govlens makes: a name turned into markup.
    injected: await page.evaluate(() => document.querySelectorAll('img, iframe, i, object, embed, svg script').length
      + document.querySelectorAll('script').length - 3),
    text: await page.evaluate(() => document.body.innerText),
  };
}

const seen = [await observe('open')];
for (const s of steps) {
  if (s.do === 'select') {
    await page.selectOption(`#${s.id} select`, s.value);
  } else if (s.do === 'click') {
    // The chart in the middle of the window (not under the sticky filters),
    // then a real click where the region is drawn.
    const id = s.kind === 'tiles' ? 'c-tiles' : 'c-map';
    await page.evaluate((i) => document.getElementById(i).scrollIntoView({ block: 'center' }), id);
    const at = await page.evaluate(([k, c]) => window.govlensDashboard.where(k, c), [s.kind, s.code]);
    if (!at) { throw new Error(`region ${s.code} is not drawn on the ${s.kind}`); }
    const x = at.x - (await page.evaluate(() => window.scrollX));
    const y = at.y - (await page.evaluate(() => window.scrollY));
    const under = await page.evaluate(([i, x, y]) => document.getElementById(i).contains(document.elementFromPoint(x, y)), [id, x, y]);
    if (!under) { throw new Error(`region ${s.code} at (${x}, ${y}) is covered by another element`); }
    // As a reader does: onto the region, then a press and release.
    await page.mouse.move(x, y);
    await page.waitForTimeout(150);
    await page.mouse.down();
    await page.mouse.up();
  } else if (s.do === 'search') {
    await page.fill('#search', s.text);
  } else if (s.do === 'clear') {
    await page.click('#f-clear');
  } else if (s.do === 'screenshot') {
    if (s.width) { await page.setViewportSize({ width: s.width, height: 1000 }); }
    await page.waitForTimeout(100);
    await page.screenshot({ path: s.path, fullPage: true });
    continue;
  }
  seen.push(await observe(JSON.stringify(s)));
}
await browser.close();
writeFileSync(out_path, JSON.stringify({ opened_ms, requests, errors, seen }, null, 1));
