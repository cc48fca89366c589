import { parse as parseYaml } from 'yaml';
import type { ConfigLeaf } from './walk.js';

export interface EnvProblem {
  readonly env: string;
  readonly message: string;
}

/** Short aliases the CLI documents (`ICHIGEN_LISTEN` rather than `ICHIGEN_SERVER_LISTEN`). */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  ICHIGEN_LISTEN: 'server.listen',
  ICHIGEN_DATA_DIR: 'storage.data_dir',
  ICHIGEN_ADMIN_PASSWORD: 'auth.admin_password',
};

function coerce(leaf: ConfigLeaf, raw: string): unknown {
  switch (leaf.doc.kind) {
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      return raw;
    case 'integer':
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'list':
      return raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim());
    case 'structured':
      return parseYaml(raw) as unknown;
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/**
 * Applies `ICHIGEN_*` variables onto the raw (unvalidated) config object. Unknown
 * `ICHIGEN_` variables are reported so a typo does not go unnoticed.
 */
export function applyEnv(
  raw: Record<string, unknown>,
  leaves: readonly ConfigLeaf[],
  env: Readonly<Record<string, string | undefined>>,
  ignore: ReadonlySet<string> = new Set(),
): EnvProblem[] {
  const byEnv = new Map(leaves.map((l) => [l.env, l]));
  const byPath = new Map(leaves.map((l) => [l.path, l]));
  const problems: EnvProblem[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ICHIGEN_') || value === undefined || ignore.has(name)) continue;
    const aliasPath = ENV_ALIASES[name];
    const leaf = aliasPath !== undefined ? byPath.get(aliasPath) : byEnv.get(name);
    if (!leaf) {
      problems.push({ env: name, message: 'unknown ICHIGEN_ variable (no such configuration key)' });
      continue;
    }
    setPath(raw, leaf.path, coerce(leaf, value));
  }
  return problems;
}
