/**
 * Reservations that SAP B1 itself keeps unique: one row of a user-defined table per key (a Shopify
 * order or customer id), taken before the document or partner is created and holding its B1 key
 * after. B1 refuses a second row with the same `Code`, so of any number of writers (retried
 * attempts, two workers, two hub deployments on one company) exactly one holds a key at a time;
 * no check-then-insert is involved.
 *
 * A holder can die between taking the reservation and settling it. Its reservation then has no
 * target, and the document it was about to create may or may not exist (or may still commit: a
 * slow POST). The caller looks the document up by its cross-reference first; only a reservation
 * older than `staleAfterMs` without a target and without a document may be taken over. Takeover
 * is itself a unique insert: generation n+1 of the key has the Code `<key>#<n+1>`, so two
 * writers taking over the same stale reservation cannot both win. Age is stamped and judged on
 * SAP B1's clock (the Service Layer's `Date` header, `B1ClientCore.serverNow`), never on a hub's
 * own: two deployments whose clocks disagree by hours still agree on when a reservation is stale.
 * The window: a holder that spends longer than `staleAfterMs` of B1 time between taking its
 * reservation and its POST committing can meet a successor; the callers' duplicate sweeps cover
 * that case.
 *
 * Tables are created by `b1hub init --fix` (`RESERVATION_TABLES`, udf.ts).
 */
import { randomUUID } from 'node:crypto';
import type { BatchOperation } from './batch';
import type { B1ClientCore } from './core';
import { B1BusinessRuleError, B1Error, B1NotFoundError, B1TransientError } from './errors';
import { f, keySegment } from './odata-query';
import type { ErrorKind } from '../../shared/error-policy';

export interface ReservationTable {
  /** UDT name without '@' (≤ 19 characters); rows are the entity set `U_<name>`. */
  name: string;
  description: string;
}

/** Sales orders, keyed by Shopify order GID. */
export const ORDER_RESERVATIONS: ReservationTable = { name: 'B1H_ORDER_RES', description: 'Shopify order reservations' };
/** Business partners, keyed by Shopify customer GID. */
export const PARTNER_RESERVATIONS: ReservationTable = { name: 'B1H_BP_RES', description: 'Shopify customer reservations' };
/** A/R (reserve) invoices, keyed by Shopify order GID. */
export const INVOICE_RESERVATIONS: ReservationTable = { name: 'B1H_INV_RES', description: 'Shopify invoice reservations' };
/** Incoming payments, keyed by Shopify transaction GID. */
export const PAYMENT_RESERVATIONS: ReservationTable = { name: 'B1H_PAY_RES', description: 'Shopify payment reservations' };
/** A/R credit memos, keyed by Shopify refund GID. */
export const CREDIT_RESERVATIONS: ReservationTable = { name: 'B1H_CRN_RES', description: 'Shopify refund reservations' };
/** Outgoing payments of refunds, keyed by Shopify refund GID. */
export const REFUND_PAYMENT_RESERVATIONS: ReservationTable = { name: 'B1H_RPY_RES', description: 'Shopify refund payment reservations' };
/** Shopify fulfillments, keyed by B1 delivery and Shopify fulfillment order; Target: the fulfillment id. */
export const FULFILLMENT_RESERVATIONS: ReservationTable = { name: 'B1H_FUL_RES', description: 'Shopify fulfillment reservations' };
export const RESERVATION_TABLES: readonly ReservationTable[] = [
  ORDER_RESERVATIONS,
  PARTNER_RESERVATIONS,
  INVOICE_RESERVATIONS,
  PAYMENT_RESERVATIONS,
  CREDIT_RESERVATIONS,
  REFUND_PAYMENT_RESERVATIONS,
  FULFILLMENT_RESERVATIONS,
];

/** User fields of every reservation table (created with it by `init --fix`). */
export const RESERVATION_FIELDS = [
  { name: 'ResKey', description: 'Reserved key', size: 100 },
  { name: 'Target', description: 'B1 key it stands for', size: 50 },
  { name: 'TakenAt', description: 'Taken at (ISO, SAP B1 clock)', size: 30 },
  { name: 'Holder', description: 'Holder (hub and attempt)', size: 100 },
] as const;

export interface Reservation {
  table: string;
  key: string;
  /** The row's unique Code: the key for generation 1, `<key>#<n>` after takeovers. */
  code: string;
  generation: number;
  /** ISO time on SAP B1's clock (the Service Layer's `Date` when it was taken). */
  takenAt: string;
  holder: string;
  /** What the reservation stands for once settled (a DocEntry, a CardCode, `draft:<n>`). */
  target?: string;
}

export type ReserveResult = { mine: true; reservation: Reservation } | { mine: false; holder: Reservation };

/** The reservation table is missing or unusable: configuration (`b1hub init --fix`), not data. */
export class ReservationSetupError extends B1BusinessRuleError {
  // Every record would fail the same way: stop the run with one line instead (error-policy.ts).
  override get kind(): ErrorKind {
    return 'configuration';
  }
}

