// Talkback end to end: Chromium's fake microphone plays a 1 kHz tone;
// the SDK sends it to the camera (over the audio track, and as G.711
// FLV on a data channel); the camera's wav: speaker must hold that tone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './harness.mjs';

const skip = h.skipReason() || (process.env.P2PCAM_WEB_SERVER === 'demo' ? 'needs the devserver\'s wav speaker' : false);
const TONE = 1000;
let dir;
let base;
let browser;

/** wav writes 16-bit mono PCM. */
function wav(samples, rate) {
  const b = Buffer.alloc(44 + samples.length * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + samples.length * 2, 4); b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34);
  b.write('data', 36); b.writeUInt32LE(samples.length * 2, 40);
  samples.forEach((s, i) => b.writeInt16LE(s, 44 + i * 2));
  return b;
}

/** readWav returns {rate, samples} of a 16-bit mono WAV. */
function readWav(buf) {
  let o = 12;
  let rate = 0;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4);
    const n = buf.readUInt32LE(o + 4);
    if (id === 'fmt ') rate = buf.readUInt32LE(o + 12);
    if (id === 'data') {
      const end = Math.min(buf.length, o + 8 + n);
      const samples = new Int16Array((end - o - 8) >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(o + 8 + i * 2);
      return { rate, samples };
    }
    o += 8 + n + (n & 1);
  }
  throw new Error('no data chunk');
}

/** power of frequency f in x (Goertzel), normalised by length. */
function power(x, rate, f) {
  const w = 2 * Math.PI * f / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) { const s0 = v + c * s1 - s2; s2 = s1; s1 = s0; }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / x.length;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'p2pcam-talk-'));
  const rate = 48000;
  const tone = Array.from({ length: rate * 20 }, (_, i) => Math.round(12000 * Math.sin(2 * Math.PI * TONE * i / rate)));
  writeFileSync(join(dir, 'tone.wav'), wav(tone, rate));
  base = await h.startServer(['--speaker-dir', dir]);
  browser = await h.launch([`--use-file-for-fake-audio-capture=${join(dir, 'tone.wav')}`]);
}, { timeout: 360000 });

after(async () => {
  await browser?.close();
  await h.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const transport of ['track', 'flv']) {
  test(`talkback over ${transport === 'track' ? 'the audio track' : 'G.711 FLV'} reaches the camera's speaker at ${TONE} Hz`, { skip, timeout: 60000 }, async () => {
    const out = join(dir, 'demo-cam1.wav');
    rmSync(out, { force: true });
    const page = await browser.newPage();
    try {
      await page.goto(base, { timeout: 15000 });
      await h.waitFor(page, () => globalThis.p2pcamPage?.tiles.get('demo/cam1')?.status === 'playing', null, 15000, 'playing');
      const got = await page.evaluate(async (transport) => {
        // The tone as it is: the page's own talk button adds echo
        // cancellation and noise suppression, which may eat a steady tone.
        const s = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
        const sdk = globalThis.p2pcamPage.sdk;
        const info = await sdk.startVoice('demo/cam1', { stream: s, transport });
        await new Promise((r) => setTimeout(r, 3000));
        sdk.stopVoice('demo/cam1');
        s.getTracks().forEach((t) => t.stop());
        return info.transport;
      }, transport);
      assert.equal(got, transport);
      const end = Date.now() + 10000;
      while (!(existsSync(out) && statSync(out).size > 44) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      assert.ok(existsSync(out), `no ${out}: the camera's speaker wrote nothing`);
      const { rate, samples } = readWav(readFileSync(out));
      // The loudest second.
      let best = null;
      for (let i = 0; i + rate <= samples.length; i += rate / 4) {
        const seg = samples.subarray(i, i + rate);
        const e = seg.reduce((a, v) => a + v * v, 0);
        if (!best || e > best.e) best = { e, seg };
      }
      assert.ok(best, `speaker wrote ${samples.length} samples, under a second`);
      const rms = Math.sqrt(best.e / rate);
      const at = (f) => power(best.seg, rate, f);
      const ratio = at(TONE) / Math.max(at(TONE * 0.5), at(TONE * 1.5), at(TONE * 0.8), at(TONE * 1.25));
      console.log(`# ${transport}: speaker ${(samples.length / rate).toFixed(2)} s at ${rate} Hz, rms ${rms.toFixed(0)}, ${TONE} Hz over neighbours ${ratio > 1e6 ? "> 1e6" : ratio.toFixed(0)}x`);
      assert.ok(rms > 500, `speaker rms ${rms}`);
      assert.ok(ratio > 20, `the ${TONE} Hz tone is not what the speaker played (ratio ${ratio})`);
    } finally {
      await page.close();
    }
  });
}
