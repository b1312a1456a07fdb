// The page in Chromium against p2pcam deployed as a user deploys it:
// separate processes of the built binaries, set up as the README's
// walkthrough does (`p2pcam cloud adduser/share/issuer`, a p2pcamd
// config that trusts the cloud's issuer):
//
//   - `p2pcam cloud` serves the page, /api and /mqtt;
//   - `p2pcamd` acme/cam1 (shared with alice; LAN mode on, allowing the
//     page's origin; recording; an NVR channel 1, porch) and acme/cam2
//     (not shared), both on the sim board;
//   - `p2pcam serve` re-serves acme/cam1 over HTTP-FLV, allowing the
//     page's origin, and serves the page itself.
//
// It signs in with the form, plays over P2P, sends a command, hears the
// camera's events, is refused
// an unshared camera, plays LAN mode's and the gateway's HTTP-FLV from
// the cloud's origin with mpegts.js (CORS), and plays the gateway's own
// page with no clicks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as h from './harness.mjs';

const skip = h.skipReason() || false;
const user = 'alice';
let browser;
let p2pcam;
let pageURL; // the cloud's page
let pageOrigin;
let lanURL; // acme/cam1's LAN mode, with a token in the URL
let gatewayURL; // p2pcam serve
let alicePass;

before(async () => {
  if (skip) return;
  p2pcam = h.build('./cmd/p2pcam', 'p2pcam');
  const p2pcamd = h.build('./cmd/p2pcamd', 'p2pcamd');
  const dir = h.tempDir('deploy');
  const cloudDir = join(dir, 'cloud');
  const cloud = (...a) => h.run(p2pcam, ['cloud', ...a.slice(0, 1), '--dir', cloudDir, ...a.slice(1)]);
  const camPass = {
    'acme/cam1': cloud('adduser', '--role', 'device', 'acme/cam1'),
    'acme/cam2': cloud('adduser', '--role', 'device', 'acme/cam2'),
  };
  alicePass = cloud('adduser', user);
  cloud('share', 'acme/cam1', user, '--perm', 'live,voice,command,playback');
  const issuer = cloud('issuer');

  const c = await h.start(p2pcam, ['cloud', '--dir', cloudDir, '--mqtt', '127.0.0.1:0', '--turn', '127.0.0.1:0', '--http', '127.0.0.1:0'],
    /mqtt (\S+)\nstun (\S+)\n[^]*web {2}(http:\/\/\S+\/)/);
  const [, mqtt, stun] = c.match;
  pageURL = c.match[3];
  pageOrigin = new URL(pageURL).origin;

  const lanPort = await h.freePort();
  for (const [device, lan] of [['acme/cam1', `127.0.0.1:${lanPort}`], ['acme/cam2', 'off']]) {
    const name = device.replace('/', '-');
    const cfg = join(dir, `${name}.toml`);
    writeFileSync(cfg, `device = ${JSON.stringify(device)}
[auth]
trusted_keys = [${JSON.stringify(issuer)}]
device_key = ${JSON.stringify(join(dir, name + '.key'))}
[p2p]
broker = ${JSON.stringify(mqtt)}
password = ${JSON.stringify(camPass[device])}
[[p2p.ice_servers]]
urls = [${JSON.stringify(stun)}]
[lan]
listen = ${JSON.stringify(lan)}
allowed_origins = [${JSON.stringify(pageOrigin)}]
${device === 'acme/cam1' ? `[record]\ndir = ${JSON.stringify(join(dir, 'records'))}\nsegment_length = "10s"\n[[channels]]\nchannel = 1\nname = "porch"\nstreams.standard = "sim:standard"\n` : ''}`);
    h.start(p2pcamd, ['--config', cfg, '--board', 'sim'], /$^/, 3600000).catch(() => {}); // runs until stopAll
  }
  await h.waitHTTP(`http://127.0.0.1:${lanPort}/healthz`);
  // LAN mode wants a token: one the cloud's issuer signs, in the URL.
  const token = h.run(p2pcam, ['token', '--key', join(cloudDir, 'issuer.key'), '--device', 'acme/cam1', '--perm', 'live,command,playback', '--subject', user]);
  lanURL = `http://127.0.0.1:${lanPort}/?token=${encodeURIComponent(token)}`;

  // The password travels in the environment, never in argv (ps shows argv).
  process.env.P2PCAM_PASSWORD = alicePass;
  const gw = await h.start(p2pcam, ['serve', '--listen', '127.0.0.1:0', '--broker', mqtt, '--cloud', pageURL, '--user', user,
    '--device', 'acme/cam1', '--allow-origin', pageOrigin], /serving \S+ at (http:\/\/[^/]+\/)/, 30000);
  gatewayURL = gw.match[1];
  browser = await h.launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await h.stopAll();
});

