// Types of the p2pcam browser SDK (src/index.js, bundled as dist/p2pcam.js).

/** Error codes: every error the SDK rejects with or emits is a P2PError. */
export const ERR_LOGIN: 'E_LOGIN';
export const ERR_CLOUD: 'E_CLOUD';
export const ERR_NOT_SHARED: 'E_NOT_SHARED';
export const ERR_SIGNALLING: 'E_SIGNALLING';
export const ERR_OFFLINE: 'E_OFFLINE';
export const ERR_REFUSED: 'E_REFUSED';
export const ERR_NO_ANSWER: 'E_NO_ANSWER';
export const ERR_BAD_SIGNATURE: 'E_BAD_SIGNATURE';
export const ERR_NO_ED25519: 'E_NO_ED25519';
export const ERR_CONNECT: 'E_CONNECT';
export const ERR_STATUS: 'E_STATUS';
export const ERR_BUSY: 'E_BUSY';
export const ERR_TIMEOUT: 'E_TIMEOUT';
export const ERR_NO_SERVICE: 'E_NO_SERVICE';
export const ERR_MICROPHONE: 'E_MICROPHONE';
export const ERR_PLAYBACK: 'E_PLAYBACK';
export const ERR_ARGUMENT: 'E_ARGUMENT';
export const ERR_STOPPED: 'E_STOPPED';
/** The camera serves its maximum of viewers; `redirect` names its relay (status 302). */
export const ERR_FULL: 'E_FULL';
export type ErrorCode =
  | typeof ERR_LOGIN | typeof ERR_CLOUD | typeof ERR_NOT_SHARED | typeof ERR_SIGNALLING | typeof ERR_OFFLINE
  | typeof ERR_REFUSED | typeof ERR_NO_ANSWER | typeof ERR_BAD_SIGNATURE | typeof ERR_NO_ED25519 | typeof ERR_CONNECT
  | typeof ERR_STATUS | typeof ERR_BUSY | typeof ERR_TIMEOUT | typeof ERR_NO_SERVICE | typeof ERR_MICROPHONE
  | typeof ERR_PLAYBACK | typeof ERR_ARGUMENT | typeof ERR_STOPPED | typeof ERR_FULL;

/** A camera's redirect to its relay (the body of a 302, docs/relay.md). */
export interface Redirect { url: string; hls: string; reason: string }
/** parseRedirect checks a 302's body; it throws a P2PError (ERR_STATUS, status 302). */
export function parseRedirect(text: string, line?: string): Redirect;
/** Where a player plays from the camera's relay: url without the ticket. */
export interface RelayInfo { url: string; hls: string; reason: string; kind: 'hlsjs' | 'native' }

/** X-P2P request statuses. */
export const STATUS_OK: 0;
export const STATUS_BUSY: 1;
export const STATUS_UNAUTHORIZED: 401;
export const STATUS_REDIRECT: 302;
export const STATUS_FORBIDDEN: 403;
export const STATUS_BAD_REQUEST: 404;
export const STATUS_TOO_MANY: 405;
export const STATUS_UNSUPPORTED: 406;

export class P2PError extends Error {
  name: 'P2PError';
  code: ErrorCode;
  /** The request's or the camera's status, when it refused. */
  status?: number;
  cause?: unknown;
  /** ERR_FULL from a 302: where the camera sends the viewer. */
  redirect?: Redirect;
}

export interface Timeouts {
  login: number; signalling: number; info: number; answer: number; connect: number; head: number; disconnected: number;
}

