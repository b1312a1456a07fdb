// P2PService is one viewer session with one camera: signalling over the
// SDK's MQTT connection, the RTCPeerConnection, requests on data
// channels, and re-dialling after the network changes.
import { Emitter } from './emitter.js';
import {
  P2PError, statusError, ERR_OFFLINE, ERR_REFUSED, ERR_NO_ANSWER, ERR_CONNECT, ERR_TIMEOUT, ERR_STOPPED,
  ERR_BAD_SIGNATURE, ERR_NO_ED25519, ERR_NOT_SHARED, STATUS_REDIRECT,
} from './errors.js';
import { readBody, redirectError } from './relay.js';
import { verifyAnswer } from './signing.js';
import { selectedPath } from './stats.js';
import { mark as perfMark } from './marks.js';
import { EVENTS_LINE, EventDecoder } from './events.js';

const sessionAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** randomId returns n characters of [A-Za-z0-9_-]. */
export function randomId(n) {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => sessionAlphabet[x & 63]).join('');
}

/** hasMediaTracks says whether an answer SDP sends media: an m=video
 * section with a port, a sending direction and a track (msid or ssrc;
 * pion answers a recvonly offer with sendonly even when it has no
 * track to send). */
export function hasMediaTracks(sdp) {
  const sections = sdp.split(/\r?\nm=/).slice(1);
  return sections.some((s) => /^video [1-9]/.test(s) && /\na=(sendonly|sendrecv)/.test(s) && /\na=(msid|ssrc):/.test(s));
}

/**
 * newPeer makes a viewer's RTCPeerConnection: the '_' data channel that
 * opens SCTP, and with media a receive-only video transceiver and a
 * send-receive audio one (talkback goes out on it), and starts its
 * offer. It returns {pc, video, audio, offer: Promise of the offer,
 * withMedia, iceServers}. Live video wants no extra playout delay: the
 * video receiver's jitterBufferTarget is 0 where the browser has it.
 */
export function newPeer(RTCPeerConnection, iceServers, withMedia) {
  const pc = new RTCPeerConnection({ iceServers });
  pc.createDataChannel('_');
  let video;
  let audio;
  if (withMedia && pc.addTransceiver) {
    video = pc.addTransceiver('video', { direction: 'recvonly' });
    if (video.receiver && 'jitterBufferTarget' in video.receiver) video.receiver.jitterBufferTarget = 0;
    // sendrecv: the same transceiver carries talkback to the camera.
    audio = pc.addTransceiver('audio', { direction: 'sendrecv' });
  }
  const offer = pc.createOffer();
  offer.catch(() => {});
  return { pc, video, audio, offer, withMedia, iceServers };
}

// States of a service.
export const STATE_IDLE = 'idle';
export const STATE_CONNECTING = 'connecting';
export const STATE_CONNECTED = 'connected';
export const STATE_RECONNECTING = 'reconnecting';
export const STATE_CLOSED = 'closed';

/** Errors after which dialling again cannot help. */
const fatal = new Set([ERR_REFUSED, ERR_BAD_SIGNATURE, ERR_NO_ED25519, ERR_NOT_SHARED, ERR_STOPPED]);

export class P2PService extends Emitter {
  /**
   * @param {object} host the SDK: signalling (publish, watchInfo, tokenFor), env and options
   * @param {string} id the service id the app chose
   * @param {object} deviceInfo {device, token?, iceServers?, pubkey?, media?: 'auto'|'flv'|'track'}
   */
  constructor(host, id, deviceInfo) {
    super();
    this.host = host;
    this.id = id;
    this.device = deviceInfo.device;
    this.deviceInfo = deviceInfo;
    // The ipc.track request the camera starts with the connection
    // (deviceInfo.live, then the latest one asked): video flows while
    // the request's channel opens, and the request takes it over.
    this.live = deviceInfo.live || null;
    this.state = STATE_IDLE;
    this.session = null;
    this.pc = null;
    this.tracks = false; // the answer carries media tracks
    this.path = null;
    this.streams = new Set();
    this._signal = null; // handler of this session's signalling messages
    this._closed = false;
    this._retry = 0;
    this._disconnectTimer = null;
    this._statsTimer = null;
    this._lastBytes = null;
  }

  get options() { return this.host.options; }
  get env() { return this.host.env; }

  _setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** start dials the camera; it resolves once ICE connects. */
  async start() {
    this._setState(STATE_CONNECTING);
    try {
      await this._dial();
    } catch (e) {
      if (!this._closed) this._teardownPeer();
      throw e;
    }
  }