export interface ReservationOptions {
  /** Who takes reservations, for operators reading the table (e.g. hub namespace/task queue). */
  holder?: string;
  /** A reservation without a target older than this (B1 time) may be taken over. Default 15 minutes. */
  staleAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;
const MAX_CODE = 50;
const SELECT = ['Code', 'U_ResKey', 'U_Target', 'U_TakenAt', 'U_Holder'] as const;

export class Reservations {
  holder: string;
  staleAfterMs: number;

  constructor(
    private readonly client: B1ClientCore,
    o: ReservationOptions = {},
  ) {
    this.holder = o.holder ?? 'b1-shopify-hub';
    this.staleAfterMs = o.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  /** SAP B1's time now (from its last answer), or undefined before the first answer. */
  b1Now(): number | undefined {
    return this.client.serverNow();
  }

  /** The current (highest-generation) reservation of a key, or undefined. */
  async find(table: ReservationTable, key: string): Promise<Reservation | undefined> {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await this.client.listRaw(`U_${table.name}`, { filter: f.eq('U_ResKey', key), select: SELECT });
    } catch (e) {
      throw this.setupError(table, e);
    }
    let best: Reservation | undefined;
    for (const r of rows) {
      const res = toReservation(table, r);
      if (res.key === key && (!best || res.generation > best.generation)) best = res;
    }
    return best;
  }

  /**
   * The current reservation of each key that has one, in a few batched reads (a page's keys at
   * once, instead of `find` per key).
   */
  async findMany(table: ReservationTable, keys: readonly string[]): Promise<Map<string, Reservation>> {
    const out = new Map<string, Reservation>();
    const unique = [...new Set(keys)];
    // Short enough for any gateway's URL limit: 20 GIDs make about 1,200 characters of filter.
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += 20) chunks.push(unique.slice(i, i + 20));
    const answers = await Promise.all(
      chunks.map(async (chunk) => {
        try {
          return await this.client.listRaw(`U_${table.name}`, { filter: f.anyOf('U_ResKey', chunk), select: SELECT });
        } catch (e) {
          throw this.setupError(table, e);
        }
      }),
    );
    for (const r of answers.flat()) {
      const res = toReservation(table, r);
      const best = out.get(res.key);
      if (!best || res.generation > best.generation) out.set(res.key, res);
    }
    return out;
  }

  /**
   * The insert of a key's first reservation as a `$batch` operation, for a changeset that also
   * creates the document: the two commit together or not at all (reference §6), so the row stands
   * exactly when the document does, and a second writer's changeset fails on the row and creates
   * nothing. Only for a key `findMany` found no reservation for (a later generation after a
   * takeover must be seen first). Needs SAP B1's time (any earlier answer gives it).
   */
  insertOperation(table: ReservationTable, key: string): { reservation: Reservation; op: BatchOperation } {
    const at = this.b1Now();
    if (at === undefined)
      throw new ReservationSetupError(
        `reservation table @${table.name}: the Service Layer's answers carry no Date header, so reservations cannot be timed on SAP B1's clock`,
        { context: { entity: `U_${table.name}` } },
      );
    const code = codeOf(key, 1);
    const reservation: Reservation = {
      table: table.name,
      key,
      code,
      generation: 1,
      takenAt: new Date(at).toISOString(),
      holder: `${this.holder}/${randomUUID().slice(0, 8)}`,
    };
    const body = { Code: code, Name: code, U_ResKey: key, U_TakenAt: reservation.takenAt, U_Holder: reservation.holder };
    return { reservation, op: { method: 'POST', path: `U_${table.name}`, body } };
  }

  /** `settle` as a `$batch` operation (idempotent: one field set to the same value). */
  settleOperation(r: Reservation, target: string): BatchOperation {
    return { method: 'PATCH', path: `U_${r.table}${keySegment(r.code)}`, body: { U_Target: target } };
  }

  /** Takes the key's first reservation, or tells who holds the current one. */
  async reserve(table: ReservationTable, key: string): Promise<ReserveResult> {
    const current = await this.find(table, key);
    if (current) return { mine: false, holder: current };
    return this.insert(table, key, 1);
  }

  /**
   * Takes over a reservation (normally a stale one: check `isStale` and look the target up
   * first). At most one caller wins per generation.
   */
  takeOver(stale: Reservation): Promise<ReserveResult> {
    return this.insert({ name: stale.table, description: '' }, stale.key, stale.generation + 1);
  }

  /**
   * No target, and older than `staleAfterMs` on B1's clock. Not stale while B1's time is unknown
   * (no answer seen yet): taking over too early can duplicate, waiting only delays.
   */
  isStale(r: Reservation): boolean {
    if (r.target) return false;
    const now = this.b1Now();
    if (now === undefined) return false;
    const t = Date.parse(r.takenAt);
    return !Number.isFinite(t) || now - t > this.staleAfterMs;
  }

