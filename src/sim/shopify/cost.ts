import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  valueFromAST,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's calculated query cost (shopify.dev "rate limits"): scalars and enums 0, objects 1,
 * connections 2 + first/last multiplied through nesting, interfaces and unions the max of their
 * possible selections, mutations a base of 10 plus productSet's documented dynamic cost.
 */
export const MUTATION_BASE_COST = 10;
export const MAX_QUERY_COST = 1000;
export const MAX_PAGE_SIZE = 250;
export const MAX_INPUT_ARRAY = 250;

export interface CostContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Bulk queries have no page size: connections are not sized and not limited. */
  bulk?: boolean;
}

function isConnectionType(t: GraphQLNamedType): boolean {
  return isObjectType(t) && t.name.endsWith('Connection') && 'pageInfo' in t.getFields();
}

function argValue(field: GraphQLField<unknown, unknown>, node: FieldNode, name: string, ctx: CostContext): unknown {
  const argDef = field.args.find((a) => a.name === name);
  const argNode = node.arguments?.find((a) => a.name.value === name);
  if (!argDef || !argNode) return undefined;
  return valueFromAST(argNode.value, argDef.type, ctx.variables as Record<string, unknown> & { [k: string]: unknown });
}

function collectFields(
  type: GraphQLNamedType,
  set: SelectionSetNode,
  ctx: CostContext,
  out: { field: FieldNode; parent: GraphQLNamedType }[][] = [[]],
): { field: FieldNode; parent: GraphQLNamedType }[][] {
  // Fragments on different concrete types are alternatives (cost = max); fields on the type itself always apply.
  for (const sel of set.selections) {
    if (sel.kind === 'Field') (out[0] as { field: FieldNode; parent: GraphQLNamedType }[]).push({ field: sel, parent: type });
    else {
      const frag = sel.kind === 'FragmentSpread' ? ctx.fragments[sel.name.value] : sel;
      if (!frag) continue;
      const cond = frag.typeCondition ? ctx.schema.getType(frag.typeCondition.name.value) : type;
      if (!cond) continue;
      if (cond === type || !isAbstractType(type)) collectFields(cond, frag.selectionSet, ctx, out);
      else {
        const alt = collectFields(cond, frag.selectionSet, ctx, [[]]);
        out.push(alt.flat());
      }
    }
  }
  return out;
}

/**
 * Cost of a selection set on `type`. With `data`, the actual cost is computed from what was
 * returned (connections count their returned nodes instead of first/last).
 */
export function selectionCost(
  type: GraphQLNamedType,
  set: SelectionSetNode | undefined,
  ctx: CostContext,
  data?: unknown,
  hasData = false,
): number {
  if (!set || !isCompositeType(type)) return 0;
  const groups = collectFields(type, set, ctx);
  const base = groups[0] ?? [];
  const alternatives = groups.slice(1);
  const sumOf = (fields: { field: FieldNode; parent: GraphQLNamedType }[]): number => {
    let total = 0;
    for (const { field: node, parent } of fields) {
      const name = node.name.value;
      if (name.startsWith('__')) continue;
      if (!isObjectType(parent) && !('getFields' in parent)) continue;
      const def = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[name];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (isLeafType(named)) continue;
      const key = node.alias?.value ?? name;
      const childData = hasData && data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
      if (hasData && (childData === null || childData === undefined)) continue;
      if (isConnectionType(named)) {
        const size = Number(argValue(def, node, 'first', ctx) ?? argValue(def, node, 'last', ctx) ?? (ctx.bulk ? 1 : 0));
        const conn = named as import('graphql').GraphQLObjectType;
        const nodeType = getNamedType(conn.getFields().nodes?.type ?? conn.getFields().edges?.type);
        // Requested: every one of `first` nodes priced at the costliest selection. Actual: each
        // returned node counts its own selection (what was really returned), like list items do.
        let perNode = 1;
        let actualNodes: number | null = null;
        const sumNodes = (items: unknown[], set: SelectionSetNode | undefined): number =>
          items.reduce((s: number, it) => s + 1 + (nodeType ? selectionCost(nodeType, set, ctx, it, true) : 0), 0);
        if (node.selectionSet) {
          for (const sel of node.selectionSet.selections) {
            if (sel.kind !== 'Field') continue;
            if (sel.name.value === 'nodes') {
              const items = hasData
                ? ((childData as Record<string, unknown>)[sel.alias?.value ?? 'nodes'] as unknown[] | undefined)
                : undefined;
              if (items) actualNodes = Math.max(actualNodes ?? 0, sumNodes(items, sel.selectionSet));
              else perNode = Math.max(perNode, 1 + (nodeType ? selectionCost(nodeType, sel.selectionSet, ctx) : 0));
            } else if (sel.name.value === 'edges') {
              const edges = hasData
                ? ((childData as Record<string, unknown>)[sel.alias?.value ?? 'edges'] as Record<string, unknown>[] | undefined)
                : undefined;
              for (const es of sel.selectionSet?.selections ?? []) {
                if (es.kind !== 'Field' || es.name.value !== 'node' || !nodeType) continue;
                if (edges)
                  actualNodes = Math.max(
                    actualNodes ?? 0,
                    sumNodes(
                      edges.map((e) => e[es.alias?.value ?? 'node']),
                      es.selectionSet,
                    ),
                  );
                else perNode = Math.max(perNode, 1 + selectionCost(nodeType, es.selectionSet, ctx));
              }
            }
          }
        }
        total += 2 + (hasData && actualNodes !== null ? actualNodes : size * perNode);
        continue;
      }
      const listOf = isListType(getNullableType(def.type));
      // nodes(ids:) and similar lists are sized by the ids asked for, lists with `first` by first.
      const ids = listOf ? argValue(def, node, 'ids', ctx) : undefined;
      const first = listOf ? (Array.isArray(ids) ? ids.length : Number(argValue(def, node, 'first', ctx) ?? 1)) : 1;
      if (hasData && Array.isArray(childData)) {
        total += childData.reduce((s: number, item) => s + 1 + selectionCost(named, node.selectionSet, ctx, item, true), 0);
      } else if (hasData) total += 1 + selectionCost(named, node.selectionSet, ctx, childData, true);
      else total += first * (1 + selectionCost(named, node.selectionSet, ctx, undefined, false));
    }
    return total;
  };
  let cost = sumOf(base);
  if (alternatives.length) cost += Math.max(...alternatives.map(sumOf));
  return cost;
}