async function openPage(url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { timeout: 15000 });
  page.errors = errors;
  return page;
}

async function signIn(page) {
  await page.fill('#user', user);
  await page.fill('#password', alicePass);
  await page.click('#login button[type=submit]');
  await h.waitFor(page, () => !!document.querySelector('#cameras li[data-device="acme/cam1"] button'), null, 15000, 'signed in, acme/cam1 listed')
    .catch(async (e) => { throw new Error(`${e.message}; banner: ${await page.locator('#banner').innerText()}`); });
}

const tile = (name) => `article.tile[data-device="${name}"]`;

/** playing waits for decoded frames to grow on a tile and for its
 * picture to be `width` wide; it returns the tile's status text. */
async function playing(page, name, width, what) {
  const tileText = () => page.evaluate((d) => {
    const t = globalThis.p2pcamPage.tiles.get(d);
    return t ? `${t.status}: ${t.el.querySelector('.status .text').textContent} ${t.el.querySelector('.error .text').textContent}` : 'no tile';
  }, name);
  const n = await h.waitFor(page, (d) => {
    const t = globalThis.p2pcamPage.tiles.get(d);
    if (t?.status === 'failed') return -1;
    return t && t.video.getVideoPlaybackQuality().totalVideoFrames > 0 && t.video.getVideoPlaybackQuality().totalVideoFrames;
  }, name, 20000, `${what}: first decoded frame`).catch(async (e) => { throw new Error(`${e.message}; tile ${await tileText()}`); });
  if (n < 0) throw new Error(`${what}: the tile failed: ${await tileText()}`);
  await h.waitFor(page, ([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [name, n], 15000, `${what}: 10 more frames after ${n}`);
  await h.waitFor(page, ([d, w]) => globalThis.p2pcamPage.tiles.get(d).video.videoWidth === w, [name, width], 10000, `${what}: videoWidth ${width}`)
    .catch(async (e) => { throw new Error(`${e.message}, is ${await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).video.videoWidth, name)}`); });
}

async function command(page, target) {
  await page.selectOption('#command-target', target);
  await page.fill('#command-text', 'get_device_st&type=live');
  await page.click('#command button');
  await h.waitFor(page, () => /"status"/.test(document.querySelector('#command-reply').textContent), null, 10000, 'command reply')
    .catch(async (e) => { throw new Error(`${e.message}; the box says: ${await page.locator('#command-reply').innerText()}`); });
  return JSON.parse((await page.locator('#command-reply').innerText()).split('\n\n')[0]);
}

test('cloud + p2pcamd processes: sign in, play over P2P, a command answered', { skip, timeout: 90000 }, async () => {
  const page = await openPage(pageURL);
  try {
    await signIn(page);
    await page.click('#cameras li[data-device="acme/cam1"] button');
    await playing(page, 'acme/cam1', 640, 'P2P');
    const r = await page.evaluate(() => ({ transport: globalThis.p2pcamPage.tiles.get('acme/cam1').player.transport }));
    assert.equal(r.transport, 'track');
    const reply = await command(page, 'acme/cam1');
    assert.equal(reply[0].status, '0');
    assert.ok(Number(reply[0].appConnectNum) >= 1);
    // Events: the SDK's event stream in Chromium, fed by a trigger_event
    // the page sends (the camera's own motion and stream events come too).
    await page.evaluate(async () => {
      const sdk = globalThis.p2pcamPage.sdk;
      globalThis.cameraEvents = [];
      sdk.on('event', (e) => globalThis.cameraEvents.push(e));
      await sdk.watchEvents('acme/cam1');
      await sdk.sendCommand('acme/cam1', 'action=user_define&channel=0&cmd=trigger_event&type=doorbell&who=page');
    });
    await h.waitFor(page, () => globalThis.cameraEvents.some((e) => e.id === 'acme/cam1' && e.type === 'doorbell' && e.data.who === 'page'),
      null, 10000, 'the doorbell event in the page');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('cloud + p2pcamd processes: an unshared camera is refused with a visible error', { skip, timeout: 60000 }, async () => {
  const page = await openPage(pageURL);
  try {
    await signIn(page);
    await page.fill('#add-device', 'acme/cam2');
    await page.click('#add button');
    const err = page.locator(`${tile('acme/cam2')} .error`);
    await err.waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await err.innerText(), /not shared with alice/);
    // The token service refuses a token for it, whatever the page does.
    const r = await page.evaluate(async ([u, p]) => {
      const res = await fetch('/api/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: u, password: p, device: 'acme/cam2' }) });
      return { status: res.status, body: await res.text() };
    }, [user, alicePass]);
    assert.equal(r.status, 403, r.body);
  } finally {
    await page.close();
  }
});

for (const [what, url, name] of [
  ['LAN mode (p2pcamd lan.allowed_origins)', () => lanURL, () => new URL(lanURL).host],
  ['the gateway (p2pcam serve --allow-origin)', () => gatewayURL, () => new URL(gatewayURL).host],
]) {
  test(`mpegts.js plays ${what} cross-origin from the page: frames grow, width follows quality, a command answered`, { skip, timeout: 90000 }, async () => {
    const page = await openPage(pageURL);
    try {
      await page.fill('#add-device', url());
      await page.click('#add button');
      await playing(page, name(), 640, `${what} high`);
      assert.equal(await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).player.transport, name()), 'http');
      for (const [q, w] of [['standard', 320], ['super', 1280]]) {
        await page.selectOption(`${tile(name())} select.quality`, q);
        await playing(page, name(), w, `${what} ${q}`);
      }
      await h.waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).player.stats?.bitrate > 0, name(), 10000, 'stats with a bitrate');
      const overlay = await page.locator(`${tile(name())} .stats`).innerText();
      assert.match(overlay, /path\s+http/);
      const reply = await command(page, name());
      assert.equal(reply[0].status, '0');
      assert.deepEqual(page.errors, []);
    } finally {
      await page.close();
    }
  });
}

test('LAN mode without a token: the tile says why', { skip, timeout: 60000 }, async () => {
  const page = await openPage(pageURL);
  try {
    const bare = lanURL.replace(/\?.*/, '');
    await page.fill('#add-device', bare);
    await page.click('#add button');
    const err = page.locator(`${tile(new URL(bare).host)} .error`);
    await err.waitFor({ state: 'visible', timeout: 15000 });
    assert.match(await err.innerText(), /HTTP 401/);
  } finally {
    await page.close();
  }
});

test('p2pcam serve serves the page: it plays the gateway\'s camera with no clicks', { skip, timeout: 60000 }, async () => {
  const page = await openPage(gatewayURL);
  try {
    await playing(page, 'acme/cam1', 640, 'gateway page');
    assert.equal(await page.locator('#login').isVisible(), false, 'no sign-in form: the gateway has no cloud');
    await h.waitFor(page, () => { const s = globalThis.p2pcamPage.tiles.get('acme/cam1').player.stats; return s?.fps > 15 && s.bitrate > 0; }, null, 10000, 'stats with fps and bitrate');
    const reply = await command(page, 'acme/cam1');
    assert.equal(reply[0].status, '0');
    // The camera records: its recordings show under the tile, listed
    // through the gateway.
    await h.waitFor(page, () => globalThis.p2pcamPage.tiles.get('acme/cam1').timeline?.spans.length > 0, null, 30000, 'a recording listed through the gateway');
    assert.equal(await page.locator(`${tile('acme/cam1')} .timeline`).isVisible(), true, 'the timeline');
    if (process.env.P2PCAM_SHOTS) await page.screenshot({ path: join(process.env.P2PCAM_SHOTS, 'serve.png') });
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('LAN mode\'s recordings on the timeline: a click plays from that second under the session the camera names; pause and resume steer it; Live goes back', { skip, timeout: 120000 }, async () => {
  const page = await openPage(pageURL);
  const name = new URL(lanURL).host;
  const t = (fn, arg, ms, what) => h.waitFor(page, fn, arg, ms, what);
  const frames = () => page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames, name);
  // progress asks the camera through the timeline's own sender (with the session).
  const progress = () => page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).timeline.o.send('playback_progress'), name);
  try {
    await page.fill('#add-device', lanURL);
    await page.click('#add button');
    await playing(page, name, 640, 'LAN live');
    await page.locator(`${tile(name)} .timeline`).waitFor({ state: 'visible', timeout: 15000 });
    const span = await t((d) => {
      const s = globalThis.p2pcamPage.tiles.get(d).timeline?.spans.at(-1);
      return s && s.end - s.start >= 6 && document.querySelectorAll('.tl-span').length > 0 && { ...s };
    }, name, 45000, '6 s recorded and shown as a bar');

    const want = span.start + 3;
    const bar = await page.locator(`${tile(name)} .tl-bar`).boundingBox();
    const f = await page.evaluate(([d, s]) => globalThis.p2pcamPage.tiles.get(d).timeline.fracOf(s + 0.5), [name, want]);
    await page.mouse.click(bar.x + f * bar.width, bar.y + bar.height / 2);
    const session = await t((d) => {
      const p = globalThis.p2pcamPage.tiles.get(d).player;
      return p?.request && p.session && globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames > 5 && p.session;
    }, name, 20000, 'playback frames decoded, with the session the camera named');
    assert.match(session, /^[0-9a-f]{32}$/);
    const line = await page.evaluate((d) => globalThis.p2pcamPage.tiles.get(d).player.request, name);
    const clicked = Number(/start_time=(\d+)/.exec(line)[1]);
    assert.ok(Math.abs(clicked - want) <= 1, `played from ${clicked}, aimed at ${want}`);
    assert.equal(await page.locator(`${tile(name)} .badge.replay`).isVisible(), true, 'PLAYBACK badge');
    if (process.env.P2PCAM_SHOTS) await page.screenshot({ path: join(process.env.P2PCAM_SHOTS, 'lan-timeline.png') });

    // Pause: the position holds; without the session another request
    // (its own HTTP session) steers nothing.
    await page.locator(`${tile(name)} .tl-pause`).click();
    await t((d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.state?.paused === true, name, 8000, 'paused');
    // A frame already on its way when the pause came may still be
    // counted: the position must then hold for a whole second.
    let p0 = await progress();
    for (let i = 0; ; i++) {
      await page.waitForTimeout(1000);
      const p1 = await progress();
      assert.equal(p1.paused, true);
      if (p1.progress === p0.progress) break;
      assert.ok(i < 2, `the position moves while paused: ${p0.progress} -> ${p1.progress} ms`);
      p0 = p1;
    }
    const other = await page.evaluate(async (u) => {
      const r = await fetch(u.replace(/\/\?token=/, '/command?action=inner_define&channel=0&cmd=playback_progress&token='));
      return { status: r.headers.get('X-P2pcam-Status'), body: await r.text() };
    }, lanURL);
    assert.equal(other.status, '404', `without the session: ${other.body}`);
    assert.match(other.body, /no playback on this session/);

    await page.locator(`${tile(name)} .tl-pause`).click();
    await t((d) => globalThis.p2pcamPage.tiles.get(d).timeline.playing?.state?.paused === false, name, 8000, 'resumed');
    const n = await frames();
    await t(([d, n]) => globalThis.p2pcamPage.tiles.get(d).video.getVideoPlaybackQuality().totalVideoFrames >= n + 10, [name, n], 10000, 'frames grow after resume');

    await page.locator(`${tile(name)} .tl-live`).click();
    await t((d) => { const x = globalThis.p2pcamPage.tiles.get(d); return x.player && !x.player.request && x.status === 'playing'; }, name, 15000, 'live again');
    await playing(page, name, 640, 'LAN live again');
    assert.equal(await page.locator(`${tile(name)} .badge.live`).isVisible(), true, 'LIVE badge');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});

test('LAN mode\'s NVR channel: listed under the camera, plays in its own tile over HTTP, its recordings on its timeline', { skip, timeout: 90000 }, async () => {
  const page = await openPage(pageURL);
  const name = new URL(lanURL).host;
  const key = `${name}#1`;
  try {
    await page.fill('#add-device', lanURL);
    await page.click('#add button');
    await playing(page, name, 640, 'LAN channel 0');
    const chans = page.locator(`#cameras li.channels[data-nvr="${name}"] button.chan`);
    await chans.first().waitFor({ timeout: 10000 });
    assert.deepEqual(await chans.allInnerTexts(), ['1 · porch']);
    await chans.first().click();
    await playing(page, key, 320, 'LAN channel 1');
    assert.equal(await page.evaluate((k) => globalThis.p2pcamPage.tiles.get(k).player.transport, key), 'http');
    assert.equal(await page.locator(`${tile(key)} .name`).innerText(), `${name} · porch`);
    await h.waitFor(page, (k) => globalThis.p2pcamPage.tiles.get(k).timeline?.spans.length > 0, key, 30000, 'channel 1\'s recordings listed');
    assert.deepEqual(page.errors, []);
  } finally {
    await page.close();
  }
});
