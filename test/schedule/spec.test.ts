import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { describeSchedule, nextFireTime, nextFireTimes, parseScheduleSpec, type ScheduleSpec, WEEKDAYS } from '../../src/schedule/spec';

function spec(input: unknown): ScheduleSpec {
  const r = parseScheduleSpec(input);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
}
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const times = (s: ScheduleSpec, after: string, n: number) => nextFireTimes(s, at(after), n).map((t) => new Date(t).toISOString());

describe('daily', () => {
  const daily = spec({ kind: 'daily', times: ['14:00', '02:00'], timezone: 'UTC' });
  test('fires at each listed time, in order, strictly after the reference', () => {
    assert.deepEqual(times(daily, '2026-11-26T01:59:59Z', 3), [
      '2026-11-26T02:00:00.000Z',
      '2026-11-26T14:00:00.000Z',
      '2026-11-27T02:00:00.000Z',
    ]);
    assert.equal(
      iso(nextFireTime(daily, at('2026-11-26T02:00:00Z'))),
      '2026-11-26T14:00:00.000Z',
      'a slot equal to the reference is not "next"',
    );
  });
  test('crosses month and year ends', () => {
    assert.deepEqual(times(daily, '2026-12-31T15:00:00Z', 2), ['2027-01-01T02:00:00.000Z', '2027-01-01T14:00:00.000Z']);
    assert.equal(iso(nextFireTime(daily, at('2026-04-30T20:00:00Z'))), '2026-05-01T02:00:00.000Z');
  });
  test('leap day exists in 2028 and not in 2027', () => {
    assert.equal(iso(nextFireTime(daily, at('2028-02-28T20:00:00Z'))), '2028-02-29T02:00:00.000Z');
    assert.equal(iso(nextFireTime(daily, at('2027-02-28T20:00:00Z'))), '2027-03-01T02:00:00.000Z');
  });
  test('follows the zone: 02:00 Berlin is 01:00Z in winter and 00:00Z in summer', () => {
    const berlin = spec({ kind: 'daily', times: ['02:00'], timezone: 'Europe/Berlin' });
    assert.equal(iso(nextFireTime(berlin, at('2026-01-10T12:00:00Z'))), '2026-01-11T01:00:00.000Z');
    assert.equal(iso(nextFireTime(berlin, at('2026-07-10T12:00:00Z'))), '2026-07-11T00:00:00.000Z');
  });
});

