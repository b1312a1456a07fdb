// The MQTT 5 client: packets checked byte for byte against the spec's
// layout, the decoder fuzzed with broken input, and the client's
// lifecycle (connect, refusal, subscribe, publish with properties,
// reconnection) over a fake WebSocket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeConnect, encodeSubscribe, encodePublish, encodePuback, decodePacket, PacketReader, MQTTClient, MQTTError, MAX_PACKET,
} from '../../src/mqtt5.js';

const bytes = (...a) => new Uint8Array(a.flat());
const s = (x) => { const b = new TextEncoder().encode(x); return [b.length >> 8, b.length & 255, ...b]; };
/** pkt is a packet: its first byte, the remaining length, the body. */
const pkt = (first, ...body) => { const b = body.flat(); return bytes(first, b.length, b); };

// Packets from the broker: their bytes and what they decode to.
const decodeCases = [
  { name: 'CONNACK ok', in: bytes(0x20, 3, 0, 0, 0), want: { type: 'connack', reason: 0 } },
  { name: 'CONNACK with properties', in: pkt(0x20, 0, 0, 5, 0x22, 0, 10, 0x24, 1), want: { type: 'connack', reason: 0 } },
  { name: 'CONNACK bad password', in: bytes(0x20, 3, 0, 0x86, 0), want: { type: 'connack', reason: 0x86 } },
  { name: 'PUBLISH QoS 0', in: pkt(0x30, s('a/b'), 0, 0x7b, 0x7d), want: { type: 'publish', topic: 'a/b', qos: 0, id: 0, retain: false, properties: {}, payload: [0x7b, 0x7d] } },
  {
    name: 'PUBLISH QoS 1 retained with correlation data', in: pkt(0x33, s('a/b'), 0, 7, 4, 0x09, 0, 1, 0x41, 0x78),
    want: { type: 'publish', topic: 'a/b', qos: 1, id: 7, retain: true, properties: { correlationData: [0x41] }, payload: [0x78] },
  },
  { name: 'PUBLISH with a user property', in: pkt(0x30, s('a/b'), 7, 0x26, s('k'), s('v')), want: { type: 'publish', topic: 'a/b', qos: 0, id: 0, retain: false, properties: {}, payload: [] } },
  { name: 'PUBACK short', in: bytes(0x40, 2, 0, 9), want: { type: 'puback', id: 9, reason: 0 } },
  { name: 'PUBACK refused', in: bytes(0x40, 4, 0, 9, 0x87, 0), want: { type: 'puback', id: 9, reason: 0x87 } },
  { name: 'SUBACK', in: bytes(0x90, 4, 0, 3, 0, 1), want: { type: 'suback', id: 3, reasons: [1] } },
  { name: 'PINGRESP', in: bytes(0xd0, 0), want: { type: 'pingresp' } },
  { name: 'DISCONNECT with reason string', in: pkt(0xe0, 0x8e, 6, 0x1f, s('bye')), want: { type: 'disconnect', reason: 0x8e, reasonString: 'bye' } },
  { name: 'truncated PUBLISH topic', in: bytes(0x30, 3, 0, 5, 0x61), err: /truncated/ },
  { name: 'PUBLISH QoS 3', in: pkt(0x36, s('a'), 0), err: /QoS 3/ },
  { name: 'unknown property', in: pkt(0x30, s('a'), 1, 0x7f), err: /unknown property/ },
  { name: 'properties overrun', in: pkt(0x30, s('a'), 1, 0x02, 0, 0, 0, 0), err: /overrun|truncated/ },
  { name: 'bad UTF-8 topic', in: pkt(0x30, 0, 2, 0xc3, 0x28, 0), err: /UTF-8/ },
  { name: 'CONNECT from the broker', in: bytes(0x10, 0), err: /packet type 1/ },
  { name: 'remaining length of 5 bytes', in: bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), err: /longer than 4 bytes/ },
  { name: 'too large', in: bytes(0x30, ...[0x80, 0x80, 0x80, 0x01]), err: /at most/ },
];

function plain(p) {
  const o = { ...p };
  if (o.payload) o.payload = [...o.payload];
  if (o.properties?.correlationData) o.properties = { ...o.properties, correlationData: [...o.properties.correlationData] };
  return o;
}

test('decode: packets from the broker, and malformed ones refused', () => {
  for (const c of decodeCases) {
    const r = new PacketReader();
    if (c.err) {
      assert.throws(() => r.push(c.in), (e) => e instanceof MQTTError && c.err.test(e.message), c.name);
      continue;
    }
    const got = r.push(c.in);
    assert.equal(got.length, 1, c.name);
    assert.deepEqual(plain(got[0]), c.want, c.name);
  }
});

test('PacketReader: packets split across and joined in WebSocket messages', () => {
  const all = bytes(...decodeCases.filter((c) => !c.err).map((c) => [...c.in]));
  for (const step of [1, 2, 3, 7, 64, all.length]) {
    const r = new PacketReader();
    const got = [];
    for (let i = 0; i < all.length; i += step) got.push(...r.push(all.subarray(i, i + step)));
    assert.deepEqual(got.map(plain), decodeCases.filter((c) => !c.err).map((c) => c.want), `step ${step}`);
  }
});

