// Cameras reached over plain HTTP instead of P2P: a camera's LAN mode
// (p2pcamd's /ipc.flv and /command) or a `p2pcam serve` gateway, which
// answers the same requests. Both answer CORS for the origins they are
// told to allow, so a page elsewhere can play them with mpegts.js.
import { P2PError, ERR_ARGUMENT, ERR_STATUS, ERR_TIMEOUT, ERR_CONNECT } from './errors.js';
import { commandLine } from './sdk.js';

/** QUALITIES are the qualities a camera serves (X-P2P names). */
export const QUALITIES = ['standard', 'high', 'super'];

/**
 * cameraURL parses what a user typed or a config gave for an HTTP
 * camera: its base URL (`http://cam:8080/`, or a `.../ipc.flv?...` URL
 * of it) with an optional `token=` (LAN mode with auth). Relative URLs
 * resolve against `base` (the page's own location). It returns
 * `{base, token}`: base ends in '/', token is '' without one.
 */
export function cameraURL(input, base = globalThis.location?.href) {
  let u;
  try {
    u = new URL(String(input ?? '').trim() || './', base);
  } catch {
    throw new P2PError(ERR_ARGUMENT, `not a camera URL: ${JSON.stringify(String(input))}; give its base, e.g. http://192.168.1.20:8080/`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new P2PError(ERR_ARGUMENT, `not a camera URL: ${u.protocol} (want http: or https:)`);
  }
  const token = u.searchParams.get('token') || '';
  // A stream or command URL: its directory is the camera's base.
  const path = u.pathname.replace(/[^/]*$/, '');
  return { base: `${u.origin}${path}`, token };
}

function withToken(url, token) {
  return token ? `${url}&token=${encodeURIComponent(token)}` : url;
}

/** flvURL is the live HTTP-FLV URL of an HTTP camera. */
export function flvURL(cam, { channel = 0, quality = 'high' } = {}) {
  if (!QUALITIES.includes(quality)) throw new P2PError(ERR_ARGUMENT, `quality ${JSON.stringify(quality)}: want one of ${QUALITIES.join(', ')}`);
  return withToken(`${cam.base}ipc.flv?action=live&channel=${Number(channel) | 0}&quality=${quality}`, cam.token);
}

/** commandURL is the URL of a command (any form sendCommand takes). */
export function commandURL(cam, cmd, channel = 0) {
  return withToken(cam.base + commandLine(cmd, channel), cam.token);
}

/** requestURL is the URL of an ipc.flv request line (a playback) on an
 * HTTP camera. */
export function requestURL(cam, line) {
  return withToken(cam.base + line, cam.token);
}

/**
 * answerError reads an HTTP camera's answer r (with its body text): null
 * when it accepted, else a P2PError, ERR_STATUS with the X-P2P `status`.
 */
export function answerError(cam, r, text) {
  const status = Number(r.headers.get('X-P2pcam-Status') ?? (r.ok ? 0 : r.status));
  if (r.ok && status === 0) return null;
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return new P2PError(ERR_STATUS, `${cam.base}: ${r.status} ${typeof body === 'string' ? body.trim() : JSON.stringify(body)}`, { status });
}

/** unreachable is the error of a fetch to an HTTP camera that failed. */
export function unreachable(cam, e) {
  return new P2PError(ERR_CONNECT, `${cam.base}: ${e.message} (is the camera up, and does it allow this page's origin? lan.allowed_origins, p2pcam serve --allow-origin)`, { cause: e });
}

/**
 * httpCommand sends a command to an HTTP camera and resolves with its
 * parsed JSON reply (the text when it is not JSON). A non-zero X-P2P
 * status rejects with ERR_STATUS and `status`.
 */
export async function httpCommand(cam, cmd, { channel = 0, timeoutMs = 8000, fetch: f = globalThis.fetch } = {}) {
  const url = commandURL(cam, cmd, channel);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  let r;
  let text;
  try {
    r = await f(url, { signal: ctl.signal, cache: 'no-store' });
    text = await r.text();
  } catch (e) {
    if (ctl.signal.aborted) throw new P2PError(ERR_TIMEOUT, `${cam.base}: no answer to the command within ${timeoutMs} ms`);
    throw unreachable(cam, e);
  } finally {
    clearTimeout(timer);
  }
  const err = answerError(cam, r, text);
  if (err) throw err;
  try { return JSON.parse(text); } catch { return text; }
}

/**
 * httpSender is the `send(cmd)` of an HTTP camera, for the recordings
 * functions (recordIndex, playbackPause, ...), which take it in place of
 * a service's id. session, if given, returns the session id of the
 * playback to steer (a URL playback player's `session`, from the
 * camera's X-P2pcam-Session): the playback_* commands carry it, so
 * they steer that playback (LAN mode). Without one (a gateway, which
 * names none) they steer the camera's playback on the gateway's session.
 */
export function httpSender(cam, { channel = 0, session = () => null, fetch: f } = {}) {
  return (cmd) => {
    const id = /^playback_/.test(cmd) ? session() : null;
    if (id != null && !/^[0-9a-f]{32}$/.test(id)) return Promise.reject(new P2PError(ERR_ARGUMENT, `session ${JSON.stringify(id)}: want 32 hex digits`));
    return httpCommand(cam, id ? `${cmd}&session=${id}` : cmd, { channel, fetch: f });
  };
}
