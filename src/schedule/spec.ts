/**
 * Schedule specifications and their next-fire computation.
 *
 * Pure and deterministic (no clock reads): the scheduler workflow imports this module, so
 * it must behave identically on replay. Wall-clock semantics are chosen so that what an
 * operator types ("daily at 02:00 Europe/Berlin") is what happens across DST changes:
 * - a local time that does not exist (spring-forward gap) fires at the first instant after
 *   the gap, so a daily run is never silently skipped;
 * - a local time that occurs twice (fall-back) fires once, at its first occurrence.
 * Intervals are aligned to the local day (or to the start of the window), not to the moment
 * the schedule was set, so "every 15 minutes" fires at :00, :15, :30, :45 predictably.
 */
import { DateTime, IANAZone } from 'luxon';
import { CronExpressionParser } from 'cron-parser/dist/CronExpressionParser';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const WeekdaySchema = z.enum(WEEKDAYS);

const HHMM_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const HhmmSchema = z.string().regex(HHMM_PATTERN, 'expected a 24-hour time HH:MM, e.g. 02:00 or 14:30');

const TimeZoneSchema = z.string().superRefine((tz, ctx) => {
  if (!IANAZone.isValidZone(tz)) {
    ctx.addIssue({ code: 'custom', message: `unknown IANA time zone '${tz}' (e.g. Europe/Berlin, America/New_York, UTC)` });
  }
});

/** Longest interval we align within a day; longer cadences are daily/weekly schedules. */
export const MAX_INTERVAL_MINUTES = 24 * 60;

const DailySchema = z.object({
  kind: z.literal('daily'),
  times: z.array(HhmmSchema).min(1, 'at least one time is required').max(96),
  timezone: TimeZoneSchema,
});

const WeeklySchema = z.object({
  kind: z.literal('weekly'),
  days: z.array(WeekdaySchema).min(1, 'at least one weekday is required'),
  times: z.array(HhmmSchema).min(1, 'at least one time is required').max(96),
  timezone: TimeZoneSchema,
});

const WindowSchema = z
  .object({ start: HhmmSchema, end: HhmmSchema })
  .refine((w) => w.start !== w.end, { message: 'window start and end must differ' });

const IntervalSchema = z.object({
  kind: z.literal('interval'),
  everyMinutes: z
    .number()
    .int('everyMinutes must be a whole number')
    .min(1, 'everyMinutes must be at least 1')
    .max(MAX_INTERVAL_MINUTES, `everyMinutes must be at most ${MAX_INTERVAL_MINUTES} (use a daily or weekly schedule for longer cadences)`),
  /** Only fire inside this local window (end inclusive); a window may wrap past midnight. */
  between: WindowSchema.optional(),
  /** Only on these weekdays (the weekday on which the window starts). */
  days: z.array(WeekdaySchema).min(1).optional(),
  timezone: TimeZoneSchema,
});

const CronSchema = z
  .object({
    kind: z.literal('cron'),
    /** Classic 5-field cron (minute hour day-of-month month day-of-week) or @daily/@weekly… */
    expression: z.string().min(1),
    timezone: TimeZoneSchema,
  })
  .superRefine((spec, ctx) => {
    const problem = cronProblem(spec.expression, spec.timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['expression'], message: problem });
  });

export const ScheduleSpecSchema = z.discriminatedUnion('kind', [DailySchema, WeeklySchema, IntervalSchema, CronSchema]);
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
export type DailySpec = z.infer<typeof DailySchema>;
export type WeeklySpec = z.infer<typeof WeeklySchema>;
export type IntervalSpec = z.infer<typeof IntervalSchema>;
export type CronSpec = z.infer<typeof CronSchema>;

/** Parses an untrusted spec and returns either the spec or one readable message naming the field. */
export function parseScheduleSpec(input: unknown): { ok: true; spec: ScheduleSpec } | { ok: false; error: string } {
  const result = ScheduleSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  const error = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'schedule'}: ${issue.message}`).join('; ');
  return { ok: false, error };
}

function cronProblem(expression: string, timezone: string): string | undefined {
  const trimmed = expression.trim();
  // Seconds-level cron would let a typo start a sync every second; only minute precision.
  if (!trimmed.startsWith('@') && trimmed.split(/\s+/).length !== 5) {
    return `cron expression '${expression}' must have 5 fields: minute hour day-of-month month day-of-week`;
  }
  if (trimmed === '@secondly' || trimmed === '@minutely') return `cron shortcut '${trimmed}' is too frequent; use an interval schedule`;
  try {
    CronExpressionParser.parse(trimmed, { tz: IANAZone.isValidZone(timezone) ? timezone : 'UTC', strict: false });
    return undefined;
  } catch (err) {
    return `invalid cron expression '${expression}': ${(err as Error).message}`;
  }
}

function minutesOf(hhmm: string): number {
  const m = HHMM_PATTERN.exec(hhmm);
  if (!m) throw new Error(`invalid time '${hhmm}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function weekdayOf(day: DateTime): Weekday {
  // luxon: 1 = Monday … 7 = Sunday
  return WEEKDAYS[day.weekday - 1] as Weekday;
}

