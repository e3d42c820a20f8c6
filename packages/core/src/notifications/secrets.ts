/** A channel's secret, sealed like connection credentials and bound to the channel's row id. */
import { decryptSecret, encryptSecret } from "../common/crypto.ts";
import type { Keyring } from "../connections/secrets.ts";

const ctx = (channelId: string) => `notification-channel:${channelId}:secret`;

export function sealChannelSecret(keys: Keyring, channelId: string, secret: string): string {
  return encryptSecret(keys.current, secret, ctx(channelId));
}

export function openChannelSecret(keys: Keyring, channelId: string, sealed: string): string {
  return decryptSecret(keys.all, sealed, ctx(channelId));
}
