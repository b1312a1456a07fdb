// firstframe.mjs: page open -> first decoded frame in headless Chromium,
// step by step, median of RUNS page loads (each in a fresh browser
// context: nothing cached). The page is the devserver's (autologin and
// autoplay of demo/cam1, as `p2pcam demo`), or `p2pcam demo`'s with
// P2PCAM_WEB_SERVER=demo.
//
// Each step's time is read in the page, from navigation start: the
// navigation and resource timings (the HTML, the bundles, config.json,
// /api/login) and the SDK's and page's performance marks (p2pcam:*, see
// src/marks.js). It prints one line per step, the median and the range,
// then a JSON summary line.
//
// With VISIT `returning`, each run first opens the page once in its
// fresh context (it signs in and stays signed in, and plays), closes it,
// and then measures a second page open in the same context: a returning
// visitor, whose page signs in with the cloud's remembered sign-in
// (/api/session) instead of the password (the `api/session` step).
//
// The timed page opens in a tab that Chromium has finished setting up
// (h.openTab: a new tab's own start-up work would count as the page's),
// and the harness waits for its first frame without putting a script
// in the page (h.waitQuietly); P2PCAM_WEB_BENCH_NEWTAB=1 measures the
// old way, a page opened in a new tab at once and Playwright's waitFor.
//
// Usage: node test/bench/firstframe.mjs [RUNS] [tracks|flv] [first|returning]
// (scripts/bench.sh runs it; P2PCAM_WEB_BENCH_RUNS overrides RUNS).
// P2PCAM_WEB_BENCH_BASELINE=DIR also serves the page from DIR (another
// version's web/, e.g. `git archive main web | tar -x -C /tmp/base`) on a
// second devserver and alternates page loads between the two, so that
// the machine's load weighs on both alike; it prints both.
import * as h from '../browser/harness.mjs';

const runs = Number(process.env.P2PCAM_WEB_BENCH_RUNS || process.argv[2] || 10);
const media = process.argv[3] || 'tracks';
const visit = process.argv[4] || 'first';
if (visit !== 'first' && visit !== 'returning') throw new Error(`visit ${visit}: want first or returning`);
const skip = h.skipReason();
if (skip) { console.error(`firstframe: skipped: ${skip}`); process.exit(0); }

// The steps, in the order they usually happen.
const steps = [
  ['html', 'HTML received (responseEnd)'],
  ['config.json', 'config.json received'],
  ['api/session', '/api/session answered (returning)'],
  ['api/login', '/api/login answered'],
  ['page.js', 'dist/page.js received'],
  ['p2pcam.js', 'dist/p2pcam.js received'],
  ['page-module', 'page module runs'],
  ['dom', 'DOMContentLoaded done'],
  ['config', 'page has its config'],
  ['login-api', 'SDK has the login answer'],
  ['mqtt-connected', 'MQTT over WebSocket connected'],
  ['login', 'signed in'],
  ['tile', 'tile opened'],
  ['dial', 'dial starts'],
  ['token', 'token ready'],
  ['offer', 'offer made (SDP)'],
  ['offer-sent', 'offer published'],
  ['info', 'camera info (key) arrived'],
  ['answer', 'answer arrived'],
  ['answer-verified', 'answer signature checked'],
  ['ice-connected', 'ICE + DTLS connected'],
  ['connected', 'service connected'],
  ['stream-request', 'stream requested'],
  ['stream-head', 'stream accepted (head)'],
  ['first-frame', 'first decoded frame'],
  ['firstFrameAt', 'first decoded frame (the page\'s firstFrameAt)'],
];

const baselineDir = process.env.P2PCAM_WEB_BENCH_BASELINE;
const servers = [{ name: 'this tree', base: await h.startServer(), results: [] }];
if (baselineDir) servers.push({ name: `baseline ${baselineDir}`, base: await h.startServer(['--dir', baselineDir]), results: [] });
const browser = await h.launch();
try {
  for (let i = 0; i < runs * servers.length; i++) {
    const { base, results } = servers[i % servers.length];
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const url = base + (media === 'flv' ? '?media=flv' : '');
    if (visit === 'returning') {
      const warm = await ctx.newPage();
      await warm.goto(url, { timeout: 15000 });
      await h.waitFor(warm, () => globalThis.p2pcamPage.firstFrameAt, null, 15000, 'first frame (first visit)');
      await warm.close();
    }
    // The timed load: in a tab Chromium has finished setting up, waited
    // on with no script of the harness in the page (see openTab and
    // waitQuietly), unless P2PCAM_WEB_BENCH_NEWTAB=1 asks for a new tab
    // opened at once and Playwright's waitFor, as before.
    const newTab = process.env.P2PCAM_WEB_BENCH_NEWTAB === '1';
    const { page, cdp } = newTab ? { page: await ctx.newPage() } : await h.openTab(ctx);
    try {
      await page.goto(url, { timeout: 15000 });
      if (newTab) await h.waitFor(page, () => globalThis.p2pcamPage.firstFrameAt, null, 15000, 'first frame');
      else await h.waitQuietly(cdp, 'globalThis.p2pcamPage?.firstFrameAt', 15000, 'first frame');
      results.push(await page.evaluate(() => {
        const r = {};
        const nav = performance.getEntriesByType('navigation')[0];
        r.html = nav.responseEnd;
        r.dom = nav.domContentLoadedEventEnd;
        for (const e of performance.getEntriesByType('resource')) {
          for (const k of ['config.json', 'api/session', 'api/login', 'page.js', 'p2pcam.js']) if (e.name.includes(k) && !(k in r)) r[k] = e.responseEnd;
        }
        for (const m of performance.getEntriesByType('mark')) {
          const k = m.name.replace(/^p2pcam:/, '');
          if (m.name.startsWith('p2pcam:') && !(k in r)) r[k] = m.startTime;
        }
        r.firstFrameAt = globalThis.p2pcamPage.firstFrameAt;
        return r;
      }));
    } finally {
      await ctx.close();
    }
  }
} finally {
  await browser.close();
  await h.stopAll();
}

const fmt = (x) => String(Math.round(x)).padStart(5);
for (const { name, results } of servers) {
  console.log(`page open -> first decoded frame, ${name}, ${media}, ${visit} visit, ${runs} runs (ms from navigation start: median [min-max])`);
  const summary = {};
  for (const [k, what] of steps) {
    const xs = results.map((r) => r[k]).filter((x) => x !== undefined);
    if (!xs.length) continue;
    summary[k] = Math.round(h.median(xs));
    console.log(`${fmt(h.median(xs))} [${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}]  ${k.padEnd(16)} ${what}`);
  }
  console.log(JSON.stringify({ bench: 'web-first-frame', server: name, media, visit, runs, median: summary }));
}
