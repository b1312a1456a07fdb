// Player plays one camera in a <video>: media tracks when the camera
// offers them (a MediaStream, the browser's own jitter buffer and
// decoder), else the X-P2P FLV stream on a data channel through
// mpegts.js (Media Source Extensions); or, for a camera reached over
// HTTP (LAN mode, a gateway), its HTTP-FLV through mpegts.js. A camera
// that serves its maximum of viewers sends the player to its relay
// (302): it plays the relay's HLS (relay.js). It keeps
// playing across re-dials and reports stats: path, bitrate, fps,
// freezes, delay.
import { Emitter } from './emitter.js';
import { P2PError, ERR_PLAYBACK, ERR_CONNECT, ERR_STATUS } from './errors.js';
import { inboundVideo } from './stats.js';
import { flvURL, requestURL, answerError, unreachable } from './http.js';
import { mark } from './marks.js';
import { liveLine } from './sdk.js';
import { playHLS, fullError } from './relay.js';

/** FREEZE_MS: a gap this long between shown frames counts as a freeze. */
export const FREEZE_MS = 500;

/** ownBuffer is the ArrayBuffer of exactly the bytes of b (mpegts.js
 * takes whole buffers). */
function ownBuffer(b) {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer;
}

export class Player extends Emitter {
  /**
   * @param {P2PCam} sdk
   * @param {HTMLVideoElement} video
   * @param {object} opts {id, quality:'standard'|'high'|'super', channel:0, mode:'auto'|'flv'|'track', mpegts,
   *   hls:'auto'|'hlsjs'|'native' (how a relay's HLS plays), loadHls},
   *   or for an HTTP camera {cam: {base, token}} (see cameraURL) and no sdk
   */
  constructor(sdk, video, opts) {
    super();
    this.sdk = sdk;
    this.video = video;
    this.id = opts.id;
    this.quality = opts.quality || 'high';
    this.channel = opts.channel ?? 0;
    this.mode = opts.mode || 'auto';
    this.cam = opts.cam || null; // an HTTP camera: no P2P service
    this.request = opts.request || null; // an ipc.flv line other than live (a playback): FLV only
    this.mpegts = opts.mpegts; // or loaded on first use by opts.loadMpegts
    this.loadMpegts = opts.loadMpegts;
    this.loadHls = opts.loadHls; // hls.js, loaded when a camera sends the player to its relay
    this.hlsMode = opts.hls || 'auto';
    this.relay = null; // {url, hls, kind} while playing from the camera's relay
    // While on the relay the player asks the camera again this often: a
    // 302 keeps the camera's push going (nginx's stat page does not see
    // HLS viewers; the camera stops a push idle_timeout, 10 s, after the
    // last player or redirect), and a free place takes it back to the camera.
    this.relayRefreshMs = opts.relayRefreshMs ?? 4000;
    this.playing = false;
    this.path = null;
    this.transport = null; // 'track' or 'flv' while playing
    this._frames = { count: 0, last: 0, freezes: 0, longest: 0, perSecond: 0 };
    this._rxBytes = 0; // the FLV stream's bytes, on a data channel
    this._rxLast = null; // {bytes, t} at the last stats
    this._offs = [];
  }

  get service() { return this.sdk?.services.get(this.id); }

  /** play starts (or restarts) the stream; it resolves once the camera
   * accepted the request. */
  async play() {
    this.playing = true;
    if (this.cam) {
      if (!this._httpStats) {
        this._watchFrames();
        this._httpStats = setInterval(() => this._onStats({ path: 'http', bitrate: (this._speedKBps || 0) * 8000 }), 1000);
      }
      await this._start();
      return;
    }
    const s = this.sdk.service(this.id);
    if (!this._offs.length) {
      this._offs.push(
        s.on('reconnected', () => { if (this.playing) this._start().catch((e) => this.emit('error', e)); }),
        s.on('disconnected', (e) => this.emit('disconnected', e)),
        s.on('path', (p) => { this.path = p.path; this.emit('path', p); }),
        s.on('stats', (st) => this._onStats(st)),
      );
      this.path = s.path?.kind || null;
      s.startStats(1000);
      this._watchFrames();
    }
    await this._start();
  }

