// The player page: log in, list cameras, a grid of players, talkback,
// commands and a stats overlay. Besides the cloud's P2P cameras it plays
// cameras reached over HTTP (a camera's LAN mode, a `p2pcam serve`
// gateway): config.json's `cameras`, or a URL typed in the Open box.
// An NVR's further cameras (get_nvr_list) open as tiles of their own,
// keyed 'DEVICE#N'. It uses only the SDK's public API.
import { Timeline } from './timeline.js';
import { create, createPlayer, liveLine, createURLPlayer, createPlaybackPlayer, createURLPlaybackPlayer, cameraURL, httpSender, parseNVRList, mark, P2PError, ERR_NOT_SHARED, ERR_BUSY, ERR_STOPPED } from './index.js';

const $ = (sel, root = document) => root.querySelector(sel);
// urlCams: name -> camera URL of the HTTP cameras (config.json's and typed).
// nvr: device -> its channels [{channel, name, online}] (get_nvr_list).
// dialing: device -> its startP2PService promise while it connects.
const state = { sdk: null, config: {}, tiles: new Map(), devices: [], urlCams: new Map(), nvr: new Map(), dialing: new Map() };
// For tests and the console.
globalThis.p2pcamPage = state;

/** tileKey names a tile: the device (or HTTP camera) for channel 0,
 * 'DEVICE#N' for an NVR's channel N. */
const tileKey = (device, channel) => (channel ? `${device}#${channel}` : device);

/** parseKey is tileKey's inverse. */
function parseKey(key) {
  if (state.urlCams.has(key)) return { device: key, channel: 0 }; // a name from config.json may hold a '#'
  const m = /^(.+)#(\d{1,3})$/.exec(key);
  return m && Number(m[2]) >= 1 && Number(m[2]) <= 255 ? { device: m[1], channel: Number(m[2]) } : { device: key, channel: 0 };
}

function banner(msg) {
  const b = $('#banner');
  b.textContent = msg || '';
  b.hidden = !msg;
}

function fmtRate(bps) {
  if (!bps) return '0 kbit/s';
  return bps >= 1e6 ? (bps / 1e6).toFixed(2) + ' Mbit/s' : Math.round(bps / 1000) + ' kbit/s';
}

function errText(e) {
  if (e instanceof P2PError || e?.code) return e.message;
  return String(e?.message || e);
}

async function loadConfig() {
  try {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 3000);
    const r = await fetch('config.json', { signal: ctl.signal, cache: 'no-store' });
    if (r.ok) return await r.json();
  } catch { /* no config: a static host */ }
  return {};
}

function sdkFor(config) {
  const params = new URLSearchParams(location.search);
  // The cloud comes from config.json (this origin's), never from the URL:
  // a link must not be able to send the password somewhere else.
  const sdk = create({ cloud: config.cloud ?? '', media: params.get('media') || config.media || 'auto' });
  sdk.on('signalling', ({ up }) => $('#signal').classList.toggle('up', up));
  return sdk;
}

// What this browser keeps between visits (localStorage): the cloud a
// remembered sign-in is with ('p2pcam.signin', {user, cloud}; the key
// itself is in an HttpOnly cookie no script sees) and the cameras that
// were open ('p2pcam.tiles'), which a returning page opens again.
const keep = {
  get(k) { try { return JSON.parse(localStorage.getItem(k) || 'null'); } catch { return null; } },
  set(k, v) { try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, JSON.stringify(v)); } catch { /* no storage */ } },
};

function rememberTiles() {
  if (!state.sdk) return;
  keep.set('p2pcam.tiles', [...state.tiles.values()].filter((t) => !t.cam).map((t) => t.key));
}

/** doLogin signs in with a password (prefetched: the boot's answer),
 * or with the cloud's remembered sign-in when password is null. */
async function doLogin(user, password, prefetched, remember = $('#remember')?.checked ?? false) {
  banner('');
  const btn = $('#login button');
  btn.disabled = true;
  try {
    if (!state.sdk) state.sdk = sdkFor(state.config);
    const acct = password === null ? await state.sdk.resume(prefetched) : await state.sdk.login(user, password, prefetched, { remember });
    mark('login');
    if (password === null || remember) keep.set('p2pcam.signin', { user: acct.user, cloud: state.config.cloud ?? '' });
    state.user = acct.user;
    state.devices = acct.devices;
    $('#login').hidden = true;
    $('#account').hidden = false;
    $('#who').textContent = acct.user;
    renderCameras();
    return acct;
  } catch (e) {
    if (password === null) keep.set('p2pcam.signin', null); // signed out elsewhere, or expired: ask again
    else banner(`Sign-in failed: ${errText(e)}`);
    state.sdk?.destroy();
    state.sdk = null;
    throw e;
  } finally {
    btn.disabled = false;
  }
}

