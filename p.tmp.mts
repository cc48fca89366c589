import { parseTraceql } from './src/query/traceql/parser.ts';
const c = JSON.parse((await import('node:fs')).readFileSync('/work/shared/conformance/traceql/cases.json','utf8')).cases;
for (const x of c) { if (!x.q) continue; try { parseTraceql(x.q); if (x.cat==='errors') console.log('OK  ', x.id, x.q); } catch (e) { console.log('ERR ', x.id, x.q, '→', (e as Error).message); } }
