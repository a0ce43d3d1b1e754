import { z } from 'zod';

/** The four objects the hub keeps in sync; each has its own scheduler and sync runs. */
export const SYNC_OBJECTS = ['customer', 'product', 'order', 'inventory'] as const;
export const SyncObjectSchema = z.enum(SYNC_OBJECTS);
export type SyncObject = z.infer<typeof SyncObjectSchema>;

/** Stable id of an object's scheduler workflow: one per object, so signals always find it. */
export function schedulerWorkflowId(object: SyncObject): string {
  return `schedule:${object}`;
}

export function isSyncObject(value: string): value is SyncObject {
  return (SYNC_OBJECTS as readonly string[]).includes(value);
}
