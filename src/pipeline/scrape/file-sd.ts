import { readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { targetGroupSchema, type TargetGroupInput } from './scrape-config.js';

/**
 * `file_sd_configs`: JSON or YAML files (the last path element may hold `*` globs) listing
 * target groups. Re-read when a watched directory changes and every refresh interval;
 * a file that fails to parse keeps its last good groups (as Prometheus does).
 */
export class FileDiscovery {
  private readonly last = new Map<string, TargetGroupInput[]>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    private readonly patterns: readonly string[],
    private readonly refreshMs: number,
    private readonly onChange: (groups: TargetGroupInput[]) => void,
    private readonly onError: (file: string, err: Error) => void,
  ) {}

  start(): void {
    this.refresh();
    const dirs = new Set(this.patterns.map((p) => path.dirname(path.resolve(p))));
    for (const dir of dirs) {
      try {
        this.watchers.push(watch(dir, () => this.schedule()));
      } catch (e) {
        this.onError(dir, e as Error);
      }
    }
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }

  private schedule(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.refresh(), 100);
    this.debounce.unref();
  }

  refresh(): void {
    const files = new Set<string>();
    for (const p of this.patterns) for (const f of expandGlob(path.resolve(p))) files.add(f);
    for (const f of [...this.last.keys()]) if (!files.has(f)) this.last.delete(f);
    for (const f of files) {
      try {
        const text = readFileSync(f, 'utf8');
        const data: unknown = f.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        const groups = z.array(targetGroupSchema).parse(data ?? []);
        this.last.set(
          f,
          groups.map((g) => ({ targets: g.targets, labels: { ...g.labels, __meta_filepath: f } })),
        );
      } catch (e) {
        this.onError(f, e as Error);
      }
    }
    this.onChange([...this.last.values()].flat());
  }
}

function expandGlob(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  if (!base.includes('*') && !base.includes('?')) return [pattern];
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .map((f) => path.join(dir, f))
      .sort();
  } catch {
    return [];
  }
}
