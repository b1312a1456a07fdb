// The event stream: the line decoder and the SDK's 'event' emission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventDecoder, parseEvent, MAX_EVENT } from '../../src/events.js';
import { P2PCam } from '../../src/sdk.js';
import * as E from '../../src/errors.js';
import { Camera, fakeMQTT, fakePeerConnection, fakeFetch } from './fakes.mjs';

const enc = new TextEncoder();
const doorbell = '{"type":"input","time":"2026-12-06T10:00:00.123Z","channel":0,"data":{"name":"doorbell","active":true}}';

// One table drives the parser test: a line and the event it is, or null.
const lines = [
  [doorbell, { type: 'input', time: '2026-12-06T10:00:00.123Z', channel: 0, data: { name: 'doorbell', active: true } }],
  ['{"type":"stream","time":"t"}', { type: 'stream', time: 't', channel: 0, data: {} }],
  ['{"type":"Motion","time":"t"}', null],
  ['{"type":"motion"}', null],
  ['{"type":"motion","time":"t","channel":-1}', null],
  ['{"type":"motion","time":"t","data":[1]}', null],
  ['{"type":"motion","time":"t","data":null}', null],
  ['[]', null],
  ['not json', null],
];

test('parseEvent takes events and refuses the rest', () => {
  for (const [line, want] of lines) assert.deepEqual(parseEvent(line), want, line);
});

test('EventDecoder splits chunks into events, across chunk and UTF-8 boundaries; skips keep-alives, junk and overlong lines', () => {
  const d = new EventDecoder();
  const bytes = enc.encode(doorbell.replace('doorbell', 'tür') + '\n\n');
  // Split inside the two-byte ü.
  const at = bytes.indexOf(0xc3) + 1;
  assert.deepEqual(d.push(bytes.slice(0, at)), []);
  const got = d.push(bytes.slice(at));
  assert.equal(got.length, 1);
  assert.equal(got[0].data.name, 'tür');
  assert.deepEqual(d.push('junk\n'), []);
  assert.equal(d.malformed, 1);
  assert.deepEqual(d.push('{"type":"x","data":{"a":"' + 'y'.repeat(MAX_EVENT) + '"}'), []);
  assert.deepEqual(d.push('more of it\n' + doorbell + '\r\n').map((e) => e.type), ['input']);
  assert.equal(d.malformed, 2);
});

test('watchEvents emits the camera\'s events on the service and the SDK; stop closes the channel', async () => {
  const cam = await new Camera().init();
  cam.heads.set('command', { status: 0, content_type: 'application/x-ndjson' });
  cam.bodies.set('command', [doorbell.slice(0, 20), doorbell.slice(20) + '\n', '\n', '{"type":"ptz","time":"t","data":{"state":"moving"}}\n']);
  const PC = fakePeerConnection(cam);
  const sdk = new P2PCam().init({ mqttConnect: fakeMQTT([cam]), RTCPeerConnection: PC, fetch: fakeFetch(), cloud: 'http://cloud',
    timeouts: { info: 200, answer: 200, connect: 200, head: 200, disconnected: 20, login: 200, signalling: 200 } });
  try {
    await sdk.login('alice', 'pw');
    const s = await sdk.startP2PService('cam', 'demo/cam1');
    const onService = [];
    const onSDK = [];
    s.on('event', (e) => onService.push(e));
    sdk.on('event', (e) => onSDK.push(e));
    const h = await sdk.watchEvents('cam');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(onService.map((e) => e.type), ['input', 'ptz']);
    assert.deepEqual(onSDK.map((e) => [e.id, e.type]), [['cam', 'input'], ['cam', 'ptz']]);
    const dc = PC.instances[0].channels.find((c) => c.label.includes('cmd=events'));
    assert.equal(dc.label, 'command?action=inner_define&channel=0&cmd=events');
    h.stop();
    assert.equal(dc.readyState, 'closed');
    cam.heads.set('command', { status: 403, error: 'your token does not allow command requests (this one needs: live)' });
    await assert.rejects(sdk.watchEvents('cam'), { code: E.ERR_STATUS, status: 403 });
  } finally {
    sdk.destroy();
  }
});