export interface InitOptions {
  /** Base URL of the cloud's HTTP API ('' = the page's own origin). */
  cloud?: string;
  /** 'auto' (default): offer media tracks and use them when the camera sends them, else FLV; 'flv': data channels only; 'track'. */
  media?: 'auto' | 'flv' | 'track';
  /** ICE servers; by default those the login returns. */
  iceServers?: RTCIceServer[];
  /** Re-dial after the connection is lost (default true), with these delays in ms. */
  reconnect?: boolean;
  reconnectDelays?: number[];
  /** MQTT client id suffix (default: random). */
  clientSuffix?: string;
  timeouts?: Partial<Timeouts>;
  // Seams for tests and other runtimes.
  mqttConnect?: (url: string, opts: object) => unknown;
  RTCPeerConnection?: typeof RTCPeerConnection;
  fetch?: typeof fetch;
  subtle?: SubtleCrypto;
  mediaDevices?: MediaDevices;
  now?: () => number;
}

export interface DeviceGrant { device: string; perm: string[]; token: string }
export interface Account { user: string; expires: number; devices: DeviceGrant[] }

export interface DeviceInfo {
  /** PRODUCT/DEVICE. */
  device: string;
  /** A viewer token (p2pcam1...); by default the login's, or one from /api/token. */
  token?: string;
  /** Pin the camera's Ed25519 key (base64) instead of trusting the broker's retained info. */
  pubkey?: string;
  iceServers?: RTCIceServer[];
  media?: 'auto' | 'flv' | 'track';
  /** The ipc.track request to ask first (liveLine(0, 'high')): the offer names it and the camera
   * starts it with the connection; the request, when made, takes that stream over. */
  live?: string;
}

/** A request head: {"status":0,"content_type":"video/x-flv","quality":"high"}. */
export interface Head { status: number; content_type?: string; quality?: string; error?: string; [k: string]: unknown }

export interface StreamCallbacks {
  onHead?(head: Head): void;
  /** Raw body bytes (FLV for ipc.flv), as the camera sends them. */
  onData?(bytes: Uint8Array): void;
  onEnd?(): void;
  onError?(err: P2PError): void;
}

export class StreamHandle {
  readonly id: string;
  readonly line: string;
  readonly head: Head | null;
  readonly bytes: number;
  readonly sentBytes: number;
  readonly stopped: boolean;
  send(bytes: Uint8Array): boolean;
  stop(): void;
}

export type ServiceState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';
export type PathKind = 'host' | 'srflx' | 'relay' | 'unknown';

export interface Events {
  connected: { id: string; device: string; path: PathKind | null; tracks: boolean; ms: number };
  disconnected: { id: string; reason: string };
  reconnecting: { id: string; attempt: number; delay: number };
  reconnected: { id: string };
  path: { id: string; path: PathKind; local: object; remote: object };
  stats: { id: string; path: PathKind; rtt?: number; bitrate: number; bytesReceived: number; report: RTCStatsReport };
  state: { id: string; state: ServiceState };
  offline: { id: string; device: string };
  error: P2PError;
  login: { user: string; devices: DeviceGrant[] };
  signalling: { up: boolean; ms?: number };
  voice: { id: string; talking: boolean; transport?: 'track' | 'flv' };
  /** A camera event (watchEvents); on a service without the id. */
  event: CameraEvent & { id: string };
}

/** A camera event: motion, input (a doorbell), storage, stream, ptz, or a maker's own type. */
export interface CameraEvent {
  type: string;
  /** RFC 3339 time at the camera. */
  time: string;
  channel: number;
  data: Record<string, unknown>;
}

/** The request line of the event stream. */
export const EVENTS_LINE: 'command?action=inner_define&channel=0&cmd=events';
/** Splits an event stream's chunks into events; counts what it skips. */
export class EventDecoder {
  malformed: number;
  push(chunk: string | Uint8Array): CameraEvent[];
}
export function parseEvent(line: string): CameraEvent | null;

export class P2PService {
  readonly id: string;
  readonly device: string;
  readonly state: ServiceState;
  /** The camera sends media tracks (the answer has a video track). */
  readonly tracks: boolean;
  readonly session: string | null;
  readonly pc: RTCPeerConnection | null;
  /** Milliseconds from the dial's start to info, token, offer, answer, connected. */
  readonly timing: Record<string, number>;
  on<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): () => void;
  networkChanged(): void;
  startStats(intervalMs?: number): void;
}

