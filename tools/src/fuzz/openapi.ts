/**
 * The route walker: turns order-api's OpenAPI document (/docs-json) into the list of routes the fuzzer drives,
 * with `$ref`s resolved and OpenAPI 3.0's `nullable` folded into `type`, so every generator downstream reads plain
 * JSON Schema. Pure, so it is unit-tested against a document of the same shape.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  example?: unknown;
  nullable?: boolean;
  $ref?: string;
  /** Nest's swagger writes a described object property as `{description, allOf: [{$ref}]}` (OpenAPI 3.0 allows no siblings beside a $ref). */
  allOf?: JsonSchema[];
}

export type ParamType = 'integer' | 'number' | 'string';

export interface RouteParam {
  name: string;
  type: ParamType;
}

export interface Route {
  /** `METHOD /path/{param}`, as --route filters and the report name it. */
  id: string;
  method: string;
  /** The path template, `{name}` for each path parameter. */
  path: string;
  pathParams: RouteParam[];
  queryParams: RouteParam[];
  /** The JSON body's schema (refs resolved), when the route takes one. */
  body?: JsonSchema;
  bodyRequired: boolean;
  /** Declares bearer security: a request without a valid token must be refused. */
  secured: boolean;
}

interface Operation {
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, unknown>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
  security?: Record<string, unknown>[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, in document order. */
export function routesOf(doc: OpenApiDocument): Route[] {
  const routes: Route[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const params = op.parameters ?? [];
      const paramOf = (where: string) =>
        params.filter((p) => p.in === where).map((p): RouteParam => ({ name: p.name, type: paramType(resolve(doc, p.schema ?? {})) }));
      const json = op.requestBody?.content?.['application/json']?.schema;
      const security = op.security ?? doc.security ?? [];
      routes.push({
        id: `${m.toUpperCase()} ${path}`,
        method: m.toUpperCase(),
        path,
        pathParams: paramOf('path'),
        queryParams: paramOf('query'),
        ...(json ? { body: resolve(doc, json) } : {}),
        bodyRequired: op.requestBody?.required ?? false,
        secured: security.some((s) => Object.keys(s).length > 0),
      });
    }
  }
  return routes;
}

/** The schema with every `$ref` replaced by its target and `nullable: true` turned into a `null` type. */
export function resolve(doc: OpenApiDocument, schema: JsonSchema, seen: ReadonlySet<string> = new Set()): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    if (seen.has(name)) throw new Error(`recursive schema ${name} cannot be fuzzed`);
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return resolve(doc, target, new Set([...seen, name]));
  }
  if (schema.allOf) {
    if (schema.allOf.length !== 1) throw new Error('allOf of several schemas cannot be fuzzed');
    return resolve(doc, schema.allOf[0]!, seen);
  }
  const { nullable, ...rest } = schema;
  const out: JsonSchema = { ...rest };
  if (nullable && typeof rest.type === 'string') out.type = [rest.type, 'null'];
  if (rest.properties) out.properties = Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, resolve(doc, v, seen)]));
  if (rest.items) out.items = resolve(doc, rest.items, seen);
  return out;
}

/** The schema's non-null type (the first one named); untyped schemas are strings, as path segments are. */
export function mainType(schema: JsonSchema): string {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return types.find((t) => t !== 'null') ?? (schema.properties ? 'object' : 'string');
}

function paramType(schema: JsonSchema): ParamType {
  const t = mainType(schema);
  return t === 'integer' || t === 'number' ? t : 'string';
}

/** The concrete path for parameter values (each already encoded as it should appear on the wire). */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for path parameter ${name}`);
    return v;
  });
}

/** Routes whose id contains `filter` (case-insensitive); all of them when it is empty. */
export function selectRoutes(routes: readonly Route[], filter: string | undefined): Route[] {
  if (!filter) return [...routes];
  const f = filter.toLowerCase();
  return routes.filter((r) => r.id.toLowerCase().includes(f));
}
