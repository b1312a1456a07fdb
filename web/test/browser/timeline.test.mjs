// The recordings timeline under a camera tile, in real headless Chromium
// against a sim camera that records (the devserver's --record-dir, or
// `p2pcam demo`, which records): the day's recordings show as a bar and
// the month strip marks today; a click on the bar plays from that second
// (frames grow, the position is the clicked second within a GOP); pause
// stops the frames and resume starts them; 4x moves faster; Live goes
// back to the live stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, startServer, launch, waitFor, poll, stopAll, tempDir } from './harness.mjs';

const skip = skipReason() || false;
const device = 'demo/cam1';
const tile = `article.tile[data-device="${device}"]`;
let base;
let browser;

before(async () => {
  if (skip) return;
  base = await startServer(process.env.P2PCAM_WEB_SERVER === 'demo' ? [] : ['--record-dir', tempDir('records')]);
  browser = await launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await stopAll();
});

const frames = (page) => page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames, device);

// progress asks the camera where the playback is (the page's SDK).
const progress = (page) => page.evaluate(async (d) => {
  const p = globalThis.p2pcamPage;
  const st = await p.sdk.sendCommand(d, 'playback_progress');
  const v = p.tiles.get(d).video;
  return { ...st, currentTime: v.currentTime, ahead: v.buffered.length ? v.buffered.end(v.buffered.length - 1) - v.currentTime : 0 };
}, device);

// steady waits until the frame count holds still for 1.5 s (paused).
async function steady(page) {
  const end = Date.now() + 10000;
  for (;;) {
    const a = await frames(page);
    await page.waitForTimeout(1500);
    const b = await frames(page);
    if (b - a <= 1) return b;
    if (Date.now() > end) throw new Error(`frames still growing while paused: ${a} -> ${b}`);
  }
}