export class P2PCam {
  readonly services: Map<string, P2PService>;
  readonly account: Account | null;
  init(options?: InitOptions): this;
  /** opts.remember: the cloud remembers the sign-in in an HttpOnly cookie (see resume). */
  login(user: string, password: string, prefetched?: { status: number; json: unknown }, opts?: { remember?: boolean }): Promise<Account>;
  /** Signs in with the sign-in the cloud remembered for this browser: no password. ERR_LOGIN when there is none. */
  resume(prefetched?: { status: number; json: unknown }): Promise<Account>;
  /** Ends the remembered sign-in on the cloud, then everything, as destroy. */
  logout(): Promise<void>;
  /** Makes the first dial's RTCPeerConnection and offer now, to overlap the sign-in. */
  prepare(): void;
  connectSignalling(o: { url: string; username: string; password: string }): Promise<void>;
  startP2PService(id: string, deviceInfo: DeviceInfo | string): Promise<P2PService>;
  startStream(id: string, request: string | Record<string, string | number>, callbacks?: StreamCallbacks): Promise<StreamHandle>;
  stopStream(id: string, handle?: StreamHandle): void;
  sendCommand(id: string, cmd: string, opts?: { channel?: number; timeout?: number }): Promise<unknown>;
  /** Opens the camera's event stream (token permission live); events come as 'event'. */
  watchEvents(id: string): Promise<{ stop(): void; readonly malformed: number }>;
  startVoice(id: string, opts?: { transport?: 'auto' | 'track' | 'flv'; stream?: MediaStream }): Promise<{ id: string; transport: 'track' | 'flv' }>;
  stopVoice(id: string): void;
  stopServiceById(id: string): void;
  destroy(): void;
  on<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): () => void;
  off<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): void;
}

export interface PlayerStats {
  id: string; path: PathKind | 'http' | 'relay server'; transport: 'track' | 'flv' | 'http' | 'hls' | null; quality: string;
  bitrate: number; fps: number; freezes: number; longestFreeze: number; delay: number | null;
  width: number; height: number; frames: number; dropped: number; rtt?: number; firstFrame: number | null;
}

export class Player {
  readonly id: string;
  readonly quality: string;
  readonly transport: 'track' | 'flv' | 'http' | 'hls' | null;
  /** Set while the camera, full, has sent the player to its relay's HLS. */
  readonly relay: RelayInfo | null;
  readonly stats?: PlayerStats;
  play(): Promise<void>;
  /** Shows the service's video tracks while it still connects, when its deviceInfo.live is this
   * player's stream (the camera starts it with the connection); call right after startP2PService. */
  prime(): void;
  setQuality(q: 'standard' | 'high' | 'super'): Promise<void>;
  stop(): void;
  snapshot(): Promise<Blob>;
  on(name: 'stats', fn: (s: PlayerStats) => void): () => void;
  on(name: 'firstframe', fn: (e: { id: string; ms: number; at: number }) => void): () => void;
  on(name: 'playing', fn: (e: { id: string; transport: 'track' | 'flv' | 'http'; quality: string }) => void): () => void;
  on(name: 'path' | 'disconnected' | 'stopped', fn: (e: object) => void): () => void;
  on(name: 'error', fn: (e: P2PError) => void): () => void;
  /** The player went to the camera's relay (RelayInfo), or back to the camera (null). */
  on(name: 'relay', fn: (r: (RelayInfo & { id: string }) | null) => void): () => void;
}

export const FREEZE_MS: number;

