/**
 * Search attributes that make sync runs findable in the Temporal UI and by `b1hub log`
 * (e.g. `SyncObject = "order" AND FailedCount > 0`). They hold object names, triggers and
 * counts only: never secrets or personal data, which search attributes store unencrypted.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SyncObjectKey = defineSearchAttributeKey('SyncObject', SearchAttributeType.KEYWORD);
export const SyncTriggerKey = defineSearchAttributeKey('SyncTrigger', SearchAttributeType.KEYWORD);
export const SyncModeKey = defineSearchAttributeKey('SyncMode', SearchAttributeType.KEYWORD);
export const RecordCountKey = defineSearchAttributeKey('RecordCount', SearchAttributeType.INT);
export const FailedCountKey = defineSearchAttributeKey('FailedCount', SearchAttributeType.INT);
/** On an object's ledger workflow (`ledger:<object>`): how many records are open errors now. */
export const OpenErrorsKey = defineSearchAttributeKey('OpenErrors', SearchAttributeType.INT);

export const HUB_SEARCH_ATTRIBUTES = [SyncObjectKey, SyncTriggerKey, SyncModeKey, RecordCountKey, FailedCountKey, OpenErrorsKey];
