import type { Generated } from 'kysely';

/**
 * The state database's tables, as Kysely sees them. Portable types only: text ids made by
 * the application, times as integer milliseconds, booleans as 0/1, JSON as text — so one
 * set of migrations and queries serves SQLite and PostgreSQL.
 */
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string;
  role: string;
  password_hash: string | null;
  auth_source: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string;
  ip: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  /** sha256 of the token; tokens are random enough that a slow KDF buys nothing. */
  token_hash: string;
  /** Comma-separated scopes. */
  scopes: string;
  /** '*' or comma-separated tenant ids. */
  tenants: string;
  created_by: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  tenant: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  tenant: string;
  time: number;
  source: string;
  detail_type: string;
  /** JSON array of strings. */
  resources: string;
  /** JSON object. */
  detail: string;
  account: string;
  region: string;
  received_at: number;
}

/** Alerting and on-call (src/incidents): see migration 0100-incidents. */
export interface IncidentIntegrationsTable {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  token_hash: string | null;
  settings: string;
  maintenance_until: number | null;
  last_alert_at: number | null;
  created_at: number;
}

export interface IncidentGroupsTable {
  id: string;
  tenant: string;
  integration_id: string;
  group_key: string;
  group_labels: string;
  title: string;
  status: string;
  open: number;
  suppressed: string | null;
  silenced_until: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  alerts_total: number;
  alerts_firing: number;
  route_id: string | null;
  chain_id: string | null;
  esc_step: number;
  esc_repeat: number;
  esc_next_at: number | null;
  esc_state: string;
  created_at: number;
  updated_at: number;
}

export interface IncidentAlertsTable {
  id: string;
  tenant: string;
  integration_id: string;
  group_id: string;
  fingerprint: string;
  labels: string;
  annotations: string;
  generator_url: string;
  starts_at: number;
  ends_at: number;
  explicit_end: number;
  status: string;
  updated_at: number;
}

export interface IncidentTimelineTable {
  id: Generated<number>;
  group_id: string;
  at: number;
  kind: string;
  actor: string;
  message: string;
  details: string;
}

export interface IncidentSilencesTable {
  id: string;
  tenant: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  updated_at: number;
}

export interface IncidentInhibitRulesTable {
  id: string;
  tenant: string;
  source_matchers: string;
  target_matchers: string;
  equal: string;
  created_at: number;
}

export interface IncidentChannelsTable {
  id: string;
  tenant: string;
  name: string;
  kind: string;
  settings: string;
  created_at: number;
}

export interface IncidentJobsTable {
  id: string;
  tenant: string;
  group_id: string | null;
  payload: string;
  run_at: number;
  attempts: number;
  claimed_by: string | null;
  claimed_until: number | null;
  done_at: number | null;
  outcome: string | null;
  created_at: number;
}

export interface IncidentDeliveriesTable {
  id: Generated<number>;
  tenant: string;
  job_id: string;
  group_id: string | null;
  channel_kind: string;
  target: string;
  attempt: number;
  ok: number;
  detail: string;
  at: number;
  duration_ms: number;
}

export interface IncidentSchedulesTable {
  id: string;
  tenant: string;
  name: string;
  time_zone: string;
  layers: string;
  created_at: number;
  updated_at: number;
}

export interface IncidentOverridesTable {
  id: string;
  schedule_id: string;
  user_id: string;
  replaces_user_id: string | null;
  starts_at: number;
  ends_at: number;
  created_by: string;
  created_at: number;
}

export interface IncidentChainsTable {
  id: string;
  tenant: string;
  name: string;
  steps: string;
  created_at: number;
}

export interface IncidentRoutesTable {
  id: string;
  tenant: string;
  integration_id: string | null;
  position: number;
  matchers: string;
  template: string;
  chain_id: string;
  is_default: number;
}

export interface IncidentTeamsTable {
  id: string;
  tenant: string;
  name: string;
  members: string;
}

export interface IncidentUserSettingsTable {
  user_id: string;
  contact: string;
  rules: string;
  important_rules: string;
  quiet_hours: string | null;
  time_zone: string;
}

