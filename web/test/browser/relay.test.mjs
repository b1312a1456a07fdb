// The relay handover in Chromium (docs/relay.md, "Browsers"): separate
// processes of the built binaries and a real nginx with Debian's
// libnginx-mod-rtmp, all on loopback:
//
//   - `p2pcam cloud` serves the page, /api, /mqtt and the relay's on_play;
//   - nginx-rtmp, with the config the Go tests run
//     (internal/nginxtest/nginx.conf.tmpl): RTMP in, HLS out (1 s
//     fragments), the stat page;
//   - `p2pcamd` acme/cam1 on the sim board with max_viewers = 1 and a
//     [relay] with hls_url; acme/cam2 the same but without hls_url.
//
// Page A plays acme/cam1 straight from the camera (media tracks); page
// B, a second viewer on the FLV path, is sent to the relay (302 on
// ipc.flv) and plays
// nginx's HLS with hls.js: decoded frames grow, the tile says FROM RELAY,
// its overlay's path is the relay server. A third viewer (media tracks:
// 302 on ipc.track) plays the running push with Chromium's own HLS, and
// goes back to the camera
// when viewer 1 leaves. acme/cam2's second viewer is
// told the camera is full. It prints the figures docs/relay.md quotes:
// Watch → first frame from the relay, and the delay behind the
// playlist's end that hls.js keeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.mjs';

const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
const rtmpModule = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

function skipWhy() {
  const why = h.skipReason();
  if (why) return why;
  if (nginxPath && existsSync(rtmpModule)) return '';
  const msg = `nginx or its RTMP module (${rtmpModule}) is missing: apt-get install nginx libnginx-mod-rtmp (scripts/test-deps.sh)`;
  if (process.env.CI === 'true') throw new Error(msg + ' under CI');
  return msg;
}
const skip = skipWhy() || false;
const user = 'alice';
let browser;
let pageURL;
let alicePass;
let hlsBase; // http://127.0.0.1:PORT/hls/
const logs = {}; // device -> p2pcamd's log file

/** camLog is the end of a camera's log, for a failure's message. */
const camLog = (d) => { try { return readFileSync(logs[d], 'utf8').slice(-3000); } catch { return ''; } };

before(async () => {
  if (skip) return;
  const p2pcam = h.build('./cmd/p2pcam', 'p2pcam');
  const p2pcamd = h.build('./cmd/p2pcamd', 'p2pcamd');
  const dir = h.tempDir('relay');
  const cloudDir = join(dir, 'cloud');
  const cloud = (...a) => h.run(p2pcam, ['cloud', ...a.slice(0, 1), '--dir', cloudDir, ...a.slice(1)]);
  const devices = ['acme/cam1', 'acme/cam2'];
  const camPass = {};
  const secret = {};
  for (const d of devices) {
    camPass[d] = cloud('adduser', '--role', 'device', d);
    secret[d] = cloud('relay-secret', d); // before the cloud starts: it makes DIR/relay.secret
  }
  alicePass = cloud('adduser', user);
  for (const d of devices) cloud('share', d, user, '--perm', 'live,command');
  const issuer = cloud('issuer');

  const c = await h.start(p2pcam, ['cloud', '--dir', cloudDir, '--mqtt', '127.0.0.1:0', '--turn', '127.0.0.1:0', '--http', '127.0.0.1:0'],
    /mqtt (\S+)\nstun (\S+)\n[^]*web {2}(http:\/\/\S+\/)[^]*relay on_play (\S+)/);
  const [, mqtt, stun, web, onPlay] = c.match;
  pageURL = web;

  // nginx with the Go tests' config, filled in.
  const nx = join(dir, 'nginx');
  mkdirSync(join(nx, 'tmp'), { recursive: true });
  mkdirSync(join(nx, 'hls'), { recursive: true });
  const rtmpPort = await h.freePort();
  const httpPort = await h.freePort();
  const vars = { Dir: nx, IP: '127.0.0.1', RTMPPort: rtmpPort, HTTPPort: httpPort, OnPlay: onPlay };
  const conf = readFileSync(join(h.repoDir, 'internal/nginxtest/nginx.conf.tmpl'), 'utf8').replace(/\{\{\.(\w+)\}\}/g, (_, k) => {
    if (!(k in vars)) throw new Error(`nginx.conf.tmpl: unknown {{.${k}}}`);
    return String(vars[k]);
  });
  writeFileSync(join(nx, 'nginx.conf'), conf);
  h.start(nginxPath, ['-p', nx, '-c', join(nx, 'nginx.conf')], /$^/, 3600000).catch(() => {}); // runs until stopAll
  await h.waitHTTP(`http://127.0.0.1:${httpPort}/stat`);
  hlsBase = `http://127.0.0.1:${httpPort}/hls/`;

  for (const d of devices) {
    const name = d.replace('/', '-');
    const cfg = join(dir, `${name}.toml`);
    const hls = d === 'acme/cam1' ? `hls_url = ${JSON.stringify(hlsBase + '{stream}.m3u8')}\n` : '';
    writeFileSync(cfg, `device = ${JSON.stringify(d)}
max_viewers = 1
[auth]
trusted_keys = [${JSON.stringify(issuer)}]
device_key = ${JSON.stringify(join(dir, name + '.key'))}
[p2p]
broker = ${JSON.stringify(mqtt)}
password = ${JSON.stringify(camPass[d])}
[[p2p.ice_servers]]
urls = [${JSON.stringify(stun)}]
[lan]
listen = "off"
[relay]
url = "rtmp://127.0.0.1:${rtmpPort}/live"
stat_url = "http://127.0.0.1:${httpPort}/stat"
secret = ${JSON.stringify(secret[d])}
${hls}`);
    logs[d] = join(dir, `${name}.log`);
    h.start('sh', ['-c', 'exec "$0" --config "$1" --board sim >"$2" 2>&1', p2pcamd, cfg, logs[d]], /$^/, 3600000).catch(() => {}); // runs until stopAll
  }
  browser = await h.launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await h.stopAll();
});

