// The relay handover (docs/relay.md): a camera that serves its maximum
// of viewers answers a live request (ipc.track, ipc.flv) with status 302
// and a JSON body naming its relay, where the stream plays instead. A
// browser cannot play RTMP, so it plays the relay's HLS output: with
// hls.js (a chunk of its own, loaded only here) or the browser's own HLS.
import { P2PError, ERR_FULL, ERR_STATUS, ERR_PLAYBACK, STATUS_REDIRECT } from './errors.js';


/** MAX_REDIRECT_SIZE bounds the redirect's body, as the camera does
 * (protocol.MaxRedirectSize): two URLs and a reason. */
export const MAX_REDIRECT_SIZE = 4 << 10;

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/** parseRedirect checks a redirect body, as the Go SDK does
 * (protocol.ParseRedirect): {"status":"302","url":"rtmp://...","hls":"http(s)://...","reason":"..."}.
 * It returns {url, hls, reason} (hls '' when the relay has none) and
 * throws a P2PError (ERR_STATUS, status 302) saying what is wrong. */
export function parseRedirect(text, line = 'live') {
  const bad = (why) => new P2PError(ERR_STATUS, `${line}: the camera sent the viewer to its relay with a bad redirect: ${why}`, { status: STATUS_REDIRECT });
  if (typeof text !== 'string') throw bad('no body');
  if (text.length > MAX_REDIRECT_SIZE) throw bad(`${text.length} bytes, at most ${MAX_REDIRECT_SIZE}`);
  let r;
  try { r = JSON.parse(text); } catch { throw bad('not JSON'); }
  if (!r || typeof r !== 'object' || Array.isArray(r)) throw bad('not a JSON object');
  for (const k of Object.keys(r)) if (!['status', 'url', 'hls', 'reason'].includes(k)) throw bad(`unknown field ${JSON.stringify(k)}`);
  if (r.status !== '302') throw bad(`status ${JSON.stringify(r.status)}`);
  if (typeof r.url !== 'string' || !/^rtmp:\/\/[^/?#@\s]+\/[^#\s]*$/.test(r.url)) throw bad(`url ${JSON.stringify(r.url)}: want rtmp://HOST/APP/STREAM`);
  const hls = r.hls ?? '';
  if (typeof hls !== 'string') throw bad('hls is not a string');
  if (hls) {
    let u;
    try { u = new URL(hls); } catch { throw bad(`hls ${JSON.stringify(hls)}: want an http(s) URL`); }
    if (!/^https?:\/\/[^/?#\s]/.test(hls) || !u.host || u.username || u.password) throw bad(`hls ${JSON.stringify(hls)}: want an http(s) URL`);
  }
  if (r.reason !== undefined && typeof r.reason !== 'string') throw bad('reason is not a string');
  return { url: r.url, hls, reason: r.reason || '' };
}

/** redirectError is what a request answered 302 rejects with: a
 * P2PError (ERR_FULL, status 302) whose `redirect` is the parsed body;
 * a bad body gives parseRedirect's error instead. */
export function redirectError(line, text) {
  const redirect = parseRedirect(text, line);
  const e = new P2PError(ERR_FULL, `${line}: the camera serves its maximum of viewers and sends this one to its relay${redirect.reason ? ' (' + redirect.reason + ')' : ''}`, { status: STATUS_REDIRECT });
  e.redirect = redirect;
  return e;
}

/** readBody collects a data channel's messages as text until it closes
 * (the camera closes it after the redirect), at most MAX_REDIRECT_SIZE
 * + 1 bytes and timeout ms; it resolves with the text. */
export function readBody(dc, timeout) {
  return new Promise((resolve) => {
    const parts = [];
    let n = 0;
    const finish = () => {
      clearTimeout(timer);
      dc.onmessage = null;
      dc.onclose = null;
      const all = new Uint8Array(n);
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      resolve(new TextDecoder().decode(all));
    };
    const timer = setTimeout(() => { try { dc.close(); } catch { /* */ } finish(); }, timeout);
    dc.onmessage = (m) => {
      const b = typeof m.data === 'string' ? new TextEncoder().encode(m.data) : new Uint8Array(m.data);
      const room = MAX_REDIRECT_SIZE + 1 - n;
      parts.push(b.subarray(0, room));
      n += Math.min(b.length, room);
      if (n > MAX_REDIRECT_SIZE) { try { dc.close(); } catch { /* */ } finish(); }
    };
    dc.onclose = finish;
  });
}

/** fullError is the error of a camera that is full and whose relay offers
 * nothing a browser plays (no HLS URL). */
export function fullError(device, redirect) {
  return new P2PError(ERR_FULL, `camera ${device} is full: it serves its maximum of viewers and sends more to its relay, ` +
    'which offers no HLS for browsers (the camera\'s [relay] hls_url is empty); try again when a viewer leaves', { status: STATUS_REDIRECT });
}

/** nativeHLS reports whether video plays HLS by itself (Safari, and
 * browsers without Media Source Extensions that have it). */
export function nativeHLS(video) {
  return !!video?.canPlayType && video.canPlayType(HLS_TYPE) !== '';
}

/** hasMSE reports whether Media Source Extensions can play H.264 + AAC,
 * which hls.js needs. */
export function hasMSE() {
  const MS = globalThis.ManagedMediaSource || globalThis.MediaSource;
  return !!MS?.isTypeSupported?.('video/mp4; codecs="avc1.42E01E,mp4a.40.2"');
}

/** HLS_CONFIG keeps hls.js close to live: 2 s behind the playlist's
 * end (nginx-rtmp writes 1 s fragments, hls_fragment), caught up at
 * 1.25x when it falls further behind. In seconds, not fragments: a new
 * push's first fragment is long and nearly empty (the camera held its
 * cached GOP for an RTMP player, 2 s, then sent it squeezed), which
 * makes the playlist's target duration 3 s and a count of fragments
 * start in that gap. */
export const HLS_CONFIG = {
  liveSyncDuration: 2, liveMaxLatencyDuration: 5, maxLiveSyncPlaybackRate: 1.25,
  enableWorker: false, lowLatencyMode: false, backBufferLength: 10,
};

/** MIN_FRAGMENTS is how many fragments the relay's playlist must hold
 * before the player starts. A new push's first fragment is the camera's
 * cached GOP, squeezed into a few frames and then a gap of about 2 s
 * (see HLS_CONFIG): started there, hls.js stalled in the gap and failed
 * ("append to the audio SourceBuffer, but it does not exist"). With
 * three, 2 s behind the end is past the first. */
export const MIN_FRAGMENTS = 3;

/** waitPlaylist resolves once url is a playlist with MIN_FRAGMENTS
 * fragments: nginx-rtmp writes it a fragment (a second) after the push
 * starts, so a viewer sent to a new push asks before it exists. It
 * rejects after timeout ms with what the relay last said. */
export async function waitPlaylist(url, timeout, fetchFn = globalThis.fetch) {
  const end = Date.now() + timeout;
  let last = '';
  for (;;) {
    try {
      const res = await fetchFn(url, { cache: 'no-store' });
      const text = await res.text();
      const n = text.split('#EXTINF').length - 1;
      if (res.ok && n >= MIN_FRAGMENTS) return;
      last = res.ok ? `a playlist with ${n} of ${MIN_FRAGMENTS} fragments` : `HTTP ${res.status}`;
    } catch (e) {
      last = `${e.message} (is the relay up, and does it send Access-Control-Allow-Origin?)`;
    }
    if (Date.now() >= end) throw new P2PError(ERR_PLAYBACK, `relay HLS ${url}: no playlist within ${timeout} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** playHLS plays url in video: with hls.js (loadHls resolves with its
 * class) where Media Source Extensions play H.264, else natively where
 * the browser plays HLS. how: 'auto' | 'hlsjs' | 'native'. It resolves
 * with {kind:'hlsjs'|'native', latency(), stop()} once the playlist
 * loaded, and rejects with a P2PError. onError gets later fatal errors. */
export async function playHLS(video, url, { how = 'auto', loadHls, onError = () => {}, playlistTimeout = 15000 } = {}) {
  await waitPlaylist(url, playlistTimeout);
  const useNative = how === 'native' || (how === 'auto' && !hasMSE() && nativeHLS(video));
  if (useNative) {
    if (!nativeHLS(video)) throw new P2PError(ERR_PLAYBACK, 'this browser does not play HLS by itself');
    video.srcObject = null;
    video.src = url;
    video.play().catch(() => {});
    return {
      kind: 'native',
      latency: () => (video.seekable?.length ? video.seekable.end(video.seekable.length - 1) - video.currentTime : null),
      stop() { video.removeAttribute('src'); try { video.load(); } catch { /* */ } },
    };
  }
  let Hls;
  try {
    Hls = await loadHls();
  } catch (e) {
    throw new P2PError(ERR_PLAYBACK, `cannot load the HLS player (hls.js): ${e.message}`, { cause: e });
  }
  if (!Hls.isSupported()) throw new P2PError(ERR_PLAYBACK, 'this browser cannot play HLS (no Media Source Extensions with H.264, no native HLS)');
  const hls = new Hls(HLS_CONFIG);
  video.srcObject = null;
  await new Promise((resolve, reject) => {
    let loaded = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => { loaded = true; resolve(); video.play().catch(() => {}); });
    let recovered = 0;
    hls.on(Hls.Events.ERROR, (_, d) => {
      if (!d.fatal) { console.debug('hls.js:', d.details, d.reason || d.error?.message || ''); return; }
      // A media error (a buffer that cannot take a fragment: a new push's
      // first fragment can hold too little audio for hls.js to make an
      // audio buffer) is recovered the way hls.js documents: new buffers,
      // from the current position. Twice at most.
      if (d.type === Hls.ErrorTypes.MEDIA_ERROR && recovered < 2) {
        recovered++;
        console.debug('hls.js: recovering from', d.details);
        hls.recoverMediaError();
        // The new MediaSource reloads the element, which pauses it.
        hls.once(Hls.Events.MEDIA_ATTACHED, () => video.play().catch(() => {}));
        return;
      }
      const what = d.response?.code ? `HTTP ${d.response.code}` : `${d.details}${d.error?.message ? ': ' + d.error.message : ''}`;
      const err = new P2PError(ERR_PLAYBACK, `relay HLS ${url}: ${what}${d.type === 'networkError' ? ' (is the relay up, and does it send Access-Control-Allow-Origin?)' : ''}`);
      if (!loaded) { hls.destroy(); reject(err); } else onError(err);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  });
  return { kind: 'hlsjs', latency: () => hls.latency ?? null, stop() { hls.destroy(); } };
}