test('fuzz: the reader takes any bytes without throwing anything but MQTTError', () => {
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (const c of decodeCases) {
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(c.in);
      for (let k = rnd(4) + 1; k > 0; k--) b[rnd(b.length)] = rnd(256);
      const cut = b.subarray(0, rnd(b.length + 1));
      try {
        new PacketReader().push(cut);
      } catch (e) {
        assert.ok(e instanceof MQTTError, `${c.name} mutated ${[...cut]}: ${e.stack}`);
      }
    }
  }
});

test('encode: CONNECT, SUBSCRIBE, PUBLISH with properties, PUBACK', () => {
  assert.deepEqual([...encodeConnect({ clientId: 'u:1', username: 'u', password: 'p', keepalive: 60 })],
    [...pkt(0x10, 0, 4, 77, 81, 84, 84, 5, 0xc2, 0, 60, 0, s('u:1'), s('u'), s('p'))]);
  assert.deepEqual([...encodeSubscribe(3, 'a/+', 1)], [...pkt(0x82, 0, 3, 0, s('a/+'), 1)]);
  const pub = encodePublish({ topic: 'a/b', payload: '{}', qos: 1, id: 5, properties: { responseTopic: 'r', correlationData: 'x' } });
  assert.deepEqual([...pub], [...pkt(0x32, s('a/b'), 0, 5, 8, 0x08, s('r'), 0x09, s('x'), 0x7b, 0x7d)]);
  assert.deepEqual([...encodePuback(258)], [0x40, 2, 1, 2]);
  // What we encode, we decode.
  const back = new PacketReader().push(pub)[0];
  assert.equal(back.topic, 'a/b');
  assert.equal(back.properties.responseTopic, 'r');
  assert.equal(new TextDecoder().decode(back.properties.correlationData), 'x');
  assert.throws(() => encodePublish({ topic: 'x'.repeat(70000), payload: '' }), MQTTError);
  assert.ok(MAX_PACKET >= 64 << 10);
});

/** FakeWS is a WebSocket whose broker side the test plays. */
class FakeWS {
  static all = [];
  constructor(url, proto) {
    this.url = url; this.proto = proto; this.readyState = 0; this.sent = [];
    FakeWS.all.push(this);
    setTimeout(() => { if (this.readyState === 0) { this.readyState = 1; this.onopen?.(); } }, 1);
  }
  send(b) { this.sent.push(new PacketReader2().parse(b)); }
  close() { if (this.readyState === 3) return; this.readyState = 3; setTimeout(() => this.onclose?.({ code: 1000 }), 1); }
  recv(...a) { this.onmessage?.({ data: bytes(...a).buffer }); }
  drop() { this.readyState = 3; this.onerror?.(); this.onclose?.({ code: 1006 }); }
}
// Reads what the client sent: type and the raw bytes.
class PacketReader2 { parse(b) { return { type: b[0] >> 4, flags: b[0] & 15, bytes: [...b] }; } }

