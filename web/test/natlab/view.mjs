// view.mjs: the player page in headless Chromium, for natlab's browser
// test (natlab/browser_test.go), which runs it inside the NAT lab's viewer
// namespace (ip netns exec), so that Chromium's WebRTC goes through the
// viewer's NAT router. Each run opens the page served by the dev cloud in
// a fresh browser context, signs in with the form, opens the camera and
// waits for the first decoded frame and the ICE path; it prints one JSON
// line per run on stdout:
//
//	{"run":1,"firstFrameMs":812,"wallMs":905,"width":640,"height":360,
//	 "frames":14,"path":"srflx","local":{...},"remote":{...},"overlay":"srflx · track"}
//
// Each page opens in a tab that Chromium has finished setting up (see
// openTab in harness.mjs), and the returning page's first frame is
// waited on without Playwright's script in the page (waitQuietly).
//
// firstFrameMs is the page's own clock (performance.now() at the
// player's firstframe event, from navigation start); wallMs is from
// page.goto to the first decoded frame seen from here. On the page's
// clock too: readyMs, when the form was filled in (the page loaded), and
// watchMs, when the signed-in page listed the camera and Watch was
// clicked; connectMs is the SDK's P2P connect time (offer to ICE and
// DTLS up), signallingMs its MQTT over WebSocket connect.
//
// With NATWEB_WATCH_MS set, each run then watches the video for that long
// and adds "watch": every frame presented (requestVideoFrameCallback), as
// [presentationTime, rtpTimestamp] (the page's clock, ms; rtpTimestamp
// null when Chromium has none); "playout": every 100 ms [Date.now(),
// estimatedPlayoutTimestamp], the latter the camera's NTP time (ms) of the
// frame playing then, which Chromium maps from RTP time with the camera's
// RTCP sender reports (Chromium gives no captureTime here); and
// "inbound": the video track's inbound-rtp stats at the end (packetsLost,
// nackCount, freezeCount, ...). natlab's BenchmarkLossTracksVsFLV turns
// these into delay to live and the longest freeze.
//
// Every run also reports "marks": the SDK's and page's p2pcam:* timing
// marks (src/marks.js), ms from navigation start, first of each.
//
// With NATWEB_VISIT=returning, each run, after that first visit (whose
// form sign-in keeps "stay signed in" checked), closes the page and opens
// it again in the same browser context: a returning visitor, whose page
// signs in with the cloud's remembered sign-in and reopens the camera
// with no clicks. The run's line then describes that second page load
// (readyMs and watchMs are absent), with "visit":"returning" and the
// first visit's firstFrameMs as firstVisitMs.
//
// Usage: node view.mjs URL USER PASSWORD DEVICE [RUNS]
// Environment: CHROMIUM (default /usr/bin/chromium), NATWEB_ARGS (more
// Chromium flags, space-separated), NATWEB_TIMEOUT_MS (per step, default
// 20000), NATWEB_WATCH_MS (default 0), NATWEB_VISIT (first|returning),
// NATWEB_DUMP (a file: each run appends a JSON line with the page's
// navigation and resource timing and its marks, for latency work).
import { launch, openTab, waitFor, waitQuietly } from '../browser/harness.mjs';

const [url, user, password, device, runsArg] = process.argv.slice(2);
if (!url || !user || !password || !device) {
  console.error('usage: node view.mjs URL USER PASSWORD DEVICE [RUNS]');
  process.exit(2);
}
const runs = Number(runsArg || 1);
const stepMs = Number(process.env.NATWEB_TIMEOUT_MS || 20000);
const watchMs = Number(process.env.NATWEB_WATCH_MS || 0);
const visit = process.env.NATWEB_VISIT || 'first';
if (visit !== 'first' && visit !== 'returning') throw new Error(`NATWEB_VISIT=${visit}: want first or returning`);
const origin = new URL(url).origin;
// The page is served over plain HTTP from a non-loopback address, which is
// not a secure context: no crypto.subtle (the SDK checks the camera's
// Ed25519 signature with it) and no getUserMedia. Treat the cloud's
// origin as secure, as https would be.
const args = [`--unsafely-treat-insecure-origin-as-secure=${origin}`, ...(process.env.NATWEB_ARGS || '').split(/\s+/).filter(Boolean)];

