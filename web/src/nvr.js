// NVR channels: an NVR's further cameras, channel=1 to 255 in requests
// (docs/protocol.md, "NVR channels").

/**
 * parseNVRList reads get_nvr_list's reply, which the camera sends and
 * so is untrusted, as [{channel, name, online}]: entries that make no
 * sense are left out, names cut at 64 characters, at most 256 entries.
 * A reply that is not a list gives [].
 */
export function parseNVRList(reply) {
  if (!Array.isArray(reply)) return [];
  const out = [];
  for (const e of reply.slice(0, 256)) {
    const channel = typeof e?.Channel === 'string' && /^\d{1,3}$/.test(e.Channel) ? Number(e.Channel) : NaN;
    if (!(channel >= 0 && channel <= 255) || typeof e.DeviceName !== 'string' || out.some((c) => c.channel === channel)) continue;
    out.push({ channel, name: e.DeviceName.slice(0, 64), online: e.Online === '1' });
  }
  return out;
}
