import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isObjectType,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { BulkOperationRec } from './state';
import type { SimRuntime } from './runtime';
import { runGraphQL } from './exec';
import { bulkDurationMs } from '../latency';
import type { UserErr } from './mutations';

/**
 * Bulk operations: CREATED → RUNNING → COMPLETED|FAILED|CANCELED, results as JSONL files the
 * simulator serves over HTTP. Query output follows groupObjects:false: one line per node, children
 * of nested connections on their own lines with __parentId, always after their parent.
 */

function maxConcurrency(rt: SimRuntime, type: 'QUERY' | 'MUTATION', version: string): number {
  if (type === 'MUTATION') return rt.options.bulkMutationConcurrency;
  return rt.options.bulkQueryConcurrency ?? (version >= '2026-01' ? 5 : 1);
}

function running(rt: SimRuntime, appId: string, type: 'QUERY' | 'MUTATION'): BulkOperationRec[] {
  return Object.values(rt.state.data.bulkOperations).filter(
    (b) => b.appId === appId && b.type === type && (b.status === 'CREATED' || b.status === 'RUNNING' || b.status === 'CANCELING'),
  );
}

function admit(rt: SimRuntime, appId: string, type: 'QUERY' | 'MUTATION', version: string, field: string[]): UserErr | null {
  const limit = maxConcurrency(rt, type, version);
  const active = running(rt, appId, type);
  if (active.length < limit) return null;
  const noun = type === 'QUERY' ? 'bulkOperationRunQuery' : 'bulkOperationRunMutation';
  if (limit === 1) {
    const cur = active[0] as BulkOperationRec;
    return {
      field,
      message: `A bulk ${type === 'QUERY' ? 'query' : 'mutation'} operation for this app and shop is already in progress: gid://shopify/BulkOperation/${cur.id}.`,
      code: 'OPERATION_IN_PROGRESS',
    };
  }
  return {
    field,
    message: `Limit of ${limit} concurrent ${noun} operations reached: ${active.map((b) => `gid://shopify/BulkOperation/${b.id}`).join(', ')}.`,
    code: 'LIMIT_REACHED',
  };
}

function isConnectionField(schema: GraphQLSchema, parentTypeName: string, field: FieldNode): boolean {
  const parent = schema.getType(parentTypeName);
  if (!parent || !isObjectType(parent)) return false;
  const def = parent.getFields()[field.name.value];
  if (!def) return false;
  const t = getNamedType(def.type);
  return isObjectType(t) && t.name.endsWith('Connection') && 'pageInfo' in t.getFields();
}

/** Shopify's static rules for bulk queries: ≥1 connection, ≤5 connections, ≤2 levels of nesting. */
function checkBulkQuery(schema: GraphQLSchema, doc: DocumentNode): string | null {
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!op || op.operation !== 'query') return 'Bulk queries must be a query operation.';
  let connections = 0;
  let maxDepth = 0;
  const walk = (typeName: string, set: SelectionSetNode | undefined, depth: number): void => {
    if (!set) return;
    const parent = schema.getType(typeName);
    if (!parent || !isObjectType(parent)) return;
    for (const sel of set.selections) {
      if (sel.kind !== 'Field') continue;
      const def = parent.getFields()[sel.name.value];
      if (!def) continue;
      let d = depth;
      if (isConnectionField(schema, typeName, sel)) {
        connections++;
        d = depth + 1;
        maxDepth = Math.max(maxDepth, d);
      }
      walk(getNamedType(def.type).name, sel.selectionSet, d);
    }
  };
  walk(schema.getQueryType()?.name ?? 'QueryRoot', op.selectionSet, 0);
  if (connections === 0) return 'Bulk queries must contain at least one connection.';
  if (connections > 5) return 'Bulk queries cannot contain more than 5 connections.';
  if (maxDepth > 3) return 'Bulk queries cannot contain connections with a nesting depth greater than 2.';
  return null;
}

/**
 * Bulk queries that end FAILED (Shopify reports INTERNAL_SERVER_ERROR or TIMEOUT for exports it
 * could not finish; reference §4): the next `times` queries whose text contains `match` fail
 * after RUNNING, without partial data. For tests of callers' fallbacks.
 */
export interface BulkQueryFault {
  errorCode: 'INTERNAL_SERVER_ERROR' | 'TIMEOUT';
  times: number;
  match?: string;
}

const queryFaults = new WeakMap<SimRuntime, BulkQueryFault[]>();

export function failBulkQueries(rt: SimRuntime, fault: BulkQueryFault): void {
  const list = queryFaults.get(rt) ?? [];
  list.push({ ...fault });
  queryFaults.set(rt, list);
}

function takeQueryFault(rt: SimRuntime, query: string): BulkQueryFault | null {
  const list = queryFaults.get(rt) ?? [];
  const f = list.find((x) => x.times > 0 && (!x.match || query.includes(x.match)));
  if (!f) return null;
  f.times--;
  return f;
}