// Every wait is bounded; this is the last resort.
const watchdog = setTimeout(() => { console.error('view.mjs: overall timeout'); process.exit(3); }, (stepMs * 3 + watchMs) * (1 + runs) * (visit === 'returning' ? 2 : 1));
watchdog.unref();

const browser = await launch(args);
let failed = false;
try {
  for (let run = 1; run <= runs; run++) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    // Each timed page opens in a tab Chromium has finished setting up
    // (openTab: a new tab's own start-up work would count as the page's).
    const newPage = async () => {
      const { page: p, cdp } = await openTab(ctx);
      p.cdp = cdp;
      p.errors = [];
      p.on('pageerror', (e) => p.errors.push(e.message));
      p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.error(`console ${m.type()}: ${m.text()}`); });
      return p;
    };
    let page = await newPage();
    let errors = page.errors;
    try {
      let t0 = Date.now();
      await page.goto(url, { timeout: stepMs });
      await page.fill('#user', user);
      await page.fill('#password', password);
      const now = () => page.evaluate(() => Math.round(performance.now()));
      const steps = { readyMs: await now() }; // the form is filled in
      await page.click('#login button[type=submit]');
      // Signed in: the camera list shows the shared device.
      await waitFor(page, (d) => !!document.querySelector(`#cameras li[data-device="${d}"] button`), device, stepMs, 'signed in, camera listed')
        .catch(async (e) => { throw new Error(`${e.message}; banner: ${await page.locator('#banner').innerText().catch(() => '')}`); });
      steps.watchMs = await now(); // signed in, the camera listed: click Watch
      await page.click(`#cameras li[data-device="${device}"] button`);
      const tileText = () => page.evaluate((d) => {
        const t = globalThis.p2pcamPage.tiles.get(d);
        return t ? `tile ${t.status}: ${t.el.querySelector('.status .text').textContent} ${t.el.querySelector('.error .text').textContent}` : 'no tile';
      }, device).catch(() => '?');
      // Until the first decoded frame, or the tile gives up.
      const got = await waitFor(page, (d) => {
        const t = globalThis.p2pcamPage.tiles.get(d);
        if (t?.status === 'failed') return 'failed';
        return t && t.video.getVideoPlaybackQuality().totalVideoFrames > 0 && 'frame';
      }, device, stepMs, 'first decoded frame').catch(async (e) => { throw new Error(`${e.message}; ${await tileText()}`); });
      if (got !== 'frame') throw new Error(`no video: ${await tileText()}`);
      if (visit === 'returning') {
        // Again, as the same browser: no form, no click.
        // The page's firstframe event can come a moment after the
        // decoded frame count moved.
        steps.firstVisitMs = await waitFor(page, (d) => globalThis.p2pcamPage.tiles.get(d).firstFrameAt, device, stepMs, 'the first visit\'s firstFrameAt');
        delete steps.readyMs;
        delete steps.watchMs;
        steps.visit = 'returning';
        await page.close({ runBeforeUnload: false });
        page = await newPage();
        errors = page.errors;
        t0 = Date.now();
        await page.goto(url, { timeout: stepMs });
        // Waited on without a script of Playwright's in the page: its
        // injection would take the page's main thread while it loads.
        await waitQuietly(page.cdp, `globalThis.p2pcamPage?.tiles.get(${JSON.stringify(device)})?.video.getVideoPlaybackQuality().totalVideoFrames > 0`,
          stepMs, 'first decoded frame of the returning page').catch(async (e) => { throw new Error(`${e.message}; ${await tileText()}; banner: ${await page.locator('#banner').innerText().catch(() => '')}`); });
      }
      const wallMs = Date.now() - t0;
      // The path: from the SDK's getStats reading (the 'path' event and
      // the overlay's first row come from the same place).
      await waitFor(page, (d) => !!globalThis.p2pcamPage.tiles.get(d)?.player?.stats?.path, device, stepMs, 'player stats with a path');
      const r = await page.evaluate(async (d) => {
        const s = globalThis.p2pcamPage;
        const t = s.tiles.get(d);
        const sv = s.sdk.services.get(d);
        const q = t.video.getVideoPlaybackQuality();
        const dd = t.el.querySelector('.stats dd[data-k="path"]');
        // The browser's own candidates: are host addresses hidden behind
        // mDNS (.local) names?
        const candidates = [];
        (await sv.pc.getStats()).forEach((c) => { if (c.type === 'local-candidate') candidates.push(`${c.candidateType} ${c.address ?? c.ip}`); });
        return {
          candidates,
          firstFrameMs: t.firstFrameAt ?? null, width: t.video.videoWidth, height: t.video.videoHeight, frames: q.totalVideoFrames,
          path: sv.path?.kind ?? t.player.stats.path, local: sv.path?.local ?? null, remote: sv.path?.remote ?? null,
          overlay: dd ? dd.textContent : null, transport: t.player.transport ?? null,
          connectMs: sv.connectMs == null ? null : Math.round(sv.connectMs), signallingMs: s.sdk.signallingMs == null ? null : Math.round(s.sdk.signallingMs),
          marks: Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('p2pcam:')).reverse().map((m) => [m.name.slice(7), Math.round(m.startTime)])),
        };
      }, device);
      if (process.env.NATWEB_DUMP) {
        // Where the page's time went: navigation and resource timing and
        // every mark, on the page's clock; origin is its start (epoch ms),
        // to line up with the camera's and the cloud's logs.
        const d = await page.evaluate(() => ({
          run: null, origin: performance.timeOrigin,
          nav: performance.getEntriesByType('navigation').map((e) => e.toJSON()),
          resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: Math.round(e.startTime), end: Math.round(e.responseEnd), bytes: e.transferSize })),
          marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
        }));
        d.run = run;
        d.visit = visit === 'returning' && steps.visit ? 'returning' : 'first';
        (await import('node:fs')).appendFileSync(process.env.NATWEB_DUMP, JSON.stringify(d) + '\n');
      }
      if (watchMs > 0) Object.assign(r, await watch(page, device, watchMs));
      if (errors.length) r.pageErrors = errors;
      console.log(JSON.stringify({ run, wallMs, ...steps, ...r }));
    } catch (e) {
      failed = true;
      console.error(`run ${run}: ${e.message}`);
      break;
    } finally {
      await page.close({ runBeforeUnload: false }).catch(() => {});
      await ctx.close().catch(() => {});
    }
  }
} finally {
  await browser.close().catch(() => {});
}
process.exit(failed ? 1 : 0);

