// An NVR in the page, in real headless Chromium: demo/cam1 with two
// further channels (the devserver's --nvr: 1 porch, 2 garage, the sim
// board's standard stream) that record (--record-dir). Its channels are
// listed under it once it plays; one opens as a tile of its own on the
// same connection (FLV beside channel 0's tracks), plays its own
// picture, answers commands on its channel, shows and plays its own
// recordings, and closing it leaves channel 0 playing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, startServer, launch, waitFor, stopAll, tempDir } from './harness.mjs';

const skip = skipReason() || (process.env.P2PCAM_WEB_SERVER === 'demo' && 'p2pcam demo has no NVR channels') || false;
const device = 'demo/cam1';
const porch = 'demo/cam1#1';
const tile = (k) => `article.tile[data-device="${k}"]`;
let base;
let browser;

before(async () => {
  if (skip) return;
  base = await startServer(['--nvr', '--record-dir', tempDir('nvr-records')]);
  browser = await launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await stopAll();
});

const frames = (page, k) => page.evaluate((k) => globalThis.p2pcamPage.tiles.get(k).video.getVideoPlaybackQuality().totalVideoFrames, k);
const grows = async (page, k, what) => {
  const n = await frames(page, k);
  await waitFor(page, ([k, n]) => globalThis.p2pcamPage.tiles.get(k).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [k, n], 10000, what);
};

test('NVR: the channels listed under the camera; channel 1 plays in its own tile, answers on its channel, plays its recordings; closing it leaves channel 0', { skip, timeout: 120000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(base, { timeout: 15000 });
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d)?.status === 'playing', device, 20000, 'channel 0 playing');
    const chans = page.locator(`#cameras li.channels[data-nvr="${device}"] button.chan`);
    await chans.first().waitFor({ timeout: 10000 });
    assert.deepEqual(await chans.allInnerTexts(), ['1 · porch', '2 · garage']);

    await chans.first().click();
    await waitFor(page, (k) => { const t = globalThis.p2pcamPage.tiles.get(k); return t?.status === 'playing' && t.video.videoWidth === 320; }, porch, 20000, 'channel 1 playing at 320 wide');
    assert.equal(await page.locator(`${tile(porch)} .name`).innerText(), 'demo/cam1 · porch');
    assert.equal(await page.evaluate((k) => globalThis.p2pcamPage.tiles.get(k).player.transport, porch), 'flv');
    assert.equal(await page.locator(`${tile(porch)} .talk`).isVisible(), false, 'no talk button on channel 1');
    await grows(page, porch, 'channel 1 frames grow');
    await grows(page, device, 'channel 0 frames grow beside it');
    assert.equal(await page.evaluate((d) => globalThis.p2pcamPage.sdk.services.size, device), 1, 'one connection for both tiles');
    // Each tile's bitrate is its own stream's: channel 1's FLV, below the
    // connection's total that channel 0's tracks report.
    const rates = await waitFor(page, ([d, k]) => {
      const a = globalThis.p2pcamPage.tiles.get(d).player.stats?.bitrate;
      const b = globalThis.p2pcamPage.tiles.get(k).player.stats?.bitrate;
      return a > 0 && b > 0 && b < a && { a, b };
    }, [device, porch], 10000, 'channel 1 reports its own bitrate, below the connection\'s');
    console.log(`# bitrate: connection ${Math.round(rates.a / 1000)} kbit/s, channel 1's FLV ${Math.round(rates.b / 1000)} kbit/s`);

    // A command to the channel's tile goes to its channel.
    await page.selectOption('#command-target', porch);
    await page.fill('#command-text', 'get_device_st&type=playback');
    await page.click('#command button');
    await waitFor(page, () => /"status"/.test(document.querySelector('#command-reply').textContent), null, 10000, 'command reply');
    assert.equal(JSON.parse((await page.locator('#command-reply').innerText()).split('\n\n')[0])[0].status, '0');
    await page.fill('#command-text', 'ptz_left');
    await page.click('#command button');
    await waitFor(page, () => /not supported on channel 1/.test(document.querySelector('#command-reply').textContent), null, 10000, 'PTZ refused on channel 1');

    // Its recordings: the bar, and a click plays channel 1's.
    const span = await waitFor(page, (k) => {
      const s = globalThis.p2pcamPage.tiles.get(k).timeline?.spans.at(-1);
      return s && s.end - s.start >= 5 && { ...s };
    }, porch, 45000, '5 s of channel 1 recorded').catch(async (e) => {
      const why = await page.evaluate(async (k) => {
        const p = globalThis.p2pcamPage;
        const tl = p.tiles.get(k).timeline;
        const now = Math.floor(Date.now() / 1000);
        const idx = await p.sdk.sendCommand('demo/cam1', `get_record_index&start_time=${now - 3600}&end_time=${now + 60}`, { channel: 1 }).catch((err) => String(err));
        const t = p.tiles.get(k);
        return { status: t.status, text: t.el.querySelector('.status .text').textContent, error: t.el.querySelector('.error .text').textContent, timeline: !!tl, spans: tl?.spans, hidden: tl?.el.hidden, lastError: String(tl?.lastError ?? ''), banner: document.querySelector('#banner').textContent, idx };
      }, porch);
      throw new Error(`${e.message}: ${JSON.stringify(why)}`);
    });
    if (process.env.P2PCAM_SHOTS) await page.screenshot({ path: `${process.env.P2PCAM_SHOTS}/nvr.png` });
    await page.evaluate(([k, s]) => globalThis.p2pcamPage.tiles.get(k).timeline.playAt(s), [porch, span.start + 2]);
    const line = await waitFor(page, (k) => {
      const t = globalThis.p2pcamPage.tiles.get(k);
      return t.player?.request && t.status === 'playing' && t.video.getVideoPlaybackQuality().totalVideoFrames > 5 && t.player.request;
    }, porch, 20000, 'channel 1 playback decoded');
    assert.match(line, /^ipc\.flv\?action=playback&channel=1&/);
    assert.equal(await page.evaluate((k) => globalThis.p2pcamPage.tiles.get(k).video.videoWidth, porch), 320);

    // Closed: channel 0 plays on, on the same connection.
    await page.locator(`${tile(porch)} .close`).click();
    await waitFor(page, (k) => !globalThis.p2pcamPage.tiles.has(k), porch, 5000, 'channel 1 closed');
    await grows(page, device, 'channel 0 frames grow after channel 1 closed');
    assert.equal(await page.evaluate((d) => globalThis.p2pcamPage.sdk.services.has(d), device), true);
    assert.deepEqual(errors, [], `uncaught errors in the page: ${errors.join('; ')}`);
  } finally {
    await page.close();
  }
});

