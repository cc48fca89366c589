import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { applyEnv } from './env.js';
import { configSchema, type Config } from './schema.js';
import { configLeaves } from './walk.js';

export interface ConfigProblem {
  /** Key path (`server.listen`), or the env variable / file position it came from. */
  readonly key: string;
  readonly message: string;
}

/** Thrown when the configuration is invalid; the CLI prints every problem and exits 2. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], source: string) {
    super(`invalid configuration (${source}):\n` + problems.map((p) => `  ${p.key}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Path of the YAML file; undefined means defaults (+ environment) only. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, applied last (dotted key -> value). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Env variables that are read by the CLI itself, not configuration keys. */
const CLI_ENV = new Set(['ICHIGEN_CONFIG']);

function formatIssuePath(path: ReadonlyArray<string | number>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function zodProblems(error: z.ZodError): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ key: formatIssuePath([...issue.path, k]), message: 'unknown key' });
    } else if (issue.code === 'invalid_type') {
      out.push({ key: formatIssuePath(issue.path), message: `expected ${issue.expected}, got ${issue.received}` });
    } else if (issue.code === 'invalid_enum_value') {
      out.push({ key: formatIssuePath(issue.path), message: `expected one of ${issue.options.join(', ')}, got "${String(issue.received)}"` });
    } else {
      out.push({ key: formatIssuePath(issue.path), message: issue.message });
    }
  }
  return out;
}

function setDotted(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/** Reads the YAML text into a plain object, reporting syntax errors with line:column. */
export function parseConfigText(text: string, source: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { key: `${source}:${pos.line}:${pos.col}`, message: e.message.split('\n')[0] ?? e.message };
      }),
      source,
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ key: '(root)', message: 'the configuration file must be a YAML mapping' }], source);
  }
  return value as Record<string, unknown>;
}

/** File, then environment, then flags; validated as a whole so every problem is reported. */
export function loadConfig(options: LoadOptions = {}): Config {
  const source = options.file ?? 'defaults';
  let raw: Record<string, unknown> = {};
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (e) {
      throw new ConfigError([{ key: options.file, message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }], source);
    }
    raw = parseConfigText(text, options.file);
  }
  const problems: ConfigProblem[] = applyEnv(raw, configLeaves(configSchema), options.env ?? {}, CLI_ENV).map((p) => ({
    key: p.env,
    message: p.message,
  }));
  for (const [k, v] of Object.entries(options.overrides ?? {})) if (v !== undefined) setDotted(raw, k, v);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...zodProblems(parsed.error));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, source);
  return parsed.data;
}
