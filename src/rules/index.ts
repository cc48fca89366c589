export { createRulesModule } from './rules-module.js';
export type { RulesModule, RulesModuleDeps } from './rules-module.js';
export type { AlertSink, SentAlert } from './rule-group.js';
export { parseRuleFile } from './rule-file.js';
export type { GroupDef, RuleDef, RuleFileError } from './rule-file.js';
export { expandTemplate, humanize } from './go-template.js';
