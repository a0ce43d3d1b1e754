/**
 * Minimal reader for SAP's OData v3 CSDL ($metadata). The document is machine-written with one
 * element per line, so attribute scanning is sufficient and keeps us free of an XML dependency.
 */
export interface MdProperty {
  name: string;
  type: string;
  nullable: boolean;
  writable: boolean;
  defaultValue?: string;
}
export interface MdType {
  kind: 'EntityType' | 'ComplexType';
  key: string[];
  props: MdProperty[];
}
export interface MdModel {
  enums: Map<string, Array<[string, string]>>;
  types: Map<string, MdType>;
  entitySets: Map<string, { type: string; table: string }>;
  functionImports: Set<string>;
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

export function parseMetadataXml(xml: string): MdModel {
  const model: MdModel = { enums: new Map(), types: new Map(), entitySets: new Map(), functionImports: new Set() };
  let curEnum: Array<[string, string]> | null = null;
  let curType: MdType | null = null;
  for (const m of xml.matchAll(/<(\/?)(EnumType|Member|EntityType|ComplexType|PropertyRef|Property|EntitySet|FunctionImport)\b([^>]*)>/g)) {
    const closing = m[1] === '/';
    const el = m[2]!;
    const a = attrs(m[3]!);
    if (el === 'EnumType') {
      if (closing) curEnum = null;
      else {
        curEnum = [];
        model.enums.set(a.Name!, curEnum);
      }
    } else if (el === 'Member' && curEnum) {
      curEnum.push([a.Name!, a.Value!]);
    } else if (el === 'EntityType' || el === 'ComplexType') {
      if (closing) curType = null;
      else {
        curType = { kind: el, key: [], props: [] };
        model.types.set(a.Name!, curType);
        if (m[3]!.trimEnd().endsWith('/')) curType = null;
      }
    } else if (el === 'PropertyRef' && curType) {
      curType.key.push(a.Name!);
    } else if (el === 'Property' && curType) {
      // The $metadata repeats some aliases under two names (e.g. ItemWarehouseInfo.Counted); keep the first.
      if (curType.props.some((p) => p.name === a.Name)) continue;
      const p: MdProperty = {
        name: a.Name!,
        type: a.Type!,
        nullable: a.Nullable !== 'false',
        writable: a.Writable !== 'false',
      };
      if (a.DefaultValue !== undefined) p.defaultValue = a.DefaultValue;
      curType.props.push(p);
    } else if (el === 'EntitySet' && !closing) {
      model.entitySets.set(a.Name!, { type: a.EntityType!.replace(/^SAPB1\./, ''), table: a.TableName ?? '' });
    } else if (el === 'FunctionImport' && !closing) {
      model.functionImports.add(a.Name!);
    }
  }
  return model;
}