export function startBulkQuery(
  rt: SimRuntime,
  appId: string,
  version: string,
  query: string,
): { op: BulkOperationRec | null; userErrors: UserErr[] } {
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (e) {
    return { op: null, userErrors: [{ field: ['query'], message: `Invalid bulk query: ${(e as Error).message}`, code: 'INVALID' }] };
  }
  const errs = validate(rt.schema, doc);
  if (errs.length)
    return {
      op: null,
      userErrors: [{ field: ['query'], message: `Invalid bulk query: ${errs.map((e) => e.message).join('; ')}`, code: 'INVALID' }],
    };
  const rule = checkBulkQuery(rt.schema, doc);
  if (rule) return { op: null, userErrors: [{ field: ['query'], message: rule, code: 'INVALID' }] };
  const busy = admit(rt, appId, 'QUERY', version, ['query']);
  if (busy) return { op: null, userErrors: [busy] };
  const op = newOp(rt, appId, 'QUERY', query);
  rt.later(rt.options.bulkStepMs, () => {
    if (op.status !== 'CREATED') return;
    op.status = 'RUNNING';
    rt.later(rt.options.bulkStepMs, () => {
      if (op.status === 'CANCELING') return finish(rt, op, 'CANCELED');
      const fault = takeQueryFault(rt, query);
      if (fault) return finish(rt, op, 'FAILED', fault.errorCode);
      void runGraphQL(rt, { query }, { appId, version, metered: false, bulk: true }).then(
        (res) => {
          if (op.status === 'CANCELING') return finish(rt, op, 'CANCELED');
          if (res.errors?.length && !res.data) return finish(rt, op, 'FAILED', 'INTERNAL_SERVER_ERROR');
          const lines: string[] = [];
          let roots = 0;
          for (const value of Object.values((res.data ?? {}) as Record<string, unknown>)) roots += flatten(value, null, lines, true);
          afterDuration(rt, op, lines.length, () => {
            if (op.status === 'CANCELING') return finish(rt, op, 'CANCELED');
            store(rt, op, lines, roots);
            finish(rt, op, 'COMPLETED');
          });
        },
        () => finish(rt, op, 'FAILED', 'INTERNAL_SERVER_ERROR'),
      );
    });
  });
  return { op, userErrors: [] };
}

function newOp(rt: SimRuntime, appId: string, type: 'QUERY' | 'MUTATION', query: string): BulkOperationRec {
  const op: BulkOperationRec = {
    id: rt.state.newId(),
    type,
    status: 'CREATED',
    errorCode: null,
    query,
    appId,
    createdAt: rt.state.now(),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    resultKey: null,
    partialResultKey: null,
  };
  rt.state.data.bulkOperations[op.id] = op;
  return op;
}

function store(rt: SimRuntime, op: BulkOperationRec, lines: string[], roots: number): void {
  op.objectCount = lines.length;
  op.rootObjectCount = roots;
  if (lines.length === 0) return; // Shopify returns url: null when there is nothing to download.
  const key = `${op.id}-${randomUUID()}.jsonl`;
  const text = lines.join('\n') + '\n';
  rt.files.set(key, text);
  op.resultKey = key;
  op.fileSize = Buffer.byteLength(text);
}

/** Runs `done` once the latency profile's duration for `rows` has passed (at once without one). */
function afterDuration(rt: SimRuntime, op: BulkOperationRec, rows: number, done: () => void): void {
  const ms = rt.options.latency ? bulkDurationMs(rt.options.latency, op.type, rows) : 0;
  if (ms > 0) rt.later(ms, done);
  else done();
}

function finish(
  rt: SimRuntime,
  op: BulkOperationRec,
  status: BulkOperationRec['status'],
  errorCode: BulkOperationRec['errorCode'] = null,
): void {
  op.status = status;
  op.errorCode = errorCode;
  op.completedAt = rt.state.now();
  rt.state.emit('bulk_operations/finish', `gid://shopify/BulkOperation/${op.id}`);
}

function isConnectionValue(v: unknown): v is { nodes?: unknown[]; edges?: { node: unknown }[] } {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    (Array.isArray((v as { nodes?: unknown }).nodes) || Array.isArray((v as { edges?: unknown }).edges))
  );
}

/** Returns the number of root objects written. */
function flatten(value: unknown, parentId: string | null, lines: string[], root: boolean): number {
  if (!isConnectionValue(value)) {
    // A root object field (e.g. shop {…}) is written as one line of its own.
    if (root && value && typeof value === 'object') lines.push(JSON.stringify(value));
    return root && value ? 1 : 0;
  }
  const nodes = (value.nodes ?? value.edges?.map((e) => e.node) ?? []) as Record<string, unknown>[];
  for (const node of nodes) {
    const own: Record<string, unknown> = {};
    const children: unknown[] = [];
    for (const [k, v] of Object.entries(node)) {
      if (isConnectionValue(v)) children.push(v);
      else own[k] = v;
    }
    if (parentId) own.__parentId = parentId;
    lines.push(JSON.stringify(own));
    const id = typeof node.id === 'string' ? node.id : null;
    for (const c of children) flatten(c, id, lines, false);
  }
  return nodes.length;
}

