// The data-flow rule of DESIGN.md: a top-level folder of src/ may import only from folders
// earlier in the flow, and only through their index.ts (each module's explicit surface).
import path from 'node:path';

/** Earlier entries may be imported by later ones; entries in one inner list are peers. */
export const LAYERS = [
  ['model'],
  ['self'],
  ['http'],
  ['state'],
  ['auth'],
  ['receive'],
  ['pipeline'],
  ['store'],
  ['query'],
  ['api'],
  ['rules'],
  ['events'],
  ['incidents'],
  ['automation'],
  ['security', 'cost', 'synthetics', 'rum'],
  ['server'],
  ['cli'],
];

const rankOf = new Map(LAYERS.flatMap((group, i) => group.map((name) => [name, i])));

function topFolder(srcRoot, file) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : undefined;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the data-flow direction between top-level folders of src/' },
    schema: [],
    messages: {
      later: "src/{{from}} may not import from src/{{to}}: {{to}} comes later in the data flow (see eslint/layers.js and DESIGN.md)",
      unknown: 'src/{{name}} is not in the layer list of eslint/layers.js: add it where it belongs in the data flow',
      index: "import src/{{to}} through its index.ts, not '{{source}}'",
    },
  },
  create(context) {
    const file = context.filename;
    const srcRoot = path.join(context.cwd, 'src');
    const from = topFolder(srcRoot, file);
    if (from === undefined || file.endsWith('.test.ts')) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const to = topFolder(srcRoot, target);
      if (to === undefined || to === from) return;
      const fromRank = rankOf.get(from);
      const toRank = rankOf.get(to);
      if (fromRank === undefined) return context.report({ node, messageId: 'unknown', data: { name: from } });
      if (toRank === undefined) return context.report({ node, messageId: 'unknown', data: { name: to } });
      if (toRank >= fromRank) return context.report({ node, messageId: 'later', data: { from, to } });
      if (path.basename(target) !== 'index.js') context.report({ node, messageId: 'index', data: { to, source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: (node) => check({ source: node.source, ...node }) };
  },
};
