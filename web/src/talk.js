// Talkback pieces: G.711 A-law, an audio-only FLV muxer, and a
// microphone reader that yields 8 kHz mono frames.

import { P2PError, ERR_MICROPHONE } from './errors.js';

/** alawEncode codes one 16-bit linear sample as G.711 A-law (ITU-T G.711). */
export function alawEncode(sample) {
  let s = sample >> 3; // 13-bit magnitude
  let mask;
  if (s >= 0) mask = 0xd5; else { mask = 0x55; s = -s - 1; }
  if (s > 0xfff) s = 0xfff;
  let seg = 0;
  for (let v = s >> 5; v > 0; v >>= 1) seg++;
  if (seg > 7) seg = 7;
  const mant = seg === 0 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return ((seg << 4) | mant) ^ mask;
}

/** alawDecode is alawEncode's inverse (for tests). */
export function alawDecode(a) {
  a ^= 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8; else if (seg === 1) t += 0x108; else { t += 0x108; t <<= seg - 1; }
  return (a & 0x80) ? t : -t;
}

/** FLVAudioMuxer writes an audio-only FLV stream of G.711 A-law tags
 * (SoundFormat 7; 8 kHz mono whatever the rate bits say). */
export class FLVAudioMuxer {
  constructor() { this.started = false; }
  /** header returns the FLV file header and PreviousTagSize0. */
  header() {
    return new Uint8Array([0x46, 0x4c, 0x56, 1, 0x04, 0, 0, 0, 9, 0, 0, 0, 0]);
  }
  /** tag returns one audio tag (with its PreviousTagSize) holding the
   * A-law bytes `payload`, at `ms` milliseconds. */
  tag(payload, ms) {
    const size = 1 + payload.length;
    const b = new Uint8Array(11 + size + 4);
    b[0] = 8;
    b[1] = size >> 16; b[2] = (size >> 8) & 255; b[3] = size & 255;
    b[4] = (ms >> 16) & 255; b[5] = (ms >> 8) & 255; b[6] = ms & 255; b[7] = (ms >>> 24) & 255;
    b[11] = 0x72; // G.711 A-law, 16-bit, mono
    b.set(payload, 12);
    const prev = 11 + size;
    const o = 11 + size;
    b[o] = prev >>> 24; b[o + 1] = (prev >> 16) & 255; b[o + 2] = (prev >> 8) & 255; b[o + 3] = prev & 255;
    return b;
  }
}

/** Resampler8k turns float mono samples at `rate` into 16-bit samples at
 * 8 kHz (linear interpolation after a simple box low-pass), keeping
 * state across calls. */
export class Resampler8k {
  constructor(rate) { this.step = rate / 8000; this.pos = 0; this.last = 0; }
  convert(input) {
    const out = [];
    const step = this.step;
    let pos = this.pos;
    while (pos < input.length - 1 || (step === 1 && pos < input.length)) {
      const i = Math.floor(pos);
      const f = pos - i;
      const a = i < 0 ? this.last : input[i];
      const b = input[Math.min(i + 1, input.length - 1)];
      let v = a + (b - a) * f;
      v = Math.max(-1, Math.min(1, v));
      out.push(Math.round(v * 32767));
      pos += step;
    }
    this.pos = pos - input.length;
    this.last = input[input.length - 1] ?? this.last;
    return out;
  }
}

const workletSource = `
class P2PCamMic extends AudioWorkletProcessor {
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) this.port.postMessage(ch.slice(0));
    return true;
  }
}
registerProcessor('p2pcam-mic', P2PCamMic);
`;

/** MicReader reads a MediaStream's audio as 20 ms frames of 160 A-law
 * bytes (8 kHz mono) and calls onFrame(bytes) for each. */
export class MicReader {
  constructor(stream, onFrame) { this.stream = stream; this.onFrame = onFrame; this.pending = []; }
  async start() {
    const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AC || typeof AudioWorkletNode === 'undefined') {
      throw new P2PError(ERR_MICROPHONE, 'this browser has no Web Audio AudioWorklet to read the microphone with');
    }
    this.ctx = new AC();
    const src = this.ctx.createMediaStreamSource(this.stream);
    this.rs = new Resampler8k(this.ctx.sampleRate);
    const url = URL.createObjectURL(new Blob([workletSource], { type: 'application/javascript' }));
    try {
      await this.ctx.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    this.node = new AudioWorkletNode(this.ctx, 'p2pcam-mic');
    this.node.port.onmessage = (e) => this._push(e.data);
    // The worklet runs only when its output is pulled: route it to a
    // silent gain so nothing reaches the speakers.
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    src.connect(this.node).connect(mute).connect(this.ctx.destination);
    // Not awaited: without a user gesture a browser may hold resume()
    // until there is one.
    if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }
  _push(floats) {
    for (const s of this.rs.convert(floats)) this.pending.push(s);
    while (this.pending.length >= 160) {
      const frame = this.pending.splice(0, 160);
      const a = new Uint8Array(160);
      for (let i = 0; i < 160; i++) a[i] = alawEncode(frame[i]);
      this.onFrame(a);
    }
  }
  stop() {
    try { this.node?.disconnect(); } catch { /* already */ }
    this.ctx?.close().catch(() => {});
  }
}