export interface EventSourcesTable {
  id: string;
  tenant: string;
  name: string;
  /** 'eventbridge' | 'sns' */
  kind: string;
  /** 'api_key' | 'basic' | 'oauth' | 'none' (SNS: signature only) */
  auth_type: string;
  principal: string;
  secret_hash: string;
  token_key: string;
  allowed_topics: string;
  created_at: number;
  created_by: string;
}

/** Automation (src/automation): see migration 0202-automation. */
export interface RunbooksTable {
  id: string;
  tenant: string;
  name: string;
  description: string;
  params: string;
  steps: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface AutomationRulesTable {
  id: string;
  tenant: string;
  name: string;
  enabled: number;
  pattern: string | null;
  schedule: string | null;
  time_zone: string;
  runbook: string;
  input: string;
  created_at: number;
  updated_at: number;
}

export interface RunbookRunsTable {
  id: string;
  tenant: string;
  runbook: string;
  definition: string;
  status: string;
  trigger: string;
  params: string;
  next_step: number;
  approval: string | null;
  error: string;
  created_at: number;
  finished_at: number | null;
  /** `rule:<id>:event:<id>`: one run per rule and event, whichever replica saw it. */
  dedup_key: string | null;
  /** The replica executing the run, and until when its claim holds without renewal. */
  owner: string | null;
  lease_until: number | null;
  /** Who asked to cancel (read by the owning replica). */
  cancel_requested: string | null;
  /** The event that started the run (rules), for finding an event's runs. */
  event_id: string | null;
}

export interface RunbookRunStepsTable {
  id: Generated<number>;
  run_id: string;
  idx: number;
  name: string;
  action: string;
  status: string;
  exit_code: number | null;
  output: string;
  result: string;
  started_at: number;
  finished_at: number | null;
}

export interface AgentTokensTable {
  id: string;
  tenant: string;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
}

/** An agent connected to some replica (heartbeat in `seen_at`). */
export interface AutomationAgentsTable {
  id: string;
  tenant: string;
  token_id: string;
  name: string;
  labels: string;
  max_concurrency: number;
  replica: string;
  connected_at: number;
  seen_at: number;
}

/** A runbook step for an agent connected to another replica than the one executing the run. */
export interface AutomationAgentJobsTable {
  id: string;
  tenant: string;
  agent_id: string;
  replica: string;
  requester: string;
  run_id: string;
  spec: string;
  /** queued → running → done */
  status: string;
  output: string;
  result: string | null;
  cancel: number;
  created_at: number;
  updated_at: number;
}

export interface StateSchema {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  events: EventsTable;
  incident_integrations: IncidentIntegrationsTable;
  incident_groups: IncidentGroupsTable;
  incident_alerts: IncidentAlertsTable;
  incident_timeline: IncidentTimelineTable;
  incident_silences: IncidentSilencesTable;
  incident_inhibit_rules: IncidentInhibitRulesTable;
  incident_channels: IncidentChannelsTable;
  incident_jobs: IncidentJobsTable;
  incident_deliveries: IncidentDeliveriesTable;
  incident_schedules: IncidentSchedulesTable;
  incident_overrides: IncidentOverridesTable;
  incident_chains: IncidentChainsTable;
  incident_routes: IncidentRoutesTable;
  incident_teams: IncidentTeamsTable;
  incident_user_settings: IncidentUserSettingsTable;
  event_sources: EventSourcesTable;
  dashboards: DashboardsTable;
  dashboard_versions: DashboardVersionsTable;
  runbooks: RunbooksTable;
  automation_rules: AutomationRulesTable;
  runbook_runs: RunbookRunsTable;
  runbook_run_steps: RunbookRunStepsTable;
  agent_tokens: AgentTokensTable;
  rule_groups: RuleGroupsTable;
  automation_agents: AutomationAgentsTable;
  automation_agent_jobs: AutomationAgentJobsTable;
}

export interface DashboardsTable {
  id: string;
  tenant: string;
  title: string;
  /** JSON of the dashboard spec. */
  spec: string;
  version: number;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

export interface DashboardVersionsTable {
  dashboard_id: string;
  version: number;
  spec: string;
  message: string;
  created_by: string;
  created_at: number;
}

export interface RuleGroupsTable {
  tenant: string;
  language: string;
  namespace: string;
  name: string;
  /** YAML of the group as posted to the ruler API. */
  spec: string;
  updated_by: string;
  updated_at: number;
}
