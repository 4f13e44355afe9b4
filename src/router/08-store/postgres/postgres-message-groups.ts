/**
 * The message store's three busiest writes as write groups (postgres-connection.ts): every
 * `begin`, `addEvent` and `complete` of a batch shares its statements with the others of its kind,
 * so a batch of fifty messages costs a handful of round trips, not several hundred. On a machine
 * where each statement is a system call of tens of µs, that is most of the store's CPU. And its
 * busiest read, `confirmedDeliveries`, as a read group: one statement per turn. Also
 * `recordAnswers`, the compare-and-set of the locator's answers (one closure write: rare).
 *
 * `addEvent` and `complete` read and lock their rows first (one statement, in id order), judge
 * every item on them in JavaScript (an unknown or completed message is refused here, before
 * anything is written for it), then write all accepted items with one multi-row statement per
 * table (unnest of arrays, in the order asked). Several items of one message in a group are
 * judged one after another, as if they had run in turn. `begin` inserts first and judges the
 * messages whose key existed one by one. A batch runs its groups one after another, so its
 * locks as a whole are not in one order: two batches can deadlock, and then run again one write
 * per transaction (postgres-connection.ts).
 */
import type { ExpectedAck } from '../ack-expectations.js';
import { settlingStates } from '../ack-expectations.js';
import type {
  BeginResult,
  Completion,
  IncomingMessage,
  MessageId,
  NewEvent,
  RouterResponse,
} from '../message-store.js';
import type { ProcessingLease } from '../processing-lease.js';
import { advance, type FinalState, type MessageState } from '../states.js';
import { StoreError } from '../store-error.js';
import type { ItemOutcome, Query, ReadGroup, WriteGroup } from './postgres-connection.js';
import {
  idParam,
  toRecord,
  toResponse,
  type ClaimRow,
  type MessageRow,
  type ResponseRow,
} from './postgres-rows.js';
import { SQL as MESSAGE_SQL } from './postgres-statements.js';

