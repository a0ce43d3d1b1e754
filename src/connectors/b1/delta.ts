/**
 * Delta reads on UpdateDate/UpdateTime (reference §10). The Service Layer compares times at minute
 * precision and stores date and time apart, so the only correct cursor filter is
 *   (UpdateDate gt 'D') or (UpdateDate eq 'D' and UpdateTime ge 'HH:MM')
 * taken from (cursor − overlap). The overlap re-reads a few records; `DeltaTracker` drops the ones
 * already delivered with the same stamp, and advances the cursor to the newest stamp seen.
 */
import { str } from './odata-query';

/** A delta position in the Service Layer's local time. Serialisable (fits in workflow state). */
export interface DeltaCursor {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM:SS (or HH:MM) */
  time: string;
  /** `key@stamp` of records delivered at stamps inside the overlap window before the cursor. */
  seen?: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;
const TIME = /^(\d{2}):?(\d{2})(?::?(\d{2}))?/;

function toMinutes(date: string, time: string): number {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) throw new Error(`invalid delta cursor ${date} ${time}`);
  return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])) / 60_000 + Number(t[1]) * 60 + Number(t[2]);
}

function fromMinutes(min: number): { date: string; time: string } {
  const dt = new Date(min * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return { date: `${dt.getUTCFullYear()}-${p(dt.getUTCMonth() + 1)}-${p(dt.getUTCDate())}`, time: `${p(dt.getUTCHours())}:${p(dt.getUTCMinutes())}` };
}

/** Normalised stamp for comparisons: "YYYY-MM-DDTHH:MM:SS". */
export function stampOf(updateDate: unknown, updateTime: unknown): string {
  const d = typeof updateDate === 'string' ? DATE.exec(updateDate) : null;
  const t = typeof updateTime === 'string' ? TIME.exec(updateTime) : null;
  const date = d ? `${d[1]}-${d[2]}-${d[3]}` : '0000-00-00';
  const time = t ? `${t[1]}:${t[2]}:${t[3] ?? '00'}` : '00:00:00';
  return `${date}T${time}`;
}

/**
 * The filter for records changed at or after (cursor − overlapMinutes). Crossing midnight moves
 * the date back, which the two-branch form handles.
 */
export function deltaFilter(cursor: Pick<DeltaCursor, 'date' | 'time'>, overlapMinutes = 2, fields: { date?: string; time?: string } = {}): string {
  const dateField = fields.date ?? 'UpdateDate';
  const timeField = fields.time ?? 'UpdateTime';
  const from = fromMinutes(toMinutes(cursor.date, cursor.time) - Math.max(0, overlapMinutes));
  return `(${dateField} gt ${str(from.date)}) or (${dateField} eq ${str(from.date)} and ${timeField} ge ${str(from.time)})`;
}

/** De-duplicates a delta run and computes the next cursor. */
export class DeltaTracker<T> {
  private readonly prevSeen: Set<string>;
  private readonly delivered = new Set<string>();
  private max: string;
  private readonly records: Array<{ key: string; stamp: string }> = [];

  constructor(
    private readonly cursor: DeltaCursor,
    private readonly keyOf: (r: T) => string,
    private readonly stampFields: { date: string; time: string } = { date: 'UpdateDate', time: 'UpdateTime' },
    private readonly overlapMinutes = 2,
  ) {
    this.prevSeen = new Set(cursor.seen ?? []);
    this.max = stampOf(cursor.date, cursor.time);
  }

  /** True when the record is new or changed since it was last delivered (and not yet seen in this run). */
  accept(r: T): boolean {
    const key = this.keyOf(r);
    const rec = r as Record<string, unknown>;
    const stamp = stampOf(rec[this.stampFields.date], rec[this.stampFields.time]);
    const id = `${key}@${stamp}`;
    if (this.prevSeen.has(id) || this.delivered.has(key)) return false;
    this.delivered.add(key);
    this.records.push({ key, stamp });
    if (stamp > this.max) this.max = stamp;
    return true;
  }

  /** Cursor for the next run: newest stamp seen, plus the ids inside its overlap window. */
  next(): DeltaCursor {
    const [date, time] = this.max.split('T') as [string, string];
    const lo = fromMinutes(toMinutes(date, time) - this.overlapMinutes);
    const from = `${lo.date}T${lo.time}:00`;
    // Newest stamp per key inside the window; older stamps of the same key can never match again.
    const newest = new Map<string, string>();
    const add = (key: string, stamp: string): void => {
      if (stamp >= from && (newest.get(key) ?? '') < stamp) newest.set(key, stamp);
    };
    for (const id of this.prevSeen) {
      const at = id.lastIndexOf('@');
      add(id.slice(0, at), id.slice(at + 1));
    }
    for (const r of this.records) add(r.key, r.stamp);
    return { date, time, seen: [...newest].map(([k, st]) => `${k}@${st}`).sort() };
  }
}
