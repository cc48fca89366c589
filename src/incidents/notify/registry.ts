import type { Channel } from './channel.js';
import { emailChannel } from './email.js';
import { opsgenieChannel } from './opsgenie.js';
import { pagerdutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { twilioChannel } from './twilio.js';
import { webhookChannel } from './webhook.js';

/** Every channel kind. A new channel is a new file and one line here. */
export const CHANNELS: Readonly<Record<string, Channel<never>>> = {
  slack: slackChannel as Channel<never>,
  teams: teamsChannel as Channel<never>,
  email: emailChannel as Channel<never>,
  webhook: webhookChannel as Channel<never>,
  pagerduty: pagerdutyChannel as Channel<never>,
  opsgenie: opsgenieChannel as Channel<never>,
  twilio: twilioChannel as Channel<never>,
};