export const SQL = {
  /**
   * New messages and their `received` events: the ids of those inserted come back; a message
   * whose (sender, tracking id) exists (or appears earlier in the same statement) is skipped.
   */
  begin:
    'WITH m AS (INSERT INTO messages (id, tracking_id, sender_endpoint_id, broker_user, service, ' +
    'interaction, sender_address, received_at, size, state, original, claimed_by, claim_until) ' +
    "SELECT x.id, x.tracking_id, x.sender, x.broker_user, x.service, x.interaction, x.sender_address, x.received_at, x.size, 'received', x.original, $11, x.claim_until " +
    'FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], ' +
    '$8::timestamptz[], $9::int[], $10::bytea[], $12::timestamptz[]) WITH ORDINALITY ' +
    'AS x(id, tracking_id, sender, broker_user, service, interaction, sender_address, received_at, size, original, claim_until, ord) ' +
    'ORDER BY x.ord ON CONFLICT (sender_endpoint_id, tracking_id) DO NOTHING RETURNING id, received_at, seq) ' +
    "INSERT INTO message_events (message_id, state, at) SELECT id, 'received', received_at FROM m ORDER BY seq " +
    'RETURNING message_id AS id',
  /** End points a `delivered` event confirms, per message, in order of first confirmation. */
  confirmed:
    "SELECT message_id AS id, endpoint_id AS e FROM message_events WHERE message_id = ANY($1::uuid[]) AND state = 'delivered' " +
    'AND endpoint_id IS NOT NULL GROUP BY message_id, endpoint_id ORDER BY message_id, MIN(seq)',
  /** The messages' states and completion, locked in id order. */
  lock: 'SELECT id, state, completed_at FROM messages WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
  /** lock, and whether each message holds responses already (answers recorded: recordAnswers). */
  lockAnswered:
    'SELECT id, state, completed_at, EXISTS (SELECT 1 FROM message_responses r WHERE r.message_id = messages.id) AS answered ' +
    'FROM messages WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
  /** A message's recorded answers (kind `response`), in order. */
  answers:
    'SELECT kind, tracking_id, to_endpoint_id, service, addressee, xml FROM message_responses ' +
    "WHERE message_id = $1 AND kind = 'response' ORDER BY position",
  dropAnswers: "DELETE FROM message_responses WHERE message_id = $1 AND kind = 'response'",
  /** Of these messages ($1), the responses whose tracking ids are not among those sent ($2). */
  dropUnsent:
    'DELETE FROM message_responses WHERE message_id = ANY($1::uuid[]) AND NOT (tracking_id = ANY($2::text[]))',
  /** Events ($1–$6, one element each) and the states they move messages to ($7, $8). */
  events:
    'WITH e AS (INSERT INTO message_events (message_id, state, at, detail, endpoint_id, code) ' +
    'SELECT x.message_id, x.state, x.at, x.detail, x.endpoint_id, x.code ' +
    'FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY ' +
    'AS x(message_id, state, at, detail, endpoint_id, code, ord) ORDER BY x.ord) ' +
    'UPDATE messages m SET state = u.state FROM unnest($7::uuid[], $8::text[]) AS u(id, state) WHERE m.id = u.id',
  /**
   * The router's responses of several messages ($1 message id per response, $2 its place in its
   * list): after any the message holds, and none whose tracking id the message holds already
   * (recorded before it was sent, see recordAnswers).
   */
  responses:
    'INSERT INTO message_responses (message_id, position, kind, tracking_id, to_endpoint_id, service, addressee, xml) ' +
    'SELECT x.message_id, x.position + (SELECT COALESCE(MAX(r.position) + 1, 0) FROM message_responses r WHERE r.message_id = x.message_id), ' +
    'x.kind, x.tracking_id, x.to_endpoint_id, x.service, x.addressee, x.xml ' +
    'FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) ' +
    'AS x(message_id, position, kind, tracking_id, to_endpoint_id, service, addressee, xml) ' +
    'WHERE NOT EXISTS (SELECT 1 FROM message_responses r WHERE r.message_id = x.message_id AND r.tracking_id = x.tracking_id)',
  /**
   * Expected acks of several messages ($1 message id per ack; postgres-acks.ts insertExpected):
   * one already answered (an ack that overtook the completion) is stored met, at that answer's time.
   */
  expectedAcks:
    'INSERT INTO ack_expectations (message_id, kind, endpoint_id, due_at, met_at) ' +
    'SELECT x.message_id, x.kind, x.endpoint_id, x.due_at, (SELECT e.at FROM message_events e ' +
    'WHERE e.message_id = x.message_id AND e.ack_tracking_id IS NOT NULL AND e.endpoint_id = x.endpoint_id ' +
    "AND e.state = ANY (string_to_array(x.states, ',')) ORDER BY e.seq LIMIT 1) " +
    'FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) ' +
    'AS x(message_id, kind, endpoint_id, due_at, states) ON CONFLICT DO NOTHING',
  /** The final events and outcomes: $1 id, $2 final state, $3 time, $4 detail, $5 code, $6 next state. */
  complete:
    'WITH e AS (INSERT INTO message_events (message_id, state, at, detail, code) ' +
    'SELECT x.id, x.state, x.at, x.detail, x.code ' +
    'FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[]) WITH ORDINALITY ' +
    'AS x(id, state, at, detail, code, ord) ORDER BY x.ord) ' +
    'UPDATE messages m SET state = x.next, outcome = x.state, completed_at = x.at, claimed_by = NULL, claim_until = NULL ' +
    'FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $6::text[]) AS x(id, state, at, next) WHERE m.id = x.id',
} as const;

interface LockRow {
  id: string;
  state: MessageState;
  completed_at: Date | null;
  /** Only from `lockAnswered`. */
  answered?: boolean;
}

const unknownMessage = (id: MessageId) =>
  new StoreError('unknown-message', `no message with id ${id}`);

