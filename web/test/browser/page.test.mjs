// The player page in real headless Chromium against a real dev cloud
// and sim camera: autologin + autoplay, decoding, quality switching,
// audio, a command, a snapshot, talkback, an unshared device's error,
// and page open -> first decoded frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, startServer, launch, waitFor, poll, stopAll, median } from './harness.mjs';

const skip = skipReason() || false;
let base;
let browser;

before(async () => {
  if (skip) return;
  base = await startServer();
  browser = await launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await stopAll();
});

async function openPage(query = '') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + query, { timeout: 15000 });
  page.errors = errors;
  return page;
}

const tile = (device) => `article.tile[data-device="${device}"]`;

function tileState(page, device) {
  return page.evaluate((d) => {
    const t = globalThis.p2pcamPage.tiles.get(d);
    if (!t) return null;
    const v = t.video;
    const q = v.getVideoPlaybackQuality();
    return { status: t.status, width: v.videoWidth, height: v.videoHeight, frames: q.totalVideoFrames, audioBytes: v.webkitAudioDecodedByteCount ?? null,
      transport: t.player?.transport, stats: t.player?.stats ?? null };
  }, device);
}

async function framesGrow(page, device, ms = 10000) {
  const a = await waitFor(page, (d) => { const t = globalThis.p2pcamPage.tiles.get(d); return t && t.video.getVideoPlaybackQuality().totalVideoFrames > 0 && t.video.getVideoPlaybackQuality().totalVideoFrames; }, device, ms, `${device}: first decoded frame`);
  await waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [device, a], ms, `${device}: 10 more frames after ${a}`);
}

test('autoplay decodes the demo camera muted, with audio, at 640 wide', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await framesGrow(page, 'demo/cam1', 15000);
    const s = await tileState(page, 'demo/cam1');
    assert.equal(s.width, 640, 'high is 640 wide');
    assert.equal(s.status, 'playing');
    assert.equal(await page.evaluate(() => globalThis.p2pcamPage.tiles.get('demo/cam1').video.muted), true, 'autoplay is muted');
    // Audio: decoded bytes on the FLV path (MSE); packets and an audio
    // track on the track path.
    await poll(page, async () => {
      const t = globalThis.p2pcamPage.tiles.get('demo/cam1');
      if (t.player.transport === 'flv') return t.video.webkitAudioDecodedByteCount > 0;
      if (!t.video.srcObject?.getAudioTracks().length) return false;
      let n = 0;
      (await globalThis.p2pcamPage.sdk.services.get('demo/cam1').pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') n = r.packetsReceived; });
      return n > 20;
    }, null, 15000, 'audio received');
    // The overlay shows the stats.
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1').player.stats?.fps > 5, null, 15000, 'stats with fps');
    const overlay = await page.locator(`${tile('demo/cam1')} .stats`).innerText();
    assert.match(overlay, /path\s+host/);
    assert.match(overlay, /delay to live\s+\d+ ms/);
    assert.deepEqual(page.errors, [], `uncaught errors in the page: ${page.errors.join('; ')}`);
  } finally {
    await page.close();
  }
});

test('the FLV path (?media=flv): mpegts.js decodes video and audio, switches quality, talkback as G.711 FLV', { skip, timeout: 90000 }, async () => {
  const page = await openPage('?media=flv');
  try {
    await framesGrow(page, 'demo/cam1', 15000);
    let s = await tileState(page, 'demo/cam1');
    assert.equal(s.transport, 'flv');
    assert.equal(s.width, 640);
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1').video.webkitAudioDecodedByteCount > 0, null, 8000, 'AAC decoded');
    await page.selectOption(`${tile('demo/cam1')} select.quality`, 'standard');
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1').video.videoWidth === 320, null, 10000, 'standard: 320 wide');
    await framesGrow(page, 'demo/cam1', 10000);
    await page.locator(`${tile('demo/cam1')} button.talk`).click();
    const sent = await waitFor(page, () => { const v = globalThis.p2pcamPage.sdk._voices.get('demo/cam1'); return v?.transport === 'flv' && v.handle?.sentBytes > 4000 && v.handle.sentBytes; }, null, 15000, 'G.711 FLV sent');
    assert.ok(sent > 4000);
    s = await tileState(page, 'demo/cam1');
    assert.equal(s.transport, 'flv');
  } finally {
    await page.close();
  }
});