/** viewer opens the page in a browser context of its own (its own
 * login, its own P2P session) and signs in. */
async function viewer(query = '') {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.logs = [];
  page.on('console', (m) => { if (!/Failed to load resource/.test(m.text())) page.logs.push(`${m.type()}: ${m.text()}`); if (page.logs.length > 40) page.logs.shift(); });
  await page.goto(pageURL + query, { timeout: 15000 });
  await page.fill('#user', user);
  await page.fill('#password', alicePass);
  await page.click('#login button[type=submit]');
  await h.waitFor(page, () => !!document.querySelector('#cameras li[data-device="acme/cam2"] button'), null, 20000, 'signed in, cameras listed')
    .catch(async (e) => { throw new Error(`${e.message}; banner: ${await page.locator('#banner').innerText()}`); });
  return page;
}

const tileText = (page, d) => page.evaluate((d) => {
  const t = globalThis.p2pcamPage.tiles.get(d);
  return t ? `${t.status}: ${t.el.querySelector('.status .text').textContent} ${t.el.querySelector('.error .text').textContent}` : 'no tile';
}, d).catch(() => '?');

/** watch clicks Watch and waits until decoded frames grow by 20 (or
 * the tile fails); it returns the ms from the click to the first frame. */
async function watch(page, d, ms, what) {
  const t0 = Date.now();
  await page.click(`#cameras li[data-device="${d}"] button`);
  const n = await h.waitFor(page, (d) => {
    const t = globalThis.p2pcamPage.tiles.get(d);
    if (t?.status === 'failed') return -1;
    return t && t.video.getVideoPlaybackQuality().totalVideoFrames > 0 && t.video.getVideoPlaybackQuality().totalVideoFrames;
  }, d, ms, `${what}: first decoded frame`).catch(async (e) => { throw new Error(`${e.message}; tile ${await tileText(page, d)}`); });
  if (n < 0) throw new Error(`${what}: the tile failed: ${await tileText(page, d)}\n${d}'s log:\n${camLog(d)}`);
  const first = Date.now() - t0;
  await h.waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 20, [d, n], 20000, `${what}: 20 more frames after ${n}`)
    .catch(async (e) => { throw new Error(`${e.message}; tile ${await tileText(page, d)}; player ${JSON.stringify(await page.evaluate((d) => {
      const t = globalThis.p2pcamPage.tiles.get(d);
      const v = t.video;
      const b = [];
      for (let i = 0; i < v.buffered.length; i++) b.push([v.buffered.start(i), v.buffered.end(i)]);
      return { ...t.player.stats, paused: v.paused, currentTime: v.currentTime, readyState: v.readyState, buffered: b, error: v.error?.message };
    }, d))}\nconsole:\n${page.logs.join('\n')}\n${d}'s log:\n${camLog(d)}`); });
  return first;
}

