// Verifying the camera's signed answer (docs/protocol.md): Ed25519 over
//   "p2pcam-sig-v1\0" + "answer" + "\0" + field(session) + field(offer) + field(answer)
// where field(s) is s's UTF-8 length as 4 bytes big-endian and then s
// (signal.AnswerSigningBytes, auth.SignMessage).
import { P2PError, ERR_BAD_SIGNATURE, ERR_NO_ED25519 } from './errors.js';

const enc = new TextEncoder();

/** answerSignedBytes returns the exact bytes the camera signs. */
export function answerSignedBytes(session, offerSDP, answerSDP) {
  const parts = [enc.encode('p2pcam-sig-v1\0answer\0')];
  for (const s of [session, offerSDP, answerSDP]) {
    const b = enc.encode(s);
    const n = b.length;
    parts.push(new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]), b);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** base64ToBytes decodes standard or URL-safe base64. */
export function base64ToBytes(s) {
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(std + '='.repeat((4 - std.length % 4) % 4));
  const b = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
  return b;
}

/** verifyAnswer checks sig (base64) over the answer with the device's
 * public key (base64 raw 32 bytes). It rejects with ERR_BAD_SIGNATURE,
 * or ERR_NO_ED25519 when the browser's WebCrypto has no Ed25519. */
export async function verifyAnswer(subtle, pubkeyB64, session, offerSDP, answerSDP, sigB64) {
  if (!subtle) {
    throw new P2PError(ERR_NO_ED25519, 'this browser has no WebCrypto (crypto.subtle): the page must be served over https or from localhost to check the camera\'s signature');
  }
  let key;
  try {
    key = await subtle.importKey('raw', base64ToBytes(pubkeyB64), { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if (e && (e.name === 'NotSupportedError' || /algorithm|support/i.test(String(e.message)))) {
      throw new P2PError(ERR_NO_ED25519, 'this browser cannot verify Ed25519 signatures (WebCrypto lacks Ed25519; Chrome 137+, Firefox 129+ and Safari 17+ have it), so it cannot check that the answer comes from the camera', { cause: e });
    }
    throw new P2PError(ERR_BAD_SIGNATURE, `the camera's public key is not a valid Ed25519 key: ${e.message}`, { cause: e });
  }
  let ok = false;
  try {
    ok = await subtle.verify({ name: 'Ed25519' }, key, base64ToBytes(sigB64), answerSignedBytes(session, offerSDP, answerSDP));
  } catch (e) {
    throw new P2PError(ERR_BAD_SIGNATURE, `answer signature: ${e.message}`, { cause: e });
  }
  if (!ok) throw new P2PError(ERR_BAD_SIGNATURE, 'the answer is not signed by the camera\'s key: the signalling path may be tampered with');
}