test('quality switch changes the picture size on the same connection', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await framesGrow(page, 'demo/cam1', 15000);
    const session = await page.evaluate(() => globalThis.p2pcamPage.sdk.services.get('demo/cam1').session);
    for (const [q, w] of [['standard', 320], ['super', 1280], ['high', 640]]) {
      await page.selectOption(`${tile('demo/cam1')} select.quality`, q);
      await waitFor(page, (want) => globalThis.p2pcamPage.tiles.get('demo/cam1').video.videoWidth === want, w, 10000, `${q}: videoWidth ${w}`);
      await framesGrow(page, 'demo/cam1', 10000);
    }
    assert.equal(await page.evaluate(() => globalThis.p2pcamPage.sdk.services.get('demo/cam1').session), session, 'same session');
  } finally {
    await page.close();
  }
});

test('after the connection is lost the page re-dials and plays again', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await framesGrow(page, 'demo/cam1', 15000);
    const first = await page.evaluate(() => {
      const s = globalThis.p2pcamPage.sdk.services.get('demo/cam1');
      const session = s.session;
      s.pc.close(); // the network is gone
      s.networkChanged(); // what the page does on 'online' and connection changes
      return session;
    });
    await waitFor(page, (old) => { const s = globalThis.p2pcamPage.sdk.services.get('demo/cam1'); return s.state === 'connected' && s.session !== old; }, first, 15000, 'connected again with a new session');
    await framesGrow(page, 'demo/cam1', 15000);
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1').status === 'playing', null, 5000, 'tile says playing');
  } finally {
    await page.close();
  }
});

test('a command is answered in the command box', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1')?.status === 'playing', null, 15000, 'playing');
    await page.fill('#command-text', 'get_device_st&type=live');
    await page.click('#command button');
    await waitFor(page, () => /"status"/.test(document.querySelector('#command-reply').textContent), null, 8000, 'reply')
      .catch(async (e) => { throw new Error(`${e.message}; the box says: ${await page.locator('#command-reply').innerText()}`); });
    const reply = await page.locator('#command-reply').innerText();
    const json = JSON.parse(reply.split('\n\n')[0]);
    assert.equal(json[0].status, '0');
    assert.ok(Number(json[0].appConnectNum) >= 1);
  } finally {
    await page.close();
  }
});

test('snapshot is a PNG of the picture, not blank', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await framesGrow(page, 'demo/cam1', 15000);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 8000 }),
      page.click(`${tile('demo/cam1')} button.snap`),
    ]);
    assert.match(download.suggestedFilename(), /^demo-cam1-.*\.png$/);
    const info = await page.evaluate(async () => {
      const blob = await globalThis.p2pcamPage.tiles.get('demo/cam1').player.snapshot();
      const bmp = await createImageBitmap(blob);
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d');
      g.drawImage(bmp, 0, 0);
      const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
      const colors = new Set();
      let sum = 0;
      for (let i = 0; i < d.length; i += 4 * 97) { colors.add((d[i] >> 4) << 8 | (d[i + 1] >> 4) << 4 | d[i + 2] >> 4); sum += d[i] + d[i + 1] + d[i + 2]; }
      return { type: blob.type, width: bmp.width, colors: colors.size, mean: sum / (d.length / (4 * 97)) / 3 };
    });
    assert.equal(info.type, 'image/png');
    assert.equal(info.width, 640);
    assert.ok(info.colors > 8, `snapshot has ${info.colors} colours`);
    assert.ok(info.mean > 10, `snapshot mean ${info.mean}`);
  } finally {
    await page.close();
  }
});

test('talkback: the fake microphone reaches the camera (voice status 0), toggled on and off', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await waitFor(page, () => globalThis.p2pcamPage.tiles.get('demo/cam1')?.status === 'playing', null, 15000, 'playing');
    const talk = page.locator(`${tile('demo/cam1')} button.talk`);
    await talk.click(); // a short click latches talk on
    await waitFor(page, () => globalThis.p2pcamPage.sdk._voices.get('demo/cam1')?.handle?.head?.status === 0, null, 15000, 'voice accepted')
      .catch(async (e) => { throw new Error(`${e.message}; banner: ${await page.locator('#banner').innerText()}`); });
    // Sent: FLV bytes on the voice channel, or RTP packets on the audio track.
    const sent = await poll(page, async () => {
      const v = globalThis.p2pcamPage.sdk._voices.get('demo/cam1');
      if (!v?.handle) return false;
      if (v.transport === 'flv') return v.handle.sentBytes > 4000 && `${v.handle.sentBytes} bytes of FLV`;
      let n = 0;
      (await globalThis.p2pcamPage.sdk.services.get('demo/cam1').pc.getStats()).forEach((r) => { if (r.type === 'outbound-rtp' && r.kind === 'audio') n = r.packetsSent; });
      return n > 50 && `${n} RTP packets`;
    }, null, 15000, 'talk audio sent');
    console.log(`# talkback sent ${sent}`);
    assert.equal(await talk.getAttribute('class'), 'talk on');
    await talk.click();
    await waitFor(page, () => !globalThis.p2pcamPage.sdk._voices.has('demo/cam1'), null, 3000, 'voice stopped');
  } finally {
    await page.close();
  }
});