test('NVR: a returning page reopens channel 0 and channel 1 at once; both play over one connection', { skip, timeout: 90000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const first = await ctx.newPage();
    await first.goto(base, { timeout: 15000 });
    await waitFor(first, (d) => globalThis.p2pcamPage.tiles.get(d)?.status === 'playing', device, 20000, 'channel 0 playing');
    const chan = first.locator(`#cameras li.channels[data-nvr="${device}"] button.chan`).first();
    await chan.waitFor({ timeout: 10000 });
    await chan.click();
    await waitFor(first, (k) => globalThis.p2pcamPage.tiles.get(k)?.status === 'playing', porch, 20000, 'channel 1 playing');
    await first.close();

    // Both tiles open together: the second waits for the first's dial.
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base, { timeout: 15000 });
    for (const k of [device, porch]) {
      await waitFor(page, (k) => {
        const t = globalThis.p2pcamPage.tiles.get(k);
        if (t?.status === 'failed') return `failed: ${t.el.querySelector('.error .text').textContent}`;
        return t?.status === 'playing' && t.video.getVideoPlaybackQuality().totalVideoFrames > 5 && 'playing';
      }, k, 20000, `${k} reopened`).then((st) => assert.equal(st, 'playing', k));
    }
    assert.equal(await page.evaluate(() => globalThis.p2pcamPage.sdk.services.size), 1, 'one connection');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});
