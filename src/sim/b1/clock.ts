/**
 * The simulator's clock. Service Layer stamps UpdateDate/UpdateTime in server-local time with no
 * zone, so tests pin or move this clock (e.g. across midnight) instead of waiting for real time.
 */
export class SimClock {
  private offsetMs = 0;
  private frozen: number | null = null;

  now(): Date {
    return new Date(this.frozen ?? Date.now() + this.offsetMs);
  }
  /** Freeze at a local wall-clock time, e.g. `set('2026-03-01T23:59:30')`, or unfreeze with null. */
  set(at: Date | string | null): void {
    if (at === null) {
      this.frozen = null;
      this.offsetMs = 0;
      return;
    }
    this.frozen = (typeof at === 'string' ? new Date(at) : at).getTime();
  }
  advance(ms: number): void {
    if (this.frozen !== null) this.frozen += ms;
    else this.offsetMs += ms;
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
export function localTime(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Normalises the date literal forms SAP accepts (reference §4) to YYYY-MM-DD, or null. */
export function parseDateLiteral(s: string): string | null {
  const t = s.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?)?$/.exec(t);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Normalises time literal forms (`18:38:00`, `18:38`, `183800`, `1838`, ISO) to HH:MM:SS, or null. */
export function parseTimeLiteral(s: string): string | null {
  const t = s.trim();
  let m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t) ?? /^(\d{2})(\d{2})(\d{2})?$/.exec(t);
  if (!m) {
    m = /^\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?Z?$/.exec(t);
  }
  if (!m) return null;
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || se > 59) return null;
  return `${pad(h)}:${pad(mi)}:${pad(se)}`;
}
