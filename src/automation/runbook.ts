import { z } from 'zod';
import { IchigenError, tryParseDuration } from '../model/index.js';

/** A runbook parameter: typed, optionally constrained, so a trigger cannot pass arbitrary text. */
export const paramSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a parameter name: letters, digits, _'),
    type: z.enum(['string', 'number', 'boolean']).default('string'),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** For strings: an anchored JavaScript regular expression the value must match. */
    pattern: z.string().max(512).optional(),
    enum: z.array(z.union([z.string(), z.number()])).max(100).optional(),
    description: z.string().max(500).optional(),
  })
  .strict();

const durationText = z.string().refine((s) => tryParseDuration(s) !== undefined, 'a duration such as 30s, 5m');

/** When a step runs, judged on the result of the step that ran before it. */
export const whenSchema = z
  .object({
    previous: z.enum(['succeeded', 'failed', 'any']).default('succeeded'),
    /** The previous step's exit code must be one of these. */
    exitCode: z.array(z.number().int()).max(50).optional(),
    /** The previous step's output must match this regular expression. */
    outputMatches: z.string().max(512).optional(),
  })
  .strict();

export const stepSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a step name: letters, digits, _ -'),
    action: z.string().min(1).max(64),
    with: z.record(z.unknown()).default({}),
    when: whenSchema.optional(),
    timeout: durationText.optional(),
    /** A failure of this step does not fail the run. */
    continueOnError: z.boolean().default(false),
  })
  .strict();

export const runbookSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'a runbook name: letters, digits, _ . -'),
    description: z.string().max(2000).default(''),
    params: z.array(paramSchema).max(50).default([]),
    steps: z.array(stepSchema).min(1).max(50),
  })
  .strict();

export type RunbookParam = z.infer<typeof paramSchema>;
export type StepDefinition = z.infer<typeof stepSchema>;
export type StepCondition = z.infer<typeof whenSchema>;
export type RunbookDefinition = z.infer<typeof runbookSchema>;

export type ParamValue = string | number | boolean;

/** Checks and completes run parameters against the runbook's declaration; unknown names are refused. */
export function resolveParams(def: RunbookDefinition, given: Readonly<Record<string, unknown>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const declared = new Map(def.params.map((p) => [p.name, p]));
  for (const k of Object.keys(given)) {
    if (!declared.has(k)) throw new IchigenError('INVALID_PARAMETER', `runbook "${def.name}" has no parameter "${k}"`);
  }
  for (const p of def.params) {
    let v = given[p.name];
    if (v === undefined || v === null) {
      if (p.default !== undefined) v = p.default;
      else if (p.required) throw new IchigenError('INVALID_PARAMETER', `runbook "${def.name}" needs parameter "${p.name}"`);
      else continue;
    }
    if (p.type === 'number' && typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) v = Number(v);
    if (p.type === 'boolean' && (v === 'true' || v === 'false')) v = v === 'true';
    if (typeof v !== p.type) throw new IchigenError('INVALID_PARAMETER', `parameter "${p.name}" must be a ${p.type}, got ${JSON.stringify(v)}`);
    const value = v as ParamValue;
    if (p.pattern !== undefined && typeof value === 'string' && !new RegExp(`^(?:${p.pattern})$`).test(value)) {
      throw new IchigenError('INVALID_PARAMETER', `parameter "${p.name}" does not match ${p.pattern}`);
    }
    if (p.enum !== undefined && !p.enum.includes(value as string | number)) {
      throw new IchigenError('INVALID_PARAMETER', `parameter "${p.name}" must be one of ${JSON.stringify(p.enum)}`);
    }
    out[p.name] = value;
  }
  return out;
}
