/** `schedule set` flags → ScheduleSpec, validated before anything is sent. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseDays, parseEvery, specFromFlags } from '../../src/cli/schedule-flags';
import { groupsFilter } from '../../src/cli/commands/items';
import { parseLines } from '../../src/cli/commands/sim-helpers';
import { parseSince } from '../../src/cli/output';

describe('schedule flags', () => {
  test('daily, weekly, interval with window and days, cron', () => {
    assert.deepEqual(specFromFlags({ daily: '02:00,14:00' }, 'UTC'), { kind: 'daily', times: ['02:00', '14:00'], timezone: 'UTC' });
    assert.deepEqual(specFromFlags({ weekly: 'mon,thu@02:00', tz: 'Europe/Berlin' }, 'UTC'), {
      kind: 'weekly',
      days: ['mon', 'thu'],
      times: ['02:00'],
      timezone: 'Europe/Berlin',
    });
    assert.deepEqual(specFromFlags({ every: '2h', between: '08:00-20:00', days: 'mon-fri' }, 'America/New_York'), {
      kind: 'interval',
      everyMinutes: 120,
      between: { start: '08:00', end: '20:00' },
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      timezone: 'America/New_York',
    });
    assert.deepEqual(specFromFlags({ cron: '0 */4 * * *' }, 'UTC'), { kind: 'cron', expression: '0 */4 * * *', timezone: 'UTC' });
  });

  test('weekday ranges wrap; intervals in minutes and hours', () => {
    assert.deepEqual(parseDays('sat-mon'), ['sat', 'sun', 'mon']);
    assert.deepEqual(parseDays('Monday,wed'), ['mon', 'wed']);
    assert.equal(parseEvery('15m'), 15);
    assert.equal(parseEvery('1h30m'), 90);
    assert.throws(() => parseEvery('often'), /--every 'often' is not an interval/);
    assert.throws(() => parseDays('mon-funday'), /unknown weekday/);
  });

  test('mistakes are named before anything is sent', () => {
    assert.throws(() => specFromFlags({}, 'UTC'), /no schedule given/);
    assert.throws(() => specFromFlags({ daily: '02:00', every: '2h' }, 'UTC'), /choose one of --daily, --every/);
    assert.throws(() => specFromFlags({ daily: '24:00' }, 'UTC'), /times\.0: expected a 24-hour time/);
    assert.throws(() => specFromFlags({ weekly: 'mon' }, 'UTC'), /needs days and times/);
    assert.throws(() => specFromFlags({ daily: '02:00', between: '08:00-20:00' }, 'UTC'), /--between and --days go with --every/);
    assert.throws(() => specFromFlags({ every: '2h', between: '08:00' }, 'UTC'), /is not a window/);
    assert.throws(() => specFromFlags({ cron: '* * * * * *' }, 'UTC'), /must have 5 fields/);
    assert.throws(() => specFromFlags({ every: '2h', tz: 'Europe/Berlinn' }, 'UTC'), /unknown IANA time zone/);
  });
});

describe('other flag parsers', () => {
  test('item groups, order lines, periods', () => {
    assert.equal(groupsFilter('100-105'), '(ItemsGroupCode ge 100 and ItemsGroupCode le 105)');
    assert.equal(groupsFilter('101,103-104'), '(ItemsGroupCode eq 101 or (ItemsGroupCode ge 103 and ItemsGroupCode le 104))');
    assert.throws(() => groupsFilter('10x'), /'10x' is not a group number or range/);
    assert.deepEqual(parseLines('A00001:2,A00003'), [
      { sku: 'A00001', quantity: 2 },
      { sku: 'A00003', quantity: 1 },
    ]);
    assert.throws(() => parseLines('A00001:0'), /is not SKU\[:quantity\]/);
    assert.equal(parseSince('24h'), 86_400_000);
    assert.equal(parseSince('30m'), 1_800_000);
    assert.throws(() => parseSince('yesterday'), /is not a duration/);
  });
});
