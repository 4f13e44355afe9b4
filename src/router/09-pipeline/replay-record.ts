/**
 * What the pipeline does differently for a trusted replay from the quarantine (replay-headers.ts):
 * it begins the record as a replay generation with its lineage (store/replay-generations.ts), and a
 * replay that meets an already processed (sender, tracking id) is recorded as refused, never
 * delivered again and never answered again (the sender already had its answers).
 */
import type {
  BeginResult,
  IncomingMessage,
  MessageRecord,
  MessageStore,
} from '../08-store/message-store.js';
import { beginReplay } from '../08-store/replay-generations.js';
import type { TrustedReplay } from './replay-trust.js';

/** `begin`, or for a trusted replay `beginReplay` with its lineage. */
export function beginRecord(
  store: MessageStore,
  replay: TrustedReplay | undefined,
  message: IncomingMessage,
): Promise<BeginResult> {
  return replay ? beginReplay(store, message, replay.lineage) : store.begin(message);
}

/** Records on the already processed record that this replay was not processed again. */
export async function recordRefusedReplay(
  store: MessageStore,
  record: MessageRecord,
  replay: TrustedReplay,
  at: Date,
): Promise<void> {
  const l = replay.lineage;
  await store.addEvent(record.id, {
    state: 'duplicate',
    at,
    detail:
      `replay ${l.replayId} of quarantine entry ${l.replayOf} by ${l.by} not processed: ` +
      `already processed (outcome ${record.outcome ?? 'none'}); ` +
      'replay with --ignore-duplicate to process it again',
    ...(record.senderEndpointId ? { endpointId: record.senderEndpointId } : {}),
  });
}