function logout() {
  for (const id of [...state.tiles.keys()]) closeTile(id);
  keep.set('p2pcam.signin', null);
  keep.set('p2pcam.tiles', null);
  state.sdk?.logout();
  state.sdk = null;
  state.devices = [];
  $('#login').hidden = false;
  $('#account').hidden = true;
  renderCameras();
}

function renderCameras() {
  const ul = $('#cameras');
  ul.textContent = '';
  const names = new Set([...state.urlCams.keys(), ...state.devices.map((d) => d.device), ...[...state.tiles.values()].map((t) => t.device)]);
  if (!state.sdk && !state.urlCams.size) {
    ul.innerHTML = '<li class="empty">Sign in to see your cameras.</li>';
  } else if (!names.size) {
    ul.innerHTML = '<li class="empty">No camera is shared with this account.</li>';
  }
  for (const name of names) {
    const d = state.devices.find((x) => x.device === name);
    const li = document.createElement('li');
    const t = state.tiles.get(name);
    const st = t ? t.status : '';
    li.innerHTML = '<span class="state"></span><span class="cam"><span class="cam-name"></span><span class="perm"></span></span><button type="button"></button>';
    li.querySelector('.state').className = 'state ' + ({ playing: 'on', connecting: 'wait', failed: 'bad' }[st] || '');
    li.querySelector('.cam-name').textContent = name;
    const url = state.urlCams.get(name);
    const host = url && new URL(url, location.href).host;
    li.querySelector('.perm').textContent = d ? d.perm.join(' · ') : url ? (name.startsWith(host) ? 'HTTP-FLV' : `HTTP-FLV · ${host}`) : '';
    const b = li.querySelector('button');
    b.textContent = t ? 'Close' : 'Watch';
    b.onclick = () => (t ? closeTile(name) : openTile(name));
    li.dataset.device = name;
    ul.append(li);
    const nvr = state.nvr.get(name);
    if (nvr?.length > 1) ul.append(channelRow(name, nvr));
  }
  const sel = $('#command-target');
  const cur = sel.value;
  sel.textContent = '';
  for (const t of state.tiles.values()) sel.append(new Option($('.name', t.el).textContent, t.key));
  if (!state.tiles.size) sel.append(new Option('open a camera first', ''));
  if ([...state.tiles.keys()].includes(cur)) sel.value = cur;
}

/** channelRow lists an NVR's further channels under its camera: a
 * button each, which opens (or closes) the channel's tile. */
function channelRow(device, list) {
  const li = document.createElement('li');
  li.className = 'channels';
  li.dataset.nvr = device;
  for (const c of list) {
    if (c.channel === 0) continue;
    const key = tileKey(device, c.channel);
    const t = state.tiles.get(key);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `chan ${c.online ? 'online' : 'offline'}${t ? ' open' : ''}`;
    b.dataset.key = key;
    b.textContent = `${c.channel} · ${c.name}`;
    b.title = `${c.name}, channel ${c.channel}: ${c.online ? 'online' : 'offline'}. ${t ? 'Click to close it' : 'Click to watch it'}`;
    b.onclick = () => (t ? closeTile(key) : openTile(key));
    li.append(b);
  }
  return li;
}

/** sender is how tile t sends its camera a command, on the tile's
 * channel: over P2P, or over HTTP with the playback_* commands carrying
 * the session the camera named for the tile's playback. */
function sender(t) {
  return t.cam ? httpSender(t.cam, { channel: t.channel, session: () => t.player?.session }) : (cmd) => state.sdk.sendCommand(t.device, cmd, { channel: t.channel });
}

/** loadChannels asks an NVR for its channels (get_nvr_list) once a
 * tile of it plays, and lists them; a camera that is not an NVR, or a
 * token without the command permission, lists none. */
