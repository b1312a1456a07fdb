// P2PCam: the SDK. One instance holds the cloud login, one MQTT
// connection for signalling, and a P2PService per camera.
import { Emitter } from './emitter.js';
import {
  P2PError, ERR_LOGIN, ERR_CLOUD, ERR_NOT_SHARED, ERR_SIGNALLING, ERR_OFFLINE, ERR_NO_SERVICE,
  ERR_ARGUMENT, ERR_STOPPED, ERR_MICROPHONE, ERR_STATUS, STATUS_BUSY, statusError,
} from './errors.js';
import { P2PService, randomId, newPeer } from './service.js';
import { FLVAudioMuxer, MicReader } from './talk.js';
import { mark } from './marks.js';

const defaultTimeouts = {
  login: 8000, // HTTP login and token calls
  signalling: 8000, // MQTT connect
  info: 5000, // the camera's retained device info
  answer: 10000, // offer -> signed answer
  connect: 15000, // answer -> ICE connected
  head: 10000, // request -> head
  disconnected: 3000, // ICE 'disconnected' this long -> re-dial
};

/** StreamHandle is one running request (a live stream, a voice channel). */
export class StreamHandle {
  constructor(service, line, callbacks) {
    this.id = randomId(8);
    this.service = service;
    this.line = line;
    this.callbacks = callbacks || {};
    this.head = null;
    this.channel = null;
    this.bytes = 0;
    this.sentBytes = 0;
    this.stopped = false;
  }
  _attach(head, channel, take) {
    this.head = head;
    this.channel = channel;
    const onmessage = (e) => {
      if (this.stopped) return;
      if (typeof e.data === 'string') { this.callbacks.onText?.(e.data); return; }
      const b = new Uint8Array(e.data);
      this.bytes += b.length;
      this.callbacks.onData?.(b);
    };
    const onclose = () => {
      if (this.stopped) return;
      this._finish();
      this.callbacks.onEnd?.();
    };
    if (take) take(onmessage, onclose);
    else { channel.onmessage = onmessage; channel.onclose = onclose; }
  }
  _fail(err) {
    if (this.stopped) return;
    this._finish();
    this.callbacks.onError?.(err);
  }
  _finish() {
    this.stopped = true;
    this.service.streams.delete(this);
    if (this.channel) {
      this.channel.onmessage = null;
      this.channel.onclose = null;
      try { this.channel.close(); } catch { /* closed */ }
    }
  }
  /** send writes bytes on the request's channel (talkback); false when
   * the channel is not open (nothing sent). */
  send(bytes) {
    if (this.stopped || !this.channel || this.channel.readyState !== 'open') return false;
    this.channel.send(bytes);
    this.sentBytes += bytes.length;
    return true;
  }
  stop() { if (!this.stopped) this._finish(); }
}

/** requestLine makes "ipc.flv?action=live&..." of a string or an object
 * {path:'ipc.flv', action:'live', channel:0, quality:'high'}. */
