// Reading the engine's zod schema (engine/spec.ts ExperimentSpecSchema) to generate form fields: what kind of
// control a path needs, its choices, bounds and default. Discriminated unions (data source, tokenizer) resolve
// through the option the spec currently holds. Pure: tested without a DOM.
import { z } from 'zod';
import { ExperimentSpecSchema } from '../../../engine/spec';

export type Path = readonly string[];

export type FieldControl =
  | { kind: 'enum'; options: string[] }
  | { kind: 'int' | 'number'; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { kind: 'bool' }
  | { kind: 'text'; minLength?: number };

export interface SchemaField {
  control: FieldControl;
  defaultValue: unknown;
}

/** Strip the wrappers that do not change a field's shape (defaults, optional, refinements). */
function unwrap(s: z.ZodTypeAny): { schema: z.ZodTypeAny; defaultValue: unknown } {
  let defaultValue: unknown = undefined;
  for (;;) {
    if (s instanceof z.ZodDefault) {
      if (defaultValue === undefined) defaultValue = s._def.defaultValue();
      s = s._def.innerType;
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s._def.innerType;
    else if (s instanceof z.ZodEffects) s = s._def.schema;
    else return { schema: s, defaultValue };
  }
}

export function getIn(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const k of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

type AnyUnion = z.ZodDiscriminatedUnion<string, z.ZodDiscriminatedUnionOption<string>[]>;

function unionOption(u: AnyUnion, value: unknown, fallback: unknown): z.ZodTypeAny | undefined {
  const disc = u._def.discriminator;
  const pick = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[disc] : undefined);
  return u.optionsMap.get(pick(value) as string) ?? u.optionsMap.get(pick(fallback) as string);
}

/** The schema at `path`, resolving unions by the value `spec` holds there. Undefined if the path is not in it. */
export function schemaAt(
  path: Path,
  spec: unknown,
  root: z.ZodTypeAny = ExperimentSpecSchema,
): SchemaField | undefined {
  let { schema, defaultValue } = unwrap(root);
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (schema instanceof z.ZodDiscriminatedUnion) {
      const u = schema as AnyUnion;
      const here = getIn(spec, path.slice(0, i));
      if (key === u._def.discriminator) {
        const options = [...u.optionsMap.keys()].map(String);
        const d =
          defaultValue && typeof defaultValue === 'object' ? (defaultValue as Record<string, unknown>)[key] : undefined;
        return i === path.length - 1 ? { control: { kind: 'enum', options }, defaultValue: d } : undefined;
      }
      const option = unionOption(u, here, defaultValue);
      if (!option) return undefined;
      schema = option;
    }
    if (!(schema instanceof z.ZodObject)) return undefined;
    const child = (schema.shape as Record<string, z.ZodTypeAny>)[key];
    if (!child) return undefined;
    const parentDefault = defaultValue;
    ({ schema, defaultValue } = unwrap(child));
    if (defaultValue === undefined && parentDefault && typeof parentDefault === 'object')
      defaultValue = (parentDefault as Record<string, unknown>)[key];
  }
  const control = controlOf(schema);
  return control ? { control, defaultValue } : undefined;
}

function controlOf(s: z.ZodTypeAny): FieldControl | undefined {
  if (s instanceof z.ZodEnum) return { kind: 'enum', options: [...s._def.values] };
  if (s instanceof z.ZodBoolean) return { kind: 'bool' };
  if (s instanceof z.ZodString) {
    const min = s._def.checks.find((c) => c.kind === 'min') as { value: number } | undefined;
    return { kind: 'text', minLength: min?.value };
  }
  if (s instanceof z.ZodNumber) {
    const c: Extract<FieldControl, { kind: 'int' | 'number' }> = { kind: 'number' };
    for (const check of s._def.checks) {
      if (check.kind === 'int') c.kind = 'int';
      else if (check.kind === 'min') [c.min, c.minExclusive] = [check.value, !check.inclusive];
      else if (check.kind === 'max') [c.max, c.maxExclusive] = [check.value, !check.inclusive];
    }
    return c;
  }
  return undefined;
}

/** A copy of `obj` with `value` at `path` (undefined removes the key); objects on the way are copied, not mutated. */
export function setIn(obj: unknown, path: Path, value: unknown): Record<string, unknown> {
  const base = obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>) : {};
  if (path.length === 0) return base;
  const [head, ...rest] = path;
  const out = { ...base };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
  } else out[head] = setIn(base[head], rest, value);
  return out;
}

export interface SpecIssue {
  path: string; // dotted ("model.attention.k"), "" for the whole spec
  message: string;
}

export type SpecCheck = { ok: true; spec: z.output<typeof ExperimentSpecSchema> } | { ok: false; issues: SpecIssue[] };

function message(i: z.ZodIssue): string {
  if (i.code === z.ZodIssueCode.invalid_type && i.received === 'string' && i.expected === 'number')
    return 'enter a number';
  if (i.code === z.ZodIssueCode.unrecognized_keys) return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  return i.message;
}

/** Validate a spec input with the engine's schema; every problem names its field. */
export function checkSpec(input: unknown): SpecCheck {
  const r = ExperimentSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: message(i) })) };
}