test('timeline: a bar for the recording, a click plays from that second, pause, speed, live', { skip, timeout: 150000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(base + '?media=flv', { timeout: 15000 });
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d)?.status === 'playing', device, 20000, 'live playing');
    await page.locator(`${tile} .timeline`).waitFor({ state: 'visible', timeout: 15000 });
    // Recordings need a few seconds to exist: wait for 8 s of them.
    const span = await waitFor(page, (d) => {
      const tl = globalThis.p2pcamPage.tiles.get(d).timeline;
      const s = tl?.spans.at(-1);
      return s && s.end - s.start >= 8 && document.querySelectorAll('.tl-span').length > 0 && { ...s };
    }, device, 45000, '8 s recorded and shown as a bar');
    const today = new Date().getDate();
    assert.equal(await page.locator(`${tile} .tl-days button.rec`).first().innerText(), String(today), 'the month strip marks today');
    await page.screenshot({ path: process.env.P2PCAM_SHOTS ? `${process.env.P2PCAM_SHOTS}/timeline-live.png` : undefined });

    // Click 4 s into the recording: where the page's own mapping puts it.
    const want = span.start + 4;
    const bar = await page.locator(`${tile} .tl-bar`).boundingBox();
    const f = await page.evaluate(([d, s]) => globalThis.p2pcamPage.tiles.get(d).timeline.fracOf(s + 0.5), [device, want]);
    await page.mouse.click(bar.x + f * bar.width, bar.y + bar.height / 2);
    const clicked = await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.clicked, device, 5000, 'click taken');
    assert.ok(Math.abs(clicked - want) <= 1, `clicked second ${clicked}, aimed at ${want}`);
    await waitFor(page, (d) => {
      const t = globalThis.p2pcamPage.tiles.get(d);
      return t.player?.request && t.status === 'playing' && t.video.getVideoPlaybackQuality().totalVideoFrames > 5;
    }, device, 20000, 'playback frames decoded');
    const line = await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).player.request, device);
    assert.match(line, new RegExp(`^ipc\\.flv\\?action=playback&channel=0&start_time=${clicked}&end_time=\\d+$`));
    let a = await frames(page);
    await waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [device, a], 10000, 'playback frames grow');
    // The picture on screen is the clicked second, within a GOP (1 s on
    // the sim board) and what MSE holds ahead of the playhead.
    // The camera sent up to clicked + progress; the video shows what is
    // `ahead` behind that, currentTime seconds after the keyframe it
    // started at: so that keyframe was at clicked + progress - ahead -
    // currentTime, which must be at or before the click, within a GOP.
    const p0 = await progress(page);
    const keyframe = clicked + Number(p0.progress) / 1000 - p0.ahead - p0.currentTime;
    console.log(`# clicked ${clicked}; progress ${p0.progress} ms, ${p0.ahead.toFixed(2)} s buffered, currentTime ${p0.currentTime.toFixed(2)} s: started at ${(keyframe - clicked).toFixed(2)} s from the click`);
    assert.ok(keyframe >= clicked - 1.5 && keyframe <= clicked + 0.5, `playback started ${(keyframe - clicked).toFixed(2)} s from the clicked second`);
    await page.screenshot({ path: process.env.P2PCAM_SHOTS ? `${process.env.P2PCAM_SHOTS}/timeline-playback.png` : undefined });
    assert.equal(await page.locator(`${tile} .badge.replay`).isVisible(), true, 'PLAYBACK badge');

    // Pause: the camera stops sending, the frames stop; resume: they grow.
    await page.locator(`${tile} .tl-pause`).click();
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.state?.paused === true, device, 8000, 'paused');
    const held = await steady(page);
    const pp = await progress(page);
    await page.waitForTimeout(1000);
    assert.equal((await progress(page)).progress, pp.progress, 'position holds while paused');
    await page.locator(`${tile} .tl-pause`).click();
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.state?.paused === false, device, 8000, 'resumed');
    await waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [device, held], 10000, 'frames grow after resume');

    // 4x: the position moves about 4 s a second.
    await page.selectOption(`${tile} .tl-speed`, '4');
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.state?.speed === 4, device, 8000, 'speed 4');
    const s0 = await progress(page);
    const t0 = Date.now();
    await page.waitForTimeout(1500);
    // Keyframes only at 4x: the position moves a GOP at a time, and the
    // recording may run out (it ends at what was indexed): the camera
    // then has no playback on the session to report on.
    const s1 = await progress(page).catch((e) => {
      if (/no playback on this session/.test(String(e))) return { ranOut: true };
      throw e;
    });
    if (s1.ranOut) {
      console.log('# at 4x the recording ran out within 1.5 s');
    } else {
      const rate = (s1.progress - s0.progress) / (Date.now() - t0);
      console.log(`# at 4x the position moved ${rate.toFixed(2)} s per second`);
      assert.ok(rate > 1.8 || s1.progress === s0.progress, `at 4x moved ${rate.toFixed(2)} s/s`);
    }

    // Live again: the live stream, not the recording.
    await page.locator(`${tile} .tl-live`).click();
    await waitFor(page, (d) => { const t = globalThis.p2pcamPage.tiles.get(d); return t.player && !t.player.request && t.status === 'playing'; }, device, 15000, 'live again');
    a = await frames(page);
    await waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [device, a], 10000, 'live frames grow');
    assert.equal(await page.locator(`${tile} .badge.live`).isVisible(), true, 'LIVE badge');
    assert.deepEqual(errors, [], `uncaught errors in the page: ${errors.join('; ')}`);
  } finally {
    await page.close();
  }
});

test('timeline: a click where nothing is recorded plays from the next recording, or says so; a playback that runs out says ended', { skip, timeout: 60000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  try {
    await page.goto(base + '?media=flv', { timeout: 15000 });
    await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d)?.timeline?.spans.length > 0, device, 30000, 'a recording listed');
    // After the last recording of the day: nothing to play, a banner says so.
    await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).timeline.playAt(Math.floor(Date.now() / 1000) + 3600), device);
    await poll(page, () => /Nothing recorded at/.test(document.querySelector('#banner').textContent), null, 5000, 'banner');
    // Before the first: it plays from the first recording's start.
    const first = await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).timeline.spans[0].start, device);
    await page.evaluate(([d, s]) => globalThis.p2pcamPage.tiles.get(d).timeline.playAt(s - 30), [device, first]);
    const line = await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).player?.request, device, 10000, 'playback started');
    assert.match(line, new RegExp(`start_time=${first}&`));
    // Two seconds before the end of what is recorded: the playback ends
    // there (at what was indexed when it was asked for), and says so.
    await page.evaluate((d) => { const tl = globalThis.p2pcamPage.tiles.get(d).timeline; return tl.playAt(tl.spans.at(-1).end - 2); }, device);
    await poll(page, (d) => /^ended /.test(document.querySelector(`article.tile[data-device="${d}"] .tl-pos`).textContent), device, 20000, 'the timeline says ended');
  } finally {
    await page.close();
  }
});
