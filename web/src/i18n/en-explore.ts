/** English strings of Explore and the overview added with issue 8's second half (merged into `en`). */
export const enExplore = {
  'logs.syntaxError': 'LogQL syntax error here',
  'logs.showContext': 'Show context',
  'logs.context': 'Lines around this one in its stream',
  'logs.contextOlder': 'Load {n} older lines',
  'logs.contextNewer': 'Load {n} newer lines',
} as const;
