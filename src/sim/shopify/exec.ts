import {
  GraphQLError,
  execute,
  getOperationAST,
  parse,
  validate,
  valueFromAST,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { MAX_QUERY_COST, operationCost, preExecutionChecks } from './cost';
import type { SimRuntime } from './runtime';
import { buildRoots } from './resolvers';
import type { ViewCtx } from './views';

export interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface GraphQLResponse {
  data?: unknown;
  errors?: GraphQLFormattedError[];
  extensions?: { cost: CostExtension };
}

/** Everything graphql-js would answer with its own words, reworded the way Shopify words it. */
function shopifyValidationError(e: GraphQLError): GraphQLFormattedError {
  const f = e.toJSON();
  let m = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(e.message);
  if (m)
    return {
      ...f,
      message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`,
      extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] },
    };
  m = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"\./.exec(e.message);
  if (m)
    return {
      ...f,
      message: `Field '${m[3]}' doesn't accept argument '${m[1]}'`,
      extensions: { code: 'argumentNotAccepted', name: m[3], typeName: 'Field', argumentName: m[1] },
    };
  m = /^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\./.exec(e.message);
  if (m)
    return {
      ...f,
      message: `Field '${m[1]}' is missing required arguments: ${m[2]}`,
      extensions: { code: 'missingRequiredArguments', className: 'Field', name: m[1], arguments: m[2] },
    };
  m = /^Variable "\$([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"\./.exec(e.message);
  if (m)
    return {
      ...f,
      message: `Type mismatch on variable $${m[1]} and argument (${m[2]} / ${m[3]})`,
      extensions: { code: 'variableMismatch', variableName: m[1], typeName: m[2] },
    };
  m = /^Variable "\$([^"]+)" is not defined/.exec(e.message);
  if (m)
    return {
      ...f,
      message: `Variable $${m[1]} is used by anonymous query but not declared`,
      extensions: { code: 'variableNotDefined', variableName: m[1] },
    };
  m = /^Unknown type "([^"]+)"\./.exec(e.message);
  if (m) return { ...f, message: `${m[1]} isn't a defined input type`, extensions: { code: 'variableRequiresValidType', typeName: m[1] } };
  m = /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/.exec(e.message);
  if (m) {
    const t = (m[2] ?? '').replace(/[![\]]/g, '');
    return {
      ...f,
      message: `Field must have selections (field '${m[1]}' returns ${t} but has no selections. Did you mean '${m[1]} { ... }'?)`,
      extensions: { code: 'selectionMismatch', nodeName: `field '${m[1]}'`, typeName: t },
    };
  }
  return { ...f, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
}

function shopifyVariableError(e: GraphQLError, op: OperationDefinitionNode, raw: Record<string, unknown>): GraphQLFormattedError {
  const m =
    /^Variable "\$([^"]+)" (?:got invalid value (.*?)|of required type "([^"]+)" was not provided|of non-null type "([^"]+)" must not be null)(?:; (.*))?\.?$/s.exec(
      e.message,
    );
  const name = m?.[1] ?? '';
  const def = op.variableDefinitions?.find((v) => v.variable.name.value === name);
  const typeName = def ? printType(def.type) : (m?.[3] ?? m?.[4] ?? '');
  return {
    message: `Variable $${name} of type ${typeName} was provided invalid value${e.path ? ` for ${e.path.join('.')}` : ''}`,
    locations: e.locations ? [...e.locations] : undefined,
    extensions: {
      code: 'INVALID_VARIABLE',
      value: raw[name] ?? null,
      problems: [
        { path: e.path ? [...e.path] : [], explanation: m?.[5] ?? (m?.[3] || m?.[4] ? 'Expected value to not be null' : e.message) },
      ],
    },
  };
}

function printType(t: import('graphql').TypeNode): string {
  if (t.kind === 'NonNullType') return `${printType(t.type)}!`;
  if (t.kind === 'ListType') return `[${printType(t.type)}]`;
  return t.name.value;
}

const notImplemented: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  if (source && typeof source === 'object' && Object.prototype.hasOwnProperty.call(source, info.fieldName)) {
    const v = (source as Record<string, unknown>)[info.fieldName];
    return typeof v === 'function'
      ? (v as (a: unknown, c: unknown, i: GraphQLResolveInfo) => unknown).call(source, args, context, info)
      : v;
  }
  throw new GraphQLError(`Field '${info.parentType.name}.${info.fieldName}' is not implemented by the simulator.`, {
    extensions: { code: 'NOT_IMPLEMENTED_BY_SIMULATOR' },
  });
};

const parseCache = new Map<string, DocumentNode | GraphQLError>();

function parseCached(query: string): DocumentNode | GraphQLError {
  const hit = parseCache.get(query);
  if (hit) return hit;
  let doc: DocumentNode | GraphQLError;
  try {
    doc = parse(query);
  } catch (e) {
    doc = e instanceof GraphQLError ? e : new GraphQLError(String(e));
  }
  if (parseCache.size > 500) parseCache.clear();
  parseCache.set(query, doc);
  return doc;
}

