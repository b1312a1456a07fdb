// p2pcam browser SDK. Import the named lifecycle functions (a default
// P2PCam instance), or make your own instances with `new P2PCam()`.
import { connect as mqttConnect } from './mqtt5.js';
import { P2PCam } from './sdk.js';
import { Player } from './player.js';
import { cameraURL } from './http.js';
import * as rec from './records.js';

export * from './errors.js';
export { P2PCam, StreamHandle, requestLine, commandLine, liveLine } from './sdk.js';
export { P2PService, hasMediaTracks } from './service.js';
export { Player, FREEZE_MS } from './player.js';
export { pathKind, selectedPath } from './stats.js';
export { answerSignedBytes, verifyAnswer } from './signing.js';
export { alawEncode, alawDecode, FLVAudioMuxer } from './talk.js';
export { cameraURL, flvURL, commandURL, requestURL, httpCommand, httpSender, QUALITIES } from './http.js';
export { mark } from './marks.js';
export { parseRedirect, redirectError, playHLS, waitPlaylist, nativeHLS, HLS_CONFIG, MAX_REDIRECT_SIZE } from './relay.js';
export { SPEEDS, dayRange, playbackLine, parseRecordIndex, parseMonthRecord, parseFileList, parsePlaybackState } from './records.js';
export { EVENTS_LINE, EventDecoder, parseEvent } from './events.js';
export { parseNVRList } from './nvr.js';
export { MQTTClient, MQTTError, connect as connectMQTT } from './mqtt5.js';

/** create returns a new SDK instance wired to the bundled MQTT client. */
export function create(options = {}) {
  return new P2PCam().init({ mqttConnect, ...options });
}

/** The default instance behind the lifecycle functions. */
export const sdk = new P2PCam();

export const init = (options = {}) => { sdk.init({ mqttConnect, ...options }); return sdk; };
export const login = (user, password) => sdk.login(user, password);
export const connectSignalling = (o) => sdk.connectSignalling(o);
export const startP2PService = (id, deviceInfo) => sdk.startP2PService(id, deviceInfo);
export const startStream = (id, request, callbacks) => sdk.startStream(id, request, callbacks);
export const stopStream = (id, handle) => sdk.stopStream(id, handle);
export const sendCommand = (id, cmd, opts) => sdk.sendCommand(id, cmd, opts);
export const watchEvents = (id) => sdk.watchEvents(id);
export const startVoice = (id, opts) => sdk.startVoice(id, opts);
export const stopVoice = (id) => sdk.stopVoice(id);
export const stopServiceById = (id) => sdk.stopServiceById(id);
export const destroy = () => sdk.destroy();
export const on = (name, fn) => sdk.on(name, fn);
export const off = (name, fn) => sdk.off(name, fn);

/** createPlayer plays a started service's camera in a <video>:
 * opts {quality, channel, mode:'auto'|'flv'|'track', hls:'auto'|'hlsjs'|'native'}.
 * Call play(). A camera that is full sends it to its relay's HLS
 * (event 'relay'). */
export function createPlayer(id, video, opts = {}, instance = sdk) {
  return new Player(instance, video, { id, loadMpegts, loadHls, ...opts });
}

/** createURLPlayer plays a camera reached over HTTP (its LAN mode, or a
 * `p2pcam serve` gateway) in a <video> with mpegts.js: url is the
 * camera's base URL, with `?token=` when its LAN mode wants one (see
 * cameraURL); opts {quality, channel, id}. Call play(). */
export function createURLPlayer(url, video, opts = {}) {
  const cam = typeof url === 'string' ? cameraURL(url) : url;
  return new Player(null, video, { id: opts.id ?? cam.base, loadMpegts, ...opts, cam });
}

/** loadMpegts loads mpegts.js (a separate chunk: only the FLV path needs
 * it) and resolves with its module object. */
export async function loadMpegts() {
  return (await import('mpegts.js')).default;
}

/** loadHls loads hls.js (its light build, a separate chunk: only a
 * viewer sent to a camera's relay needs it) and resolves with its class. */
export async function loadHls() {
  return (await import('hls.js/light')).default;
}

// Recordings on a camera (docs/recording.md): id names a started
// service's camera, or is the send function of an HTTP camera
// (httpSender). day: a Date, 'YYYY-MM-DD' (local) or {from, to} in unix
// seconds.
const sender = (id, instance) => (typeof id === 'function' ? id : (cmd) => instance.sendCommand(id, cmd));
/** recordIndex resolves with the day's recorded spans [{type, start, end}] (unix s). */
export const recordIndex = (id, day, instance = sdk) => rec.recordIndex(sender(id, instance), day);
/** monthRecord resolves with the days (1-31) of a month (1-12) that have recordings. */
export const monthRecord = (id, year, month, instance = sdk) => rec.monthRecord(sender(id, instance), year, month);
/** fileList resolves with the day's files [{name, type, start, end, size}]. */
export const fileList = (id, day, instance = sdk) => rec.fileList(sender(id, instance), day);
/** playbackPause, playbackResume, playbackProgress, playbackSeek(time)
 * and playbackSpeed(speed) steer the playback running on the service;
 * each resolves with its state {progress, time, paused, speed}. */
export const playbackPause = (id, instance = sdk) => rec.playbackControl(sender(id, instance), 'pause');
export const playbackResume = (id, instance = sdk) => rec.playbackControl(sender(id, instance), 'resume');
export const playbackProgress = (id, instance = sdk) => rec.playbackControl(sender(id, instance), 'progress');
export const playbackSeek = (id, time, instance = sdk) => rec.playbackControl(sender(id, instance), 'seek', { time });
export const playbackSpeed = (id, speed, instance = sdk) => rec.playbackControl(sender(id, instance), 'speed', { speed });

/** createPlaybackPlayer plays a recording of a started service's camera
 * in a <video> (FLV over a data channel, with mpegts.js): opts {start,
 * end, channel} in unix seconds (or Dates). Call play(); steer it with
 * the playback* functions. */
export function createPlaybackPlayer(id, video, opts, instance = sdk) {
  return new Player(instance, video, { id, loadMpegts, mode: 'flv', request: rec.playbackLine(opts) });
}

/** createURLPlaybackPlayer plays a recording of a camera reached over
 * HTTP (see createURLPlayer) with mpegts.js: opts {start, end, channel,
 * id}. Call play(); its `session` (LAN mode names one) is what
 * httpSender's playback_* commands need to steer it. */
export function createURLPlaybackPlayer(url, video, opts) {
  const cam = typeof url === 'string' ? cameraURL(url) : url;
  return new Player(null, video, { id: opts.id ?? cam.base, loadMpegts, mode: 'flv', cam, request: rec.playbackLine(opts) });
}
