// Rewrites the configuration table in README.md from the schema (npm run docs:config).
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, renderConfigTable } from '../src/server/index.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const start = readme.indexOf(CONFIG_TABLE_START);
const end = readme.indexOf(CONFIG_TABLE_END);
if (start < 0 || end < start) throw new Error('README.md lacks the config table markers');
const next = readme.slice(0, start + CONFIG_TABLE_START.length) + '\n' + renderConfigTable() + '\n' + readme.slice(end);
writeFileSync(file, next);
process.stdout.write(next === readme ? 'README config table already current\n' : 'README config table updated\n');
