/**
 * What runbooks may do to alert groups. Implemented by the incidents module and injected by
 * the server, so automation depends on a small interface, not on incidents' internals.
 */
export interface IncidentActions {
  acknowledge(tenant: string, groupId: string, actor: string): Promise<void>;
  resolve(tenant: string, groupId: string, actor: string): Promise<void>;
}
