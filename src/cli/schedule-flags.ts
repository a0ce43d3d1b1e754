/**
 * Turns `schedule set` flags into a ScheduleSpec, validated client-side with the same zod
 * schema the scheduler uses, so a typo is reported before anything is sent.
 */
import { parseScheduleSpec, WEEKDAYS, type ScheduleSpec, type Weekday } from '../schedule/spec';
import { CliError } from '../hub/errors';

export interface ScheduleFlags {
  daily?: string;
  weekly?: string;
  every?: string;
  between?: string;
  days?: string;
  cron?: string;
  tz?: string;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** "mon-fri", "mon,wed,fri", "sat-mon" (wraps) → weekdays. */
export function parseDays(text: string): Weekday[] {
  const out: Weekday[] = [];
  for (const part of list(text.toLowerCase())) {
    const [a, b] = part.split('-').map((x) => x.trim().slice(0, 3));
    const ia = WEEKDAYS.indexOf(a as Weekday);
    const ib = b === undefined ? ia : WEEKDAYS.indexOf(b as Weekday);
    if (ia < 0 || ib < 0)
      throw new CliError(`unknown weekday in '${part}'`, `use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri`);
    for (let i = ia; ; i = (i + 1) % 7) {
      if (!out.includes(WEEKDAYS[i]!)) out.push(WEEKDAYS[i]!);
      if (i === ib) break;
    }
  }
  return out;
}

/** "2h", "90m", "15min", "1h30m" → minutes. */
export function parseEvery(text: string): number {
  const m = /^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$/i.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined))
    throw new CliError(`--every '${text}' is not an interval`, 'use minutes or hours, e.g. 15m, 2h, 1h30m');
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

export function specFromFlags(f: ScheduleFlags, defaultTz: string): ScheduleSpec {
  const kinds = (['daily', 'weekly', 'every', 'cron'] as const).filter((k) => f[k] !== undefined);
  if (kinds.length !== 1) {
    throw new CliError(
      kinds.length ? `choose one of --${kinds.join(', --')}` : 'no schedule given',
      'use exactly one of --daily 02:00[,14:00] | --weekly mon,thu@02:00 | --every 2h [--between 08:00-20:00] [--days mon-fri] | --cron "<expr>"',
    );
  }
  if ((f.between || f.days) && !f.every)
    throw new CliError('--between and --days go with --every', 'e.g. --every 2h --between 08:00-20:00 --days mon-fri');
  const timezone = f.tz ?? defaultTz;
  let raw: unknown;
  if (f.daily !== undefined) raw = { kind: 'daily', times: list(f.daily), timezone };
  else if (f.weekly !== undefined) {
    const at = f.weekly.indexOf('@');
    if (at < 0)
      throw new CliError(`--weekly '${f.weekly}' needs days and times`, 'e.g. --weekly mon,thu@02:00 or --weekly mon-fri@06:00,18:00');
    raw = { kind: 'weekly', days: parseDays(f.weekly.slice(0, at)), times: list(f.weekly.slice(at + 1)), timezone };
  } else if (f.every !== undefined) {
    let between: { start: string; end: string } | undefined;
    if (f.between) {
      const [start, end, extra] = f.between.split('-').map((s) => s.trim());
      if (!start || !end || extra !== undefined)
        throw new CliError(`--between '${f.between}' is not a window`, 'e.g. --between 08:00-20:00');
      between = { start, end };
    }
    raw = {
      kind: 'interval',
      everyMinutes: parseEvery(f.every),
      ...(between ? { between } : {}),
      ...(f.days ? { days: parseDays(f.days) } : {}),
      timezone,
    };
  } else raw = { kind: 'cron', expression: f.cron, timezone };
  const parsed = parseScheduleSpec(raw);
  if (!parsed.ok)
    throw new CliError(
      `invalid schedule: ${parsed.error}`,
      'times are 24-hour HH:MM (02:00, 14:30); time zones are IANA names (Europe/Berlin, UTC)',
    );
  return parsed.spec;
}