async function loadChannels(t) {
  if (state.nvr.has(t.device)) return;
  state.nvr.set(t.device, []);
  try {
    state.nvr.set(t.device, parseNVRList(await sender(t)('get_nvr_list')));
  } catch (e) {
    // 406 (not an NVR) and 403 (not allowed) hold; anything else is asked
    // again when a tile of the device plays next.
    if (e?.status !== 406 && e?.status !== 403) state.nvr.delete(t.device);
  }
  renderCameras();
}

function setStatus(t, status, text) {
  t.status = status;
  const el = t.el;
  el.classList.toggle('playing', status === 'playing');
  el.classList.toggle('failed', status === 'failed');
  el.classList.toggle('stopped', status === 'stopped');
  $('.status .text', el).textContent = text || 'Connecting…';
  $('.error', el).hidden = status !== 'failed';
  if (status === 'failed') $('.error .text', el).textContent = text;
  $('.play', el).title = status === 'stopped' || status === 'failed' ? 'Play' : 'Stop';
  el.dataset.status = status;
  renderCameras();
}

function showStats(t, s) {
  const rows = [
    ['path', s.transport === 'http' ? 'http · FLV' : `${s.path || '?'}${s.transport ? ' · ' + s.transport : ''}`],
    ['video', s.width ? `${s.width}×${s.height}` : '–'],
    ['bitrate', fmtRate(s.bitrate)],
    ['fps', s.fps.toFixed(1)],
    ['freezes', s.longestFreeze ? `${s.freezes} (max ${s.longestFreeze} ms)` : String(s.freezes)],
    // A recording has no live to be behind: what the player holds ahead.
    [t.player?.request ? 'buffered' : 'delay to live', s.delay == null ? '–' : `${s.delay} ms`],
  ];
  const dl = $('.stats', t.el);
  dl.textContent = '';
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dd.dataset.k = k;
    dl.append(dt, dd);
  }
  const badge = $('.badge.path', t.el);
  badge.textContent = s.path && s.path !== 'unknown' ? s.path : '';
  badge.classList.toggle('relay', s.path === 'relay');
}

/** showRelay marks a tile whose camera sent it to its relay (r: the
 * player's relay, or null when it plays from the camera again). */
function showRelay(t, r) {
  $('.badge.source', t.el).textContent = r ? 'FROM RELAY · HLS' : '';
  t.el.dataset.source = r ? 'relay' : 'camera';
  if (r) t.el.dataset.relay = r.hls;
  else delete t.el.dataset.relay;
}

/** addURLCamera lists an HTTP camera typed in the Open box (or from
 * config.json) and returns its name. */
function addURLCamera(url, name) {
  const cam = cameraURL(url); // throws a P2PError saying what is wrong
  name ||= new URL(cam.base).host + new URL(cam.base).pathname.replace(/\/$/, '');
  state.urlCams.set(name, url);
  return name;
}

/** openTile opens the tile of key (see tileKey) and plays it. */
async function openTile(key, opts = {}) {
  const { device, channel } = parseKey(key);
  const url = state.urlCams.get(device);
  if (!state.sdk && !url) { banner('Sign in first.'); return; }
  if (state.tiles.has(key)) return state.tiles.get(key);
  mark('tile');
  $('#placeholder').hidden = true;
  const el = $('#tile').content.firstElementChild.cloneNode(true);
  el.dataset.device = key;
  const chName = state.nvr.get(device)?.find((c) => c.channel === channel)?.name;
  $('.name', el).textContent = channel ? `${device} · ${chName || 'channel ' + channel}` : device;
  $('#grid').append(el);
  const video = $('video', el);
  video.muted = true;
  const t = { key, device, channel, el, video, player: null, status: '', quality: opts.quality || 'high', talking: false, cam: url ? cameraURL(url) : null };
  // Talkback to an HTTP camera (a POST that streams) is not in the page;
  // an NVR's further channels have none.
  $('.talk', el).hidden = !!t.cam || channel !== 0;
  state.tiles.set(key, t);
  rememberTiles();
  $('.quality', el).value = t.quality;
  // Whenever pictures move again (after a re-dial, a quality switch).
  video.addEventListener('playing', () => { if (t.player?.playing && t.status === 'connecting') setStatus(t, 'playing'); });
  wireTile(t);
  await startTile(t);
  return t;
}