export interface ProductSetCostInput {
  variants?: { metafields?: unknown[] | null; file?: unknown }[] | null;
  metafields?: unknown[] | null;
  files?: unknown[] | null;
}

/** productSet's dynamic cost since 2025-10: 0.2/variant, 0.6/variant file, 0.4/metafield, 1.9/product file. */
export function productSetExtraCost(input: ProductSetCostInput | null | undefined): number {
  if (!input) return 0;
  const variants = input.variants ?? [];
  let extra = variants.length * 0.2;
  for (const v of variants) {
    if (v.file) extra += 0.6;
    extra += (v.metafields?.length ?? 0) * 0.4;
  }
  extra += (input.metafields?.length ?? 0) * 0.4;
  extra += (input.files?.length ?? 0) * 1.9;
  return extra;
}

export function operationCost(op: OperationDefinitionNode, ctx: CostContext, data?: unknown): number {
  const root = op.operation === 'mutation' ? ctx.schema.getMutationType() : ctx.schema.getQueryType();
  if (!root) return 0;
  if (op.operation !== 'mutation') return selectionCost(root, op.selectionSet, ctx, data, data !== undefined);
  let total = 0;
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== 'Field' || sel.name.value.startsWith('__')) continue;
    total += MUTATION_BASE_COST;
    if (sel.name.value === 'productSet') {
      const def = root.getFields().productSet;
      if (def) total += productSetExtraCost(argValue(def, sel, 'input', ctx) as ProductSetCostInput);
    }
  }
  return Math.ceil(total);
}

/**
 * Checks Shopify applies before executing: connection page sizes and input array sizes.
 * Returned errors carry Shopify's messages and codes.
 */
export function preExecutionChecks(op: OperationDefinitionNode, ctx: CostContext): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const root = op.operation === 'mutation' ? ctx.schema.getMutationType() : ctx.schema.getQueryType();
  if (!root) return errors;
  const visit = (type: GraphQLNamedType, set: SelectionSetNode | undefined, path: string[]): void => {
    if (!set || !isCompositeType(type)) return;
    for (const group of collectFields(type, set, ctx)) {
      for (const { field: node, parent } of group) {
        if (node.name.value.startsWith('__') || !('getFields' in parent)) continue;
        const def = (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[node.name.value];
        if (!def) continue;
        const fieldPath = [...path, node.alias?.value ?? node.name.value];
        const named = getNamedType(def.type);
        for (const argDef of def.args) {
          const argNode = node.arguments?.find((a) => a.name.value === argDef.name);
          if (!argNode) continue;
          const value = valueFromAST(argNode.value, argDef.type, ctx.variables as { [k: string]: unknown });
          checkArrays(value, argDef.type, [...fieldPath, argDef.name], node, errors);
        }
        if (isConnectionType(named) && !ctx.bulk) {
          const first = argValue(def, node, 'first', ctx) as number | null | undefined;
          const last = argValue(def, node, 'last', ctx) as number | null | undefined;
          if (first == null && last == null) {
            errors.push(
              new GraphQLError('you must provide one of first or last', {
                nodes: node,
                path: fieldPath,
                extensions: { code: 'BAD_REQUEST' },
              }),
            );
          } else if ((first ?? 0) > MAX_PAGE_SIZE || (last ?? 0) > MAX_PAGE_SIZE) {
            const which = (first ?? 0) > MAX_PAGE_SIZE ? 'first' : 'last';
            errors.push(
              new GraphQLError(
                `The value of \`${which}\` cannot exceed ${MAX_PAGE_SIZE}. Consider using bulk operations to fetch larger amounts of data.`,
                { nodes: node, path: fieldPath, extensions: { code: 'BAD_REQUEST' } },
              ),
            );
          } else if ((first ?? 0) < 0 || (last ?? 0) < 0) {
            errors.push(
              new GraphQLError(`\`${first != null ? 'first' : 'last'}\` must be greater than or equal to 0`, {
                nodes: node,
                path: fieldPath,
                extensions: { code: 'BAD_REQUEST' },
              }),
            );
          }
        }
        visit(named, node.selectionSet, fieldPath);
      }
    }
  };
  visit(root, op.selectionSet, [op.operation]);
  return errors;
}

function checkArrays(value: unknown, type: GraphQLInputType, path: (string | number)[], node: FieldNode, errors: GraphQLError[]): void {
  if (value === null || value === undefined) return;
  const t = isNonNullType(type) ? type.ofType : type;
  if (isListType(t)) {
    if (!Array.isArray(value)) return;
    if (value.length > MAX_INPUT_ARRAY) {
      errors.push(
        new GraphQLError(`The input array size of ${value.length} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`, {
          nodes: node,
          path: path.map(String),
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        }),
      );
      return;
    }
    value.forEach((v, i) => checkArrays(v, t.ofType as GraphQLInputType, [...path, i], node, errors));
    return;
  }
  if (isInputObjectType(t) && typeof value === 'object') {
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      if (f) checkArrays(v, f.type, [...path, k], node, errors);
    }
  }
}