export function startBulkMutation(
  rt: SimRuntime,
  appId: string,
  version: string,
  mutation: string,
  stagedUploadPath: string,
): { op: BulkOperationRec | null; userErrors: UserErr[] } {
  let doc: DocumentNode;
  try {
    doc = parse(mutation);
  } catch (e) {
    return {
      op: null,
      userErrors: [{ field: ['mutation'], message: `Invalid mutation: ${(e as Error).message}`, code: 'INVALID_MUTATION' }],
    };
  }
  const errs = validate(rt.schema, doc);
  const op0 = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (errs.length || !op0 || op0.operation !== 'mutation' || op0.selectionSet.selections.length !== 1) {
    return {
      op: null,
      userErrors: [
        {
          field: ['mutation'],
          message: errs.length
            ? `Invalid mutation: ${errs.map((e) => e.message).join('; ')}`
            : 'Bulk mutations must contain exactly one mutation field.',
          code: 'INVALID_MUTATION',
        },
      ],
    };
  }
  const upload = rt.uploads.get(stagedUploadPath);
  if (!upload)
    return {
      op: null,
      userErrors: [
        {
          field: ['stagedUploadPath'],
          message:
            "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
          code: 'NO_SUCH_FILE',
        },
      ],
    };
  const text = upload.toString('utf8');
  const rawLines = text.split('\n').filter((l) => l.trim().length > 0);
  const parsed: Record<string, unknown>[] = [];
  for (const [i, l] of rawLines.entries()) {
    try {
      const v = JSON.parse(l) as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      parsed.push(v as Record<string, unknown>);
    } catch {
      return {
        op: null,
        userErrors: [{ field: ['stagedUploadPath'], message: `Invalid JSONL on line ${i + 1}.`, code: 'INVALID_STAGED_UPLOAD_FILE' }],
      };
    }
  }
  const busy = admit(rt, appId, 'MUTATION', version, ['mutation']);
  if (busy) return { op: null, userErrors: [busy] };
  const op = newOp(rt, appId, 'MUTATION', mutation);
  rt.later(rt.options.bulkStepMs, () => {
    if (op.status !== 'CREATED') return;
    op.status = 'RUNNING';
    void (async () => {
      const out: string[] = [];
      for (const [i, vars] of parsed.entries()) {
        if (op.status === 'CANCELING') break;
        const res = await runGraphQL(rt, { query: mutation, variables: vars }, { appId, version, metered: false, bulk: true });
        const line: Record<string, unknown> = {};
        if (res.data !== undefined && res.data !== null) line.data = res.data;
        if (res.errors) line.errors = res.errors;
        line.__lineNumber = i;
        out.push(JSON.stringify(line));
      }
      afterDuration(rt, op, out.length, () => {
        store(rt, op, out, out.length);
        finish(rt, op, op.status === 'CANCELING' ? 'CANCELED' : 'COMPLETED');
      });
    })().catch(() => finish(rt, op, 'FAILED', 'INTERNAL_SERVER_ERROR'));
  });
  return { op, userErrors: [] };
}

export function cancelBulk(rt: SimRuntime, appId: string, id: number): { op: BulkOperationRec | null; userErrors: UserErr[] } {
  const op = rt.state.data.bulkOperations[id];
  if (!op || op.appId !== appId) return { op: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
  if (op.status === 'CREATED') {
    finish(rt, op, 'CANCELED');
    return { op, userErrors: [] };
  }
  if (op.status !== 'RUNNING')
    return { op, userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
  op.status = 'CANCELING';
  return { op, userErrors: [] };
}

/** stagedUploadsCreate for BULK_MUTATION_VARIABLES: a signed POST target served by the simulator. */
export function stagedTarget(
  rt: SimRuntime,
  filename: string,
  mimeType: string,
): { url: string; resourceUrl: null; parameters: { name: string; value: string }[] } {
  const key = `tmp/${rt.state.data.shopName}/bulk/${randomUUID()}/${filename}`;
  return {
    url: `${rt.baseUrl}/staged-uploads`,
    resourceUrl: null,
    parameters: [
      { name: 'Content-Type', value: mimeType },
      { name: 'success_action_status', value: '201' },
      { name: 'acl', value: 'private' },
      { name: 'key', value: key },
      { name: 'x-goog-algorithm', value: 'GOOG4-HMAC-SHA256' },
      { name: 'x-goog-signature', value: rt.signUploadKey(key) },
    ],
  };
}