const validCache = new WeakMap<DocumentNode, readonly GraphQLError[]>();

export interface ExecOptions {
  appId: string;
  version: string;
  /** Metered requests go through cost limits and the bucket; bulk work does not. */
  metered: boolean;
  bulk?: boolean;
}

/** Parses, validates (real schema), checks, meters and executes one GraphQL request. */
export async function runGraphQL(rt: SimRuntime, body: GraphQLRequestBody, opts: ExecOptions): Promise<GraphQLResponse> {
  const bucket = rt.bucket(opts.appId);
  const withCost = (resp: GraphQLResponse, requested: number, actual: number | null): GraphQLResponse =>
    opts.metered
      ? { ...resp, extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } } }
      : resp;
  if (typeof body.query !== 'string' || !body.query.trim()) {
    return withCost({ errors: [{ message: 'No query string was present', extensions: { code: 'BAD_REQUEST' } }] }, 0, null);
  }
  const doc = parseCached(body.query);
  if (doc instanceof GraphQLError) {
    const loc = doc.locations?.[0];
    const detail = doc.message.replace(/^Syntax Error: /, '');
    return withCost(
      {
        errors: [
          {
            message: `Parse error: ${detail}${loc ? ` at [${loc.line}, ${loc.column}]` : ''}`,
            locations: loc ? [loc] : undefined,
            extensions: { code: 'PARSE_ERROR' },
          },
        ],
      },
      0,
      null,
    );
  }
  let verrs = validCache.get(doc);
  if (!verrs) {
    verrs = validate(rt.schema, doc);
    validCache.set(doc, verrs);
  }
  if (verrs.length) return withCost({ errors: verrs.map(shopifyValidationError) }, 0, null);
  const opName = typeof body.operationName === 'string' ? body.operationName : null;
  const op = getOperationAST(doc, opName);
  if (!op) {
    return withCost(
      {
        errors: [
          {
            message: opName
              ? `No operation named "${opName}"`
              : 'An operation name is required when the document contains several operations',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
      0,
      null,
    );
  }
  if (op.operation === 'subscription')
    return withCost({ errors: [{ message: 'Subscriptions are not supported', extensions: { code: 'BAD_REQUEST' } }] }, 0, null);
  const rawVars = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
  const coerced = getVariableValues(rt.schema, op.variableDefinitions ?? [], rawVars, { maxErrors: 10 });
  if (coerced.errors) return withCost({ errors: coerced.errors.map((e) => shopifyVariableError(e, op, rawVars)) }, 0, null);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === 'FragmentDefinition') fragments[d.name.value] = d;
  const costCtx = { schema: rt.schema, fragments, variables: coerced.coerced, bulk: opts.bulk };
  const pre = preExecutionChecks(op, costCtx);
  if (pre.length) return withCost({ errors: pre.map((e) => e.toJSON()) }, 0, null);
  const requested = operationCost(op, costCtx);
  if (opts.metered) {
    if (requested > MAX_QUERY_COST) {
      return withCost(
        {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: {
                code: 'MAX_COST_EXCEEDED',
                cost: requested,
                maxCost: MAX_QUERY_COST,
                documentation: 'https://shopify.dev/api/usage/rate-limits',
              },
            },
          ],
        },
        requested,
        null,
      );
    }
    if (!bucket.tryTake(requested)) {
      return withCost(
        {
          errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        },
        requested,
        null,
      );
    }
  }
  const ctx: ViewCtx = { state: rt.state, bulk: !!opts.bulk, version: opts.version, appId: opts.appId, baseUrl: rt.baseUrl };
  const roots = buildRoots(rt, ctx);
  const result = (await execute({
    schema: rt.schema,
    document: doc,
    operationName: opName,
    variableValues: rawVars,
    rootValue: op.operation === 'mutation' ? roots.mutation : roots.query,
    contextValue: ctx,
    fieldResolver: notImplemented,
  })) as ExecutionResult;
  const actual = op.operation === 'mutation' ? requested : Math.min(requested, operationCost(op, costCtx, result.data ?? {}));
  if (opts.metered) bucket.refund(requested - actual);
  const resp: GraphQLResponse = {};
  if (result.errors?.length) resp.errors = result.errors.map((e) => e.toJSON());
  resp.data = result.data ?? null;
  return withCost(resp, requested, actual);
}

/** Reads the key of an `@idempotent(key:)` directive on the field being resolved. */
export function idempotencyKey(info: GraphQLResolveInfo): string | null {
  const dir = info.fieldNodes[0]?.directives?.find((d) => d.name.value === 'idempotent');
  const arg = dir?.arguments?.find((a) => a.name.value === 'key');
  if (!arg) return null;
  const v = valueFromAST(arg.value, (info.schema.getDirective('idempotent')?.args[0]?.type ?? null) as never, info.variableValues);
  return typeof v === 'string' ? v : null;
}