test('max_viewers = 1: viewer 1 plays from the camera, viewer 2 from the relay\'s HLS', { skip, timeout: 180000 }, async () => {
  const a = await viewer();
  const b = await viewer('?media=flv'); // its live request is ipc.flv; viewer 3's is ipc.track
  try {
    await watch(a, 'acme/cam1', 30000, 'viewer 1');
    const ra = await a.evaluate(() => {
      const t = globalThis.p2pcamPage.tiles.get('acme/cam1');
      return { transport: t.player.transport, relay: t.player.relay, badge: t.el.querySelector('.badge.source').textContent };
    });
    assert.deepEqual(ra, { transport: 'track', relay: null, badge: '' });

    // Viewer 2: the camera is full, pushes to nginx and answers 302; the
    // player plays nginx's HLS. HLS needs a fragment or two first.
    const firstMs = await watch(b, 'acme/cam1', 60000, 'viewer 2 (relay)');
    const rb = await b.evaluate(() => {
      const t = globalThis.p2pcamPage.tiles.get('acme/cam1');
      const v = t.video;
      return {
        transport: t.player.transport, relay: t.player.relay, badge: t.el.querySelector('.badge.source').textContent,
        source: t.el.dataset.source, width: v.videoWidth, nativeHLS: v.canPlayType('application/vnd.apple.mpegurl'),
      };
    });
    assert.equal(rb.transport, 'hls');
    assert.equal(rb.relay.kind, 'hlsjs');
    assert.equal(rb.relay.hls, hlsBase + 'acme~cam1~high.m3u8');
    assert.match(rb.relay.url, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\/acme~cam1~high$/); // no ticket in what the page shows
    assert.equal(rb.badge, 'FROM RELAY · HLS');
    assert.equal(rb.source, 'relay');
    assert.equal(rb.width, 640);
    // The overlay's path row names the relay.
    await h.waitFor(b, () => /relay server · hls/.test(document.querySelector('article.tile[data-device="acme/cam1"] .stats dd[data-k="path"]')?.textContent || ''),
      null, 10000, 'the overlay shows the relay path');
    // Viewer 1 still plays from the camera.
    const fa = await a.evaluate(() => globalThis.p2pcamPage.tiles.get('acme/cam1').video.getVideoPlaybackQuality().totalVideoFrames);
    await h.waitFor(a, (n) => globalThis.p2pcamPage.tiles.get('acme/cam1').video.getVideoPlaybackQuality().totalVideoFrames > n + 10, fa, 10000, 'viewer 1 still plays');

    // The delay hls.js keeps behind the playlist's end, every 500 ms for 10 s.
    const delays = [];
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const d = await b.evaluate(() => globalThis.p2pcamPage.tiles.get('acme/cam1').player.stats?.delay);
      if (typeof d === 'number') delays.push(d);
    }
    assert.ok(delays.length > 5, `delays ${delays}`);

    assert.deepEqual(b.errors, []);
    assert.deepEqual(a.errors, []);

    // Viewer 3 (in viewer 2's place: the cloud allows alice so many
    // sessions) joins the running push, with Chromium's own HLS player
    // (?hls=native; Chromium says canPlayType "maybe").
    await b.context().close();
    let c;
    let warmMs = null;
    if (rb.nativeHLS) {
      c = await viewer('?hls=native');
      warmMs = await watch(c, 'acme/cam1', 60000, 'viewer 3 (relay, native HLS)');
      const rc = await c.evaluate(() => {
        const t = globalThis.p2pcamPage.tiles.get('acme/cam1');
        return { transport: t.player.transport, kind: t.player.relay?.kind, badge: t.el.querySelector('.badge.source').textContent, src: t.video.currentSrc };
      });
      assert.deepEqual(rc, { transport: 'hls', kind: 'native', badge: 'FROM RELAY · HLS', src: hlsBase + 'acme~cam1~high.m3u8' });
      // Viewer 1 leaves: viewer 3's next ask is accepted, and it goes
      // back to the camera.
      await a.context().close();
      await h.waitFor(c, () => {
        const t = globalThis.p2pcamPage.tiles.get('acme/cam1');
        return t.player.transport === 'track' && !t.player.relay && t.el.querySelector('.badge.source').textContent === '';
      }, null, 30000, 'viewer 3 back on the camera once a place is free')
        .catch(async (e) => { throw new Error(`${e.message}; tile ${await tileText(c, 'acme/cam1')}; transport ${await c.evaluate(() => globalThis.p2pcamPage.tiles.get('acme/cam1').player.transport)}`); });
      const fc = await c.evaluate(() => globalThis.p2pcamPage.tiles.get('acme/cam1').video.getVideoPlaybackQuality().totalVideoFrames);
      await h.waitFor(c, (n) => globalThis.p2pcamPage.tiles.get('acme/cam1').video.getVideoPlaybackQuality().totalVideoFrames > n + 10, fc, 15000, 'viewer 3 plays from the camera');
      assert.deepEqual(c.errors, []);
    }
    console.log(`# relay HLS: Watch → first frame ${firstMs} ms (new push, hls.js), ${warmMs} ms (running push, native); hls.js behind the playlist's end: median ${h.median(delays)} ms, max ${Math.max(...delays)} ms (n=${delays.length}); native HLS in Chromium: ${JSON.stringify(rb.nativeHLS)}`);
    await c?.context().close();
  } finally {
    await a.context().close().catch(() => {});
    await b.context().close().catch(() => {});
  }
});

test('max_viewers = 1 and a relay without HLS: viewer 2 is told the camera is full', { skip, timeout: 120000 }, async () => {
  const a = await viewer();
  const b = await viewer();
  try {
    await watch(a, 'acme/cam2', 30000, 'viewer 1');
    await b.click('#cameras li[data-device="acme/cam2"] button');
    const err = b.locator('article.tile[data-device="acme/cam2"] .error');
    await err.waitFor({ state: 'visible', timeout: 30000 });
    assert.match(await err.innerText(), /camera acme\/cam2 is full: it serves its maximum of viewers.*no HLS for browsers/);
  } finally {
    await a.context().close();
    await b.context().close();
  }
});
