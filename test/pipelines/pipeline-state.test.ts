/**
 * The pipelines' memory and tunables belong to the deps, one per worker: two workers in one
 * process (tests, a second hub) never share a cache, a lock or a tunable, and changing one
 * worker's tuning leaves the defaults alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_SECRETS, embeddedHubConfig } from '../../src/config/hub-config';
import { createPipelineDeps } from '../../src/pipelines/deps';
import { CreateAttempts } from '../../src/pipelines/kit/state';
import { defaultTuning } from '../../src/pipelines/kit/tuning';
import { orderState } from '../../src/pipelines/order/state';

const config = embeddedHubConfig({
  b1BaseUrl: 'http://127.0.0.1:1/b1s/v1',
  shopifyEndpoint: 'http://127.0.0.1:1/admin/api/2026-07/graphql.json',
  shop: 'demo.myshopify.com',
});

test('each createPipelineDeps has its own state and tuning', () => {
  const a = createPipelineDeps(config, DEMO_SECRETS);
  const b = createPipelineDeps(config, DEMO_SECRETS);
  assert.equal(orderState(a), orderState(a), 'one slot per worker, made once');
  assert.notEqual(orderState(a), orderState(b));
  orderState(a).createAttempts.note('run-1', 'gid://shopify/Order/1');
  assert.ok(orderState(a).createAttempts.attemptedInRun('run-1', 'gid://shopify/Order/1'));
  assert.ok(!orderState(b).createAttempts.attemptedInRun('run-1', 'gid://shopify/Order/1'), 'another worker remembers nothing of it');
  a.tuning.order.bulkMinPageSeconds = 0;
  assert.equal(b.tuning.order.bulkMinPageSeconds, defaultTuning().order.bulkMinPageSeconds);
});

test('create attempts are per run and bounded, oldest forgotten first', () => {
  const m = new CreateAttempts(2);
  m.note('r1', 'x');
  m.note(undefined, 'y');
  assert.ok(m.attemptedInRun('r1', 'x'));
  assert.ok(!m.attemptedInRun('r2', 'x'));
  assert.ok(!m.attemptedInRun(undefined, 'y'));
  m.note('r1', 'y');
  m.note('r1', 'z');
  assert.deepEqual(
    ['x', 'y', 'z'].map((id) => m.attemptedInRun('r1', id)),
    [false, true, true],
  );
});
