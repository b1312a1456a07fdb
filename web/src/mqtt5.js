// A small MQTT 5 client over WebSocket: the part of MQTT 5 that the
// signalling of docs/protocol.md uses (CONNECT with a user name and
// password, SUBSCRIBE, PUBLISH at QoS 0 and 1 with the Response Topic
// and Correlation Data properties, keep-alive, reconnection with the
// subscriptions restored). It replaces mqtt.js (340 KiB minified with
// its Node polyfills, about 0.6 s to load and 1 s to first connect on a
// loaded 2-core machine) with a few KiB. Packet formats follow the
// MQTT 5.0 specification (OASIS, 2019), section 3; its API is the part
// of mqtt.js's that the SDK calls, so either can be passed to init().
import { Emitter } from './emitter.js';

/** MAX_PACKET bounds a packet from the broker: signalling messages are
 * SDP offers and answers of a few KiB; a larger packet is a broken or
 * hostile broker, and the connection is closed. */
export const MAX_PACKET = 256 << 10;

/** MQTTError is a malformed packet from the broker or a refusal. */
export class MQTTError extends Error {
  constructor(message, reason) {
    super(message);
    this.name = 'MQTTError';
    if (reason !== undefined) this.reason = reason;
  }
}

// Packet types (section 2.1.2).
const CONNECT = 1, CONNACK = 2, PUBLISH = 3, PUBACK = 4, SUBSCRIBE = 8, SUBACK = 9,
  UNSUBACK = 11, PINGREQ = 12, PINGRESP = 13, DISCONNECT = 14, AUTH = 15;

// Reason codes the broker may refuse with (section 2.4).
const reasons = {
  0x80: 'unspecified error', 0x81: 'malformed packet', 0x82: 'protocol error', 0x83: 'implementation specific error',
  0x84: 'unsupported protocol version', 0x85: 'client identifier not valid', 0x86: 'bad user name or password',
  0x87: 'not authorized', 0x88: 'server unavailable', 0x89: 'server busy', 0x8A: 'banned', 0x8C: 'bad authentication method',
  0x8E: 'session taken over', 0x8F: 'topic filter invalid', 0x90: 'topic name invalid', 0x93: 'receive maximum exceeded',
  0x95: 'packet too large', 0x97: 'quota exceeded', 0x99: 'payload format invalid', 0x9C: 'use another server',
  0x9D: 'server moved', 0x9F: 'connection rate exceeded',
};
/** reasonText names an MQTT 5 reason code. */
export function reasonText(rc) { return reasons[rc] || `reason 0x${rc.toString(16)}`; }

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function varint(n) {
  const out = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 128;
    out.push(d);
  } while (n > 0);
  return out;
}

function str(s) {
  const b = typeof s === 'string' ? enc.encode(s) : s;
  if (b.length > 0xffff) throw new MQTTError(`string of ${b.length} bytes: at most 65535`);
  return [b.length >> 8, b.length & 255, ...b];
}

function packet(type, flags, body) {
  return new Uint8Array([(type << 4) | flags, ...varint(body.length), ...body]);
}

/** encodeConnect makes a CONNECT packet (section 3.1). */
export function encodeConnect({ clientId, username, password, keepalive = 60, clean = true }) {
  let flags = clean ? 0x02 : 0;
  if (username) flags |= 0x80;
  if (password) flags |= 0x40;
  const body = [0, 4, 77, 81, 84, 84, 5, flags, keepalive >> 8, keepalive & 255, 0, ...str(clientId || '')];
  if (username) body.push(...str(username));
  if (password) body.push(...str(password));
  return packet(CONNECT, 0, body);
}

/** encodeSubscribe makes a SUBSCRIBE packet for one topic filter (section 3.8). */
export function encodeSubscribe(id, topic, qos) {
  return packet(SUBSCRIBE, 2, [id >> 8, id & 255, 0, ...str(topic), qos & 3]);
}

/** encodePublish makes a PUBLISH packet (section 3.3) with the Response
 * Topic (0x08) and Correlation Data (0x09) properties when given. */