  async _dial() {
    const t = this.options.timeouts;
    const started = this.env.now();
    // Milliseconds from the start of the dial to each step, for stats.
    const timing = this.timing = {};
    const mark = (k) => { timing[k] = this.env.now() - started; perfMark(k); };
    perfMark('dial');
    // The token, the camera's info and our offer (ICE gathering starts
    // with it) all at once: an unshared device fails fast even when it is
    // offline, and a shared one connects sooner.
    const tokenP = this.deviceInfo.token ? Promise.resolve(this.deviceInfo.token) : this.host.tokenFor(this.device);
    tokenP.catch(() => {});
    const infoP = this.host.watchInfo(this.device, t.info);
    infoP.catch(() => {});

    const session = randomId(24);
    this.session = session;
    const iceServers = this.deviceInfo.iceServers || this.host.iceServers || [];
    const withMedia = (this.deviceInfo.media || this.options.media) !== 'flv';
    // A peer the SDK made while the page signed in (P2PCam.prepare), or a
    // new one. A spare made before the ICE servers were known gathers
    // nothing until setLocalDescription, so setting them now is in time.
    const spare = this.host.takeSpare?.(withMedia);
    const peer = spare || newPeer(this.env.RTCPeerConnection, iceServers, withMedia);
    const pc = peer.pc;
    if (spare && iceServers.length && JSON.stringify(spare.iceServers) !== JSON.stringify(iceServers)) {
      pc.setConfiguration({ ...(pc.getConfiguration?.() || {}), iceServers });
    }
    this.pc = pc;
    this.videoTransceiver = peer.video;
    this.audioTransceiver = peer.audio;

    const send = (m) => this.host.publish(this.device, { ...m, session }, session);
    let offerSent = false;
    const held = [];
    pc.onicecandidate = (e) => {
      const c = e.candidate;
      // The camera's decoder refuses unknown fields: send only these.
      const cand = c && c.candidate ? { candidate: c.candidate, sdpMid: c.sdpMid ?? undefined, sdpMLineIndex: c.sdpMLineIndex ?? undefined } : { candidate: '' };
      if (!offerSent) held.push(cand); else send({ type: 'candidate', candidate: cand }).catch(() => {});
    };
    const offerP = peer.offer.then((o) => pc.setLocalDescription(o)).then(() => pc.localDescription.sdp);
    offerP.catch(() => {});

    // The offer goes out as soon as the token and the SDP are ready; the
    // camera's info (its key, and whether it is online) is needed only
    // to check the answer, so it may come meanwhile.
    let infoArrived = false;
    const keyP = infoP.then((info) => {
      infoArrived = true;
      mark('info');
      if (!info.online) throw new P2PError(ERR_OFFLINE, `camera ${this.device} is offline`);
      if (this.deviceInfo.pubkey && info.pubkey !== this.deviceInfo.pubkey) {
        throw new P2PError(ERR_BAD_SIGNATURE, `the cloud names another key for ${this.device} than the pinned one`);
      }
      return this.deviceInfo.pubkey || info.pubkey;
    });
    keyP.catch(() => {});
    const token = await tokenP;
    mark('token');
    this._check();
    const offerSDP = await offerP;
    mark('offer');
    this._check();

    let answered = false;
    const early = [];
    let onAnswer, onFail;
    const answeredP = new Promise((res, rej) => { onAnswer = res; onFail = rej; });
    const connectedP = new Promise((res, rej) => {
      pc.onconnectionstatechange = () => {
        const st = pc.connectionState;
        if (st === 'connected') { mark('ice-connected'); res(); }
        else if (st === 'failed') rej(new P2PError(ERR_CONNECT, `no network path to camera ${this.device} (ICE failed): check the TURN server`));
        this._onPeerState(pc, st);
      };
    });
    connectedP.catch(() => {});
    this._signal = async (m) => {
      try {
        switch (m.type) {
          case 'error':
            onFail(new P2PError(ERR_REFUSED, `camera ${this.device} refused: ${m.status} ${m.error || ''}`.trim(), { status: m.status }));
            break;
          case 'answer':
            if (answered) return;
            answered = true;
            mark('answer');
            await verifyAnswer(this.env.subtle, await keyP, session, offerSDP, m.sdp, m.sig);
            if (pc !== this.pc) return;
            mark('answer-verified');
            await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
            this.tracks = hasMediaTracks(m.sdp);
            for (const c of early.splice(0)) this._addCandidate(pc, c);
            onAnswer();
            break;
          case 'candidate':
            if (!answered) early.push(m.candidate); else this._addCandidate(pc, m.candidate);
            break;
          case 'bye':
            if (this.pc === pc) this._lost('the camera ended the session');
            break;
        }
      } catch (e) {
        onFail(e);
      }
    };

    // The candidates gathered meanwhile follow the offer at once, not
    // after its PUBACK: the broker keeps their order.
    const offerTaken = send({ type: 'offer', token, sdp: offerSDP, live: withMedia && this.live ? this.live : undefined });
    offerSent = true;
    mark('offer-sent');
    for (const c of held.splice(0)) send({ type: 'candidate', candidate: c }).catch(() => {});
    await offerTaken;

    await this._within(Promise.all([answeredP, keyP]), t.answer, () => (infoArrived
      ? new P2PError(ERR_NO_ANSWER, `camera ${this.device} did not answer within ${t.answer} ms`)
      : new P2PError(ERR_OFFLINE, `camera ${this.device} is unknown or has never come online (no device info)`)));
    await this._within(connectedP, t.connect, () => new P2PError(ERR_CONNECT, `no network path to camera ${this.device} within ${t.connect} ms`));
    mark('connected');
    this._check();
    this._retry = 0;
    this.connectMs = this.env.now() - started;
    this._setState(STATE_CONNECTED);
    await this._updateStats().catch(() => {});
    this.emit('connected', { id: this.id, device: this.device, path: this.path?.kind ?? null, tracks: this.tracks, ms: this.connectMs });
  }

