/** What a runbook's page step asks for. */
export interface PageInput {
  readonly title: string;
  readonly message: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The alert group a page step opened. */
export interface PagedGroup {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly chainId: string | null;
  /** Why nobody is paged (maintenance, silenced, inhibited), or null. */
  readonly suppressed: string | null;
}

/**
 * What runbooks may do to alert groups. Implemented by the incidents module and injected by
 * the server, so automation depends on a small interface, not on incidents' internals.
 */
export interface IncidentActions {
  acknowledge(tenant: string, groupId: string, actor: string): Promise<void>;
  resolve(tenant: string, groupId: string, actor: string): Promise<void>;
  page(tenant: string, page: PageInput, actor: string): Promise<PagedGroup>;
}
