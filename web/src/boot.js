// The player page's boot script. build.mjs bundles it and inlines it at
// the top of index.html, so it runs before the stylesheet and the
// modules have loaded, while the main thread would only wait for them.
// It fetches config.json and, when this browser stayed signed in, the
// remembered sign-in (no password); for the demo's autologin it signs in
// once the config came. A sign-in's answer opens the signalling
// WebSocket at once, for the SDK to send its CONNECT on. page.js picks
// it all up from window.p2pcamBoot.

// signedIn takes a sign-in answer {status, json} and adds socket.
const signedIn = (a) => {
  if (a?.status !== 200 || !a.json?.mqtt?.url) return a;
  try {
    performance.mark('p2pcam:boot-socket');
    a.socket = new WebSocket(a.json.mqtt.url, 'mqtt');
    a.socket.binaryType = 'arraybuffer';
  } catch { /* the SDK opens its own */ }
  return a;
};

const post = (url, body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  .then(async (r) => ({ status: r.status, json: await r.json().catch(() => null) }))
  .then(signedIn, () => null);

let kept = null;
try { kept = JSON.parse(localStorage.getItem('p2pcam.signin') || 'null'); } catch { /* no storage */ }
const session = kept && typeof kept.cloud === 'string' ? post(kept.cloud + '/api/session', {}) : null;
window.p2pcamBoot = fetch('config.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : {})).catch(() => ({})).then(async (config) => {
  const a = config.autologin;
  const resumed = session && kept.cloud === (config.cloud || '') ? await session : null;
  const autologin = a && a.user && (!resumed || resumed.status !== 200);
  const login = autologin ? post((config.cloud || '') + '/api/login', { user: a.user, password: a.password, remember: true }) : null;
  return { config, kept, session: resumed, login };
});