  /** When the reservation may be taken over (ISO, B1 time), for messages. */
  staleAt(r: Reservation): string {
    const t = Date.parse(r.takenAt);
    return Number.isFinite(t) ? new Date(t + this.staleAfterMs).toISOString() : 'now';
  }

  /** Records what the reservation stands for (idempotent: a PATCH of one field). */
  async settle(r: Reservation, target: string): Promise<Reservation> {
    await this.client.request('PATCH', `U_${r.table}${keySegment(r.code)}`, {
      body: { U_Target: target },
      idempotent: true,
      context: { entity: `U_${r.table}`, key: r.code },
    });
    return { ...r, target };
  }

  /**
   * Gives the key back (DELETE of the row). Only for the holder, and only when it knows its
   * create did not happen (B1 refused it): then the next attempt need not wait for the stale
   * window. Sent once, never repeated by the client: a DELETE repeated after a lost answer could
   * remove the same Code taken meanwhile by another writer (codes of generation 1 are reused).
   * A release whose answer is lost leaves the row, which only costs the stale window.
   */
  async release(r: Reservation): Promise<void> {
    try {
      await this.client.request('DELETE', `U_${r.table}${keySegment(r.code)}`, {
        idempotent: false,
        context: { entity: `U_${r.table}`, key: r.code },
      });
    } catch (e) {
      if (!(e instanceof B1NotFoundError)) throw e;
    }
  }

  private async insert(table: ReservationTable, key: string, generation: number): Promise<ReserveResult> {
    const code = codeOf(key, generation);
    // Stamped with B1's time: callers read the table first, so its Date is seconds old at most.
    if (this.b1Now() === undefined) await this.find(table, key);
    const at = this.b1Now();
    if (at === undefined)
      throw new ReservationSetupError(
        `reservation table @${table.name}: the Service Layer's answers carry no Date header, so reservations cannot be timed on SAP B1's clock`,
        { context: { entity: `U_${table.name}` } },
      );
    const mine: Reservation = {
      table: table.name,
      key,
      code,
      generation,
      takenAt: new Date(at).toISOString(),
      holder: `${this.holder}/${randomUUID().slice(0, 8)}`,
    };
    const body = { Code: code, Name: code, U_ResKey: key, U_TakenAt: mine.takenAt, U_Holder: mine.holder };
    // A unique insert may be sent again: if an earlier copy commits first, this one is refused
    // as a duplicate and the re-read below tells whose row stands (by the holder token).
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.request('POST', `U_${table.name}`, { body, context: { entity: `U_${table.name}`, key: code } });
        return { mine: true, reservation: mine };
      } catch (e) {
        if (!(e instanceof B1Error)) throw e;
        // Decided by re-reading the row, not by the error's code or text: a duplicate's code
        // differs between releases (reference §3: -2035 unconfirmed).
        let row: Record<string, unknown> | undefined;
        try {
          row = await this.client.tryGetRaw(`U_${table.name}`, code, SELECT);
        } catch (e2) {
          throw e2 instanceof B1TransientError ? e2 : this.setupError(table, e2);
        }
        if (row) {
          const held = toReservation(table, row);
          return held.holder === mine.holder ? { mine: true, reservation: mine } : { mine: false, holder: held };
        }
        if (e instanceof B1TransientError && attempt < 2) continue;
        if (e instanceof B1TransientError) throw e;
        throw this.setupError(table, e);
      }
    }
  }

  private setupError(table: ReservationTable, e: unknown): unknown {
    if (e instanceof B1BusinessRuleError || e instanceof B1NotFoundError) {
      return new ReservationSetupError(
        `reservation table @${table.name} cannot be used (${e.sapMessage}); run 'b1hub init --fix' to create it`,
        {
          ...(e.status !== undefined ? { status: e.status } : {}),
          ...(e.code !== undefined ? { code: e.code } : {}),
          context: { entity: `U_${table.name}` },
        },
      );
    }
    return e;
  }
}

/**
 * The row's Code: the key made safe for a URL key segment (a '/' would have to travel as %2F,
 * which Apache refuses by default), `gid://shopify/Order/12` → `Order-12`; `#n` for generation n.
 */
export function codeOf(key: string, generation: number): string {
  const base = key.replace(/^gid:\/\/shopify\//, '').replace(/[^A-Za-z0-9_.-]/g, '-');
  const code = generation === 1 ? base : `${base}#${generation}`;
  if (code.length > MAX_CODE) throw new RangeError(`reservation key too long for a UDT Code (${code.length} > ${MAX_CODE}): ${key}`);
  return code;
}

function toReservation(table: ReservationTable, r: Record<string, unknown>): Reservation {
  const code = String(r.Code);
  const m = /#(\d+)$/.exec(code);
  const target = r.U_Target;
  return {
    table: table.name,
    key: typeof r.U_ResKey === 'string' ? r.U_ResKey : code,
    code,
    generation: m ? Number(m[1]) : 1,
    takenAt: String(r.U_TakenAt ?? ''),
    holder: String(r.U_Holder ?? ''),
    ...(typeof target === 'string' && target !== '' ? { target } : {}),
  };
}
