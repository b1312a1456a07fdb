// The SDK's own MQTT 5 client (src/mqtt5.js) in Chromium against real
// brokers: mosquitto's WebSocket listener (docs/protocol.md's
// `listener PORT` + `protocol websockets`), and the dev cloud's embedded
// broker with its accounts and ACLs, where a camera answers a signalling
// message on the inbox with the Correlation Data it was sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import * as h from './harness.mjs';

const mosquitto = '/usr/sbin/mosquitto';
let skip = h.skipReason() || (process.env.P2PCAM_WEB_SERVER === 'demo' ? 'needs the devserver' : false);
let mosquittoSkip = skip || (existsSync(mosquitto) ? false : 'no mosquitto (apt-get install mosquitto)');
if (mosquittoSkip && !skip && process.env.CI === 'true') throw new Error(mosquittoSkip);
let base;
let browser;
let mqttPort;

before(async () => {
  if (skip) return;
  base = await h.startServer();
  if (!mosquittoSkip) {
    mqttPort = await h.freePort();
    const dir = h.tempDir('mosquitto');
    const conf = join(dir, 'mosquitto.conf');
    // A TCP listener too: mosquitto 2.0 with only a WebSocket listener
    // says "Unable to start any listening sockets" and exits.
    writeFileSync(conf, `listener ${await h.freePort()} 127.0.0.1\nlistener ${mqttPort} 127.0.0.1\nprotocol websockets\nallow_anonymous true\npersistence false\n`);
    h.start(mosquitto, ['-c', conf], /$^/, 3600000).catch(() => {}); // runs until stopAll
    // Up when it takes a TCP connection.
    const end = Date.now() + 15000;
    for (;;) {
      const ok = await new Promise((res) => { const c = connect(mqttPort, '127.0.0.1', () => { c.destroy(); res(true); }); c.on('error', () => res(false)); });
      if (ok) break;
      if (Date.now() > end) throw new Error('mosquitto did not listen within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  browser = await h.launch();
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await h.stopAll();
});

async function newPage() {
  const page = await browser.newPage();
  await page.goto(base + 'style.css', { timeout: 15000 });
  return page;
}

test('mosquitto over WebSocket: connect, subscribe, QoS 1 publish with Response Topic and Correlation Data, retained', { skip: mosquittoSkip, timeout: 60000 }, async () => {
  const page = await newPage();
  try {
    const r = await page.evaluate(async (url) => {
      const { connectMQTT } = await import('/dist/p2pcam.js');
      const c = connectMQTT(url, { clientId: 'web-test-1', reconnectPeriod: 0, connectTimeout: 5000 });
      await new Promise((res, rej) => { c.once('connect', res); c.once('error', rej); });
      const got = new Promise((res) => c.on('message', (topic, payload, p) => res({
        topic, payload: new TextDecoder().decode(payload), retain: p.retain,
        responseTopic: p.properties.responseTopic, corr: p.properties.correlationData && new TextDecoder().decode(p.properties.correlationData),
      })));
      const granted = await new Promise((res, rej) => c.subscribe('p2pcam/test/+', { qos: 1 }, (e, g) => (e ? rej(e) : res(g))));
      const acked = await new Promise((res) => c.publish('p2pcam/test/rpc', '{"type":"offer"}', { qos: 1, properties: { responseTopic: 'p2pcam/test/inbox', correlationData: 'S1' } }, (e) => res(e ? e.message : 'ok')));
      const msg = await got;
      // Retained: a second client gets it on subscribing.
      await new Promise((res) => c.publish('p2pcam/test/info', '{"v":1}', { qos: 1, retain: true }, res));
      const d = connectMQTT(url, { clientId: 'web-test-2', reconnectPeriod: 0 });
      await new Promise((res, rej) => { d.once('connect', res); d.once('error', rej); });
      const retained = new Promise((res) => d.on('message', (topic, payload, p) => res({ topic, retain: p.retain })));
      d.subscribe('p2pcam/test/info', { qos: 1 });
      const ret = await retained;
      c.end(); d.end();
      return { granted, acked, msg, ret };
    }, `ws://127.0.0.1:${mqttPort}/`);
    assert.deepEqual(r.granted, [{ topic: 'p2pcam/test/+', qos: 1 }]);
    assert.equal(r.acked, 'ok');
    assert.deepEqual(r.msg, { topic: 'p2pcam/test/rpc', payload: '{"type":"offer"}', retain: false, responseTopic: 'p2pcam/test/inbox', corr: 'S1' });
    assert.deepEqual(r.ret, { topic: 'p2pcam/test/info', retain: true });
  } finally {
    await page.close();
  }
});

test('the cloud\'s broker: a wrong password is refused, and a camera answers on the inbox with our Correlation Data', { skip, timeout: 60000 }, async () => {
  const page = await newPage();
  try {
    const r = await page.evaluate(async () => {
      const { connectMQTT } = await import('/dist/p2pcam.js');
      const cfg = await (await fetch('/config.json')).json();
      const login = await (await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(cfg.autologin) })).json();
      const { url, username, password } = login.mqtt;
      const bad = connectMQTT(url, { clientId: `${username}:bad`, username, password: 'wrong', reconnectPeriod: 2000 });
      const refused = await new Promise((res) => { bad.once('error', (e) => res(e.message)); bad.once('connect', () => res('connected')); });
      const c = connectMQTT(url, { clientId: `${username}:t1`, username, password, reconnectPeriod: 0 });
      await new Promise((res, rej) => { c.once('connect', res); c.once('error', rej); });
      const inbox = `p2pcam/viewer/${username}/inbox`;
      const answer = new Promise((res) => c.on('message', (topic, payload, p) => res({
        topic, msg: JSON.parse(new TextDecoder().decode(payload)), corr: new TextDecoder().decode(p.properties.correlationData),
      })));
      await new Promise((res) => c.subscribe(inbox, { qos: 1 }, res));
      // An offer with a bad token: the camera refuses it, on our inbox.
      const acked = await new Promise((res) => c.publish('p2pcam/demo/cam1/rpc', JSON.stringify({ type: 'offer', session: 'websession0123456789abcd', token: 'x', sdp: 'v=0\r\n' }),
        { qos: 1, properties: { responseTopic: inbox, correlationData: 'websession0123456789abcd' } }, (e) => res(e ? e.message : 'ok')));
      // Not ours to write: the ACL refuses it.
      const denied = await new Promise((res) => c.publish('p2pcam/demo/cam1/info', '{}', { qos: 1 }, (e) => res(e ? e.message : 'ok')));
      const a = await answer;
      c.end();
      await new Promise((r) => setTimeout(r, 50));
      return { refused, acked, denied, a, retried: bad.connected };
    });
    assert.match(r.refused, /Connection refused: (bad user name or password|not authorized)/);
    assert.equal(r.retried, false);
    assert.equal(r.acked, 'ok');
    assert.match(r.denied, /refused: not authorized/);
    assert.equal(r.a.corr, 'websession0123456789abcd');
    assert.equal(r.a.msg.type, 'error');
    assert.equal(r.a.msg.session, 'websession0123456789abcd');
  } finally {
    await page.close();
  }
});
