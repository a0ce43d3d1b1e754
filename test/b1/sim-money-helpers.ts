/** HTTP helpers for the simulator's money tests (invoices, credit notes, payments). */
import assert from 'node:assert/strict';
import type { B1Simulator } from '../../src/sim/b1';
import { rawSession } from './helpers';

export type Json = Record<string, unknown> & { error?: { code: number; message: { value: string } } };
export interface Reply {
  status: number;
  body: Json;
}
export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;

export async function session(sim: B1Simulator): Promise<Call> {
  const http = await rawSession(sim.url);
  return async (method, path, body, headers = {}) => {
    const r = await http(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
}

/** Asserts an SAP error reply and returns its message text. */
export function sapError(r: Reply, status: number, code: number): string {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error?.code, code, JSON.stringify(r.body));
  return r.body.error.message.value;
}

export async function created(call: Call, path: string, body: unknown): Promise<Json> {
  const r = await call('POST', path, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** InStock/Committed of one item in one warehouse, read over HTTP. */
export async function stock(call: Call, item: string, whs = '01'): Promise<{ InStock: number; Committed: number }> {
  const r = await call('GET', `/Items('${item}')?$select=ItemWarehouseInfoCollection`);
  const row = (r.body.ItemWarehouseInfoCollection as Array<Record<string, number | string>>).find((w) => w.WarehouseCode === whs)!;
  return { InStock: Number(row.InStock), Committed: Number(row.Committed) };
}

export const docLines = (doc: Json): Array<Record<string, unknown>> => doc.DocumentLines as Array<Record<string, unknown>>;