export function encodePublish({ topic, payload, qos = 0, retain = false, id = 0, properties = {} }) {
  const props = [];
  if (properties.responseTopic) props.push(0x08, ...str(properties.responseTopic));
  if (properties.correlationData) props.push(0x09, ...str(properties.correlationData));
  const body = [...str(topic)];
  if (qos > 0) body.push(id >> 8, id & 255);
  body.push(...varint(props.length), ...props);
  const p = typeof payload === 'string' ? enc.encode(payload) : (payload || new Uint8Array(0));
  const head = packet(PUBLISH, (qos << 1) | (retain ? 1 : 0), body.concat(new Array(p.length)));
  head.set(p, head.length - p.length);
  return head;
}

/** encodePuback makes a PUBACK for a received QoS 1 PUBLISH (section 3.4). */
export function encodePuback(id) { return new Uint8Array([PUBACK << 4, 2, id >> 8, id & 255]); }

export const PINGREQ_PACKET = new Uint8Array([PINGREQ << 4, 0]);
export const DISCONNECT_PACKET = new Uint8Array([DISCONNECT << 4, 0]);

// Property types by identifier (section 2.2.2.2).
const propType = {
  0x01: 'byte', 0x02: 'u32', 0x03: 'str', 0x08: 'str', 0x09: 'bin', 0x0B: 'varint', 0x11: 'u32', 0x12: 'str',
  0x13: 'u16', 0x15: 'str', 0x16: 'bin', 0x17: 'byte', 0x18: 'u32', 0x19: 'byte', 0x1A: 'str', 0x1C: 'str',
  0x1F: 'str', 0x21: 'u16', 0x22: 'u16', 0x23: 'u16', 0x24: 'byte', 0x25: 'byte', 0x26: 'pair', 0x27: 'u32',
  0x28: 'byte', 0x29: 'byte', 0x2A: 'byte',
};
const propName = { 0x08: 'responseTopic', 0x09: 'correlationData', 0x03: 'contentType', 0x1F: 'reasonString', 0x23: 'topicAlias' };

/** Reader reads one packet's body. Every read past the end throws. */
class Reader {
  constructor(b) { this.b = b; this.i = 0; }
  need(n) { if (this.i + n > this.b.length) throw new MQTTError('malformed packet: truncated'); }
  byte() { this.need(1); return this.b[this.i++]; }
  u16() { this.need(2); const v = (this.b[this.i] << 8) | this.b[this.i + 1]; this.i += 2; return v; }
  u32() { this.need(4); const v = ((this.b[this.i] << 24) >>> 0) + (this.b[this.i + 1] << 16) + (this.b[this.i + 2] << 8) + this.b[this.i + 3]; this.i += 4; return v; }
  varint() {
    let v = 0;
    for (let k = 0, mul = 1; ; k++, mul *= 128) {
      if (k === 4) throw new MQTTError('malformed packet: variable byte integer longer than 4 bytes');
      const d = this.byte();
      v += (d & 127) * mul;
      if (!(d & 128)) return v;
    }
  }
  bin() { const n = this.u16(); this.need(n); const v = this.b.subarray(this.i, this.i + n); this.i += n; return v; }
  str() {
    try { return dec.decode(this.bin()); } catch (e) {
      if (e instanceof MQTTError) throw e;
      throw new MQTTError('malformed packet: string is not UTF-8');
    }
  }
  rest() { const v = this.b.subarray(this.i); this.i = this.b.length; return v; }
  left() { return this.b.length - this.i; }
  properties() {
    const n = this.varint();
    this.need(n);
    const end = this.i + n;
    const props = {};
    while (this.i < end) {
      const id = this.varint();
      const t = propType[id];
      let v;
      switch (t) {
        case 'byte': v = this.byte(); break;
        case 'u16': v = this.u16(); break;
        case 'u32': v = this.u32(); break;
        case 'varint': v = this.varint(); break;
        case 'str': v = this.str(); break;
        case 'bin': v = this.bin(); break;
        case 'pair': v = [this.str(), this.str()]; break;
        default: throw new MQTTError(`malformed packet: unknown property 0x${id.toString(16)}`);
      }
      if (propName[id]) props[propName[id]] = v;
    }
    if (this.i !== end) throw new MQTTError('malformed packet: properties overrun their length');
    return props;
  }
}