  /**
   * prime shows the service's video tracks in the video element while
   * the service still connects, when its offer names this player's
   * stream (deviceInfo.live): the camera starts that stream with the
   * connection, so the first picture needs neither the request's head
   * nor the element's media pipeline to start after it. Call it right
   * after startP2PService, before play().
   */
  prime() {
    const s = this.sdk.services.get(this.id);
    if (!s || this.cam || this.request || this.mode === 'flv' || this._primed) return;
    if (s.live !== this._liveLine(true) || !this._showTracks(s)) return;
    this._primed = true;
    this.playing = true;
    this.startedAt = performance.now();
    this.video.play().catch(() => {});
    this._watchFrames();
  }

  /** _showTracks puts the service's receiving tracks in the video
   * element, unless they are there already (a re-dial makes new ones);
   * it reports whether the service has any. */
  _showTracks(s) {
    const tracks = [s.videoTransceiver?.receiver.track, s.audioTransceiver?.receiver.track].filter(Boolean);
    if (!tracks.length) return false;
    const now = this.video.srcObject?.getTracks?.() || [];
    if (now.length !== tracks.length || tracks.some((t) => !now.includes(t))) this.video.srcObject = new MediaStream(tracks);
    return true;
  }

  async _start() {
    if (this.cam) {
      this._teardown();
      this.transport = 'http';
      this.startedAt = performance.now();
      await this._startFLV();
      this.emit('playing', { id: this.id, transport: this.transport, quality: this.quality });
      return;
    }
    const s = this.sdk.service(this.id);
    this._teardown();
    const useTrack = this._useTrack(s);
    this.transport = useTrack ? 'track' : 'flv';
    // A primed player's clock started when it showed the tracks.
    if (!this._primed || !this.startedAt) this.startedAt = performance.now();
    if (this._primed && !useTrack && this.video.srcObject) this.video.srcObject = null;
    this._primed = false;
    try {
      if (useTrack) {
        try {
          await this._startTrack(s);
        } catch (e) {
          // A camera without the track path answers 404 or 406: use FLV.
          if (this.mode !== 'auto' || (e.status !== 404 && e.status !== 406)) throw e;
          this.mode = 'flv';
          this.transport = 'flv';
          await this._startFLV();
        }
      } else {
        await this._startFLV();
      }
    } catch (e) {
      if (!e.redirect || this.request) throw e;
      await this._startRelay(e.redirect);
    }
    this.emit('playing', { id: this.id, transport: this.transport, quality: this.quality });
  }

  _useTrack(s) {
    return !this.request && (this.mode === 'track' || (this.mode === 'auto' && !!s.tracks));
  }

  _liveLine(track) {
    return liveLine(this.channel, this.quality, track);
  }

  async _startTrack(s) {
    const line = this._liveLine(true);
    const old = this._trackHandle;
    // The camera may be sending already (the offer named this request):
    // the video shows the first picture before the request's head.
    if (s.live === line && this._showTracks(s)) this.video.play().catch(() => {});
    mark('stream-request');
    let h;
    try {
      h = await this.sdk.startStream(this.id, line, { onError: (e) => { if (!e.redirect) this.emit('error', e); } });
    } catch (e) {
      if (!old && this.video.srcObject) this.video.srcObject = null; // FLV or the relay plays instead
      throw e;
    }
    mark('stream-head');
    this._trackHandle = h;
    if (old) old.stop(); // the new request took over; end the old one after
    this.head = h.head;
    this._showTracks(s);
    await this.video.play().catch(() => {});
  }

