/** `itk-router track <tracking id>`: a message's whole story from the message store. */
import type { Command } from 'commander';
import { loadRouterConfig } from '../../router/01-config/index.js';
import type { MessageHistory, MessageStory } from '../../router/08-store/message-store.js';
import { openStore } from '../../router/08-store/open-store.js';
import { setExitCode } from './exit-status.js';

const time = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

function history(h: MessageHistory, indent: string): string[] {
  const r = h.record;
  const lines = [
    `${indent}${r.trackingId}  ${r.service}`,
    `${indent}  from ${r.senderEndpointId ?? `(unknown sender, broker user ${r.brokerUser ?? 'none'})`}${r.senderAddress ? ` (${r.senderAddress})` : ''}, ${r.size} bytes; state ${r.state}`,
  ];
  for (const e of h.events) {
    const who = e.endpointId ? ` ${e.endpointId}` : '';
    const code = e.code ? ` [${e.code}]` : '';
    const ack = e.ackTrackingId ? ` (ack ${e.ackTrackingId})` : '';
    lines.push(
      `${indent}  ${time(e.at)}  ${e.state}${who}${code}${ack}${e.detail ? `: ${e.detail}` : ''}`,
    );
  }
  for (const resp of h.responses) {
    lines.push(`${indent}  router sent ${resp.kind} ${resp.trackingId} to ${resp.toEndpointId}`);
  }
  return lines;
}

export function formatStory(story: MessageStory): string {
  const lines: string[] = [];
  for (const m of story.messages) lines.push(...history(m, ''));
  if (story.originals.length > 0) {
    lines.push('', 'about (original message):');
    for (const m of story.originals) lines.push(...history(m, '  '));
  }
  if (story.references.length > 0) {
    lines.push('', 'answered by:');
    for (const m of story.references) lines.push(...history(m, '  '));
  }
  return lines.join('\n') + '\n';
}

export function registerTrack(program: Command): void {
  program
    .command('track')
    .description(
      "print a message's whole story: received, validated, delivered, acknowledged, nacked…",
    )
    .argument('<tracking-id>', 'the tracking id (any case)')
    .option('-c, --config <file>', 'router config (for the store)')
    .option('--json', 'print the story as JSON')
    .action(
      async (
        trackingId: string,
        options: { config?: string; json?: boolean },
        command: Command,
      ) => {
        const config = loadRouterConfig(options.config, process.env);
        const store = await openStore(config.store, {}, { existing: true });
        try {
          const story =
            (await store.track(trackingId)) ?? (await store.track(trackingId.toUpperCase()));
          if (!story) {
            process.stderr.write(
              `no message with tracking id ${trackingId} in ${config.store.url}\n`,
            );
            setExitCode(command, 1);
            return;
          }
          process.stdout.write(
            options.json ? JSON.stringify(story, null, 2) + '\n' : formatStory(story),
          );
        } finally {
          await store.close();
        }
      },
    );
}