/** A new SDK instance wired to the bundled MQTT client. */
export function create(options?: InitOptions): P2PCam;
/** The default instance behind the lifecycle functions. */
export const sdk: P2PCam;
export function init(options?: InitOptions): P2PCam;
export function login(user: string, password: string): Promise<Account>;
export function connectSignalling(o: { url: string; username: string; password: string }): Promise<void>;
export function startP2PService(id: string, deviceInfo: DeviceInfo | string): Promise<P2PService>;
export function startStream(id: string, request: string | Record<string, string | number>, callbacks?: StreamCallbacks): Promise<StreamHandle>;
export function stopStream(id: string, handle?: StreamHandle): void;
export function sendCommand(id: string, cmd: string, opts?: { channel?: number; timeout?: number }): Promise<unknown>;
export function watchEvents(id: string): Promise<{ stop(): void; readonly malformed: number }>;
export function startVoice(id: string, opts?: { transport?: 'auto' | 'track' | 'flv'; stream?: MediaStream }): Promise<{ id: string; transport: 'track' | 'flv' }>;
export function stopVoice(id: string): void;
export function stopServiceById(id: string): void;
export function destroy(): void;
export function on<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): () => void;
export function off<K extends keyof Events>(name: K, fn: (e: Events[K]) => void): void;
/** Plays a started service's camera in a <video>. */
export function createPlayer(id: string, video: HTMLVideoElement, opts?: { quality?: 'standard' | 'high' | 'super'; channel?: number; mode?: 'auto' | 'flv' | 'track'; hls?: 'auto' | 'hlsjs' | 'native'; relayRefreshMs?: number }, instance?: P2PCam): Player;

/** Recordings (docs/recording.md). Times are unix seconds; a day is a Date, 'YYYY-MM-DD' (local) or {from, to}. */
export type Day = Date | string | { from: number | Date; to: number | Date };
export interface RecordSpan { type: number; start: number; end: number }
export interface RecordFile { name: string; type: number; start: number; end: number; size: number }
/** A playback's state: progress is ms from its start_time to the frame last sent, time that frame's unix second. */
export interface PlaybackState { progress: number; time: number; paused: boolean; speed: 0.5 | 1 | 2 | 4 | 8 }
export const SPEEDS: readonly [0.5, 1, 2, 4, 8];
/** A camera's commands: an HTTP camera's (httpSender), in place of a service's id. */
export type Send = (cmd: string) => Promise<unknown>;
export function recordIndex(id: string | Send, day: Day, instance?: P2PCam): Promise<RecordSpan[]>;
/** The days (1-31) of a month (1-12) with recordings. */
export function monthRecord(id: string | Send, year: number, month: number, instance?: P2PCam): Promise<number[]>;
export function fileList(id: string | Send, day: Day, instance?: P2PCam): Promise<RecordFile[]>;
/** Plays a recording from start to end over a data channel (FLV, mpegts.js). */
export function createPlaybackPlayer(id: string, video: HTMLVideoElement, opts: { start: number | Date; end: number | Date; channel?: number }, instance?: P2PCam): Player;
export function playbackPause(id: string | Send, instance?: P2PCam): Promise<PlaybackState>;
export function playbackResume(id: string | Send, instance?: P2PCam): Promise<PlaybackState>;
export function playbackProgress(id: string | Send, instance?: P2PCam): Promise<PlaybackState>;
export function playbackSeek(id: string | Send, time: number | Date, instance?: P2PCam): Promise<PlaybackState>;
export function playbackSpeed(id: string | Send, speed: 0.5 | 1 | 2 | 4 | 8, instance?: P2PCam): Promise<PlaybackState>;
export function dayRange(day: Day): { from: number; to: number };
export function playbackLine(opts: { start: number | Date; end: number | Date; channel?: number }): string;
export function parseRecordIndex(reply: unknown): RecordSpan[];
export function parseMonthRecord(reply: unknown, year: number, month: number): number[];
export function parseFileList(reply: unknown): RecordFile[];
export function parsePlaybackState(reply: unknown): PlaybackState;

/** An NVR's channels from get_nvr_list's reply (untrusted: bad entries left out). */
export function parseNVRList(reply: unknown): { channel: number; name: string; online: boolean }[];

