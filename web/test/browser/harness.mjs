// Shared pieces of the browser tests: build and start the server under
// test, launch Debian's Chromium through playwright-core, and bounded
// waits. Every process started here is stopped by stopAll().
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const repoDir = join(webDir, '..');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

/** skipReason says why the browser tests cannot run here, or ''. Under
 * CI=true a missing Chromium is a failure, not a skip. */
export function skipReason() {
  if (existsSync(chromiumPath)) return '';
  const why = `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

const procs = new Set();
let binDir = null;
let tmpDir = null;

/** build compiles a Go main package once into a temp dir, or into
 * $P2PCAM_WEB_BIN_DIR, which scripts/web-test.sh shares between the test
 * files (each a process of its own) so that each binary is linked once. */
export function build(pkg, name) {
  binDir ??= process.env.P2PCAM_WEB_BIN_DIR || tempRoot();
  const out = join(binDir, name);
  if (!existsSync(out)) execFileSync('go', ['build', '-o', out, pkg], { cwd: repoDir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300000 });
  return out;
}

/** tempDir is a directory under the build's temp dir, removed by stopAll. */
export function tempDir(name) {
  return mkdtempSync(join(tempRoot(), name + '-'));
}

function tempRoot() {
  tmpDir ??= mkdtempSync(join(tmpdir(), 'p2pcam-webtest-'));
  return tmpDir;
}

/** run runs a command to its end and returns its stdout, trimmed. */
export function run(cmd, args, ms = 30000) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: ms }).trim();
}

/** freePort returns a TCP port on 127.0.0.1 that was free a moment ago,
 * for a program that cannot say which port it took. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** waitHTTP polls url until it answers 200, within ms. */
export async function waitHTTP(url, ms = 30000) {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) { last = e.message; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: not up within ${ms} ms (${last})`);
}

/** start runs a command and resolves with the first stdout match of
 * `ready` (a RegExp), within ms. */
export function start(cmd, args, ready, ms = 30000) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(p);
    let out = '';
    let err = '';
    const timer = setTimeout(() => { stop(p); reject(new Error(`${cmd}: not ready within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)); }, ms);
    p.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc: p, match: m, stderr: () => err }); }
    });
    p.stderr.on('data', (d) => { err += d; if (err.length > 100000) err = err.slice(-50000); });
    p.on('exit', (code) => { procs.delete(p); clearTimeout(timer); reject(new Error(`${cmd} exited ${code}\nstdout: ${out}\nstderr: ${err}`)); });
  });
}

export function stop(p) {
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 3000);
    p.once('exit', () => clearTimeout(t));
  }
  procs.delete(p);
}

export async function stopAll() {
  const waits = [...procs].map((p) => new Promise((r) => { p.once('exit', r); stop(p); }));
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 5000))]);
  if (tmpDir) { rmSync(tmpDir, { recursive: true, force: true }); tmpDir = null; }
  binDir = null;
}

/** startServer starts the server the page is tested against and returns
 * its base URL. P2PCAM_WEB_SERVER=demo uses `p2pcam demo`; the default
 * is web/test/devserver. */
export async function startServer(extra = []) {
  if (process.env.P2PCAM_WEB_SERVER === 'demo') {
    const bin = build('./cmd/p2pcam', 'p2pcam');
    const { match } = await start(bin, ['demo', '--listen', '127.0.0.1:0'], /(http:\/\/127\.0\.0\.1:\d+)\//);
    return match[1] + '/';
  }
  const bin = build('./web/test/devserver', 'devserver');
  const dir = process.env.P2PCAM_WEB_DIR ? ['--dir', webDir] : []; // default: the embedded copy, what ships
  const { match } = await start(bin, ['--listen', '127.0.0.1:0', '--gateway', '127.0.0.1:0', ...dir, ...extra], /listening (http:\/\/\S+\/)\ngateway (http:\/\/\S+\/)/);
  gatewayURL = match[2];
  return match[1];
}

/** gatewayURL is the cross-origin HTTP-FLV gateway of the devserver. */
export let gatewayURL = null;

let pw = null;
/** launch starts headless Chromium. */
export async function launch(extraArgs = []) {
  pw ??= await import('playwright-core');
  return pw.chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, ...extraArgs], timeout: 30000 });
}

/** waitFor polls fn in the page until it returns a truthy value. */
export async function waitFor(page, fn, arg, ms = 15000, what = 'condition') {
  try {
    const h = await page.waitForFunction(fn, arg, { timeout: ms, polling: 100 });
    return await h.jsonValue();
  } catch (e) {
    throw new Error(`${what}: not within ${ms} ms (${e.message.split('\n')[0]})`);
  }
}

/** poll evaluates fn (which may be async) in the page every 100 ms
 * until it returns a truthy value. */
export async function poll(page, fn, arg, ms = 15000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await page.evaluate(fn, arg);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * openTab opens a tab in ctx for a timed page load and waits until
 * Chromium has set it up: a new tab's own work (it preloads its omnibox
 * popup, a WebUI renderer: 0.3-0.6 s of CPU here) would otherwise run
 * alongside the page and be counted as the page's. A person opens the
 * page in a tab that is already there. It returns the page and a CDP
 * session on it, for waitQuietly.
 */
export async function openTab(ctx, settleMs = 1000) {
  const page = await ctx.newPage();
  await page.goto('about:blank');
  const cdp = await ctx.newCDPSession(page);
  await new Promise((r) => setTimeout(r, settleMs));
  return { page, cdp };
}

/**
 * waitQuietly polls a JavaScript expression in the page through the CDP
 * session cdp (openTab's) until it is truthy, and returns its value.
 * Unlike waitFor it puts no script of its own in the page (Playwright's
 * first evaluation in a document injects 330 KB: 25-40 ms of the page's
 * main thread), so it can wait on a page load being timed.
 */
export async function waitQuietly(cdp, expression, ms = 15000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true }).catch(() => null);
    const v = r?.result?.value;
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
