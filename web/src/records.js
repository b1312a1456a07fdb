// Recordings: the camera's record commands (get_record_index,
// get_month_record, get_file_list), the playback request line and the
// playback_* commands that steer a playback on the same session. Every
// function takes `send(cmd)`, which sends a command and resolves with
// its parsed reply: sdk.sendCommand over P2P, httpCommand over HTTP.
// The camera's answers are untrusted: the parsers check them
// (docs/recording.md, "Requests"; viewer/records.go does the same in Go).
import { P2PError, ERR_ARGUMENT, ERR_STATUS } from './errors.js';

/** MAX_TIME: times after 2100 are refused, as the camera refuses them. */
export const MAX_TIME = 4102444800;
/** SPEEDS are the speeds playback_speed takes. */
export const SPEEDS = [0.5, 1, 2, 4, 8];

function bad(what, v) {
  return new P2PError(ERR_STATUS, `the camera's ${what} is not valid: ${JSON.stringify(v)?.slice(0, 80)}`);
}

// unix reads a time the camera sent as a string or a number.
function unix(what, v) {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_TIME) throw bad(what, v);
  return n;
}

function seconds(what, t) {
  const n = t instanceof Date ? Math.floor(t.getTime() / 1000) : t;
  if (!Number.isInteger(n) || n < 0 || n > MAX_TIME) throw new P2PError(ERR_ARGUMENT, `${what}: want unix seconds (0 to 2100) or a Date, got ${JSON.stringify(t)}`);
  return n;
}

/** dayRange is the local day of a Date, 'YYYY-MM-DD', or {from, to}
 * (unix seconds or Dates), as {from, to} in unix seconds (to inclusive). */
export function dayRange(day) {
  if (day && typeof day === 'object' && !(day instanceof Date)) {
    const from = seconds('from', day.from);
    const to = seconds('to', day.to);
    if (to < from) throw new P2PError(ERR_ARGUMENT, `to ${to} is before from ${from}`);
    return { from, to };
  }
  let d;
  if (day instanceof Date) d = day;
  else if (typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day)) {
    const [y, m, dd] = day.split('-').map(Number);
    d = new Date(y, m - 1, dd);
    if (d.getMonth() !== m - 1 || d.getDate() !== dd) d = null;
  }
  if (!d || Number.isNaN(d.getTime())) throw new P2PError(ERR_ARGUMENT, `day: want a Date, 'YYYY-MM-DD' or {from, to}, got ${JSON.stringify(day)}`);
  const start = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
  return { from: seconds('day', start), to: seconds('day', end) - 1 };
}

/** parseRecordIndex reads get_record_index's reply: spans
 * [{type, start, end}] in unix seconds, oldest first. */
export function parseRecordIndex(reply) {
  const list = reply?.video_list;
  if (!Array.isArray(list)) throw bad('record index', reply);
  const spans = list.map((x) => {
    const start = unix('record index start_time', x?.start_time);
    const end = unix('record index end_time', x?.end_time);
    const type = x.type === undefined ? 0 : Number(x.type);
    if (end < start || !Number.isInteger(type) || type < 0 || type > 255) throw bad('record index entry', x);
    return { type, start, end };
  });
  return spans.sort((a, b) => a.start - b.start);
}

/** parseMonthRecord reads get_month_record's reply: the days (1 to the
 * month's last) that have recordings. */
export function parseMonthRecord(reply, year, month) {
  const v = reply?.video_list;
  const mask = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  const last = new Date(year, month, 0).getDate();
  if (!Number.isInteger(mask) || mask < 0 || mask >= 2 ** last) throw bad('month record', reply);
  const days = [];
  for (let d = 1; d <= last; d++) if (Math.floor(mask / 2 ** (d - 1)) % 2) days.push(d);
  return days;
}

/** parseFileList reads get_file_list's reply: [{name, type, start, end, size}]. */
export function parseFileList(reply) {
  const list = reply?.file_list;
  if (!Array.isArray(list)) throw bad('file list', reply);
  return list.map((x) => {
    const name = x?.file_name;
    const size = Number(x?.file_size);
    if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(name) || !Number.isSafeInteger(size) || size < 0) throw bad('file list entry', x);
    const start = unix('file start_time', x.start_time);
    const end = unix('file end_time', x.end_time);
    if (end < start) throw bad('file list entry', x);
    return { name, type: Number(x.file_type) || 0, start, end, size };
  });
}

/** parsePlaybackState reads a playback_* reply: {progress (ms from the
 * playback's start_time), time (unix s), paused, speed}. */
export function parsePlaybackState(reply) {
  const progress = Number(reply?.progress);
  const speed = Number(reply?.speed ?? 1);
  if (!reply || !Number.isSafeInteger(progress) || !SPEEDS.includes(speed) || typeof (reply.paused ?? false) !== 'boolean') throw bad('playback state', reply);
  return { progress, time: unix('playback time', reply.time), paused: !!reply.paused, speed };
}

/** recordIndex lists the recordings of a day (see dayRange) as spans. */
export async function recordIndex(send, day) {
  const { from, to } = dayRange(day);
  return parseRecordIndex(await send(`get_record_index&start_time=${from}&end_time=${to}`));
}

/** monthRecord lists the days of a month (1-12) with recordings. */
export async function monthRecord(send, year, month) {
  if (!Number.isInteger(year) || year < 1970 || year > 2099 || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new P2PError(ERR_ARGUMENT, `monthRecord: want a year 1970-2099 and a month 1-12, got ${year}, ${month}`);
  }
  return parseMonthRecord(await send(`get_month_record&time=${year}${String(month).padStart(2, '0')}`), year, month);
}

/** fileList lists the recorded files of a day (see dayRange). */
export async function fileList(send, day) {
  const { from, to } = dayRange(day);
  return parseFileList(await send(`get_file_list&start_time=${from}&end_time=${to}&file_type=0`));
}

/** playbackLine is the request of a playback from start to end (unix
 * seconds or Dates). */
export function playbackLine({ start, end, channel = 0 }) {
  const s = seconds('start', start);
  const e = seconds('end', end);
  if (e <= s) throw new P2PError(ERR_ARGUMENT, `playback: end ${e} is not after start ${s}`);
  return `ipc.flv?action=playback&channel=${Number(channel) | 0}&start_time=${s}&end_time=${e}`;
}

/** playbackControl sends a playback_* command to the playback on the
 * same session: 'pause', 'resume', 'progress', 'seek' ({time}) or
 * 'speed' ({speed}); it resolves with the playback's state. */
export async function playbackControl(send, what, arg = {}) {
  let q = '';
  if (what === 'seek') q = `&time=${seconds('seek time', arg.time)}`;
  else if (what === 'speed') {
    if (!SPEEDS.includes(arg.speed)) throw new P2PError(ERR_ARGUMENT, `speed ${JSON.stringify(arg.speed)}: want one of ${SPEEDS.join(', ')}`);
    q = `&speed=${arg.speed}`;
  } else if (!['pause', 'resume', 'progress'].includes(what)) {
    throw new P2PError(ERR_ARGUMENT, `playback control ${JSON.stringify(what)}: want pause, resume, progress, seek or speed`);
  }
  return parsePlaybackState(await send(`playback_${what}${q}`));
}