/** An HTTP camera: its base URL (ending in '/') and its LAN-mode token ('' without one). */
export interface CameraURL { base: string; token: string }
export const QUALITIES: readonly ['standard', 'high', 'super'];
/** Parses a camera's URL (LAN mode or a p2pcam serve gateway; `?token=` kept), relative to `base` (the page). */
export function cameraURL(input: string, base?: string): CameraURL;
export function flvURL(cam: CameraURL, opts?: { channel?: number; quality?: 'standard' | 'high' | 'super' }): string;
export function commandURL(cam: CameraURL, cmd: string, channel?: number): string;
/** Sends a command to an HTTP camera; resolves with its parsed JSON reply. */
export function httpCommand(cam: CameraURL, cmd: string, opts?: { channel?: number; timeoutMs?: number; fetch?: typeof fetch }): Promise<unknown>;
/** The URL of an ipc.flv request line (a playback) on an HTTP camera. */
export function requestURL(cam: CameraURL, line: string): string;
/** An HTTP camera's commands as a Send for the recordings functions; playback_* commands carry session() (LAN mode's X-P2pcam-Session). */
export function httpSender(cam: CameraURL, opts?: { channel?: number; session?: () => string | null | undefined; fetch?: typeof fetch }): Send;
/** Plays a recording of a camera reached over HTTP with mpegts.js; its `session` is the playback's session (LAN mode). */
export function createURLPlaybackPlayer(url: string | CameraURL, video: HTMLVideoElement, opts: { start: number | Date; end: number | Date; channel?: number; id?: string }): Player;
/** Plays a camera reached over HTTP (LAN mode, a gateway) with mpegts.js. */
export function createURLPlayer(url: string | CameraURL, video: HTMLVideoElement, opts?: { quality?: 'standard' | 'high' | 'super'; channel?: number; id?: string }): Player;

/** The SDK's MQTT 5 over WebSocket client (mqtt.js's connect API, the part the SDK uses). */
export class MQTTClient {
  readonly connected: boolean;
  options: { clientId?: string; username?: string; password?: string; keepalive?: number; reconnectPeriod?: number; connectTimeout?: number; clean?: boolean };
  subscribe(topic: string, opts?: { qos?: 0 | 1 }, cb?: (err: Error | null, granted?: { topic: string; qos: number }[]) => void): this;
  publish(topic: string, payload: string | Uint8Array, opts?: { qos?: 0 | 1; retain?: boolean; properties?: { responseTopic?: string; correlationData?: string | Uint8Array } }, cb?: (err: Error | null) => void): this;
  end(force?: boolean): this;
  on(name: 'connect' | 'close', fn: () => void): () => void;
  on(name: 'message', fn: (topic: string, payload: Uint8Array, packet: { qos: number; retain: boolean; properties: { responseTopic?: string; correlationData?: Uint8Array } }) => void): () => void;
  on(name: 'error', fn: (e: MQTTError) => void): () => void;
  once(name: string, fn: (...a: any[]) => void): () => void;
  removeListener(name: string, fn: (...a: any[]) => void): void;
}
export class MQTTError extends Error { reason?: number }
export function connectMQTT(url: string, options?: MQTTClient['options'] & { WebSocket?: typeof WebSocket }): MQTTClient;
/** Records a performance mark `p2pcam:name`. */
export function mark(name: string): void;

export function requestLine(request: string | Record<string, string | number>): string;
/** The live request line of a channel's quality: ipc.track (track true, the default) or ipc.flv. */
export function liveLine(channel?: number, quality?: 'standard' | 'high' | 'super', track?: boolean): string;
export function commandLine(cmd: string, channel?: number): string;
export function pathKind(localType?: string, remoteType?: string): PathKind;
export function answerSignedBytes(session: string, offerSDP: string, answerSDP: string): Uint8Array;
export function verifyAnswer(subtle: SubtleCrypto | undefined, pubkeyB64: string, session: string, offerSDP: string, answerSDP: string, sigB64: string): Promise<void>;
export function alawEncode(sample: number): number;
export function alawDecode(a: number): number;
/** Loads mpegts.js, bundled as a separate chunk that only the FLV path needs. */
export function loadMpegts(): Promise<any>;