test('an unshared device shows a visible error', { skip, timeout: 60000 }, async () => {
  const page = await openPage();
  try {
    await waitFor(page, () => globalThis.p2pcamPage.ready, null, 15000, 'page ready');
    await page.fill('#add-device', 'demo/cam2');
    await page.click('#add button');
    const err = page.locator(`${tile('demo/cam2')} .error`);
    await err.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await err.innerText(), /not shared with demo-viewer/);
    await page.fill('#add-device', 'demo/nosuchcam');
    await page.click('#add button');
    const err2 = page.locator(`${tile('demo/nosuchcam')} .error`);
    await err2.waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await err2.innerText(), /not shared|unknown|offline/);
    await page.screenshot({ path: process.env.P2PCAM_SHOTS ? `${process.env.P2PCAM_SHOTS}/errors.png` : undefined });
  } finally {
    await page.close();
  }
});

test('page open -> first decoded frame (median of 7, tracks and FLV)', { skip, timeout: 240000 }, async () => {
  for (const [name, query] of [['tracks', ''], ['flv', '?media=flv']]) {
    const times = [];
    const steps = [];
    for (let i = 0; i < 7; i++) {
      const page = await openPage(query);
      try {
        times.push(await waitFor(page, () => globalThis.p2pcamPage.firstFrameAt, null, 15000, 'first frame'));
        steps.push(await page.evaluate(() => {
          const s = globalThis.p2pcamPage;
          const sv = s.sdk.services.get('demo/cam1');
          return { signalling: Math.round(s.sdk.signallingMs), p2p: Math.round(sv.connectMs) };
        }));
      } finally {
        await page.close();
      }
    }
    const m = median(times);
    console.log(`# ${name}: page open -> first decoded frame: median ${m} ms of ${times.join(', ')}; MQTT connect median ${median(steps.map((x) => x.signalling))} ms, P2P connect median ${median(steps.map((x) => x.p2p))} ms`);
    assert.ok(m < 4000, `${name}: median ${m} ms`);
  }
});

test('a returning page signs in with the remembered sign-in (no password sent), plays again; sign out ends it', { skip, timeout: 90000 }, async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  try {
    const open = async () => {
      const page = await ctx.newPage();
      const calls = [];
      page.on('request', (r) => { if (r.url().includes('/api/')) calls.push(new URL(r.url()).pathname); });
      await page.goto(base, { timeout: 15000 });
      await framesGrow(page, 'demo/cam1');
      page.calls = calls;
      return page;
    };
    // First visit: the demo's autologin, remembered.
    const first = await open();
    assert.deepEqual(first.calls, ['/api/login']);
    const [c] = (await ctx.cookies()).filter((x) => x.name === 'p2pcam_session');
    assert.ok(c, 'no session cookie after the login');
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
    assert.equal(c.path, '/api/');
    assert.equal(await first.evaluate(() => document.cookie.includes('p2pcam_session')), false, 'the page script sees the session key');
    await first.close();

    // Returning: /api/session only, and the camera plays again.
    const again = await open();
    assert.deepEqual(again.calls, ['/api/session']);
    assert.equal(await again.evaluate(() => globalThis.p2pcamPage.user), 'demo-viewer');
    assert.ok(await again.evaluate(() => performance.getEntriesByType('resource').every((e) => !e.name.includes('password'))));

    // Sign out: the cloud forgets it and the cookie goes.
    await again.click('#logout');
    for (const end = Date.now() + 10000; (await ctx.cookies()).some((x) => x.name === 'p2pcam_session');) {
      if (Date.now() > end) throw new Error('sign out did not clear the session cookie within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await again.evaluate(() => localStorage.getItem('p2pcam.signin')), null);
    await again.close();

    // The next visit signs in with the password again.
    const third = await open();
    assert.deepEqual(third.calls, ['/api/login']);
    await third.close();
  } finally {
    await ctx.close();
  }
});
