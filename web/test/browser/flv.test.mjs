// The FLV path in Chromium without the SDK's P2P: mpegts.js (from the
// SDK bundle) plays the gateway's HTTP-FLV from another origin, which
// CORS allows for the page's origin and refuses for others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const skip = h.skipReason() || (process.env.P2PCAM_WEB_SERVER === 'demo' ? 'needs the devserver\'s cross-origin gateway' : false);
let base;
let browser;

before(async () => {
  if (skip) return;
  base = await h.startServer();
  browser = await h.launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await h.stopAll();
});

async function play(page, url) {
  return page.evaluate(async (url) => {
    const mpegts = await (await import('/dist/p2pcam.js')).loadMpegts();
    const v = document.createElement('video');
    v.muted = true;
    document.body.append(v);
    const p = mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false, liveSync: true });
    const errors = [];
    p.on(mpegts.Events.ERROR, (type, detail) => errors.push(`${type} ${detail}`));
    p.attachMediaElement(v);
    p.load();
    p.play().catch(() => {});
    globalThis.__flv = { v, p, errors };
  }, url);
}

test('mpegts.js plays the gateway\'s HTTP-FLV cross-origin (CORS)', { skip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(base + 'style.css', { timeout: 15000 });
    await play(page, `${h.gatewayURL}ipc.flv?action=live&channel=0&quality=high`);
    const n = await h.waitFor(page, () => globalThis.__flv.v.getVideoPlaybackQuality().totalVideoFrames > 5 && globalThis.__flv.v.getVideoPlaybackQuality().totalVideoFrames, null, 20000, 'frames decoded');
    await h.waitFor(page, (n) => globalThis.__flv.v.getVideoPlaybackQuality().totalVideoFrames > n + 10, n, 10000, 'frames keep coming');
    const r = await page.evaluate(() => ({ w: globalThis.__flv.v.videoWidth, dropped: globalThis.__flv.v.getVideoPlaybackQuality().droppedVideoFrames, errors: globalThis.__flv.errors }));
    assert.equal(r.w, 640);
    assert.deepEqual(r.errors, []);
    await page.evaluate(() => globalThis.__flv.p.destroy());
  } finally {
    await page.close();
  }
});

test('a page from an origin the gateway does not allow cannot read it', { skip, timeout: 60000 }, async () => {
  const page = await browser.newPage();
  try {
    // Same server, another origin: localhost is not 127.0.0.1.
    await page.goto(base.replace('127.0.0.1', 'localhost') + 'style.css', { timeout: 15000 });
    const r = await page.evaluate(async (url) => {
      try { await fetch(url); return 'read'; } catch (e) { return 'blocked: ' + e.message; }
    }, `${h.gatewayURL}command?action=inner_define&channel=0&cmd=get_device_st&type=live`);
    assert.match(r, /^blocked/);
  } finally {
    await page.close();
  }
});
