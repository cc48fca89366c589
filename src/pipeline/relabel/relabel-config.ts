import { z } from 'zod';
import { compileAnchoredRe2, isValidLabelName } from '../../model/index.js';

export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** A relabel rule as written in YAML (Prometheus' `relabel_config`). */
export const relabelConfigSchema = z
  .object({
    source_labels: z.array(z.string()).optional(),
    separator: z.string().optional(),
    target_label: z.string().optional(),
    regex: z.string().optional(),
    modulus: z.number().int().nonnegative().optional(),
    replacement: z.string().optional(),
    action: z.string().optional(),
  })
  .strict();

export type RelabelConfigInput = z.infer<typeof relabelConfigSchema>;

/** A validated, compiled rule. */
export interface RelabelRule {
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly targetLabel: string;
  readonly regex: RegExp;
  readonly regexSource: string;
  readonly modulus: number;
  readonly replacement: string;
  readonly action: RelabelAction;
}

/**
 * Validates a rule with Prometheus' defaults (separator `;`, regex `(.*)`, replacement `$1`,
 * action `replace`) and its checks; errors are worded like Prometheus'.
 */
export function compileRelabelConfig(input: RelabelConfigInput): RelabelRule {
  const action = (input.action ?? 'replace').toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) throw new Error(`unknown relabel action "${input.action}"`);
  const regexSource = input.regex ?? '(.*)';
  let regex: RegExp;
  try {
    regex = compileAnchoredRe2(regexSource);
  } catch (e) {
    throw new Error(`invalid regex "${regexSource}" in relabel config: ${(e as Error).message}`);
  }
  const rule: RelabelRule = {
    sourceLabels: input.source_labels ?? [],
    separator: input.separator ?? ';',
    targetLabel: input.target_label ?? '',
    regex,
    regexSource,
    modulus: input.modulus ?? 0,
    replacement: input.replacement ?? '$1',
    action,
  };
  const needsTarget: RelabelAction[] = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(action) && rule.targetLabel === '') throw new Error(`relabel configuration for ${action} action requires 'target_label' value`);
  if ((action === 'replace' || action === 'lowercase' || action === 'uppercase') && !/^[a-zA-Z_$][a-zA-Z0-9_${}]*$/.test(rule.targetLabel)) {
    throw new Error(`"${rule.targetLabel}" is invalid 'target_label' for ${action} action`);
  }
  if ((action === 'lowercase' || action === 'uppercase' || action === 'hashmod' || action === 'keepequal' || action === 'dropequal') && !isValidLabelName(rule.targetLabel)) {
    throw new Error(`"${rule.targetLabel}" is invalid 'target_label' for ${action} action`);
  }
  if (action === 'hashmod' && rule.modulus === 0) throw new Error("relabel configuration for hashmod requires non-zero modulus");
  if ((action === 'keepequal' || action === 'dropequal') && (input.regex !== undefined || input.replacement !== undefined || input.modulus !== undefined || input.separator !== undefined)) {
    throw new Error(`${action} action requires only 'source_labels' and 'target_label', and no other fields`);
  }
  if ((action === 'labeldrop' || action === 'labelkeep') && (input.source_labels !== undefined || input.target_label !== undefined || input.modulus !== undefined || input.separator !== undefined || input.replacement !== undefined)) {
    throw new Error(`${action} action requires only 'regex', and no other fields`);
  }
  return rule;
}