describe('DST changes', () => {
  test('spring forward: a time inside the gap fires at the first instant after it, never skipped', () => {
    // Europe/Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
    const s = spec({ kind: 'daily', times: ['02:30'], timezone: 'Europe/Berlin' });
    assert.deepEqual(times(s, '2026-03-27T12:00:00Z', 3), [
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    // America/New_York 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
    const ny = spec({ kind: 'daily', times: ['02:15'], timezone: 'America/New_York' });
    assert.equal(iso(nextFireTime(ny, at('2026-03-08T05:00:00Z'))), '2026-03-08T07:00:00.000Z');
  });
  test('fall back: an ambiguous time fires once, at its first occurrence', () => {
    // Europe/Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30Z and 01:30Z.
    const s = spec({ kind: 'daily', times: ['02:30'], timezone: 'Europe/Berlin' });
    assert.deepEqual(times(s, '2026-10-24T12:00:00Z', 2), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
  test('half-hour DST shift (Lord Howe) lands on the shifted wall time', () => {
    // Australia/Lord_Howe 2026-10-04: 02:00 (+10:30) jumps to 02:30 (+11).
    const s = spec({ kind: 'daily', times: ['02:15'], timezone: 'Australia/Lord_Howe' });
    assert.equal(iso(nextFireTime(s, at('2026-10-03T12:00:00Z'))), '2026-10-03T15:30:00.000Z');
  });
  test('hourly interval across spring forward has no duplicate and no gap larger than the jump', () => {
    const s = spec({ kind: 'interval', everyMinutes: 60, timezone: 'Europe/Berlin' });
    const fires = nextFireTimes(s, at('2026-03-28T23:30:00Z'), 5);
    assert.deepEqual(
      fires.map((t) => new Date(t).toISOString()),
      [
        '2026-03-29T00:00:00.000Z', // 01:00 CET
        '2026-03-29T01:00:00.000Z', // 02:00 does not exist → 03:00 CEST; 03:00 itself coalesces
        '2026-03-29T02:00:00.000Z',
        '2026-03-29T03:00:00.000Z',
        '2026-03-29T04:00:00.000Z',
      ],
    );
  });
});

describe('weekly', () => {
  const s = spec({ kind: 'weekly', days: ['thu', 'mon'], times: ['02:00'], timezone: 'Europe/Berlin' });
  test('fires only on the chosen weekdays', () => {
    const fires = nextFireTimes(s, at('2026-11-23T00:00:00Z'), 6);
    const days = fires.map((t) => DateTime.fromMillis(t, { zone: 'Europe/Berlin' }).toFormat('ccc HH:mm'));
    assert.deepEqual(days, ['Mon 02:00', 'Thu 02:00', 'Mon 02:00', 'Thu 02:00', 'Mon 02:00', 'Thu 02:00']);
  });
  test('a Sunday-only schedule waits a full week from just after its slot', () => {
    const sun = spec({ kind: 'weekly', days: ['sun'], times: ['23:59'], timezone: 'UTC' });
    assert.equal(iso(nextFireTime(sun, at('2026-11-29T23:59:00Z'))), '2026-12-06T23:59:00.000Z');
  });
});

describe('interval', () => {
  test('aligned to the local day, not to when it was set', () => {
    const s = spec({ kind: 'interval', everyMinutes: 15, timezone: 'UTC' });
    assert.deepEqual(times(s, '2026-11-26T10:07:13Z', 3), [
      '2026-11-26T10:15:00.000Z',
      '2026-11-26T10:30:00.000Z',
      '2026-11-26T10:45:00.000Z',
    ]);
  });
  test('window edges are inclusive and nothing fires outside the window', () => {
    const s = spec({ kind: 'interval', everyMinutes: 120, between: { start: '08:00', end: '20:00' }, timezone: 'UTC' });
    assert.equal(iso(nextFireTime(s, at('2026-11-26T07:59:00Z'))), '2026-11-26T08:00:00.000Z');
    assert.equal(iso(nextFireTime(s, at('2026-11-26T19:00:00Z'))), '2026-11-26T20:00:00.000Z');
    assert.equal(iso(nextFireTime(s, at('2026-11-26T20:00:00Z'))), '2026-11-27T08:00:00.000Z');
  });
  test('a window that wraps past midnight belongs to the day it starts on', () => {
    const s = spec({ kind: 'interval', everyMinutes: 60, between: { start: '22:00', end: '02:00' }, days: ['fri'], timezone: 'UTC' });
    // Friday 2026-11-27 22:00 → Saturday 02:00, then next Friday.
    assert.deepEqual(times(s, '2026-11-27T12:00:00Z', 6), [
      '2026-11-27T22:00:00.000Z',
      '2026-11-27T23:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
      '2026-11-28T01:00:00.000Z',
      '2026-11-28T02:00:00.000Z',
      '2026-12-04T22:00:00.000Z',
    ]);
  });
  test('weekday filter: mon-fri business hours skip the weekend', () => {
    const s = spec({
      kind: 'interval',
      everyMinutes: 240,
      between: { start: '08:00', end: '16:00' },
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      timezone: 'UTC',
    });
    assert.equal(iso(nextFireTime(s, at('2026-11-27T16:00:00Z'))), '2026-11-30T08:00:00.000Z'); // Fri → Mon
  });
  test('a non-divisor cadence restarts at each day boundary', () => {
    const s = spec({ kind: 'interval', everyMinutes: 7 * 60, timezone: 'UTC' });
    assert.deepEqual(times(s, '2026-11-26T20:00:00Z', 3), [
      '2026-11-26T21:00:00.000Z',
      '2026-11-27T00:00:00.000Z',
      '2026-11-27T07:00:00.000Z',
    ]);
  });
});

describe('cron', () => {
  test('5-field expressions in a zone', () => {
    const s = spec({ kind: 'cron', expression: '30 6 * * 1-5', timezone: 'America/New_York' });
    assert.equal(iso(nextFireTime(s, at('2026-11-27T12:00:00Z'))), '2026-11-30T11:30:00.000Z'); // Fri after 06:30 → Mon
  });
  test('end of month and leap day', () => {
    const s = spec({ kind: 'cron', expression: '0 2 29 2 *', timezone: 'UTC' });
    assert.deepEqual(times(s, '2026-01-01T00:00:00Z', 2), ['2028-02-29T02:00:00.000Z', '2032-02-29T02:00:00.000Z']);
    const eom = spec({ kind: 'cron', expression: '0 0 31 * *', timezone: 'UTC' });
    assert.equal(iso(nextFireTime(eom, at('2026-04-01T00:00:00Z'))), '2026-05-31T00:00:00.000Z');
  });
  test('an impossible date is rejected up front instead of never firing', () => {
    const r = parseScheduleSpec({ kind: 'cron', expression: '0 0 30 2 *', timezone: 'UTC' });
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /expression: invalid cron expression '0 0 30 2 \*'/);
  });
});

describe('validation names the field and the reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ kind: 'daily', times: ['25:00'], timezone: 'UTC' }, /times\.0: expected a 24-hour time HH:MM/],
    [{ kind: 'daily', times: [], timezone: 'UTC' }, /times: at least one time/],
    [{ kind: 'weekly', days: ['funday'], times: ['02:00'], timezone: 'UTC' }, /days\.0/],
    [{ kind: 'daily', times: ['02:00'], timezone: 'Mars/Olympus' }, /timezone: unknown IANA time zone 'Mars\/Olympus'/],
    [{ kind: 'interval', everyMinutes: 0, timezone: 'UTC' }, /everyMinutes: everyMinutes must be at least 1/],
    [{ kind: 'interval', everyMinutes: 2000, timezone: 'UTC' }, /at most 1440/],
    [
      { kind: 'interval', everyMinutes: 60, between: { start: '08:00', end: '08:00' }, timezone: 'UTC' },
      /window start and end must differ/,
    ],
    [{ kind: 'cron', expression: '* * * * * *', timezone: 'UTC' }, /expression: .*must have 5 fields/],
    [{ kind: 'cron', expression: '61 * * * *', timezone: 'UTC' }, /expression: invalid cron expression/],
    [{ kind: 'hourly', timezone: 'UTC' }, /kind/],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => {
      const r = parseScheduleSpec(input);
      assert.equal(r.ok, false);
      assert.match((r as { error: string }).error, message);
    });
  }
});

test('descriptions read like the CLI flags', () => {
  assert.equal(
    describeSchedule(
      spec({
        kind: 'interval',
        everyMinutes: 120,
        between: { start: '08:00', end: '20:00' },
        days: ['mon', 'fri'],
        timezone: 'Europe/Berlin',
      }),
    ),
    'every 2h between 08:00-20:00 on mon,fri (Europe/Berlin)',
  );
  assert.equal(
    describeSchedule(spec({ kind: 'weekly', days: ['mon', 'thu'], times: ['02:00'], timezone: 'UTC' })),
    'weekly on mon,thu at 02:00 (UTC)',
  );
});

describe('agrees with a minute-by-minute brute force (non-DST periods)', () => {
  // Deterministic pseudo-random cases; brute force scans every minute for matching wall times.
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const zones = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles'];
  for (let i = 0; i < 24; i++) {
    const zone = zones[i % zones.length] as string;
    const kind = (['daily', 'weekly', 'interval'] as const)[i % 3];
    const days = WEEKDAYS.filter(() => rnd(2) === 0);
    const s: ScheduleSpec =
      kind === 'daily'
        ? spec({ kind, times: [hhmm(rnd(1440)), hhmm(rnd(1440))], timezone: zone })
        : kind === 'weekly'
          ? spec({ kind, days: days.length ? days : ['wed'], times: [hhmm(rnd(1440))], timezone: zone })
          : spec({
              kind,
              everyMinutes: 5 + rnd(300),
              between: rnd(2) ? { start: hhmm(rnd(720)), end: hhmm(720 + rnd(719)) } : undefined,
              days: days.length ? days : undefined,
              timezone: zone,
            });
    // June 2026: no DST transitions in these zones.
    const after = at('2026-06-08T00:00:00Z') + rnd(7 * 1440) * 60_000 + rnd(60_000);
    test(`${describeSchedule(s)} after ${new Date(after).toISOString()}`, () => {
      const matches = (ms: number) => {
        const local = DateTime.fromMillis(ms, { zone });
        const minute = local.hour * 60 + local.minute;
        const wd = WEEKDAYS[local.weekday - 1]!;
        if (s.kind === 'daily') return s.times.includes(hhmm(minute));
        if (s.kind === 'weekly') return s.days.includes(wd) && s.times.includes(hhmm(minute));
        if (s.kind !== 'interval') return false;
        if (s.days && !s.days.includes(wd)) return false;
        const start = s.between ? Number(s.between.start.slice(0, 2)) * 60 + Number(s.between.start.slice(3)) : 0;
        const end = s.between ? Number(s.between.end.slice(0, 2)) * 60 + Number(s.between.end.slice(3)) : 1439;
        return minute >= start && minute <= end && (minute - start) % s.everyMinutes === 0;
      };
      let expected: number | undefined;
      for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < after + 8 * 86_400_000; t += 60_000) {
        if (matches(t)) {
          expected = t;
          break;
        }
      }
      assert.equal(iso(nextFireTime(s, after)), iso(expected));
    });
  }
});
