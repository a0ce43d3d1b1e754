/**
 * Record-level outcome shared by all four pipelines: the unit of the message log. Every record a
 * run reads ends in exactly one outcome; a failed one carries the reason and the field (or
 * reference) at fault, a skipped one the rule that skipped it.
 */
import type { SyncObject } from '../shared/sync-object';
import { formatIssues, type MappingIssue } from './errors';

export const OUTCOME_KINDS = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export interface RecordOutcome {
  /** Source system id: Shopify GID or B1 key (CardCode, ItemCode, DocEntry). */
  sourceId: string;
  object: SyncObject;
  outcome: OutcomeKind;
  /** Id in the target system, when one exists (created/updated/unchanged, linked). */
  targetId?: string;
  /** For skipped: the rule, e.g. `financial-status:PENDING`, `test-order`. */
  rule?: string;
  /** For failed (and report-only updates): why, in words naming the record's data. */
  reason?: string;
  /** For failed: source field or setting at fault, e.g. `lineItems[1].sku`, `order.defaultWarehouse`. */
  field?: string;
}

export function created(object: SyncObject, sourceId: string, targetId: string): RecordOutcome {
  return { object, sourceId, outcome: 'created', targetId };
}

export function updated(object: SyncObject, sourceId: string, targetId: string): RecordOutcome {
  return { object, sourceId, outcome: 'updated', targetId };
}

export function unchanged(object: SyncObject, sourceId: string, targetId?: string): RecordOutcome {
  return targetId === undefined ? { object, sourceId, outcome: 'unchanged' } : { object, sourceId, outcome: 'unchanged', targetId };
}

export function skipped(object: SyncObject, sourceId: string, rule: string): RecordOutcome {
  return { object, sourceId, outcome: 'skipped', rule };
}

export function failed(object: SyncObject, sourceId: string, reason: string, field?: string): RecordOutcome {
  return field === undefined ? { object, sourceId, outcome: 'failed', reason } : { object, sourceId, outcome: 'failed', reason, field };
}

/** A record whose mapping failed: every issue in the reason, the first issue's field as `field`. */
export function failedMapping(object: SyncObject, sourceId: string, label: string, issues: readonly MappingIssue[]): RecordOutcome {
  return failed(object, sourceId, formatIssues(label, issues), issues[0]?.field);
}