  _addCandidate(pc, c) {
    if (!c || !c.candidate) return;
    pc.addIceCandidate(c).catch(() => {});
  }

  _within(p, ms, err) {
    let timer;
    return Promise.race([
      p,
      new Promise((_, rej) => { timer = setTimeout(() => rej(err()), ms); }),
      new Promise((_, rej) => { this._abort = () => rej(new P2PError(ERR_STOPPED, 'service stopped')); }),
    ]).finally(() => clearTimeout(timer));
  }

  _check() {
    if (this._closed) throw new P2PError(ERR_STOPPED, `service ${this.id} stopped`);
  }

  /** onSignal takes a message from the camera for this session. */
  onSignal(m) {
    if (this._signal && m.session === this.session) this._signal(m);
  }

  _onPeerState(pc, st) {
    if (pc !== this.pc || this.state !== STATE_CONNECTED) return;
    clearTimeout(this._disconnectTimer);
    if (st === 'failed' || st === 'closed') {
      this._lost(`connection ${st}`);
    } else if (st === 'disconnected') {
      // ICE may come back by itself; give it a moment before re-dialling.
      this._disconnectTimer = setTimeout(() => {
        if (pc === this.pc && pc.connectionState !== 'connected') this._lost('connection lost');
      }, this.options.timeouts.disconnected);
    }
  }

  /** networkChanged re-dials at once if the connection is not healthy,
   * and checks it otherwise (the page calls it on 'online' and on
   * navigator.connection 'change'). */
  networkChanged() {
    if (this.state !== STATE_CONNECTED || !this.pc) return;
    const st = this.pc.connectionState;
    if (st !== 'connected') this._lost('network changed');
  }

  _lost(reason) {
    if (this._closed || this.state === STATE_RECONNECTING) return;
    this._teardownPeer(true);
    this._setState(STATE_RECONNECTING);
    for (const s of [...this.streams]) s._fail(new P2PError(ERR_CONNECT, `${reason}; reconnecting`));
    this.emit('disconnected', { id: this.id, reason });
    if (!this.options.reconnect) { this._setState(STATE_CLOSED); return; }
    this._scheduleRedial();
  }

  _scheduleRedial() {
    const delays = this.options.reconnectDelays;
    const d = delays[Math.min(this._retry, delays.length - 1)];
    this._retry++;
    this.emit('reconnecting', { id: this.id, attempt: this._retry, delay: d });
    this._redialTimer = setTimeout(async () => {
      if (this._closed) return;
      try {
        await this._dial();
        this.emit('reconnected', { id: this.id });
        if (this._watchEvents) this.watchEvents().catch((e) => this.emit('error', e));
      } catch (e) {
        if (this._closed) return;
        this._teardownPeer();
        if (fatal.has(e.code)) {
          this._setState(STATE_CLOSED);
          this.emit('error', e);
          return;
        }
        this.emit('error', e);
        this._scheduleRedial();
      }
    }, d);
  }

  _teardownPeer(sayBye) {
    clearTimeout(this._disconnectTimer);
    const pc = this.pc;
    const session = this.session;
    this.pc = null;
    this._signal = null;
    this.path = null;
    if (sayBye && session) this.host.publish(this.device, { type: 'bye', session }, session).catch(() => {});
    if (pc) { try { pc.close(); } catch { /* closed */ } }
  }

