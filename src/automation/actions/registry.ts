import type { Action } from './action.js';
import { agentCommand } from './agent-command.js';
import { ansiblePlaybook } from './ansible-playbook.js';
import { approval } from './approval.js';
import { httpWebhook } from './http-webhook.js';
import { incidentAcknowledge } from './incident-acknowledge.js';
import { incidentPage } from './incident-page.js';
import { incidentResolve } from './incident-resolve.js';
import { ssmSendCommand } from './ssm-send-command.js';
import { ssmStartAutomation } from './ssm-start-automation.js';

/** Every step kind, by name: a new kind is a new file plus one line here. */
export const ACTIONS: Readonly<Record<string, Action<unknown>>> = Object.fromEntries(
  [agentCommand, ansiblePlaybook, approval, httpWebhook, incidentAcknowledge, incidentPage, incidentResolve, ssmSendCommand, ssmStartAutomation].map((a) => [a.kind, a]),
);