/** decodePacket decodes one packet from the broker: {type, ...fields}.
 * It throws an MQTTError on anything malformed or unexpected. */
export function decodePacket(first, body) {
  const type = first >> 4;
  const flags = first & 15;
  const r = new Reader(body);
  switch (type) {
    case CONNACK: {
      r.byte();
      const rc = r.byte();
      if (r.left()) r.properties();
      return { type: 'connack', reason: rc };
    }
    case PUBLISH: {
      const qos = (flags >> 1) & 3;
      if (qos === 3) throw new MQTTError('malformed packet: PUBLISH with QoS 3');
      const topic = r.str();
      const id = qos > 0 ? r.u16() : 0;
      const properties = r.properties();
      return { type: 'publish', topic, qos, id, retain: !!(flags & 1), properties, payload: r.rest() };
    }
    case PUBACK: {
      const id = r.u16();
      const rc = r.left() ? r.byte() : 0;
      if (r.left()) r.properties();
      return { type: 'puback', id, reason: rc };
    }
    case SUBACK: case UNSUBACK: {
      const id = r.u16();
      r.properties();
      return { type: type === SUBACK ? 'suback' : 'unsuback', id, reasons: Array.from(r.rest()) };
    }
    case PINGRESP: return { type: 'pingresp' };
    case DISCONNECT: {
      const rc = r.left() ? r.byte() : 0;
      const props = r.left() ? r.properties() : {};
      return { type: 'disconnect', reason: rc, reasonString: props.reasonString };
    }
    case AUTH: return { type: 'auth' };
    default: throw new MQTTError(`protocol error: packet type ${type} from the broker`);
  }
}

/** PacketReader cuts a byte stream (WebSocket messages, which may split
 * or join packets) into packets. */
export class PacketReader {
  constructor() { this.buf = new Uint8Array(0); }
  /** push adds bytes and returns the packets now complete. */
  push(bytes) {
    const b = new Uint8Array(this.buf.length + bytes.length);
    b.set(this.buf);
    b.set(bytes, this.buf.length);
    const out = [];
    let i = 0;
    for (;;) {
      if (b.length - i < 2) break;
      let len = 0;
      let k = 1;
      let complete = false;
      for (let mul = 1; k <= 4 && i + k < b.length; k++, mul *= 128) {
        len += (b[i + k] & 127) * mul;
        if (!(b[i + k] & 128)) { complete = true; break; }
      }
      if (!complete) {
        if (k > 4) throw new MQTTError('malformed packet: remaining length longer than 4 bytes');
        break;
      }
      if (len > MAX_PACKET) throw new MQTTError(`packet of ${len} bytes from the broker: at most ${MAX_PACKET}`);
      const start = i + k + 1;
      if (b.length < start + len) break;
      out.push(decodePacket(b[i], b.subarray(start, start + len)));
      i = start + len;
    }
    this.buf = b.slice(i);
    return out;
  }
}

/**
 * MQTTClient is a connection to an MQTT 5 broker over WebSocket, kept
 * up (reconnectPeriod) with its subscriptions. Options: clientId,
 * username, password (read again at each reconnection), clean,
 * keepalive (s, default 60), reconnectPeriod (ms, default 2000; 0 for
 * none), connectTimeout (ms, default 10000), WebSocket (default the
 * global one), socket (a WebSocket to url with the 'mqtt' subprotocol
 * already opening or open, used for the first connection). Events: connect, message(topic, payload, packet), close,
 * error.
 */