  /** request opens a data channel for one request line and resolves with
   * {head, channel} once the head comes; it rejects on a non-zero status
   * unless opts.anyStatus. */
  request(line, opts = {}) {
    if (this.state !== STATE_CONNECTED || !this.pc) {
      return Promise.reject(new P2PError(ERR_CONNECT, `camera ${this.device} is not connected (${this.state})`));
    }
    if (line.startsWith('ipc.track?')) this.live = line;
    const dc = this.pc.createDataChannel(line);
    dc.binaryType = 'arraybuffer';
    // A channel that closes before it ever opened never reached the
    // camera's request handler (Chromium closes a fresh channel now and
    // then while a track's keyframe burst arrives, more often when a
    // page opens several at once): ask again, up to three times.
    let opened = false;
    dc.onopen = () => { opened = true; };
    const timeout = opts.timeout ?? this.options.timeouts.head;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { done(); try { dc.close(); } catch { /* */ } reject(new P2PError(ERR_TIMEOUT, `${line}: no answer within ${timeout} ms`)); }, timeout);
      const done = () => { clearTimeout(timer); dc.onmessage = null; dc.onclose = null; };
      dc.onmessage = (e) => {
        done();
        let head;
        try {
          head = JSON.parse(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data));
        } catch {
          reject(new P2PError(ERR_TIMEOUT, `${line}: the camera's head is not JSON`));
          return;
        }
        if (head.status === STATUS_REDIRECT && !opts.anyStatus) {
          // Sent to the relay: the body says where (relay.js).
          readBody(dc, timeout).then((text) => {
            try { reject(redirectError(line, text)); } catch (e) { reject(e); }
          });
          return;
        }
        if (head.status !== 0 && !opts.anyStatus) {
          try { dc.close(); } catch { /* */ }
          reject(statusError(line, head.status, head.error));
          return;
        }
        // Hold what comes after the head until the caller takes the body.
        const queue = [];
        let closed = false;
        dc.onmessage = (m) => queue.push(m);
        dc.onclose = () => { closed = true; };
        const take = (onmessage, onclose) => {
          dc.onmessage = onmessage;
          dc.onclose = onclose;
          for (const m of queue.splice(0)) onmessage(m);
          if (closed) onclose();
        };
        resolve({ head, channel: dc, take });
      };
      dc.onclose = () => {
        done();
        const retries = opts.retries ?? 0;
        if (!opened && retries < 3 && this.pc && this.state === STATE_CONNECTED) {
          resolve(this.request(line, { ...opts, retries: retries + 1 }));
          return;
        }
        reject(new P2PError(ERR_TIMEOUT, `${line}: the channel closed before the head`));
      };
    });
  }

  /** updateStats reads getStats once: path and bytes. */
  async _updateStats() {
    const pc = this.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    const p = selectedPath(report);
    if (!p) return null;
    const now = this.env.now();
    let bitrate = 0;
    if (this._lastBytes && now > this._lastBytes.t) bitrate = (p.bytesReceived - this._lastBytes.b) * 8000 / (now - this._lastBytes.t);
    this._lastBytes = { t: now, b: p.bytesReceived };
    if (!this.path || this.path.kind !== p.kind) {
      this.path = p;
      this.emit('path', { id: this.id, path: p.kind, local: p.local, remote: p.remote });
    }
    this.path = p;
    const stats = { id: this.id, path: p.kind, rtt: p.rtt, bitrate: Math.max(0, Math.round(bitrate)), bytesReceived: p.bytesReceived, report };
    this.emit('stats', stats);
    return stats;
  }

  /** startStats polls getStats every interval ms while connected. */
  startStats(interval = 1000) {
    if (this._statsTimer) return;
    this._statsTimer = setInterval(() => {
      if (this.state === STATE_CONNECTED) this._updateStats().catch(() => {});
    }, interval);
  }

  /** watchEvents opens the event stream and emits each event as 'event'
   * until the channel closes; it resolves with {stop()}. */
  async watchEvents() {
    const { channel, take } = await this.request(EVENTS_LINE);
    const dec = new EventDecoder();
    this._eventsChannel = channel;
    take((m) => { for (const e of dec.push(typeof m.data === 'string' ? m.data : new Uint8Array(m.data))) this.emit('event', e); }, () => {
      if (this._eventsChannel === channel) this._eventsChannel = null;
    });
    return {
      stop: () => {
        if (this._eventsChannel === channel) { this._watchEvents = false; this._eventsChannel = null; }
        try { channel.close(); } catch { /* closed */ }
      },
      get malformed() { return dec.malformed; },
    };
  }

  stop() {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._redialTimer);
    clearInterval(this._statsTimer);
    this._abort?.();
    for (const s of [...this.streams]) s.stop();
    this._teardownPeer(true);
    this._setState(STATE_CLOSED);
    this.emit('disconnected', { id: this.id, reason: 'stopped' });
  }
}