/**
 * The instant of a local wall-clock time on a calendar day. luxon moves a time inside a
 * spring-forward gap forward by the gap's length; we want the first valid instant after the
 * gap instead (e.g. 02:30 → 03:00), which is the instant the clock jumps to.
 */
function localInstant(day: DateTime, minuteOfDay: number): number {
  const date = day.plus({ days: Math.floor(minuteOfDay / 1440) });
  const minute = minuteOfDay % 1440;
  const hour = Math.floor(minute / 60);
  const min = minute % 60;
  const dt = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute: min }, { zone: day.zone });
  if (dt.hour === hour && dt.minute === min) {
    // Ambiguous (fall-back) wall times: luxon may pick the later occurrence; fire at the first.
    for (const shiftMinutes of [60, 30]) {
      const earlier = DateTime.fromMillis(dt.toMillis() - shiftMinutes * 60_000, { zone: day.zone });
      if (earlier.hour === hour && earlier.minute === min && earlier.day === dt.day) return earlier.toMillis();
    }
    return dt.toMillis();
  }
  // In a gap: find the transition instant, i.e. the earliest minute whose local wall clock is
  // at or past the requested one. Wall time only jumps forward here, so bisection is exact
  // (and works for 30-minute shifts such as Lord Howe as well as whole hours).
  const wanted = Date.UTC(date.year, date.month - 1, date.day, hour, min);
  const wall = (ms: number) => ms + DateTime.fromMillis(ms, { zone: day.zone }).offset * 60_000;
  let lo = Math.floor(dt.toMillis() / 60_000) - 26 * 60; // minutes; wall(lo) < wanted
  let hi = Math.floor(dt.toMillis() / 60_000); // wall(hi) >= wanted
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wall(mid * 60_000) >= wanted) hi = mid;
    else lo = mid;
  }
  return hi * 60_000;
}

function candidatesForDay(spec: DailySpec | WeeklySpec | IntervalSpec, day: DateTime): number[] {
  switch (spec.kind) {
    case 'daily':
      return spec.times.map((t) => localInstant(day, minutesOf(t)));
    case 'weekly':
      if (!spec.days.includes(weekdayOf(day))) return [];
      return spec.times.map((t) => localInstant(day, minutesOf(t)));
    case 'interval': {
      if (spec.days && !spec.days.includes(weekdayOf(day))) return [];
      const start = spec.between ? minutesOf(spec.between.start) : 0;
      let end = spec.between ? minutesOf(spec.between.end) : 1439;
      if (end < start) end += 1440; // window wraps past midnight into the next day
      const out: number[] = [];
      for (let m = start; m <= end; m += spec.everyMinutes) out.push(localInstant(day, m));
      return out;
    }
  }
}

/**
 * The first fire time strictly after `afterMs` (epoch milliseconds), or undefined when the
 * spec can never fire again (only possible for cron expressions such as Feb 30).
 */
export function nextFireTime(spec: ScheduleSpec, afterMs: number): number | undefined {
  if (spec.kind === 'cron') {
    try {
      const expr = CronExpressionParser.parse(spec.expression.trim(), {
        currentDate: new Date(afterMs),
        tz: spec.timezone,
      });
      return expr.next().getTime();
    } catch {
      return undefined;
    }
  }
  const zone = spec.timezone;
  const today = DateTime.fromMillis(afterMs, { zone }).startOf('day');
  let best: number | undefined;
  // A wrapping window started yesterday may still be open; weekly/day filters repeat within 7 days.
  for (let offset = -1; offset <= 8; offset++) {
    const day = today.plus({ days: offset });
    for (const t of candidatesForDay(spec, day)) {
      if (t > afterMs && (best === undefined || t < best)) best = t;
    }
    // Candidates of later days are all later than any of this day's (windows wrap by < 24h).
    if (best !== undefined && offset >= 1 && best < day.plus({ days: 1 }).toMillis()) break;
  }
  return best;
}

/** The next `count` fire times after `afterMs`, for `schedule show` and status queries. */
export function nextFireTimes(spec: ScheduleSpec, afterMs: number, count: number): number[] {
  const out: number[] = [];
  let cursor = afterMs;
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(spec, cursor);
    if (next === undefined) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

/** One-line human description, e.g. "every 2h between 08:00-20:00 on mon,tue (Europe/Berlin)". */
export function describeSchedule(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'daily':
      return `daily at ${spec.times.join(', ')} (${spec.timezone})`;
    case 'weekly':
      return `weekly on ${spec.days.join(',')} at ${spec.times.join(', ')} (${spec.timezone})`;
    case 'interval': {
      const every = spec.everyMinutes % 60 === 0 ? `${spec.everyMinutes / 60}h` : `${spec.everyMinutes}m`;
      const window = spec.between ? ` between ${spec.between.start}-${spec.between.end}` : '';
      const days = spec.days ? ` on ${spec.days.join(',')}` : '';
      return `every ${every}${window}${days} (${spec.timezone})`;
    }
    case 'cron':
      return `cron "${spec.expression}" (${spec.timezone})`;
  }
}
