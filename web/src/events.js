// Device events: the camera's event stream (EVENTS_LINE), one JSON event
// per line, e.g. {"type":"input","time":"...","channel":0,"data":{...}}
// (docs/protocol.md, Events).

/** EVENTS_LINE is the request that opens the event stream (permission live). */
export const EVENTS_LINE = 'command?action=inner_define&channel=0&cmd=events';

/** MAX_EVENT bounds one event's line, as the camera does (event.MaxSize). */
export const MAX_EVENT = 4096;

const typeRe = /^[a-z0-9._-]{1,32}$/;

/** parseEvent validates one line's event; null when it is not one. */
export function parseEvent(line) {
  let e;
  try { e = JSON.parse(line); } catch { return null; }
  if (!e || typeof e !== 'object' || Array.isArray(e)) return null;
  if (typeof e.type !== 'string' || !typeRe.test(e.type) || typeof e.time !== 'string') return null;
  if (e.channel !== undefined && !(Number.isInteger(e.channel) && e.channel >= 0 && e.channel <= 255)) return null;
  if (e.data !== undefined && (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data))) return null;
  return { type: e.type, time: e.time, channel: e.channel ?? 0, data: e.data ?? {} };
}

/** EventDecoder turns the stream's chunks into events. Blank lines are
 * keep-alives; a line over MAX_EVENT bytes or one that is not an event
 * is skipped and counted in malformed. */
export class EventDecoder {
  constructor() {
    this.text = new TextDecoder();
    this.buf = '';
    this.skipping = false; // inside an overlong line
    this.malformed = 0;
  }

  /** push takes a chunk (a string or bytes) and returns the events its
   * lines completed. */
  push(chunk) {
    this.buf += typeof chunk === 'string' ? chunk : this.text.decode(chunk, { stream: true });
    const out = [];
    let nl;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      if (this.skipping) { this.skipping = false; continue; }
      if (!line) continue;
      const e = line.length <= MAX_EVENT ? parseEvent(line) : null;
      if (e) out.push(e); else this.malformed++;
    }
    if (this.buf.length > MAX_EVENT) {
      this.buf = '';
      if (!this.skipping) this.malformed++;
      this.skipping = true;
    }
    return out;
  }
}