  async _startFLV() {
    if (!this.mpegts && this.loadMpegts) {
      try {
        this.mpegts = await this.loadMpegts();
      } catch (e) {
        throw new P2PError(ERR_PLAYBACK, `cannot load the FLV player (mpegts.js): ${e.message}`, { cause: e });
      }
    }
    const mpegts = this.mpegts;
    if (!mpegts || !mpegts.isSupported()) throw new P2PError(ERR_PLAYBACK, 'this browser cannot play FLV (no Media Source Extensions with H.264)');
    if (this.cam) return this.request ? this._startHTTPRequest(mpegts) : this._startHTTP(mpegts);
    const line = this.request || this._liveLine(false);
    const player = this;
    let handle = null;
    let pendingHead = null;
    class Loader extends mpegts.BaseLoader {
      constructor() { super('p2pcam-datachannel'); this._needStash = false; }
      open() {
        this._status = 1;
        let offset = 0;
        const loader = this;
        player.sdk.startStream(player.id, line, {
          onData(b) {
            if (loader._status === 0) return;
            loader._status = 2;
            player._dataAt ??= performance.now();
            player._rxBytes += b.length;
            loader._onDataArrival?.(ownBuffer(b), offset, offset + b.length);
            offset += b.length;
          },
          onEnd() { loader._status = 4; loader._onComplete?.(0, offset - 1); },
          onError(e) { if (loader._status !== 0) { loader._status = 3; if (!e.redirect) player.emit('error', e); } },
        }).then((h) => {
          if (loader._status === 0) { h.stop(); return; }
          handle = h;
          player.head = h.head;
          player._headAt = performance.now();
          mark('stream-head');
          player._flvHandle = h;
          pendingHead?.resolve(h);
        }, (e) => { loader._status = 3; pendingHead?.reject(e); });
      }
      abort() { this._status = 0; handle?.stop(); }
    }
    const headP = new Promise((resolve, reject) => { pendingHead = { resolve, reject }; });
    const mp = this._mpegtsPlayer(mpegts, 'p2pcam:' + line, { customLoader: Loader });
    mp.on(mpegts.Events.ERROR, (type, detail, info) => this.emit('error', new P2PError(ERR_PLAYBACK, `player: ${type} ${detail} ${info?.msg || ''}`.trim())));
    await this._attachMpegts(mp, headP);
  }

  /** _startRelay plays the stream from the camera's relay, where the
   * camera sent the player (a 302's redirect {url, hls, reason}): its
   * HLS output. nginx-rtmp checks no ticket for HLS (docs/relay.md). */
  async _startRelay(redirect) {
    this._teardown();
    if (!redirect.hls) throw fullError(this.id, redirect);
    this.transport = 'hls';
    const relay = { url: redirect.url.split('?')[0], hls: redirect.hls, reason: redirect.reason, kind: null };
    const h = await playHLS(this.video, redirect.hls, {
      how: this.hlsMode, loadHls: this.loadHls, onError: (e) => { if (this._hls === h) this.emit('error', e); },
    });
    if (!this.playing) { h.stop(); return; }
    this._hls = h;
    relay.kind = h.kind;
    this.relay = relay;
    this._relayTimer = setInterval(() => this._askCamera(), this.relayRefreshMs);
    this.emit('relay', { id: this.id, ...relay });
  }

  /** _askCamera asks the camera for the live stream again while the
   * player is on the relay: a 302 again keeps the push going; an
   * accepted request means a place is free, and the player goes back to
   * the camera. */
  async _askCamera() {
    if (this._asking || this.transport !== 'hls' || !this.playing) return;
    this._asking = true;
    try {
      const s = this.sdk.service(this.id);
      const h = await this.sdk.startStream(this.id, this._liveLine(this._useTrack(s)));
      h.stop(); // _start asks again, on its own path
      if (this.playing && this.transport === 'hls') await this._start();
    } catch {
      // 302: still full. Anything else: the next round asks again.
    } finally {
      this._asking = false;
    }
  }

  /** _startHTTP plays an HTTP camera's HTTP-FLV; it resolves once the
   * stream's media info arrived, and rejects with what the camera or
   * the network said otherwise. */
  async _startHTTP(mpegts) {
    const url = flvURL(this.cam, { channel: this.channel, quality: this.quality });
    const mp = this._mpegtsPlayer(mpegts, url, {});
    const started = new Promise((resolve, reject) => {
      mp.on(mpegts.Events.MEDIA_INFO, () => resolve());
      mp.on(mpegts.Events.STATISTICS_INFO, (st) => { this._speedKBps = st.speed; });
      mp.on(mpegts.Events.ERROR, (type, detail, info) => {
        let err;
        if (info?.code > 0) err = new P2PError(ERR_STATUS, `${this.cam.base}: HTTP ${info.code} ${info.msg || ''}`.trim(), { status: info.code });
        else if (type === mpegts.ErrorTypes?.NETWORK_ERROR) err = new P2PError(ERR_CONNECT, `${this.cam.base}: cannot load the stream (${info?.msg || detail}); is the camera up, and does it allow this page's origin? (lan.allowed_origins, p2pcam serve --allow-origin)`);
        else err = new P2PError(ERR_PLAYBACK, `player: ${type} ${detail} ${info?.msg || ''}`.trim());
        reject(err);
        this.emit('error', err);
      });
    });
    await this._attachMpegts(mp, started);
  }

