/**
 * The one error policy: every error class either connector exports has a decision (retryable or
 * not, one record or the whole run), found by walking the connectors' modules, so a new class
 * without a decision fails here. Then the activity-level translation: configuration errors
 * become one non-retryable line naming what to check, never a secret.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  B1BusinessRuleError,
  B1ConflictError,
  B1LoginRejectedError,
  B1NotFoundError,
  B1ProtocolError,
  B1SessionError,
  B1TlsError,
  B1TransientError,
} from '../../src/connectors/b1/errors';
import { ShopifyError, ShopifyGraphQLError, ShopifyUnknownOutcomeError, ShopifyUserErrors } from '../../src/connectors/shopify/errors';
import { HubConfigError } from '../../src/config/hub-config';
import { MappingConfigError } from '../../src/mapping/config';
import { PipelineSetupError } from '../../src/pipelines/kit/errors';
import { InventoryRetryLaterError } from '../../src/pipelines/inventory/post';
import {
  concernsOneRecord,
  errorDecision,
  isRecordRejection,
  toActivityFailure,
  type ErrorDecision,
  type ErrorKind,
} from '../../src/shared/error-policy';

const SRC = path.join(__dirname, '../../src/connectors');

function modulesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return modulesUnder(p);
    // codegen.ts is a build script (it runs on import), not a module of the connector.
    return f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'codegen.ts' ? [p] : [];
  });
}

/** Every Error subclass any module of either connector exports, by name. */
function exportedErrorClasses(): Map<string, new (...a: never[]) => Error> {
  const out = new Map<string, new (...a: never[]) => Error>();
  for (const file of [...modulesUnder(path.join(SRC, 'b1')), ...modulesUnder(path.join(SRC, 'shopify'))]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, unknown>;
    for (const v of Object.values(mod)) {
      if (typeof v === 'function' && v.prototype instanceof Error) out.set(v.name, v as new (...a: never[]) => Error);
    }
  }
  return out;
}

/** A bare instance of the class (no constructor run): what the class itself decides. */
function probe(cls: new (...a: never[]) => Error): Error {
  const e = Object.create(cls.prototype) as Error;
  Object.defineProperty(e, 'name', { value: cls.name });
  return e;
}

const d = (kind: ErrorKind, retryable: boolean, scope: 'record' | 'run'): ErrorDecision => ({ kind, retryable, scope });

/** The decision for every exported class. Add a line here when you add a class. */
const EXPECTED: Record<string, ErrorDecision> = {
  B1Error: d('rejection', false, 'record'),
  B1NotFoundError: d('rejection', false, 'record'),
  B1BusinessRuleError: d('rejection', false, 'record'),
  // The login succeeded, then the session was lost again: a node or proxy, not the credentials.
  B1SessionError: d('transient', true, 'run'),
  B1LoginRejectedError: d('configuration', false, 'run'),
  B1ConflictError: d('conflict', true, 'record'),
  // A bare instance has not been sent: transient. mayHaveBeenApplied makes it an unknown outcome (below).
  B1TransientError: d('transient', true, 'run'),
  B1TlsError: d('configuration', false, 'run'),
  B1ProtocolError: d('protocol', false, 'record'),
  // The plain class: the constructor says transient or not (below); a bare instance is not.
  ShopifyError: d('protocol', false, 'record'),
  ShopifyGraphQLError: d('invalid-request', false, 'record'),
  ShopifyMaxCostError: d('invalid-request', false, 'record'),
  ShopifyRetriesExhaustedError: d('transient', true, 'run'),
  ShopifyUnknownOutcomeError: d('unknown-outcome', true, 'run'),
  ShopifyAuthError: d('configuration', false, 'run'),
  ShopifyUserErrors: d('rejection', false, 'record'),
  ShopifyBulkOperationError: d('protocol', false, 'record'),
  // The reservation table is missing: `b1hub init --fix`, not the record.
  ReservationSetupError: d('configuration', false, 'run'),
};

