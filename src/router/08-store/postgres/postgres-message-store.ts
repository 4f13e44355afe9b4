/**
 * The PostgreSQL MessageStore. Each write joins the group commit of postgres-connection.ts: one
 * transaction for the writes asked for while the previous batch committed; begin, addEvent and
 * complete as write groups (postgres-message-groups.ts), sharing their statements in a batch.
 */
import { newMessageId } from '../message-ids.js';
import type {
  BeginResult,
  Completion,
  Correlation,
  IncomingMessage,
  MessageHistory,
  MessageId,
  MessageRecord,
  MessageStore,
  MessageStory,
  NewEvent,
  RouterResponse,
} from '../message-store.js';
import { readMigrations } from '../migration-files.js';
import { generationKeys } from '../replay-generations.js';
import { ProcessingLease, type LeaseOptions } from '../processing-lease.js';
import { isEventState, isFinalState } from '../states.js';
import { StoreError } from '../store-error.js';
import { PostgresAckExpectations, settleExpectedAcks } from './postgres-acks.js';
import { PostgresCarePlanIndex } from './postgres-careplan-index.js';
import type { PostgresConnection, WriteGroup } from './postgres-connection.js';
import {
  beginGroup,
  completeGroup,
  confirmedGroup,
  eventGroup,
  recordAnswers,
  type BeginItem,
} from './postgres-message-groups.js';
import type { SchemaStatus } from '../schema-status.js';
import { migratePostgres, postgresSchemaStatus } from './postgres-migrate.js';
import { PostgresReads } from './postgres-reads.js';
import { PostgresAuditLog } from './postgres-audit.js';
import { PostgresMessageQueries } from './postgres-queries.js';
import { PostgresRetention } from './postgres-retention.js';
import { idKey, idParam, toRecord, type MessageRow } from './postgres-rows.js';
import { LOCK_BY_TRACKING_ID, SQL } from './postgres-statements.js';
import { readStory } from './postgres-story.js';
import { PostgresWrites } from './postgres-writes.js';

const CORRELATION_STATES: readonly string[] = ['inf-acked', 'bus-acked', 'nacked', 'answered'];

export class PostgresMessageStore implements MessageStore {
  /** The care-plan index, in the same database. */
  readonly carePlans: PostgresCarePlanIndex;
  readonly acks: PostgresAckExpectations;
  readonly retention: PostgresRetention;
  readonly audit: PostgresAuditLog;
  readonly queries: PostgresMessageQueries;
  readonly #reads: PostgresReads;
  readonly #lease: ProcessingLease;
  readonly #begin: WriteGroup<BeginItem, BeginResult>;

  constructor(
    private readonly c: PostgresConnection,
    private readonly migrationsDir: string,
    private readonly schema: string | undefined,
    lease: LeaseOptions = {},
  ) {
    this.carePlans = new PostgresCarePlanIndex(c);
    this.acks = new PostgresAckExpectations(c);
    this.retention = new PostgresRetention(c);
    this.audit = new PostgresAuditLog(c);
    this.queries = new PostgresMessageQueries(c);
    this.#reads = new PostgresReads(c.query);
    this.#lease = new ProcessingLease(lease);
    this.#begin = beginGroup(this.#lease);
  }

  get instanceId(): string {
    return this.#lease.instanceId;
  }

  async migrate(onApplied?: (name: string, ms: number) => void): Promise<readonly string[]> {
    return migratePostgres(this.c, readMigrations(this.migrationsDir), this.schema, onApplied);
  }

  async schemaStatus(): Promise<SchemaStatus> {
    return postgresSchemaStatus(this.c, readMigrations(this.migrationsDir));
  }

  async begin(m: IncomingMessage): Promise<BeginResult> {
    return this.c.writeIn(this.#begin, { id: newMessageId(), message: m });
  }

  async addEvent(messageId: MessageId, event: NewEvent): Promise<void> {
    if (!isEventState(event.state)) throw invalid(`unknown event state ${String(event.state)}`);
    return this.c.writeIn(eventGroup, { messageId: idKey(messageId), event });
  }

  async confirmedDeliveries(messageId: MessageId): Promise<readonly string[]> {
    return this.c.readIn(confirmedGroup, idKey(messageId));
  }

  async complete(messageId: MessageId, completion: Completion): Promise<void> {
    if (!isFinalState(completion.state))
      throw invalid(`${String(completion.state)} is not a final state`);
    return this.c.writeIn(completeGroup, { messageId: idKey(messageId), completion });
  }

  async recordAnswers(
    messageId: MessageId,
    answers: readonly RouterResponse[],
    expected: readonly string[],
  ): Promise<readonly RouterResponse[]> {
    return this.c.write((q) => recordAnswers(q, idKey(messageId), answers, expected));
  }

  async responsesFor(messageId: MessageId): Promise<readonly RouterResponse[]> {
    return this.#reads.responses(messageId);
  }

  async originalBytes(messageId: MessageId): Promise<Buffer | undefined> {
    const [row] = await this.c.query<{ original: Buffer }>(SQL.original, [idParam(messageId)]);
    return row?.original;
  }

  async findByTrackingId(trackingId: string): Promise<readonly MessageHistory[]> {
    return this.c.read(async (q) => {
      const reads = new PostgresReads(q);
      const records = await reads.recordsByTrackingId(trackingId);
      const histories: MessageHistory[] = [];
      for (const r of records) histories.push(await reads.history(r));
      return histories;
    });
  }

  async correlate(originalTrackingId: string, c: Correlation): Promise<readonly MessageRecord[]> {
    if (!CORRELATION_STATES.includes(c.state))
      throw invalid(`${String(c.state)} is not a correlation state`);
    return this.c.write(async (q) => {
      const writes = new PostgresWrites(q);
      const reads = new PostgresReads(q);
      const keys = generationKeys(originalTrackingId); // replay generations too
      const originals = (await q<MessageRow>(LOCK_BY_TRACKING_ID, [keys]))
        .map(toRecord)
        .filter((r) => c.originalSender === undefined || r.senderEndpointId === c.originalSender);
      const updated: MessageRecord[] = [];
      for (const original of originals) {
        const same = await q(SQL.sameCorrelation, [original.id, c.state, c.ackTrackingId, c.by]);
        if (same.length === 0) {
          const event = {
            state: c.state,
            at: c.at,
            detail: c.detail,
            endpointId: c.by,
            code: c.code,
          };
          await writes.insertEvent(original.id, original.state, event, c.ackTrackingId);
          await settleExpectedAcks(q, original.id, c.state, c.by, c.at);
        }
        updated.push((await reads.recordById(original.id)) ?? original);
      }
      return updated;
    });
  }

  async track(trackingId: string): Promise<MessageStory | undefined> {
    return this.c.read((q) => readStory(new PostgresReads(q), trackingId));
  }

  async ping(): Promise<void> {
    await this.c.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.c.close();
  }
}

const invalid = (text: string): StoreError => new StoreError('invalid-argument', text);