  /** _startHTTPRequest plays an HTTP camera's request other than live
   * (a playback). The page fetches it rather than mpegts.js, to read
   * the session the camera names for it (X-P2pcam-Session, kept as
   * `session`), which its playback_* commands carry (httpSender). It
   * resolves once the camera accepted the request. */
  async _startHTTPRequest(mpegts) {
    const url = requestURL(this.cam, this.request);
    const player = this;
    let accepted;
    const acceptedP = new Promise((resolve, reject) => { accepted = { resolve, reject }; });
    this.session = null;
    class Loader extends mpegts.BaseLoader {
      constructor() { super('p2pcam-fetch'); this._needStash = false; }
      async open() {
        this._status = 1;
        this._ctl = new AbortController();
        let offset = 0;
        let took = false; // the camera accepted the request
        try {
          const r = await fetch(url, { signal: this._ctl.signal, cache: 'no-store' });
          const err = answerError(player.cam, r, r.ok ? '' : await r.text());
          if (err) throw err;
          player.session = r.headers.get('X-P2pcam-Session');
          took = true;
          accepted.resolve();
          const reader = r.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (this._status === 0) return;
            if (done) { this._status = 4; this._onComplete?.(0, offset - 1); return; }
            this._status = 2;
            player._dataAt ??= performance.now();
            this._onDataArrival?.(ownBuffer(value), offset, offset + value.length);
            offset += value.length;
          }
        } catch (e) {
          if (this._status === 0) return; // stopped: abort settled it
          this._status = 3;
          const err = e instanceof P2PError ? e : unreachable(player.cam, e);
          accepted.reject(err);
          if (took) player.emit('error', err); // play() resolved already: say it here
        }
      }
      abort() {
        this._status = 0;
        this._ctl?.abort();
        accepted.reject(new P2PError(ERR_PLAYBACK, 'the playback was stopped'));
      }
    }
    const mp = this._mpegtsPlayer(mpegts, url, { customLoader: Loader });
    mp.on(mpegts.Events.STATISTICS_INFO, (st) => { this._speedKBps = st.speed; });
    mp.on(mpegts.Events.ERROR, (type, detail, info) => this.emit('error', new P2PError(ERR_PLAYBACK, `player: ${type} ${detail} ${info?.msg || ''}`.trim())));
    await this._attachMpegts(mp, acceptedP);
  }

  _mpegtsPlayer(mpegts, url, extra) {
    // mpegts.js logs every segment at info level: keep warnings and errors.
    if (mpegts.LoggingControl) {
      mpegts.LoggingControl.enableDebug = false;
      mpegts.LoggingControl.enableVerbose = false;
      mpegts.LoggingControl.enableInfo = false;
    }
    const mp = mpegts.createPlayer({ type: 'flv', isLive: true, url }, {
      enableWorker: false, enableStashBuffer: false, lazyLoad: false,
      autoCleanupSourceBuffer: true, liveSync: true, liveSyncMaxLatency: 0.9, liveSyncTargetLatency: 0.4, liveSyncPlaybackRate: 1.25,
      ...extra,
    });
    this._mp = mp;
    return mp;
  }

  async _attachMpegts(mp, headP) {
    this.video.srcObject = null;
    // Start at the first buffered picture at once, rather than waiting
    // for mpegts.js's stall jumper.
    const v = this.video;
    const jump = () => {
      if (this._mp !== mp) { v.removeEventListener('progress', jump); return; }
      if (v.buffered.length && v.currentTime < v.buffered.start(0)) v.currentTime = v.buffered.start(0);
      if (v.readyState >= 2) v.removeEventListener('progress', jump);
    };
    v.addEventListener('progress', jump);
    mp.attachMediaElement(this.video);
    mp.load();
    try {
      await headP;
    } catch (e) {
      this._teardown();
      throw e;
    }
    const p = mp.play();
    if (p && p.catch) p.catch(() => {});
  }

  /** setQuality switches quality on the same connection. */
  async setQuality(q) {
    this.quality = q;
    if (this.playing) await this._start();
  }

  _teardown() {
    if (this._mp) {
      const mp = this._mp;
      this._mp = null;
      try { mp.pause(); mp.unload(); mp.detachMediaElement(); mp.destroy(); } catch { /* gone */ }
    }
    this._flvHandle?.stop();
    this._flvHandle = null;
    clearInterval(this._relayTimer);
    if (this._hls) {
      this._hls.stop();
      this._hls = null;
      this.relay = null;
      this.emit('relay', null);
    }
    if (this.transport === 'flv') this.head = null;
  }

  /** stop ends the stream and clears the picture. */
  stop() {
    this.playing = false;
    this._teardown();
    this._trackHandle?.stop();
    this._trackHandle = null;
    for (const off of this._offs.splice(0)) off();
    cancelAnimationFrame?.(this._raf);
    clearInterval(this._fpsTimer);
    this._watching = false;
    this._primed = false;
    clearInterval(this._httpStats);
    this._httpStats = null;
    if (this.video.srcObject) this.video.srcObject = null;
    this.video.removeAttribute('src');
    try { this.video.load(); } catch { /* */ }
    this.transport = null;
    this.emit('stopped', { id: this.id });
  }

  /** snapshot returns a PNG Blob of the current picture. */
  snapshot() {
    const v = this.video;
    if (!v.videoWidth) return Promise.reject(new P2PError(ERR_PLAYBACK, 'no picture yet'));
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d').drawImage(v, 0, 0);
    return new Promise((resolve, reject) => c.toBlob((b) => b ? resolve(b) : reject(new P2PError(ERR_PLAYBACK, 'snapshot failed')), 'image/png'));
  }

  _watchFrames() {
    if (this._watching) return;
    this._watching = true;
    const f = this._frames;
    const v = this.video;
    const onFrame = (_, meta) => {
      const now = performance.now();
      if (f.last && now - f.last >= FREEZE_MS) {
        f.freezes++;
        f.longest = Math.max(f.longest, now - f.last);
      }
      if (!f.first && this.startedAt) {
        // The frame reached the compositor at presentationTime; this
        // callback runs at the next animation frame, up to 16 ms later.
        const at = meta?.presentationTime > this.startedAt && meta.presentationTime <= now ? meta.presentationTime : now;
        f.first = at - this.startedAt;
        // For WebRTC video: when its last packet came (receiveTime).
        if (meta?.receiveTime > this.startedAt && meta.receiveTime <= at) mark('first-frame-received', meta.receiveTime);
        mark('first-frame', at);
        this.emit('firstframe', { id: this.id, ms: f.first, at });
      }
      f.last = now;
      f.count++;
      if (this.playing && v.requestVideoFrameCallback) v.requestVideoFrameCallback(onFrame);
    };
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(onFrame);
    let lastCount = 0;
    let lastT = performance.now();
    this._fpsTimer = setInterval(() => {
      const now = performance.now();
      f.perSecond = (f.count - lastCount) * 1000 / (now - lastT);
      lastCount = f.count;
      lastT = now;
    }, 1000);
  }

  _onStats(st) {
    const v = this.video;
    let delay = null;
    if ((this.transport === 'flv' || this.transport === 'http') && v.buffered.length) {
      delay = (v.buffered.end(v.buffered.length - 1) - v.currentTime) * 1000;
    } else if (this.transport === 'hls') {
      const l = this._hls?.latency();
      if (l != null) delay = l * 1000; // behind the playlist's end; the fragment being written adds up to one more
    } else if (this.transport === 'track') {
      const iv = inboundVideo(st.report);
      if (iv && iv.jitterBufferEmittedCount) delay = iv.jitterBufferDelay / iv.jitterBufferEmittedCount * 1000;
    }
    if (delay !== null && st.rtt && this.transport !== 'hls') delay += st.rtt * 500;
    // On a data channel the stream's own bytes: the connection may carry
    // other players' streams too (an NVR's channels).
    let bitrate = st.bitrate;
    if (this.transport === 'flv') {
      const now = performance.now();
      if (this._rxLast && now > this._rxLast.t) bitrate = (this._rxBytes - this._rxLast.bytes) * 8000 / (now - this._rxLast.t);
      this._rxLast = { bytes: this._rxBytes, t: now };
    }
    const q = v.getVideoPlaybackQuality?.();
    const f = this._frames;
    this.stats = {
      id: this.id, path: this.transport === 'hls' ? 'relay server' : st.path, transport: this.transport, quality: this.head?.quality || this.quality,
      bitrate, fps: Math.round(f.perSecond * 10) / 10, freezes: f.freezes, longestFreeze: Math.round(f.longest),
      delay: delay === null ? null : Math.round(delay), width: v.videoWidth, height: v.videoHeight,
      frames: q?.totalVideoFrames ?? f.count, dropped: q?.droppedVideoFrames ?? 0, rtt: st.rtt,
      firstFrame: f.first ? Math.round(f.first) : null,
    };
    this.emit('stats', this.stats);
  }
}
