/**
 * Delta reads on UpdateDate/UpdateTime (reference §10). The Service Layer compares times at minute
 * precision and stores date and time apart, so the only correct cursor filter is
 *   (UpdateDate gt 'D') or (UpdateDate eq 'D' and UpdateTime ge 'HH:MM')
 * taken from (cursor − overlap). The overlap deliberately re-reads a few records: a write racing
 * the read, or a clock a little behind, is read again rather than missed.
 */
import { str } from './odata-query';

/** A delta position in the Service Layer's local time. */
export interface DeltaCursor {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM:SS (or HH:MM) */
  time: string;
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
  return {
    date: `${dt.getUTCFullYear()}-${p(dt.getUTCMonth() + 1)}-${p(dt.getUTCDate())}`,
    time: `${p(dt.getUTCHours())}:${p(dt.getUTCMinutes())}`,
  };
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
export function deltaFilter(cursor: DeltaCursor, overlapMinutes = 2, fields: { date?: string; time?: string } = {}): string {
  const dateField = fields.date ?? 'UpdateDate';
  const timeField = fields.time ?? 'UpdateTime';
  const from = fromMinutes(toMinutes(cursor.date, cursor.time) - Math.max(0, overlapMinutes));
  return `(${dateField} gt ${str(from.date)}) or (${dateField} eq ${str(from.date)} and ${timeField} ge ${str(from.time)})`;
}