describe('error policy', () => {
  test('every error class exported by the B1 and Shopify connectors has a decision', () => {
    const classes = exportedErrorClasses();
    assert.ok(classes.size >= 17, `found only ${[...classes.keys()].join(', ')}`);
    const undecided = [...classes.keys()].filter((n) => !EXPECTED[n]);
    assert.deepEqual(undecided, [], `error classes without a decision in the policy test: ${undecided.join(', ')}`);
    for (const [name, cls] of classes) {
      assert.deepEqual(errorDecision(probe(cls)), EXPECTED[name], name);
      // The class's own property agrees with the policy.
      const kind = (probe(cls) as { kind?: unknown }).kind;
      assert.equal(kind, EXPECTED[name]!.kind, `${name}.kind`);
    }
  });

  test('instances: unknown outcome, transient Shopify errors, ACCESS_DENIED, retryable follows the kind', () => {
    const applied = new B1TransientError('network error ECONNRESET');
    applied.mayHaveBeenApplied = true;
    assert.deepEqual(errorDecision(applied), d('unknown-outcome', true, 'run'));
    assert.deepEqual(errorDecision(new ShopifyError('Bulk result download failed: HTTP 503', true)), d('transient', true, 'run'));
    assert.equal(new ShopifyError('x', true).retryable, true);
    assert.equal(new ShopifyUnknownOutcomeError('orderCreate', 'HTTP 502').retryable, true);
    assert.equal(new ShopifyGraphQLError('q', [{ message: 'bad field' }]).retryable, false);
    assert.deepEqual(
      errorDecision(new ShopifyGraphQLError('q', [{ message: 'no', extensions: { code: 'ACCESS_DENIED' } }])),
      d('configuration', false, 'run'),
    );
  });

  test('errors outside the connectors: configuration by name, Shopify "come back later" transient, bugs record-scoped', () => {
    assert.deepEqual(errorDecision(new HubConfigError(['b1.baseUrl: bad'])), d('configuration', false, 'run'));
    assert.deepEqual(errorDecision(new MappingConfigError([])), d('configuration', false, 'run'));
    assert.deepEqual(errorDecision(new PipelineSetupError('customer.guestCardCode missing')), d('configuration', false, 'run'));
    assert.deepEqual(errorDecision(new InventoryRetryLaterError('later')), d('transient', true, 'run'));
    assert.deepEqual(errorDecision(new TypeError("Cannot read properties of undefined (reading 'trim')")), d('unexpected', true, 'record'));
    assert.equal(concernsOneRecord(new TypeError('x')), true);
    // Network failures that reach us unwrapped are not poison records.
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.deepEqual(errorDecision(new TypeError('fetch failed', { cause: reset })), d('transient', true, 'run'));
    assert.deepEqual(errorDecision(reset), d('transient', true, 'run'));
    assert.deepEqual(
      errorDecision(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })),
      d('transient', true, 'run'),
    );
    assert.equal(concernsOneRecord(new B1TransientError('502')), false);
  });

  test('one isRecordRejection: B1 refusals of a record, nothing else', () => {
    assert.equal(isRecordRejection(new B1BusinessRuleError('bad', { code: -10 })), true);
    assert.equal(isRecordRejection(new B1NotFoundError('no', { code: -2028 })), true);
    for (const e of [
      new B1ConflictError('etag'),
      new B1SessionError('gone'),
      new B1TransientError('502'),
      new B1ProtocolError('shape'),
      new ShopifyUserErrors('x', []),
      new TypeError('t'),
    ]) {
      assert.equal(isRecordRejection(e), false, e.name);
    }
  });

  test('configuration failures: non-retryable, typed, one line naming what to check, no secret', () => {
    const login = new B1LoginRejectedError('manager', 'SBODEMOUS', 'Fail to get DB Credentials from SLD', { status: 401, code: -304 });
    const f = toActivityFailure(login);
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.nonRetryable, true);
    assert.equal(f.type, 'B1LoginRejectedError');
    assert.equal(
      f.message,
      "configuration: SAP B1 rejected the login for user 'manager' on SBODEMOUS (Fail to get DB Credentials from SLD) — check b1.userName, b1.companyDb and B1_PASSWORD",
    );
    assert.doesNotMatch(f.message, /\n/);

    const tls = toActivityFailure(
      new B1TlsError(
        'TLS certificate of the Service Layer not trusted (SELF_SIGNED_CERT_IN_CHAIN); set tls.caFile to its CA or certificate',
      ),
    );
    assert.ok(tls instanceof ApplicationFailure && tls.nonRetryable);
    assert.match(tls.message, /^configuration: TLS certificate .* — check b1\.caFile/);

    const cfg = toActivityFailure(new HubConfigError(['B1_PASSWORD: not set', 'shopify.shop: bad']));
    assert.ok(cfg instanceof ApplicationFailure && cfg.nonRetryable);
    assert.equal(cfg.message, 'configuration: invalid configuration:; B1_PASSWORD: not set; shopify.shop: bad');

    // Not configuration, still not retryable: the error's own text.
    const gql = toActivityFailure(new ShopifyGraphQLError('productsPage', [{ message: "Field 'foo' doesn't exist" }]));
    assert.ok(gql instanceof ApplicationFailure && gql.nonRetryable && gql.type === 'ShopifyGraphQLError');

    // Retryable errors pass through unchanged, Temporal retries them.
    const t = new B1TransientError('502');
    assert.equal(toActivityFailure(t), t);
    const u = new ShopifyUnknownOutcomeError('orderCreate', 'HTTP 502');
    assert.equal(toActivityFailure(u), u);
  });
});
