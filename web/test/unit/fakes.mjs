// Fake transports for the SDK's unit tests: an MQTT client wired to a
// fake camera, RTCPeerConnection and data channels, and fetch.
import { EventEmitter } from 'node:events';
import { answerSignedBytes } from '../../src/signing.js';

const enc = new TextEncoder();
const b64 = (u8) => Buffer.from(u8).toString('base64');

/** Camera is a fake camera on a fake broker: it answers offers with a
 * signed answer (or what a test tells it), and requests with heads. */
export class Camera {
  constructor(device = 'demo/cam1') {
    this.device = device;
    this.offers = [];
    this.messages = [];
    this.mode = 'answer'; // 'answer' | 'error' | 'silent' | 'badsig'
    this.online = true;
    this.heads = new Map(); // request path -> head
    this.bodies = new Map(); // request path -> [chunks]
  }
  async init() {
    this.keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    this.pubkey = b64(new Uint8Array(await crypto.subtle.exportKey('raw', this.keys.publicKey)));
    return this;
  }
  info() { return { v: 1, online: this.online, boot: 'b00t', pubkey: this.pubkey, since: 1 }; }
  async onRPC(client, msg, props) {
    this.messages.push({ msg, props });
    if (msg.type !== 'offer') return;
    this.offers.push(msg);
    const reply = (m) => client._deliver(props.responseTopic, m, { correlationData: Buffer.from(props.correlationData) });
    if (this.mode === 'silent') return;
    if (this.mode === 'error') { reply({ type: 'error', session: msg.session, status: 401, error: 'token refused: expired' }); return; }
    const sdp = 'v=0\r\no=- answer\r\n' + (this.tracks ? 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=msid:s v\r\n' : '');
    let sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, this.keys.privateKey, answerSignedBytes(msg.session, msg.sdp, sdp)));
    if (this.mode === 'badsig') sig[0] ^= 1;
    reply({ type: 'candidate', session: msg.session, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
    reply({ type: 'answer', session: msg.session, sdp, sig: b64(sig) });
  }
  /** respond answers a data channel request. */
  respond(dc) {
    const path = dc.label.split('?')[0];
    if (this.closeFresh?.[path] > 0) {
      // Close the channel before it opens (never reached the handler),
      // or after it opened but before the head.
      this.closeFresh[path]--;
      setTimeout(() => { if (this.openThenClose) dc.onopen?.(); dc._remoteClose(); }, 1);
      return;
    }
    const head = this.heads.get(path) ?? { status: 0 };
    setTimeout(() => {
      dc._recv(JSON.stringify(head));
      for (const c of this.bodies.get(path) || []) dc._recv(typeof c === 'string' ? enc.encode(c).buffer : c);
      if (path === 'command' || head.status !== 0) dc._remoteClose();
    }, 1);
  }
}

/** mqttConnect returns a connect function for the SDK, wired to cams. */
export function fakeMQTT(cams, opts = {}) {
  const clients = [];
  const connect = (url, o) => {
    const c = new EventEmitter();
    c.url = url;
    c.options = o;
    c.subs = new Set();
    c.published = [];
    c.ended = false;
    clients.push(c);
    c.subscribe = (topic, _o, cb) => {
      c.subs.add(topic);
      const m = /^p2pcam\/(.+)\/info$/.exec(topic);
      const cam = m && cams.find((x) => x.device === m[1]);
      if (cam) setTimeout(() => c._deliver(topic, cam.info(), {}), 1);
      cb?.(null, [{ topic, qos: 1 }]);
    };
    c.publish = (topic, payload, po, cb) => {
      const msg = JSON.parse(payload);
      c.published.push({ topic, msg, props: po.properties });
      const m = /^p2pcam\/(.+)\/rpc$/.exec(topic);
      const cam = m && cams.find((x) => x.device === m[1]);
      if (cam) setTimeout(() => cam.onRPC(c, msg, po.properties), 1);
      cb?.(null);
    };
    c._deliver = (topic, m, properties) => {
      if (!c.subs.has(topic) || c.ended) return;
      c.emit('message', topic, Buffer.from(JSON.stringify(m)), { properties });
    };
    c.end = () => { c.ended = true; };
    c.removeListener = c.off;
    setTimeout(() => (opts.refuse ? c.emit('error', new Error('Connection refused: Not authorized')) : c.emit('connect')), 1);
    return c;
  };
  connect.clients = clients;
  return connect;
}

export class FakeDataChannel {
  constructor(pc, label) {
    this.pc = pc;
    this.label = label;
    this.readyState = 'open';
    this.sent = [];
    this.onmessage = null;
    this.onclose = null;
    this.binaryType = 'blob';
  }
  send(b) { this.sent.push(b); }
  close() { if (this.readyState === 'closed') return; this.readyState = 'closed'; this.closedByUs = true; }
  _recv(data) { this.onmessage?.({ data }); }
  _remoteClose() { this.readyState = 'closed'; this.onclose?.(); }
}

/** fakePeerConnection returns an RTCPeerConnection class whose instances
 * connect once an answer is set, and whose channels the camera answers. */
export function fakePeerConnection(cam, opts = {}) {
  const pcs = [];
  class PC {
    constructor(config) {
      this.config = config;
      this.channels = [];
      this.added = [];
      this.connectionState = 'new';
      this.closed = false;
      this.localDescription = null;
      pcs.push(this);
    }
    createDataChannel(label) {
      const dc = new FakeDataChannel(this, label);
      this.channels.push(dc);
      if (label !== '_') cam.respond(dc);
      return dc;
    }
    addTransceiver(kind, o) {
      const t = { kind, direction: o.direction, receiver: { track: { kind } }, sender: { track: null, replaceTrack: async (tr) => { t.sender.track = tr; } } };
      return t;
    }
    getConfiguration() { return { ...this.config }; }
    setConfiguration(c) { this.config = c; }
    async createOffer() { return { type: 'offer', sdp: 'v=0\r\no=- offer é\r\n' }; }
    async setLocalDescription(d) {
      this.localDescription = d;
      setTimeout(() => {
        this.onicecandidate?.({ candidate: { candidate: 'candidate:2 1 udp 2 10.0.0.2 6000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'x' } });
        this.onicecandidate?.({ candidate: null });
      }, 0);
    }
    async setRemoteDescription(d) {
      this.remoteDescription = d;
      if (!opts.neverConnect) setTimeout(() => this._state('connected'), 2);
    }
    async addIceCandidate(c) { this.added.push(c); }
    _state(s) { this.connectionState = s; this.onconnectionstatechange?.(); }
    async getStats() {
      const m = new Map();
      m.set('T', { type: 'transport', selectedCandidatePairId: 'P' });
      m.set('P', { type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', state: 'succeeded', nominated: true, bytesReceived: 1000, currentRoundTripTime: 0.01 });
      m.set('L', { type: 'local-candidate', candidateType: opts.localType || 'host', address: '10.0.0.2', port: 6000 });
      m.set('R', { type: 'remote-candidate', candidateType: opts.remoteType || 'host', address: '127.0.0.1', port: 5000 });
      return m;
    }
    close() { this.closed = true; this.connectionState = 'closed'; }
  }
  PC.instances = pcs;
  return PC;
}

/** fakeFetch answers /api/login and /api/token. */
export function fakeFetch(shared = ['demo/cam1']) {
  const calls = [];
  const f = async (url, init) => {
    const body = JSON.parse(init.body);
    calls.push({ url, body: { ...body } });
    const res = (status, json) => ({ status, json: async () => json });
    // The remembered sign-in, as the cloud's HttpOnly cookie would be.
    if (url.endsWith('/api/logout')) { f.remembered = null; return res(200, {}); }
    if (url.endsWith('/api/session') && !f.remembered) return res(401, { error: 'no remembered sign-in' });
    if (url.endsWith('/api/session')) body.user = f.remembered;
    else if (body.password !== 'pw') return res(401, { error: 'wrong user or password' });
    if (body.remember) f.remembered = body.user;
    if (url.endsWith('/api/login') || url.endsWith('/api/session')) {
      return res(200, {
        user: body.user, expires: Math.floor(Date.now() / 1000) + 3600,
        mqtt: { url: 'ws://cloud/mqtt', username: body.user, password: 'short-lived' },
        ice_servers: [{ urls: ['stun:cloud:3478'] }],
        devices: shared.map((d) => ({ device: d, perm: ['live', 'voice', 'command'], token: 'p2pcam1.tok.' + d })),
      });
    }
    if (url.endsWith('/api/token')) {
      return shared.includes(body.device) ? res(200, { token: 'p2pcam1.tok', expires: 1 }) : res(403, { error: `device ${body.device} is not shared with ${body.user}` });
    }
    return res(404, { error: 'not found' });
  };
  f.calls = calls;
  f.remembered = null;
  return f;
}