/** The messages' rows, locked, by id (ids that are not UUIDs are simply not found). */
async function lockMessages(
  q: Query,
  ids: readonly MessageId[],
  sql: string = SQL.lock,
): Promise<Map<string, LockRow>> {
  const params = [...new Set(ids.map(idParam).filter((id): id is string => id !== null))];
  const rows = params.length === 0 ? [] : await q<LockRow>(sql, [params]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** Outcomes in item order: `judge` refuses an item (an error) or accepts it (undefined). */
function judgeEach<I>(
  items: readonly I[],
  judge: (item: I) => StoreError | undefined,
): { outcomes: ItemOutcome<void>[]; accepted: I[] } {
  const outcomes: ItemOutcome<void>[] = [];
  const accepted: I[] = [];
  for (const item of items) {
    const error = judge(item);
    if (error) outcomes.push({ ok: false, error });
    else {
      outcomes.push({ ok: true, value: undefined });
      accepted.push(item);
    }
  }
  return { outcomes, accepted };
}

/** `confirmedDeliveries` for every message asked for in one turn: one statement. */
export const confirmedGroup: ReadGroup<MessageId, readonly string[]> = {
  async run(q, ids) {
    const params = [...new Set(ids.map(idParam).filter((id): id is string => id !== null))];
    const rows =
      params.length === 0 ? [] : await q<{ id: string; e: string }>(SQL.confirmed, [params]);
    const byId = new Map<string, string[]>();
    for (const r of rows) {
      const list = byId.get(r.id);
      if (list) list.push(r.e);
      else byId.set(r.id, [r.e]);
    }
    return ids.map((id) => byId.get(id) ?? []);
  },
};

/**
 * The most message bytes one `begin` statement carries: pg sends a bytea array as text (hex, twice
 * the size, as one string on the heap), so large messages go a few at a time.
 */
const BEGIN_CHUNK_BYTES = 8 * 1024 * 1024;

/** Consecutive runs of `items` whose bytes add up to at most `max` (an item larger: alone). */
function byBytes(items: readonly BeginItem[], max: number): BeginItem[][] {
  const chunks: BeginItem[][] = [];
  let chunk: BeginItem[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = item.message.bytes.byteLength;
    if (chunk.length > 0 && bytes + size > max) {
      chunks.push(chunk);
      [chunk, bytes] = [[], 0];
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface BeginItem {
  readonly id: MessageId;
  readonly message: IncomingMessage;
}

/** `begin` for every message of a batch: one statement for the new ones. */
export function beginGroup(lease: ProcessingLease): WriteGroup<BeginItem, BeginResult> {
  return {
    async run(q, items) {
      const inserted: { id: string }[] = [];
      for (const chunk of byBytes(items, BEGIN_CHUNK_BYTES)) {
        const ms = chunk.map((i) => i.message);
        inserted.push(
          ...(await q<{ id: string }>(SQL.begin, [
            chunk.map((i) => i.id),
            ms.map((m) => m.trackingId),
            ms.map((m) => m.senderEndpointId),
            ms.map((m) => m.brokerUser ?? null),
            ms.map((m) => m.service),
            ms.map((m) => m.interaction ?? null),
            ms.map((m) => m.senderAddress ?? null),
            ms.map((m) => m.receivedAt),
            ms.map((m) => m.bytes.byteLength),
            ms.map((m) => Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)),
            lease.instanceId,
            ms.map((m) => lease.until(m.receivedAt)),
          ])),
        );
      }
      const isNew = new Set(inserted.map((r) => r.id));
      const outcomes: ItemOutcome<BeginResult>[] = [];
      for (const item of items) {
        const value = isNew.has(item.id)
          ? ({ kind: 'new', id: item.id } as const)
          : await existing(q, item.message, lease);
        outcomes.push({ ok: true, value });
      }
      return outcomes;
    },
  };
}

/**
 * The message (sender, tracking id) names, which exists: returned as it is, claimed for this
 * instance when unfinished and free. Only a non-null sender can conflict (NULLs are distinct in
 * the unique index). Read committed: the conflicting row is committed (or this transaction's
 * own), so the statement sees it. The row lock makes instances that find an expired claim at once
 * take it over one after another.
 */
async function existing(
  q: Query,
  m: IncomingMessage,
  lease: ProcessingLease,
): Promise<BeginResult> {
  const [row] = await q<MessageRow & ClaimRow>(MESSAGE_SQL.lockByKey, [
    m.senderEndpointId ?? '',
    m.trackingId,
  ]);
  if (!row) throw new StoreError('failed', `insert of ${m.trackingId} ignored, no record found`);
  const record = toRecord(row);
  if (record.completedAt) return { kind: 'existing', record };
  const heldBy = lease.heldElsewhere(row.claimed_by, row.claim_until, m.receivedAt);
  if (heldBy) return { kind: 'existing', record, heldBy };
  await q(MESSAGE_SQL.claim, [record.id, lease.instanceId, lease.until(m.receivedAt)]);
  return { kind: 'existing', record };
}

export interface EventItem {
  readonly messageId: MessageId;
  readonly event: NewEvent;
}

/** `addEvent` for a batch: one statement to lock, one for every event and the states they move. */
export const eventGroup: WriteGroup<EventItem, void> = {
  async run(q, items) {
    const rows = await lockMessages(
      q,
      items.map((i) => i.messageId),
    );
    const states = new Map([...rows].map(([id, r]) => [id, r.state]));
    const moved = new Map<string, MessageState>();
    const { outcomes, accepted } = judgeEach(items, ({ messageId, event }) => {
      const current = states.get(messageId);
      if (current === undefined) return unknownMessage(messageId);
      const next = advance(current, event.state);
      states.set(messageId, next);
      if (next !== current) moved.set(messageId, next);
      return undefined;
    });
    if (accepted.length > 0) {
      const es = accepted.map((i) => i.event);
      await q(SQL.events, [
        accepted.map((i) => i.messageId),
        es.map((e) => e.state),
        es.map((e) => e.at),
        es.map((e) => e.detail ?? null),
        es.map((e) => e.endpointId ?? null),
        es.map((e) => e.code ?? null),
        [...moved.keys()],
        [...moved.values()],
      ]);
    }
    return outcomes;
  },
};

export interface CompleteItem {
  readonly messageId: MessageId;
  readonly completion: Completion;
}

/**
 * `complete` for a batch: lock, then the responses, the expected acks, and the final events with
 * the outcomes, one statement each (none for what no item has).
 */
export const completeGroup: WriteGroup<CompleteItem, void> = {
  async run(q, items) {
    const rows = await lockMessages(
      q,
      items.map((i) => i.messageId),
      SQL.lockAnswered,
    );
    // The state each accepted completion moves its message to, and when it completed it.
    const next = new Map<string, { state: MessageState; at: Date }>();
    const { outcomes, accepted } = judgeEach(items, ({ messageId, completion }) => {
      const refused = unfinished(rows, messageId, next.get(messageId)?.at);
      if (refused) return refused;
      const state = advance(rows.get(messageId)!.state, completion.state);
      next.set(messageId, { state, at: completion.at });
      return undefined;
    });
    if (accepted.length === 0) return outcomes;
    // Answers recorded before sending that the completion does not list were not sent (the
    // message failed after recording them): the completion's list is what the sender got.
    const answered = accepted.filter((i) => rows.get(i.messageId)!.answered === true);
    if (answered.length > 0) {
      await q(SQL.dropUnsent, [
        answered.map((i) => i.messageId),
        answered.flatMap((i) => i.completion.responses.map((r) => r.trackingId)),
      ]);
    }
    await insertResponses(
      q,
      accepted.map((i) => ({ messageId: i.messageId, responses: i.completion.responses })),
    );
    await insertExpectedAcks(q, accepted);
    const cs = accepted.map((i) => i.completion);
    await q(SQL.complete, [
      accepted.map((i) => i.messageId),
      cs.map((c): FinalState => c.state),
      cs.map((c) => c.at),
      cs.map((c) => c.detail ?? null),
      cs.map((c) => c.code ?? null),
      accepted.map((i) => next.get(i.messageId)!.state),
    ]);
    return outcomes;
  },
};

/**
 * Refuses a write to a message that is unknown or completed (`completedAt`: by an earlier item of
 * the same group, at that time); undefined when the message is there and unfinished.
 */
function unfinished(
  rows: ReadonlyMap<string, LockRow>,
  messageId: MessageId,
  completedAt?: Date,
): StoreError | undefined {
  const row = rows.get(messageId);
  if (!row) return unknownMessage(messageId);
  const at = row.completed_at ?? completedAt;
  if (at === undefined) return undefined;
  return new StoreError(
    'already-completed',
    `message ${messageId} was completed at ${at.toISOString()}`,
  );
}

export interface ResponsesItem {
  readonly messageId: MessageId;
  readonly responses: readonly RouterResponse[];
}

/**
 * recordAnswers (message-store.ts), a compare-and-set in the caller's transaction: the answers
 * are stored only when the message's recorded answers are still `expected` (their tracking ids);
 * either way, the answers it holds afterwards are returned.
 */
export async function recordAnswers(
  q: Query,
  messageId: MessageId,
  answers: readonly RouterResponse[],
  expected: readonly string[],
): Promise<readonly RouterResponse[]> {
  const rows = await lockMessages(q, [messageId]);
  const refused = unfinished(rows, messageId);
  if (refused) throw refused;
  const held = (await q<ResponseRow>(SQL.answers, [messageId])).map(toResponse);
  const heldIds = held.map((r) => r.trackingId);
  const same = heldIds.length === expected.length && heldIds.every((t) => expected.includes(t));
  if (!same) return held;
  if (heldIds.length > 0) await q(SQL.dropAnswers, [messageId]);
  await insertResponses(q, [{ messageId, responses: answers }]);
  return answers;
}

async function insertResponses(q: Query, items: readonly ResponsesItem[]): Promise<void> {
  const rows = items.flatMap((i) =>
    i.responses.map((r, position) => ({ id: i.messageId, position, r })),
  );
  if (rows.length === 0) return;
  await q(SQL.responses, [
    rows.map((x) => x.id),
    rows.map((x) => x.position),
    rows.map((x) => x.r.kind),
    rows.map((x) => x.r.trackingId),
    rows.map((x) => x.r.toEndpointId),
    rows.map((x) => x.r.service),
    rows.map((x) => x.r.addressee ?? null),
    rows.map((x) => x.r.xml),
  ]);
}

async function insertExpectedAcks(q: Query, items: readonly CompleteItem[]): Promise<void> {
  const rows = items.flatMap((i) =>
    (i.completion.expectedAcks ?? []).map((ack: ExpectedAck) => ({ id: i.messageId, ack })),
  );
  if (rows.length === 0) return;
  await q(SQL.expectedAcks, [
    rows.map((x) => x.id),
    rows.map((x) => x.ack.kind),
    rows.map((x) => x.ack.endpointId),
    rows.map((x) => x.ack.dueAt),
    rows.map((x) => settlingStates(x.ack.kind).join(',')),
  ]);
}