const until = async (fn, ms = 2000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

test('client: connect, subscribe, publish QoS 1 with properties, receive, reconnect and resubscribe', async () => {
  FakeWS.all = [];
  const c = new MQTTClient('ws://broker/mqtt', { clientId: 'u:1', username: 'u', password: 'p', reconnectPeriod: 10, WebSocket: FakeWS });
  const events = [];
  c.on('connect', () => events.push('connect'));
  c.on('close', () => events.push('close'));
  const msgs = [];
  c.on('message', (topic, payload, p) => msgs.push({ topic, payload: new TextDecoder().decode(payload), corr: p.properties.correlationData && new TextDecoder().decode(p.properties.correlationData) }));
  await until(() => FakeWS.all[0]?.sent.length === 1);
  const ws = FakeWS.all[0];
  assert.equal(ws.proto, 'mqtt');
  assert.equal(ws.sent[0].type, 1);
  ws.recv(0x20, 3, 0, 0, 0);
  assert.deepEqual(events, ['connect']);

  let granted;
  c.subscribe('in/box', { qos: 1 }, (err, g) => { granted = g; });
  assert.equal(ws.sent[1].type, 8);
  const subId = ws.sent[1].bytes[3];
  ws.recv(0x90, 4, 0, subId, 0, 1);
  assert.deepEqual(granted, [{ topic: 'in/box', qos: 1 }]);

  let acked = 'no';
  c.publish('a/rpc', '{"x":1}', { qos: 1, properties: { responseTopic: 'in/box', correlationData: 'S1' } }, (err) => { acked = err; });
  const pub = ws.sent[2];
  assert.equal(pub.type, 3);
  assert.equal(pub.flags, 2);
  const parsed = new PacketReader().push(new Uint8Array(pub.bytes))[0];
  assert.equal(new TextDecoder().decode(parsed.properties.correlationData), 'S1');
  ws.recv(0x40, 2, 0, parsed.id);
  assert.equal(acked, null);

  // A QoS 1 message to us: delivered, and acknowledged.
  ws.recv(...pkt(0x32, s('in/box'), 0, 42, 5, 0x09, s('S1'), 0x7b, 0x7d));
  assert.deepEqual(msgs, [{ topic: 'in/box', payload: '{}', corr: 'S1' }]);
  assert.deepEqual(ws.sent[3].bytes, [0x40, 2, 0, 42]);

  // A refused publish says so.
  let refused;
  c.publish('other/rpc', 'x', { qos: 1 }, (err) => { refused = err; });
  ws.recv(0x40, 3, 0, new PacketReader().push(new Uint8Array(ws.sent[4].bytes))[0].id, 0x87);
  assert.match(refused.message, /not authorized/);

  // The connection drops: pending callbacks fail, it reconnects with the
  // password the SDK set meanwhile, and subscribes again.
  let pending;
  c.publish('a/rpc', 'y', { qos: 1 }, (err) => { pending = err; });
  c.options.password = 'fresh';
  const errors = [];
  c.on('error', (e) => errors.push(e.message));
  ws.drop();
  assert.match(pending.message, /closed/);
  assert.deepEqual(events, ['connect', 'close']);
  await until(() => FakeWS.all[1]?.sent.length === 1);
  const ws2 = FakeWS.all[1];
  assert.ok(Buffer.from(ws2.sent[0].bytes).includes(Buffer.from('fresh')));
  ws2.recv(0x20, 3, 0, 0, 0);
  assert.equal(ws2.sent[1].type, 8, 'subscribed again');
  assert.ok(Buffer.from(ws2.sent[1].bytes).includes(Buffer.from('in/box')));
  assert.deepEqual(events, ['connect', 'close', 'connect']);

  c.end();
  assert.deepEqual(ws2.sent.at(-1).bytes, [0xe0, 0], 'DISCONNECT');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(FakeWS.all.length, 2, 'no reconnection after end()');
  assert.deepEqual(errors, []);
});

test('client: a socket the page opened early is used while it is opening or open, and replaced when it closed', async () => {
  for (const tt of [
    { name: 'opening', state: 0, reused: true },
    { name: 'open', state: 1, reused: true },
    { name: 'closing', state: 2, reused: false },
    { name: 'closed', state: 3, reused: false },
  ]) {
    FakeWS.all = [];
    const early = new FakeWS('ws://broker/mqtt', 'mqtt');
    early.readyState = tt.state;
    const c = new MQTTClient('ws://broker/mqtt', { clientId: 'u:1', username: 'u', password: 'p', reconnectPeriod: 0, WebSocket: FakeWS, socket: early });
    const ws = tt.reused ? early : FakeWS.all[1];
    assert.equal(FakeWS.all.length, tt.reused ? 1 : 2, `${tt.name}: sockets opened`);
    await until(() => ws.sent.length === 1);
    assert.equal(ws.sent[0].type, 1, `${tt.name}: CONNECT on the socket in use`);
    let connected = false;
    c.on('connect', () => { connected = true; });
    ws.recv(0x20, 3, 0, 0, 0);
    assert.ok(connected, `${tt.name}: connected`);
    assert.equal(c.options.socket, null, `${tt.name}: the early socket is taken once`);
    c.end();
  }
});

test('client: a refused CONNECT is an error and is not retried; a broken broker is dropped', async () => {
  FakeWS.all = [];
  const c = new MQTTClient('ws://broker/mqtt', { clientId: 'u:1', username: 'u', password: 'bad', reconnectPeriod: 5, WebSocket: FakeWS });
  const errs = [];
  c.once('error', (e) => errs.push(e));
  await until(() => FakeWS.all[0]?.sent.length === 1);
  FakeWS.all[0].recv(0x20, 3, 0, 0x86, 0);
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /Connection refused: bad user name or password/);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(FakeWS.all.length, 1, 'not retried');

  FakeWS.all = [];
  const d = new MQTTClient('ws://broker/mqtt', { reconnectPeriod: 0, WebSocket: FakeWS });
  const derrs = [];
  d.on('error', (e) => derrs.push(e.message));
  await until(() => FakeWS.all[0]?.sent.length === 1);
  FakeWS.all[0].recv(0x20, 3, 0, 0, 0);
  FakeWS.all[0].recv(0x30, 3, 0, 5, 0x61); // a topic longer than the packet
  assert.match(derrs[0], /truncated/);
  assert.equal(d.connected, false);

  // No broker at all: an error within the connect timeout.
  class Silent extends FakeWS { constructor(u, p) { super(u, p); this.readyState = 2; } }
  const e = new MQTTClient('ws://nobody/mqtt', { reconnectPeriod: 0, connectTimeout: 20, WebSocket: Silent });
  const eerrs = [];
  e.on('error', (x) => eerrs.push(x.message));
  await until(() => eerrs.length > 0);
  assert.match(eerrs[0], /no CONNACK within 20 ms/);
  // once + removeListener, as the SDK uses them.
  const f = () => {};
  e.once('error', f);
  e.removeListener('error', f);
  assert.equal([...e._handlers.get('error')].length, 1);
});
