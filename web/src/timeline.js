// Timeline: the recordings under a camera tile. A month strip (days
// with recordings marked, from get_month_record) picks the day; the bar
// shows the day's recordings (get_record_index) in a window of 10 min,
// 1 h or the whole day; a click plays from that second; pause/resume,
// speed and Live steer the playback: over the same P2P session, or with
// the session an HTTP camera named for it. It uses only the SDK's
// public API.
import { recordIndex, monthRecord, dayRange, playbackPause, playbackResume, playbackProgress, playbackSpeed, SPEEDS } from './index.js';

const $ = (sel, root) => root.querySelector(sel);
// REFRESH_MS: how often today's index is asked again, so the segment
// being written grows on the bar.
const REFRESH_MS = 3000;
// RETRY_MS: how soon a failed first load is tried again.
const RETRY_MS = 5000;

const pad = (n) => String(n).padStart(2, '0');
const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
export const clock = (sec) => { const d = new Date(sec * 1000); return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`; };

export class Timeline {
  /**
   * @param {HTMLElement} el the tile's .timeline
   * @param {object} o {send(cmd) -> Promise (the camera's commands), video,
   *   play(start, end) -> Promise, live() -> Promise, error(msg)}
   */
  constructor(el, o) {
    this.el = el;
    this.o = o;
    this.day = isoDay(new Date());
    this.month = new Date(); // the month strip's month
    this.zoom = 600; // seconds shown on the bar
    this.spans = [];
    this.days = [];
    this.view = null; // {from, to}, unix seconds
    this.playing = null; // {start, end, state} while a recording plays
    this.pos = null; // the recording's second on screen
    this._wire();
  }

  _wire() {
    const el = this.el;
    $('.tl-prev', el).onclick = () => this._month(-1);
    $('.tl-next', el).onclick = () => this._month(1);
    $('.tl-zoom', el).onchange = (e) => { this.zoom = Number(e.target.value); this.render(); };
    const sp = $('.tl-speed', el);
    for (const s of SPEEDS) sp.append(new Option(`${s}×`, String(s), s === 1, s === 1));
    sp.onchange = (e) => this._act(() => playbackSpeed(this.o.send, Number(e.target.value)));
    $('.tl-pause', el).onclick = () => this.togglePause();
    $('.tl-live', el).onclick = () => this.live();
    $('.tl-bar', el).onclick = (e) => {
      const r = e.currentTarget.getBoundingClientRect();
      this.playAt(this.secAt((e.clientX - r.left) / r.width));
    };
  }

  /** load shows the day ('YYYY-MM-DD') and its month, and keeps today's fresh. */
  async load(day = this.day) {
    this.day = day;
    const [y, m] = day.split('-').map(Number);
    this.month = new Date(y, m - 1, 1);
    clearTimeout(this._retry);
    try {
      await Promise.all([this._loadMonth(), this._loadDay()]);
      if (this._stopped) return;
      this.el.hidden = false;
    } catch (e) {
      if (this._stopped) return;
      this.el.hidden = true;
      this.lastError = e;
      // 406: the camera does not record; 403: the token may not play
      // back. Anything else (a command that timed out, a camera
      // restarting) is asked again.
      if (e.status === 406) return;
      if (e.status === 403) { this.o.error?.(`Recordings: ${e.message}`); return; }
      this.o.error?.(`Recordings: ${e.message} (asking again in ${RETRY_MS / 1000} s)`);
      this._retry = setTimeout(() => this.load(this.day), RETRY_MS);
      return;
    }
    clearInterval(this._timer);
    this._timer = setInterval(() => {
      if (this.day === isoDay(new Date()) || this.playing) this._loadDay().catch(() => {});
      if (this.playing) this._progress();
    }, this.playing ? 1000 : REFRESH_MS);
  }

  async _loadMonth() {
    const m = this.month;
    this.days = await monthRecord(this.o.send, m.getFullYear(), m.getMonth() + 1);
    this._renderMonth();
  }

  async _loadDay() {
    this.spans = await recordIndex(this.o.send, this.day);
    this.render();
  }

  _month(step) {
    this.month = new Date(this.month.getFullYear(), this.month.getMonth() + step, 1);
    this._loadMonth().catch((e) => this.o.error?.(`Recordings: ${e.message}`));
  }

  _renderMonth() {
    const el = this.el;
    const m = this.month;
    $('.tl-month-name', el).textContent = m.toLocaleString(undefined, { month: 'short', year: 'numeric' });
    const box = $('.tl-days', el);
    box.textContent = '';
    const last = new Date(m.getFullYear(), m.getMonth() + 1, 0).getDate();
    for (let d = 1; d <= last; d++) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = d;
      const iso = isoDay(new Date(m.getFullYear(), m.getMonth(), d));
      b.dataset.day = iso;
      b.classList.toggle('rec', this.days.includes(d));
      b.classList.toggle('sel', iso === this.day);
      b.title = this.days.includes(d) ? `${iso}: recordings` : `${iso}: nothing recorded`;
      b.onclick = () => this.load(iso);
      box.append(b);
    }
  }

  /** window is the bar's span of time: the whole day at 24 h; else
   * zoom seconds ending at the last recording (or around the playback). */
  _window() {
    const day = dayRange(this.day);
    if (this.zoom >= 86400) return day;
    const lastEnd = this.spans.length ? this.spans[this.spans.length - 1].end : Math.min(day.to, Date.now() / 1000);
    let to = Math.min(day.to, Math.ceil((lastEnd + this.zoom * 0.05) / 60) * 60);
    if (this.pos != null && (this.pos < to - this.zoom || this.pos > to)) to = Math.min(day.to, this.pos + this.zoom / 2);
    const from = Math.max(day.from, to - this.zoom);
    return { from, to: Math.max(to, from + this.zoom) };
  }

  /** secAt is the second at a fraction (0..1) of the bar. */
  secAt(f) { const v = this.view; return Math.floor(v.from + Math.min(1, Math.max(0, f)) * (v.to - v.from)); }
  /** fracOf is where a second is on the bar (0..1). */
  fracOf(sec) { const v = this.view; return (sec - v.from) / (v.to - v.from); }

  render() {
    this.view = this._window();
    const box = $('.tl-spans', this.el);
    box.textContent = '';
    for (const s of this.spans) {
      const a = Math.max(0, this.fracOf(s.start));
      const b = Math.min(1, this.fracOf(s.end + 1));
      if (b <= 0 || a >= 1) continue;
      const d = document.createElement('div');
      d.className = 'tl-span';
      d.style.left = `${a * 100}%`;
      d.style.width = `${Math.max(0.3, (b - a) * 100)}%`;
      d.title = `${clock(s.start)} – ${clock(s.end)}`;
      box.append(d);
    }
    const ticks = $('.tl-ticks', this.el);
    ticks.textContent = '';
    for (let i = 0; i <= 4; i++) {
      const sp = document.createElement('span');
      sp.textContent = clock(this.secAt(i / 4)).slice(0, this.zoom > 600 ? 5 : 8);
      ticks.append(sp);
    }
    const cur = $('.tl-cursor', this.el);
    cur.hidden = this.pos == null || this.fracOf(this.pos) < 0 || this.fracOf(this.pos) > 1;
    if (!cur.hidden) cur.style.left = `${this.fracOf(this.pos) * 100}%`;
    const mode = this.playing?.ended ? 'ended' : this.playing?.state?.paused ? 'paused' : 'playing';
    $('.tl-pos', this.el).textContent = this.playing ? `${mode} ${clock(this.pos ?? this.playing.start)}` : this.spans.length ? `${this.spans.length} recording${this.spans.length > 1 ? 's' : ''}` : 'nothing recorded';
    this.el.classList.toggle('playing', !!this.playing);
    $('.tl-pause', this.el).textContent = this.playing?.state?.paused ? 'Resume' : 'Pause';
  }

  /** playAt plays from a second: inside a recording, or from the next
   * one's start. */
  async playAt(sec) {
    let start = sec;
    if (!this.spans.some((s) => s.start <= sec && sec <= s.end)) {
      const next = this.spans.find((s) => s.start > sec);
      if (!next) { this.o.error?.(`Nothing recorded at ${clock(sec)} or after it that day.`); return; }
      start = next.start;
    }
    const end = dayRange(this.day).to;
    const mine = { start, end, state: null, clicked: sec };
    this.playing = mine;
    this.pos = start;
    $('.tl-speed', this.el).value = '1';
    this.render();
    try {
      await this.o.play(start, end);
    } catch (e) {
      if (this.playing !== mine) return; // another click, or Live, took over
      this.playing = null;
      this.pos = null;
      this.render();
      this.o.error?.(`Playback: ${e.message}`);
      return;
    }
    this.load(this.day); // the timer at 1 s: the cursor follows
  }

  async _progress() {
    if (!this.playing) return;
    try {
      const st = await playbackProgress(this.o.send);
      if (!this.playing) return;
      this.playing.state = st;
      this.pos = st.time;
      this.render();
    } catch (e) {
      // 404: no playback on the session any more: it reached its end.
      if (e.status === 404 && this.playing) { this.playing.ended = true; this.render(); }
    }
  }

  async _act(fn) {
    if (!this.playing) return;
    try {
      this.playing.state = await fn();
      this.pos = this.playing.state.time;
      this.render();
    } catch (e) { this.o.error?.(`Playback: ${e.message}`); }
  }

  async togglePause() {
    if (!this.playing) return;
    const video = this.o.video;
    if (this.playing.state?.paused) {
      await this._act(() => playbackResume(this.o.send));
      video?.play().catch(() => {});
    } else {
      await this._act(() => playbackPause(this.o.send));
      video?.pause();
    }
  }

  /** live ends the playback and goes back to the live stream. */
  async live() {
    this.playing = null;
    this.pos = null;
    this.render();
    await this.o.live();
    this.load(this.day);
  }

  stop() { clearInterval(this._timer); clearTimeout(this._retry); this._stopped = true; this.playing = null; }
}
