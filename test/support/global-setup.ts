import type { TestProject } from 'vitest/node';
import { startPostgres, type TestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

let pg: TestPostgres | undefined;

/** One real PostgreSQL for the whole run; every test file makes its own database in it. */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.ICHIGEN_TEST_PG_URL;
  if (given !== undefined && given !== '') {
    project.provide('pgUrl', given);
    return;
  }
  pg = await startPostgres();
  project.provide('pgUrl', pg.url);
}

export function teardown(): void {
  pg?.stop();
}
