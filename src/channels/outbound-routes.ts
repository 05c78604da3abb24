import { PermanentJobError } from '../jobs/errors.js';
import type { ChannelName, OutboundRoute, OutboundRoutes } from './deliver-message.js';
import type { ChannelCredentials, ChannelSender } from './types.js';

/** Reads a channel account's channel and decrypted credentials (src/tenants/credentials.ts). */
export interface AccountCredentialsPort {
  forAccount(channelAccountId: number): ChannelCredentials & { channel: ChannelName };
}

/** Chooses the adapter that delivers for a channel account, by the account's channel. */
export class ChannelRoutes implements OutboundRoutes {
  constructor(private readonly accounts: AccountCredentialsPort, private readonly senders: Partial<Record<ChannelName, ChannelSender>>) {}

  forAccount(channelAccountId: number): OutboundRoute {
    const { channel, externalId, accessToken } = this.accounts.forAccount(channelAccountId);
    const sender = this.senders[channel];
    if (!sender) throw new PermanentJobError(`this worker cannot send on ${channel}`, `upgrade botctl to a version with the ${channel} channel, then botctl jobs retry`);
    return { channel, sender, credentials: { externalId, accessToken } };
  }
}