function onFirstFrame(t, e) {
  if (t.status === 'failed') return; // a primed player's picture of a dial that failed
  // Milliseconds since the page began to load (performance's origin):
  // when the frame was handed to the compositor, where the browser says.
  t.firstFrameAt ??= Math.round(e?.at ?? performance.now());
  state.firstFrameAt ??= t.firstFrameAt;
  setStatus(t, 'playing');
}

async function startHTTPTile(t) {
  if (!t.player) {
    t.player = createURLPlayer(t.cam, t.video, { quality: t.quality, channel: t.channel, id: t.key });
    t.player.on('stats', (s) => showStats(t, s));
    t.player.on('firstframe', (e) => onFirstFrame(t, e));
    t.player.on('error', (e) => { if (state.tiles.get(t.key) === t && t.status !== 'failed') setStatus(t, 'failed', errText(e)); });
  }
  setStatus(t, 'connecting', 'Starting video…');
  await t.player.play();
  if (t.video.videoWidth) setStatus(t, 'playing');
  startTimeline(t);
  loadChannels(t);
}

/** newPlayer gives a P2P tile its player, once. */
function newPlayer(t) {
  if (t.player) return;
  // ?hls=native|hlsjs: how a relay's HLS plays (default: hls.js where MSE is).
  const hls = new URLSearchParams(location.search).get('hls') || 'auto';
  // The connection's media tracks are channel 0's: an NVR's further
  // channels play FLV on data channels beside them.
  const mode = t.channel ? { channel: t.channel, mode: 'flv' } : {};
  t.player = createPlayer(t.device, t.video, { quality: t.quality, hls, ...mode }, state.sdk);
  t.player.on('stats', (s) => showStats(t, s));
  t.player.on('firstframe', (e) => onFirstFrame(t, e));
  t.player.on('playing', () => { if (t.video.videoWidth) setStatus(t, 'playing'); });
  t.player.on('error', (e) => { console.warn(t.device, e); });
  t.player.on('relay', (r) => showRelay(t, r));
}

async function startTile(t) {
  setStatus(t, 'connecting', 'Connecting…');
  const sdk = state.sdk;
  try {
    if (t.cam) { await startHTTPTile(t); return; }
    if (!sdk.services.has(t.device)) {
      // The camera starts the tile's stream with the connection, and the
      // player shows its tracks as soon as pictures come.
      const connecting = sdk.startP2PService(t.device, { device: t.device, live: t.channel ? undefined : liveLine(0, t.quality) });
      // The device's other tiles (an NVR's channels) wait for the same dial.
      state.dialing.set(t.device, connecting);
      newPlayer(t);
      if (!t.channel) t.player.prime();
      try { await connecting; } finally { if (state.dialing.get(t.device) === connecting) state.dialing.delete(t.device); }
    } else {
      await state.dialing.get(t.device);
    }
    watchService(t, sdk.services.get(t.device));
    if (!state.tiles.has(t.key)) return;
    if (t.status !== 'playing') setStatus(t, 'connecting', 'Starting video…');
    newPlayer(t);
    await t.player.play();
    if (t.video.videoWidth) setStatus(t, 'playing');
    startTimeline(t);
    loadChannels(t);
  } catch (e) {
    let msg = errText(e);
    if (e.code === ERR_NOT_SHARED && !/share it/.test(msg)) msg = `${msg}. Ask the camera's owner to share it with you.`;
    if (t.player && !t.player.transport) t.player.stop(); // primed, never started
    setStatus(t, 'failed', msg);
  }
}

/** watchService shows the device connection's troubles on tile t: each
 * tile of the device listens, once per connection. */
function watchService(t, s) {
  if (!s || t.watching === s) return;
  t.unwatch?.();
  t.watching = s;
  const offs = [
    s.on('reconnecting', () => { if (t.player?.playing) setStatus(t, 'connecting', 'Reconnecting…'); }),
    s.on('error', (e) => { if (state.tiles.get(t.key) === t && s.state === 'closed') setStatus(t, 'failed', errText(e)); }),
    s.on('offline', () => setStatus(t, 'connecting', 'Camera offline, waiting…')),
  ];
  t.unwatch = () => { for (const off of offs) off(); t.watching = null; };
}

/** startTimeline shows the recordings under a tile (once): hidden when
 * the camera does not record. A P2P camera's commands and playbacks go
 * over its session; an HTTP camera's over HTTP, its playback_* commands
 * with the session the camera named for the playback. */