export class MQTTClient extends Emitter {
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.options = { keepalive: 60, reconnectPeriod: 2000, connectTimeout: 10000, clean: true, ...options };
    this.connected = false;
    this._ws = null;
    this._ended = false;
    this._nextId = 1;
    this._subs = new Map(); // topic -> qos, restored after a reconnection
    this._pending = new Map(); // packet id -> callback (PUBACK, SUBACK)
    this._open();
  }

  once(name, fn) {
    const off = super.once(name, fn);
    const wrapper = [...this._handlers.get(name)].pop(); // the one just added
    wrapper._fn = fn; // so that off(name, fn) finds it
    return off;
  }

  off(name, fn) {
    const hs = this._handlers.get(name);
    if (!hs) return;
    for (const h of hs) if (h === fn || h._fn === fn) hs.delete(h);
  }

  removeListener(name, fn) { this.off(name, fn); }

  _id() {
    const id = this._nextId;
    this._nextId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  _open() {
    const WS = this.options.WebSocket || globalThis.WebSocket;
    // A socket the page opened to this.url while the SDK loaded
    // (options.socket), taken once while it is opening or open.
    let ws = this.options.socket;
    this.options.socket = null;
    if (ws && !(ws.readyState <= 1)) ws = null;
    try {
      ws ??= new WS(this.url, 'mqtt');
    } catch (e) {
      this._fail(new MQTTError(`cannot open ${this.url}: ${e.message}`));
      return;
    }
    this._ws = ws;
    ws.binaryType = 'arraybuffer';
    const reader = new PacketReader();
    this._connectTimer = setTimeout(() => this._drop(ws, new MQTTError(`no CONNACK within ${this.options.connectTimeout} ms`)), this.options.connectTimeout);
    ws.onopen = () => {
      const o = this.options;
      ws.send(encodeConnect({ clientId: o.clientId, username: o.username, password: o.password, keepalive: o.keepalive, clean: o.clean }));
    };
    ws.onmessage = (e) => {
      if (ws !== this._ws) return;
      let packets;
      try {
        packets = reader.push(new Uint8Array(e.data));
      } catch (err) {
        this._drop(ws, err);
        return;
      }
      this._heard = true;
      for (const p of packets) this._onPacket(ws, p);
    };
    ws.onerror = () => { if (ws === this._ws && !this.connected) this._lastError = new MQTTError(`cannot connect to ${this.url}`); };
    ws.onclose = (e) => {
      if (ws !== this._ws) return;
      this._closed(this._lastError || (this.connected ? null : new MQTTError(`${this.url} closed the connection (${e?.code ?? '?'})`)));
    };
    if (ws.readyState === 1) ws.onopen(); // already open: no open event comes
  }

  _onPacket(ws, p) {
    switch (p.type) {
      case 'connack':
        clearTimeout(this._connectTimer);
        if (p.reason >= 0x80) {
          // Refused: another try with the same credentials would be too.
          this._ended = true;
          this._drop(ws, new MQTTError(`Connection refused: ${reasonText(p.reason)}`, p.reason));
          return;
        }
        this.connected = true;
        this._lastError = null;
        for (const [topic, qos] of this._subs) this._send(encodeSubscribe(this._id(), topic, qos));
        this._keepalive(ws);
        this.emit('connect', p);
        break;
      case 'publish':
        if (p.qos === 1) this._send(encodePuback(p.id));
        if (p.qos === 2) { this._drop(ws, new MQTTError('protocol error: QoS 2 PUBLISH (we subscribe at QoS 1 at most)')); return; }
        this.emit('message', p.topic, p.payload, p);
        break;
      case 'puback': case 'suback': case 'unsuback': {
        const cb = this._pending.get(p.id);
        this._pending.delete(p.id);
        cb?.(p);
        break;
      }
      case 'disconnect':
        this._lastError = new MQTTError(`the broker disconnected: ${reasonText(p.reason)}${p.reasonString ? ' (' + p.reasonString + ')' : ''}`, p.reason);
        this._drop(ws, this._lastError);
        break;
      default: // pingresp: _heard is enough
    }
  }

  _keepalive(ws) {
    clearInterval(this._pingTimer);
    const ms = this.options.keepalive * 1000;
    if (!ms) return;
    this._heard = true;
    this._pingTimer = setInterval(() => {
      if (ws !== this._ws) return;
      if (!this._heard) { this._drop(ws, new MQTTError(`no answer from the broker within ${this.options.keepalive} s`)); return; }
      this._heard = false;
      this._send(PINGREQ_PACKET);
    }, ms / 2);
  }

  _send(bytes) {
    if (this._ws?.readyState !== 1) return false;
    this._ws.send(bytes);
    return true;
  }

  _drop(ws, err) {
    if (ws !== this._ws) return;
    this._lastError = err;
    try { ws.close(); } catch { /* closed */ }
    this._closed(err);
  }

  _fail(err) { this._closed(err); }

  _closed(err) {
    const ws = this._ws;
    this._ws = null;
    if (ws) { ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null; }
    clearTimeout(this._connectTimer);
    clearInterval(this._pingTimer);
    this.connected = false;
    for (const [id, cb] of this._pending) { this._pending.delete(id); cb({ error: new MQTTError('connection closed') }); }
    if (err && !this._endedByUs) this.emit('error', err);
    this.emit('close');
    if (!this._ended && this.options.reconnectPeriod > 0) {
      this._reconnectTimer = setTimeout(() => { if (!this._ended) this._open(); }, this.options.reconnectPeriod);
    }
  }

  /** subscribe subscribes to a topic filter (kept across reconnections);
   * cb(err, granted) as mqtt.js: granted [{topic, qos}], qos >= 128 a refusal. */
  subscribe(topic, opts = {}, cb) {
    const qos = Math.min(opts.qos ?? 0, 1);
    this._subs.set(topic, qos);
    if (!this.connected) { cb?.(null, [{ topic, qos }]); return this; }
    const id = this._id();
    if (cb) this._pending.set(id, (p) => (p.error ? cb(p.error) : cb(null, p.reasons.map((rc) => ({ topic, qos: rc })))));
    this._send(encodeSubscribe(id, topic, qos));
    return this;
  }

  /** publish sends a message; cb(err) once the broker took it (PUBACK at
   * QoS 1, at once at QoS 0). opts {qos, retain, properties:
   * {responseTopic, correlationData}}. */
  publish(topic, payload, opts = {}, cb) {
    if (!this.connected) { cb?.(new MQTTError('not connected to the broker')); return this; }
    const qos = Math.min(opts.qos ?? 0, 1);
    const id = qos ? this._id() : 0;
    if (qos && cb) this._pending.set(id, (p) => cb(p.error || (p.reason >= 0x80 ? new MQTTError(`publish to ${topic} refused: ${reasonText(p.reason)}`, p.reason) : null)));
    let bytes;
    try {
      bytes = encodePublish({ topic, payload, qos, retain: !!opts.retain, id, properties: opts.properties || {} });
    } catch (e) {
      this._pending.delete(id);
      cb?.(e);
      return this;
    }
    this._send(bytes);
    if (!qos) cb?.(null);
    return this;
  }

  /** end closes the connection for good (with a DISCONNECT unless force). */
  end(force = false) {
    if (this._ended && !this._ws) return this;
    this._ended = true;
    this._endedByUs = true;
    clearTimeout(this._reconnectTimer);
    const ws = this._ws;
    if (ws) {
      if (!force && this.connected) this._send(DISCONNECT_PACKET);
      this._ws = null;
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try { ws.close(); } catch { /* closed */ }
      clearTimeout(this._connectTimer);
      clearInterval(this._pingTimer);
      const was = this.connected;
      this.connected = false;
      for (const [id, cb] of this._pending) { this._pending.delete(id); cb({ error: new MQTTError('connection ended') }); }
      if (was) this.emit('close');
    }
    return this;
  }
}

/** connect returns a new MQTTClient: mqtt.js's connect(url, options). */
export function connect(url, options) { return new MQTTClient(url, options); }