export function requestLine(request) {
  if (typeof request === 'string') return request;
  if (!request || typeof request !== 'object') throw new P2PError(ERR_ARGUMENT, 'request: want a request line or an object');
  const { path = 'ipc.flv', ...q } = request;
  const qs = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${path}?${qs}`;
}

/** liveLine is the live request line of a channel's quality: on the
 * media tracks (ipc.track) or as FLV on the request's channel. */
export function liveLine(channel = 0, quality = 'high', track = true) {
  return `${track ? 'ipc.track' : 'ipc.flv'}?action=live&channel=${channel}&quality=${quality}`;
}

/** commandLine makes a command request line of cmd: a full line
 * ("command?action=..."), a query ("action=inner_define&cmd=..."), or a
 * bare command name ("get_device_st&type=live" -> inner_define). */
export function commandLine(cmd, channel = 0) {
  cmd = String(cmd).trim();
  if (!cmd) throw new P2PError(ERR_ARGUMENT, 'sendCommand: empty command');
  if (cmd.startsWith('command?')) return cmd;
  if (/(^|&)action=/.test(cmd)) return 'command?' + cmd;
  return `command?action=inner_define&channel=${channel}&cmd=${cmd}`;
}

/** opened resolves when the WebSocket ws opens, fails or closes, or
 * after ms. */
function opened(ws, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const e of ['open', 'error', 'close']) ws.removeEventListener?.(e, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const e of ['open', 'error', 'close']) ws.addEventListener?.(e, done);
  });
}

export class P2PCam extends Emitter {
  constructor() {
    super();
    this.services = new Map();
    this.options = null;
    this.env = null;
    this.account = null;
    this.mqtt = null;
    this._infos = new Map(); // device -> {info, waiters: Set}
    this._voices = new Map(); // id -> voice state
  }

  /**
   * init sets the SDK up. Every option has a default that works on the
   * page the cloud serves.
   */
  init(options = {}) {
    const g = globalThis;
    this.options = {
      cloud: options.cloud ?? '',
      media: options.media ?? 'auto',
      reconnect: options.reconnect ?? true,
      reconnectDelays: options.reconnectDelays ?? [500, 1000, 2000, 4000, 8000],
      clientSuffix: options.clientSuffix,
      timeouts: { ...defaultTimeouts, ...(options.timeouts || {}) },
    };
    this.iceServers = options.iceServers || null;
    this.env = {
      fetch: options.fetch || g.fetch?.bind(g),
      mqttConnect: options.mqttConnect || null,
      RTCPeerConnection: options.RTCPeerConnection || g.RTCPeerConnection,
      subtle: options.subtle || g.crypto?.subtle,
      mediaDevices: options.mediaDevices || g.navigator?.mediaDevices,
      now: options.now || (() => Date.now()),
      log: options.log || (() => {}),
    };
    if (!this.env.mqttConnect) throw new P2PError(ERR_ARGUMENT, 'init: no MQTT client (options.mqttConnect); the bundle sets it');
    this._networkHandler = () => { for (const s of this.services.values()) s.networkChanged(); };
    g.addEventListener?.('online', this._networkHandler);
    g.navigator?.connection?.addEventListener?.('change', this._networkHandler);
    return this;
  }

  _need() {
    if (!this.options) throw new P2PError(ERR_ARGUMENT, 'call init() first');
  }

  async _post(path, body) {
    const t = this.options.timeouts.login;
    const ctl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const timer = setTimeout(() => ctl?.abort(), t);
    let res;
    try {
      res = await this.env.fetch(this.options.cloud + path, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: ctl?.signal,
      });
    } catch (e) {
      throw new P2PError(ERR_CLOUD, `cannot reach the cloud at ${this.options.cloud || 'this site'}${path}: ${e.message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
    let json = null;
    try { json = await res.json(); } catch { /* not JSON */ }
    return { status: res.status, json };
  }

  /**
   * prepare makes the first dial's RTCPeerConnection and starts its offer
   * now, so that this work (about 100 ms of the main thread in Chromium)
   * overlaps the sign-in rather than following it. The next
   * startP2PService takes it; login calls prepare itself. Without
   * WebRTC it does nothing (the dial says what is missing).
   */
  prepare() {
    this._need();
    if (this._spare || !this.env.RTCPeerConnection) return;
    try {
      this._spare = newPeer(this.env.RTCPeerConnection, this.iceServers || [], this.options.media !== 'flv');
    } catch { /* the dial tries again and reports it */ }
  }

  /** takeSpare hands the prepared peer to a dial that wants media
   * (withMedia) as it was made; otherwise it closes it. */
  takeSpare(withMedia) {
    const s = this._spare;
    this._spare = null;
    if (!s) return null;
    if (s.withMedia === withMedia) return s;
    try { s.pc.close(); } catch { /* closed */ }
    return null;
  }

  /** login signs in to the cloud, connects signalling, and returns the
   * account: {user, expires, devices:[{device, perm, token}]}.
   * opts.remember asks the cloud to remember the sign-in (an HttpOnly
   * cookie, see resume). */
  async login(user, password, prefetched, opts = {}) {
    this._need();
    // The first dial's peer while the cloud checks the password.
    if (!prefetched && !this.account && !this.services.size) this.prepare();
    // prefetched: a {status, json, socket?} of a /api/login the page
    // already sent (socket: a WebSocket it opened to json.mqtt.url).
    const { status, json, socket } = prefetched || await this._post('/api/login', { user, password, remember: opts.remember || undefined });
    mark('login-api');
    if (status === 401 || status === 403) throw new P2PError(ERR_LOGIN, json?.error || 'wrong user or password');
    this._credentials = { user, password };
    return this._signedIn(status, json, 'login', socket);
  }

  /**
   * resume signs in with the sign-in the cloud remembered for this
   * browser (login with {remember: true}): no password, and no password
   * check on the cloud (a bcrypt comparison, 0.2-0.4 s). It rejects with
   * ERR_LOGIN when there is none (expired, signed out, another browser).
   * The cookie goes only to the page's own origin's cloud.
   */
  async resume(prefetched) {
    this._need();
    if (!prefetched && !this.account && !this.services.size) this.prepare();
    const { status, json, socket } = prefetched || await this._post('/api/session', {});
    mark('login-api');
    if (status === 401 || status === 403 || status === 404 || status === 405) {
      socket?.close();
      throw new P2PError(ERR_LOGIN, json?.error || 'no remembered sign-in: sign in with your password');
    }
    this._remembered = true;
    return this._signedIn(status, json, 'resume', socket);
  }

  async _signedIn(status, json, what, socket) {
    if (status !== 200 || !json || !json.mqtt) {
      socket?.close();
      throw new P2PError(ERR_CLOUD, `${what}: the cloud answered ${status}${json?.error ? ': ' + json.error : ''}`);
    }
    this.account = json;
    if (json.ice_servers && !this.iceServers) this._cloudIce = true;
    if (this._cloudIce) this.iceServers = json.ice_servers;
    this._scheduleRefresh();
    if (this.mqtt) {
      // A refresh: the next MQTT reconnection uses the new credential.
      this.mqtt.options.password = json.mqtt.password;
      socket?.close();
    } else {
      // The CONNECT goes out first; the first dial's peer (tens of ms of
      // the main thread) is made while the broker answers. A socket the
      // page opened is given a moment to open, so that its CONNECT is
      // not held up behind that work.
      const connected = this.connectSignalling(json.mqtt, socket);
      connected.catch(() => {});
      if (socket?.readyState === 0) await opened(socket, 40);
      if (!this.services.size) this.prepare();
      await connected;
    }
    // Watch every shared camera's info now: a later startP2PService
    // finds it at once.
    for (const d of json.devices || []) this.watchInfo(d.device, this.options.timeouts.info).catch(() => {});
    this.emit('login', { user: json.user, devices: json.devices });
    return { user: json.user, expires: json.expires, devices: json.devices || [] };
  }

  /** logout ends the remembered sign-in on the cloud (its cookie is
   * cleared) and then everything, as destroy does. */
  async logout() {
    this._need();
    try { await this._post('/api/logout', {}); } catch { /* the cloud is gone: its session ends at expiry */ }
    this.destroy();
  }

  _scheduleRefresh() {
    clearTimeout(this._refreshTimer);
    const exp = this.account?.expires;
    if (!exp) return;
    const ms = Math.max(5000, exp * 1000 - this.env.now() - 60000);
    this._refreshTimer = setTimeout(() => {
      const c = this._credentials;
      if (c) this.login(c.user, c.password).catch((e) => this.emit('error', e));
      else if (this._remembered) this.resume().catch((e) => this.emit('error', e));
    }, Math.min(ms, 2 ** 31 - 1));
    this._refreshTimer?.unref?.(); // Node: do not hold the process open
  }

  /** connectSignalling connects to an MQTT 5 broker over WebSocket:
   * {url, username, password}. login calls it; call it yourself with
   * your own broker and tokens; socket, a WebSocket to url with the
   * 'mqtt' subprotocol already opening, saves a round trip. */
  async connectSignalling({ url, username, password }, socket) {
    this._need();
    if (!url || !username) throw new P2PError(ERR_ARGUMENT, 'connectSignalling: want url and username');
    this.user = username;
    const t0 = this.env.now();
    const suffix = this.options.clientSuffix || 'web-' + randomId(10);
    this.inbox = `p2pcam/viewer/${username}/inbox`;
    const client = this.env.mqttConnect(url, {
      protocolVersion: 5, clientId: `${username}:${suffix}`, username, password,
      clean: true, reconnectPeriod: 2000, connectTimeout: this.options.timeouts.signalling, socket,
    });
    this.mqtt = client;
    client.on('message', (topic, payload, packet) => this._onMessage(topic, payload, packet));
    client.on('close', () => this.emit('signalling', { up: false }));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { fail(new Error(`no answer within ${this.options.timeouts.signalling} ms`)); }, this.options.timeouts.signalling);
      const fail = (e) => {
        clearTimeout(timer);
        client.end?.(true);
        this.mqtt = null;
        reject(new P2PError(ERR_SIGNALLING, `signalling broker ${url}: ${e?.message || e}`, { cause: e }));
      };
      client.once('error', fail);
      client.once('connect', () => {
        mark('mqtt-connected');
        clearTimeout(timer);
        client.removeListener?.('error', fail);
        client.on('error', (e) => this.emit('error', new P2PError(ERR_SIGNALLING, `signalling: ${e.message}`, { cause: e })));
        // No need to wait for the SUBACK: the broker handles our
        // SUBSCRIBE before any offer we publish after it, so the
        // camera's answers find the subscription in place.
        client.subscribe(this.inbox, { qos: 1 }, (err, granted) => {
          if (err || granted?.some((g) => g.qos >= 128)) this.emit('error', new P2PError(ERR_SIGNALLING, `subscribe ${this.inbox}: ${err?.message || 'refused'}`));
        });
        resolve();
      });
    });
    client.on('connect', () => this.emit('signalling', { up: true }));
    this.signallingMs = this.env.now() - t0;
    this.emit('signalling', { up: true, ms: this.signallingMs });
  }

  _onMessage(topic, payload, packet) {
    let text;
    try { text = new TextDecoder().decode(payload); } catch { return; }
    if (topic === this.inbox) {
      let m;
      try { m = JSON.parse(text); } catch { return; }
      const cd = packet?.properties?.correlationData;
      const corr = cd ? new TextDecoder().decode(cd) : m.session;
      if (!m || corr !== m.session) return;
      for (const s of this.services.values()) if (s.session === m.session) s.onSignal(m);
      return;
    }
    const mm = /^p2pcam\/([^/]+\/[^/]+)\/info$/.exec(topic);
    if (!mm) return;
    let info;
    try { info = JSON.parse(text); } catch { return; }
    if (!info || info.v !== 1 || !info.pubkey) return;
    const e = this._infos.get(mm[1]);
    if (!e) return;
    const was = e.info;
    e.info = info;
    for (const w of e.waiters) w(info);
    e.waiters.clear();
    if (was && was.boot !== info.boot) this.emit('reboot', { device: mm[1] });
    for (const s of this.services.values()) {
      if (s.device !== mm[1]) continue;
      s.emit('info', info);
      if (!info.online) s.emit('offline', { id: s.id, device: s.device });
      else if (was && was.online === false) s.networkChanged();
    }
  }

  /** watchInfo subscribes to a camera's retained info and resolves with it. */
  watchInfo(device, timeout) {
    if (!this.mqtt) return Promise.reject(new P2PError(ERR_SIGNALLING, 'not connected to signalling: call login() or connectSignalling() first'));
    let e = this._infos.get(device);
    if (!e) {
      e = { info: null, waiters: new Set() };
      this._infos.set(device, e);
      this.mqtt.subscribe(`p2pcam/${device}/info`, { qos: 1 });
    }
    if (e.info) return Promise.resolve(e.info);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        e.waiters.delete(w);
        reject(new P2PError(ERR_OFFLINE, `camera ${device} is unknown or has never come online (no device info within ${timeout} ms)`));
      }, timeout);
      const w = (info) => { clearTimeout(timer); resolve(info); };
      e.waiters.add(w);
    });
  }

  /** publish sends a signalling message to a camera's rpc topic. */
  publish(device, msg, session) {
    return new Promise((resolve, reject) => {
      if (!this.mqtt) { reject(new P2PError(ERR_SIGNALLING, 'not connected to signalling')); return; }
      const clean = JSON.parse(JSON.stringify(msg)); // drops undefined fields
      this.mqtt.publish(`p2pcam/${device}/rpc`, JSON.stringify(clean), {
        qos: 1, properties: { responseTopic: this.inbox, correlationData: session },
      }, (err) => err ? reject(new P2PError(ERR_SIGNALLING, `publish: ${err.message}`)) : resolve());
    });
  }

  /** tokenFor returns the login's token for a device, or asks the cloud
   * for one (which refuses devices not shared with the account). */
  async tokenFor(device) {
    const d = this.account?.devices?.find((x) => x.device === device);
    if (d?.token) return d.token;
    if (!this._credentials) throw new P2PError(ERR_NOT_SHARED, `no token for ${device}: log in, or pass deviceInfo.token`);
    const { status, json } = await this._post('/api/token', { ...this._credentials, device });
    if (status === 200 && json?.token) return json.token;
    if (status === 403 || status === 404) throw new P2PError(ERR_NOT_SHARED, json?.error || `device ${device} is not shared with ${this._credentials.user}`);
    throw new P2PError(ERR_CLOUD, `token for ${device}: the cloud answered ${status}${json?.error ? ': ' + json.error : ''}`);
  }

  /** startP2PService connects to a camera under an id the app chooses.
   * deviceInfo: {device:'PRODUCT/DEVICE', token?, pubkey?, iceServers?, media?}.
   * It resolves with the service once connected. */
  async startP2PService(id, deviceInfo) {
    this._need();
    if (typeof deviceInfo === 'string') deviceInfo = { device: deviceInfo };
    if (!id || !deviceInfo?.device || !/^[A-Za-z0-9._-]{1,64}\/[A-Za-z0-9._-]{1,64}$/.test(deviceInfo.device)) {
      throw new P2PError(ERR_ARGUMENT, `startP2PService: want an id and deviceInfo.device as PRODUCT/DEVICE, got ${JSON.stringify(deviceInfo?.device)}`);
    }
    if (this.services.has(id)) this.stopServiceById(id);
    const s = new P2PService(this, id, deviceInfo);
    this.services.set(id, s);
    for (const ev of ['connected', 'disconnected', 'reconnecting', 'reconnected', 'path', 'stats', 'error', 'state', 'offline']) {
      s.on(ev, (x) => this.emit(ev, ev === 'state' ? { id, state: x } : x));
    }
    s.on('event', (e) => this.emit('event', { id, ...e }));
    try {
      await s.start();
    } catch (e) {
      if (this.services.get(id) === s) this.services.delete(id);
      s.stop();
      throw e;
    }
    return s;
  }

  service(id) {
    const s = this.services.get(id);
    if (!s) throw new P2PError(ERR_NO_SERVICE, `no service ${JSON.stringify(id)}: call startP2PService first`);
    return s;
  }

  /** startStream sends a request (e.g. 'ipc.flv?action=live&channel=0&quality=high')
   * and delivers the raw body: callbacks {onHead(head), onData(Uint8Array),
   * onEnd(), onError(P2PError)}. It resolves with a StreamHandle once the
   * camera accepted (status 0), and rejects otherwise. */
  async startStream(id, request, callbacks = {}) {
    const s = this.service(id);
    const line = requestLine(request);
    const h = new StreamHandle(s, line, callbacks);
    try {
      const { head, channel, take } = await s.request(line);
      s.streams.add(h);
      callbacks.onHead?.(head);
      h._attach(head, channel, take);
      return h;
    } catch (e) {
      callbacks.onError?.(e);
      throw e;
    }
  }

  /** stopStream stops one stream (a handle), or every stream of the service. */
  stopStream(id, handle) {
    const s = this.services.get(id);
    if (!s) return;
    if (handle) handle.stop();
    else for (const h of [...s.streams]) if (!h.voice) h.stop();
  }

  /** watchEvents opens the camera's event stream (the token needs the
   * live permission): each event is emitted as 'event' on the service,
   * {type, time, channel, data}, and on the SDK with the service's id.
   * It resolves with a handle whose stop() ends the stream; a service
   * that re-dials opens it again. */
  async watchEvents(id) {
    const s = this.service(id);
    s._watchEvents = true;
    return s.watchEvents();
  }

  /** sendCommand sends a command and resolves with its parsed JSON reply
   * (or the text, if it is not JSON). cmd: 'get_device_st&type=live', a
   * query 'action=user_define&channel=0&cmd=...', or a full line. */
  async sendCommand(id, cmd, opts = {}) {
    const s = this.service(id);
    const line = commandLine(cmd, opts.channel ?? 0);
    const { head, channel, take } = await s.request(line, { anyStatus: true, timeout: opts.timeout });
    const chunks = [];
    const body = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { channel.close(); reject(new P2PError(ERR_STATUS, `${line}: reply not finished within ${this.options.timeouts.head} ms`)); }, this.options.timeouts.head);
      take((e) => chunks.push(typeof e.data === 'string' ? new TextEncoder().encode(e.data) : new Uint8Array(e.data)), () => {
        clearTimeout(timer);
        const n = chunks.reduce((a, c) => a + c.length, 0);
        const all = new Uint8Array(n);
        let o = 0;
        for (const c of chunks) { all.set(c, o); o += c.length; }
        resolve(new TextDecoder().decode(all));
      });
    });
    if (head.status !== 0) throw statusError(line, head.status, body.trim() || head.error);
    try { return JSON.parse(body); } catch { return body; }
  }

  /** startVoice opens the microphone (echo-cancelled) and talks to the
   * camera: over an audio track when the camera offers tracks, else as
   * G.711 A-law FLV on a voice data channel. opts: {transport:'auto'|'track'|'flv', stream?: MediaStream}.
   * Rejects with ERR_BUSY when another viewer is talking. */
  async startVoice(id, opts = {}) {
    const s = this.service(id);
    if (this._voices.has(id)) throw new P2PError(ERR_ARGUMENT, `talkback to ${id} is already on (or starting)`);
    let stream = opts.stream;
    if (!stream) {
      try {
        stream = await this.env.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 }, video: false });
      } catch (e) {
        throw new P2PError(ERR_MICROPHONE, `cannot open the microphone: ${e.message} (allow it in the browser's site settings)`, { cause: e });
      }
    }
    const own = !opts.stream;
    const transport = opts.transport === 'track' || (opts.transport !== 'flv' && s.tracks && s.audioTransceiver) ? 'track' : 'flv';
    const v = { stream, own, transport, info: { id, transport } };
    this._voices.set(id, v);
    const gone = () => this._voices.get(id) !== v;
    try {
      if (transport === 'track') {
        await s.audioTransceiver.sender.replaceTrack(stream.getAudioTracks()[0]);
        v.handle = await this._voiceRequest(s, 'voice?channel=0&transport=track');
      } else {
        // The microphone first (an AudioContext can take a second to
        // start), the request after: the camera ends a talk that stays
        // silent for 2 s. Frames before the camera accepts are dropped.
        const mux = new FLVAudioMuxer();
        let ms = 0;
        let header = false;
        v.mic = new MicReader(stream, (frame) => {
          if (!v.handle) return;
          if (!header) header = v.handle.send(mux.header());
          if (header) v.handle.send(mux.tag(frame, ms));
          ms += 20;
        });
        await v.mic.start();
        if (gone()) throw new P2PError(ERR_STOPPED, 'stopVoice was called while talkback started');
        v.handle = await this._voiceRequest(s, 'voice?channel=0');
      }
      if (gone()) throw new P2PError(ERR_STOPPED, 'stopVoice was called while talkback started');
    } catch (e) {
      if (!gone()) this._voices.delete(id);
      this._endVoice(s, v);
      throw e;
    }
    v.handle.voice = true;
    v.handle.callbacks.onEnd = v.handle.callbacks.onError = () => { if (this._voices.get(id) === v) this.stopVoice(id); };
    this.emit('voice', { id, talking: true, transport });
    return v.info;
  }

  async _voiceRequest(s, line) {
    const h = new StreamHandle(s, line, {});
    try {
      const { head, channel, take } = await s.request(line);
      h._attach(head, channel, take);
      s.streams.add(h);
      return h;
    } catch (e) {
      if (e.status === STATUS_BUSY) e.message = 'another viewer is talking to this camera (status 1, busy)';
      throw e;
    }
  }

  _endVoice(s, v) {
    v.mic?.stop();
    v.handle?.stop();
    if (v.transport === 'track') s?.audioTransceiver?.sender.replaceTrack(null).catch(() => {});
    if (v.own) for (const t of v.stream.getTracks()) t.stop();
  }

  /** stopVoice ends talkback and releases the microphone. */
  stopVoice(id) {
    const v = this._voices.get(id);
    if (!v) return;
    this._voices.delete(id);
    const s = this.services.get(id);
    this._endVoice(s, v); // a start still under way ends itself
    this.emit('voice', { id, talking: false });
  }

  /** stopServiceById ends a camera's session and its streams. */
  stopServiceById(id) {
    const s = this.services.get(id);
    if (!s) return;
    this.stopVoice(id);
    this.services.delete(id);
    s.stop();
  }

  /** destroy ends every service and the signalling connection. */
  destroy() {
    for (const id of [...this.services.keys()]) this.stopServiceById(id);
    clearTimeout(this._refreshTimer);
    this.takeSpare(null);
    const g = globalThis;
    if (this._networkHandler) {
      g.removeEventListener?.('online', this._networkHandler);
      g.navigator?.connection?.removeEventListener?.('change', this._networkHandler);
    }
    // Not forced: the byes just published go out first.
    this.mqtt?.end?.(false);
    this.mqtt = null;
    this.account = null;
    this._credentials = null;
    this._remembered = false;
    this._infos.clear();
  }
}