function startTimeline(t) {
  if (t.timeline) return;
  const sdk = state.sdk;
  t.timeline = new Timeline($('.timeline', t.el), {
    send: sender(t), video: t.video,
    error: (msg) => banner(`${t.key}: ${msg}`),
    play: async (start, end) => {
      t.player?.stop();
      t.player = null;
      t.el.classList.add('replay');
      setStatus(t, 'connecting', 'Starting playback…');
      const p = t.cam ? createURLPlaybackPlayer(t.cam, t.video, { start, end, channel: t.channel, id: t.key }) : createPlaybackPlayer(t.device, t.video, { start, end, channel: t.channel }, sdk);
      t.player = p;
      p.on('stats', (s) => showStats(t, s));
      p.on('firstframe', (e) => onFirstFrame(t, e));
      p.on('playing', () => { if (t.video.videoWidth) setStatus(t, 'playing'); });
      p.on('error', (e) => { console.warn(t.device, e); });
      await p.play();
      if (t.video.videoWidth) setStatus(t, 'playing');
    },
    live: async () => {
      t.player?.stop();
      t.player = null;
      t.el.classList.remove('replay');
      await startTile(t);
    },
  });
  t.timeline.load();
}

function stopTile(t) {
  t.unwatch?.();
  t.timeline?.stop();
  t.timeline = null;
  $('.timeline', t.el).hidden = true;
  t.el.classList.remove('replay');
  t.player?.stop();
  t.player = null;
  if (t.talking) toggleTalk(t, false);
  // The device's connection serves its other channels' tiles too.
  if (!t.cam && ![...state.tiles.values()].some((o) => o !== t && o.device === t.device && o.status !== 'stopped')) state.sdk?.stopServiceById(t.device);
  setStatus(t, 'stopped', 'Stopped');
}

function closeTile(key) {
  const t = state.tiles.get(key);
  if (!t) return;
  state.tiles.delete(key);
  rememberTiles();
  stopTile(t);
  t.el.remove();
  $('#placeholder').hidden = state.tiles.size > 0;
  renderCameras();
}

async function toggleTalk(t, on) {
  const b = $('.talk', t.el);
  if (on === t.talking) return;
  t.talking = on;
  b.classList.toggle('on', on);
  $('span', b).textContent = on ? 'Talking…' : 'Talk';
  if (!on) { state.sdk?.stopVoice(t.device); return; }
  try {
    await state.sdk.startVoice(t.device);
    if (!t.talking) state.sdk.stopVoice(t.device); // released while opening
  } catch (e) {
    if (e.code === ERR_STOPPED) return; // released before it started
    t.talking = false;
    b.classList.remove('on');
    $('span', b).textContent = 'Talk';
    banner(e.code === ERR_BUSY ? `${t.device}: ${e.message}` : `Talkback: ${errText(e)}`);
  }
}

function wireTile(t) {
  const el = t.el;
  $('.play', el).onclick = () => (t.status === 'stopped' || t.status === 'failed' ? startTile(t) : stopTile(t));
  $('.retry', el).onclick = () => startTile(t);
  $('.close', el).onclick = () => closeTile(t.key);
  $('.quality', el).onchange = async (e) => {
    t.quality = e.target.value;
    if (!t.player || t.el.classList.contains('replay')) return;
    setStatus(t, 'connecting', `Switching to ${t.quality}…`);
    try {
      await t.player.setQuality(t.quality);
      setStatus(t, 'playing');
    } catch (err) { setStatus(t, 'failed', errText(err)); }
  };
  const mute = $('.mute', el);
  mute.onclick = () => {
    t.video.muted = !t.video.muted;
    mute.title = t.video.muted ? 'Sound is off: click to hear the camera' : 'Sound is on: click to mute';
    mute.classList.toggle('on', !t.video.muted);
  };
  $('.snap', el).onclick = async () => {
    try {
      const blob = await t.player.snapshot();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${t.key.replace('/', '-').replace('#', '-ch')}-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (e) { banner(`Snapshot: ${errText(e)}`); }
  };
  $('.full', el).onclick = () => {
    if (document.fullscreenElement) document.exitFullscreen();
    else $('.screen', el).requestFullscreen?.().catch((e) => banner(`Fullscreen: ${e.message}`));
  };
  $('.screen', el).onclick = (e) => { if (e.target.tagName === 'VIDEO') el.classList.toggle('nostats'); };
  // Talk: hold to talk; a short click latches it on until the next click.
  const talk = $('.talk', el);
  let downAt = 0;
  let wasOn = false;
  talk.onpointerdown = (e) => {
    talk.setPointerCapture?.(e.pointerId);
    downAt = performance.now();
    wasOn = t.talking;
    if (!wasOn) toggleTalk(t, true);
  };
  talk.onpointerup = () => {
    const held = performance.now() - downAt;
    if (wasOn) toggleTalk(t, false); // a click on a latched talk ends it
    else if (held > 350) toggleTalk(t, false); // push-to-talk released
  };
  talk.onkeydown = (e) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); toggleTalk(t, !t.talking); } };
}

