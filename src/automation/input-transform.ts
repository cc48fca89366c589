import { z } from 'zod';
import type { EventEnvelope } from '../events/index.js';
import { IchigenError } from '../model/index.js';
import { lookup } from './template.js';

/**
 * How a rule turns the event into runbook parameters, after EventBridge's target input
 * options: `params` (constant), `inputPath` (select part of the event, e.g. `$.detail`),
 * or `inputPathsMap` + `inputTemplate` (pick values into variables, then place them into a
 * template with `<name>`; `<aws.events.event>`, `<aws.events.rule-name>`,
 * `<aws.events.event.ingestion-time>` are predefined).
 */
export const ruleInputSchema = z
  .object({
    params: z.record(z.union([z.string(), z.number(), z.boolean()])).optional(),
    inputPath: z.string().max(512).optional(),
    inputPathsMap: z.record(z.string().max(512)).optional(),
    inputTemplate: z.record(z.unknown()).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const n = [v.params, v.inputPath, v.inputTemplate].filter((x) => x !== undefined).length;
    if (n > 1) ctx.addIssue({ code: 'custom', message: 'use one of params, inputPath or inputPathsMap+inputTemplate' });
    if (v.inputPathsMap !== undefined && v.inputTemplate === undefined) ctx.addIssue({ code: 'custom', path: ['inputTemplate'], message: 'inputPathsMap needs an inputTemplate' });
    for (const p of [v.inputPath, ...Object.values(v.inputPathsMap ?? {})]) {
      if (p !== undefined && !/^\$(\.[A-Za-z0-9_-]+)*$/.test(p)) ctx.addIssue({ code: 'custom', message: `"${p}" is not a path such as $.detail.instance-id` });
    }
  });

export type RuleInput = z.infer<typeof ruleInputSchema>;

export function selectPath(event: unknown, path: string): unknown {
  return path === '$' ? event : lookup(event, path.slice(2));
}

function fill(template: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  if (typeof template === 'string') {
    const whole = /^<([A-Za-z0-9_.-]+)>$/.exec(template);
    if (whole !== null && whole[1]! in vars) return vars[whole[1]!];
    return template.replace(/<([A-Za-z0-9_.-]+)>/g, (m, name: string) => {
      if (!(name in vars)) return m;
      const v = vars[name];
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => fill(t, vars));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, vars)]));
  }
  return template;
}

/** The runbook parameters a rule gives for one event. */
export function transformInput(input: RuleInput, event: EventEnvelope, ruleName: string, now: number): Record<string, unknown> {
  if (input.params !== undefined) return { ...input.params };
  if (input.inputPath !== undefined) {
    const v = selectPath(event, input.inputPath);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new IchigenError('INVALID_PARAMETER', `inputPath ${input.inputPath} does not select an object of parameters`);
    return { ...(v as Record<string, unknown>) };
  }
  if (input.inputTemplate !== undefined) {
    const vars: Record<string, unknown> = {
      'aws.events.event': event,
      'aws.events.rule-name': ruleName,
      'aws.events.event.ingestion-time': new Date(now).toISOString(),
    };
    for (const [name, path] of Object.entries(input.inputPathsMap ?? {})) vars[name] = selectPath(event, path);
    return fill(input.inputTemplate, vars) as Record<string, unknown>;
  }
  return {};
}
