export { createAutomationModule } from './automation-module.js';
export type { AutomationModule, AutomationModuleDeps } from './automation-module.js';
export type { IncidentActions, PageInput, PagedGroup } from './incident-actions.js';
export type { AwsSettings } from './actions/action.js';
export { parseSchedule, Scheduler, systemClock } from './schedule.js';
export type { Clock, Schedule } from './schedule.js';
export { runAgent } from './agent/agent-runner.js';
export type { AgentOptions } from './agent/agent-runner.js';
