// Wire formats: the signed answer bytes (checked against a vector made
// by the Go side), G.711 A-law, the talkback FLV, request lines, paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerSignedBytes, verifyAnswer, base64ToBytes } from '../../src/signing.js';
import { alawEncode, alawDecode, FLVAudioMuxer, Resampler8k } from '../../src/talk.js';
import { requestLine, commandLine } from '../../src/sdk.js';
import { pathKind, selectedPath } from '../../src/stats.js';
import { hasMediaTracks } from '../../src/service.js';
import * as E from '../../src/errors.js';

// Made with auth.SignMessage(ed25519.NewKeyFromSeed(0..31), "answer",
// signal.AnswerSigningBytes(session, offer, answer)).
const vector = {
  pubkey: 'A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=',
  sig: 'XT9CXXguCiO8hLzOrLPTGMREvyBwpm6bH6ysRb4AkK5R3XDw6TYc2L/8X6RCR9TxDxErhe6Jqf+2/n0Z+4ZpBA==',
  session: '0123456789abcdefABCDEF', offer: 'v=0\r\no=- offer é\r\n', answer: 'v=0\r\no=- answer\r\n',
};

test('the answer signature made in Go verifies here, and nothing else does', async () => {
  const v = vector;
  await verifyAnswer(crypto.subtle, v.pubkey, v.session, v.offer, v.answer, v.sig);
  for (const [what, args] of [
    ['other session', [v.session + 'x', v.offer, v.answer]],
    ['other offer', [v.session, v.offer + ' ', v.answer]],
    ['other answer', [v.session, v.offer, 'v=0\r\n']],
    ['fields shifted', [v.session + 'v', v.offer.slice(1), v.answer]],
  ]) {
    await assert.rejects(verifyAnswer(crypto.subtle, v.pubkey, ...args, v.sig), { code: E.ERR_BAD_SIGNATURE }, what);
  }
  await assert.rejects(verifyAnswer(undefined, v.pubkey, v.session, v.offer, v.answer, v.sig), { code: E.ERR_NO_ED25519 });
});

test('answerSignedBytes: context, domain and length-prefixed UTF-8 fields', () => {
  const b = answerSignedBytes('s', 'é', '');
  const want = [...new TextEncoder().encode('p2pcam-sig-v1\0answer\0'), 0, 0, 0, 1, 0x73, 0, 0, 0, 2, 0xc3, 0xa9, 0, 0, 0, 0];
  assert.deepEqual([...b], want);
  assert.deepEqual([...base64ToBytes('-_8')], [0xfb, 0xff]);
});

test('G.711 A-law matches the ITU reference points and round-trips', () => {
  assert.equal(alawEncode(0), 0xd5);
  assert.equal(alawEncode(-1), 0x55);
  assert.equal(alawEncode(32767), 0xaa);
  assert.equal(alawEncode(-32768), 0x2a);
  for (let x = -32768; x < 32768; x += 97) {
    const y = alawDecode(alawEncode(x));
    assert.ok(Math.abs(y - x) <= Math.max(16, Math.abs(x) / 16), `${x} -> ${y}`);
  }
});

test('talkback FLV: audio-only header, G.711 A-law tags with timestamps and back-pointers', () => {
  const m = new FLVAudioMuxer();
  assert.deepEqual([...m.header()], [0x46, 0x4c, 0x56, 1, 4, 0, 0, 0, 9, 0, 0, 0, 0]);
  const tag = m.tag(new Uint8Array(160).fill(0xd5), 0x01020304);
  assert.equal(tag.length, 11 + 161 + 4);
  assert.deepEqual([...tag.slice(0, 12)], [8, 0, 0, 161, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0x72]);
  assert.deepEqual([...tag.slice(-4)], [0, 0, 0, 172]);
});

test('Resampler8k: 48 kHz in, 8 kHz out, across calls', () => {
  const r = new Resampler8k(48000);
  let n = 0;
  for (let i = 0; i < 10; i++) n += r.convert(new Float32Array(480).fill(0.5)).length;
  assert.ok(Math.abs(n - 800) <= 1, `${n} samples`);
  assert.equal(new Resampler8k(8000).convert(new Float32Array([0, 1, -1])).join(), '0,32767,-32767');
});

test('request and command lines', () => {
  assert.equal(requestLine({ action: 'live', channel: 0, quality: 'super' }), 'ipc.flv?action=live&channel=0&quality=super');
  assert.equal(requestLine('voice?channel=0'), 'voice?channel=0');
  assert.equal(commandLine('get_device_st&type=live'), 'command?action=inner_define&channel=0&cmd=get_device_st&type=live');
  assert.equal(commandLine('get_nvr_list', 2), 'command?action=inner_define&channel=2&cmd=get_nvr_list');
  assert.equal(commandLine('action=user_define&channel=0&cmd=x'), 'command?action=user_define&channel=0&cmd=x');
  assert.throws(() => commandLine(' '), { code: E.ERR_ARGUMENT });
});

test('paths from candidate types and stats reports', () => {
  assert.equal(pathKind('host', 'host'), 'host');
  assert.equal(pathKind('srflx', 'host'), 'srflx');
  assert.equal(pathKind('host', 'prflx'), 'srflx');
  assert.equal(pathKind('relay', 'srflx'), 'relay');
  const r = new Map([
    ['p1', { type: 'candidate-pair', state: 'succeeded', nominated: true, localCandidateId: 'l', remoteCandidateId: 'r', bytesReceived: 5 }],
    ['l', { candidateType: 'relay', address: '1.2.3.4', port: 1 }], ['r', { candidateType: 'srflx', address: '5.6.7.8', port: 2 }],
  ]);
  assert.equal(selectedPath(r).kind, 'relay');
  assert.equal(selectedPath(new Map()), null);
});

test('media tracks are detected only when the answer sends a track', () => {
  assert.equal(hasMediaTracks('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\nm=application 9 x\r\n'), false, 'pion answers sendonly without a track');
  assert.equal(hasMediaTracks('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\na=msid:a b\r\n'), true);
  assert.equal(hasMediaTracks('v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=msid:a b\r\n'), false);
});

test('status errors name the status', () => {
  const e = E.statusError('ipc.flv?x', 403);
  assert.equal(e.code, E.ERR_STATUS);
  assert.equal(e.status, 403);
  assert.match(e.message, /not permitted/);
  assert.equal(E.statusError('voice?', 1).code, E.ERR_BUSY);
});
