/**
 * An AgentHub on a given Redis connection with nothing around it (no channel to deliver to, no
 * transcript, quiet logs, translation keys as text): for tests of what the hub keeps in Redis
 * (slots, acknowledgements, faults), not of what users or agents see.
 */
import { AgentHub } from '../../adapters/handoff/hub';
import { loadHandoffConfig } from '../../adapters/handoff/config';

type HubRedis = ConstructorParameters<typeof AgentHub>[0]['redis'];

export function bareHub(redis: unknown, prefix: string): AgentHub {
  return new AgentHub({
    redis: redis as HubRedis,
    prefix,
    config: loadHandoffConfig({}),
    t: (_lang, key) => key,
    proactive: { continueConversation: async () => undefined } as never,
    transcripts: { append: async () => undefined, read: async () => [] } as never,
    logger: { error: () => undefined, warn: () => undefined, info: () => undefined } as never,
  });
}

/** A conversation reference on the emulator channel, as the hub keeps it. */
export const emulatorReference = (id: string) => ({ channelId: 'emulator', conversation: { id, isGroup: false, conversationType: 'personal', name: '' }, serviceUrl: 'http://127.0.0.1:9/' });