async function sendCommand(e) {
  e.preventDefault();
  const out = $('#command-reply');
  const t = state.tiles.get($('#command-target').value);
  const cmd = $('#command-text').value.trim();
  if (!t) { out.textContent = 'Open a camera first.'; return; }
  out.classList.remove('err');
  out.textContent = '…';
  const t0 = performance.now();
  try {
    const reply = await sender(t)(cmd);
    out.textContent = (typeof reply === 'string' ? reply : JSON.stringify(reply, null, 2)) + `\n\n(${Math.round(performance.now() - t0)} ms)`;
  } catch (err) {
    out.classList.add('err');
    out.textContent = errText(err);
  }
}

async function main() {
  state.moduleAt = Math.round(performance.now());
  mark('page-module');
  $('#login').onsubmit = (e) => { e.preventDefault(); doLogin($('#user').value, $('#password').value).catch(() => {}); };
  $('#logout').onclick = logout;
  $('#add').onsubmit = (e) => {
    e.preventDefault();
    let name = $('#add-device').value.trim();
    if (/^https?:\/\//i.test(name)) {
      try { name = addURLCamera(name); } catch (err) { banner(errText(err)); return; }
    }
    openTile(name);
    $('#add-device').value = '';
  };
  $('#command').onsubmit = sendCommand;
  renderCameras();
  const boot = await globalThis.p2pcamBoot;
  state.config = boot?.config || await loadConfig();
  mark('config');
  for (const c of state.config.cameras || []) {
    try { addURLCamera(c.url, c.name); } catch (err) { banner(`config.json: ${errText(err)}`); }
  }
  // A gateway with no cloud behind it: nothing to sign in to.
  $('#login').hidden = state.config.signin === false;
  renderCameras();
  const autoplay = (names) => (state.config.autoplay === true ? names : (state.config.autoplay || []).filter((d) => names.includes(d)));
  const http = autoplay([...state.urlCams.keys()]);
  const auto = state.config.autologin;
  const list = () => (state.config.autoplay === true ? state.devices.map((d) => d.device) : (state.config.autoplay || []).filter((d) => !state.urlCams.has(d)));
  // A returning browser: the remembered sign-in (no password, no bcrypt
  // on the cloud), and the cameras it had open.
  if (boot?.session?.status === 200) {
    $('#user').value = boot.kept?.user || '';
    // The SDK makes the first dial's peer once its CONNECT is out.
    state.sdk ??= sdkFor(state.config);
    try {
      await doLogin(null, null, boot.session);
      const shared = new Set(state.devices.map((d) => d.device));
      const again = (keep.get('p2pcam.tiles') || []).filter((k) => shared.has(parseKey(k).device));
      await Promise.all([...new Set([...http, ...again, ...list()])].map((d) => openTile(d)));
      state.ready = true;
      return;
    } catch { /* not remembered any more: as a first visit */ }
  } else if (boot?.session?.status === 401) {
    keep.set('p2pcam.signin', null); // expired, or signed out elsewhere
  }
  if (auto?.user) {
    $('#user').value = auto.user;
    // The first dial's peer and offer while the sign-in is under way.
    state.sdk ??= sdkFor(state.config);
    state.sdk.prepare();
    try {
      const pre = await boot?.login;
      await doLogin(auto.user, auto.password, pre?.status ? pre : undefined, true);
    } catch { await Promise.all(http.map((d) => openTile(d))); return; }
    await Promise.all([...http, ...list()].map((d) => openTile(d)));
  } else {
    await Promise.all(http.map((d) => openTile(d)));
  }
  state.ready = true;
}

// Tell the cameras we are gone, so they free our sessions at once.
addEventListener('pagehide', () => state.sdk?.destroy());

main();