// watch records every frame the tile's video presents for ms, and the
// video track's inbound-rtp stats at the end.
async function watch(page, device, ms) {
  return page.evaluate(async ([d, ms]) => {
    const s = globalThis.p2pcamPage;
    const v = s.tiles.get(d).video;
    const frames = [];
    let on = true;
    const onFrame = (now, m) => {
      frames.push([m.presentationTime, m.rtpTimestamp ?? null]);
      if (on) v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    // Every 100 ms: the wall clock and the track's estimatedPlayoutTimestamp
    // (the camera's NTP time of the frame playing now, from its sender
    // reports).
    const pc = s.sdk.services.get(d).pc;
    const playout = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const st = await pc.getStats();
      st.forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video' && r.estimatedPlayoutTimestamp) playout.push([Date.now(), r.estimatedPlayoutTimestamp]); });
      await new Promise((res) => setTimeout(res, 100));
    }
    on = false;
    let inbound = null;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        inbound = {};
        for (const k of ['packetsReceived', 'packetsLost', 'nackCount', 'pliCount', 'framesDecoded', 'framesDropped', 'freezeCount', 'totalFreezesDuration', 'jitterBufferDelay', 'jitterBufferEmittedCount']) inbound[k] = r[k] ?? null;
      }
    });
    return { watch: frames, playout, inbound };
  }, [device, ms]);
}
