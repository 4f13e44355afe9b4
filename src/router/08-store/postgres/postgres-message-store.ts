/**
 * The PostgreSQL MessageStore. Each write joins the group commit of postgres-connection.ts: one
 * transaction for the writes asked for while the previous batch committed.
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
import { advance, isEventState, isFinalState, type MessageState } from '../states.js';
import { StoreError } from '../store-error.js';
import {
  PostgresAckExpectations,
  recordExpectedAcks,
  settleExpectedAcks,
} from './postgres-acks.js';
import { PostgresCarePlanIndex } from './postgres-careplan-index.js';
import type { PostgresConnection } from './postgres-connection.js';
import type { SchemaStatus } from '../schema-status.js';
import { migratePostgres, postgresSchemaStatus } from './postgres-migrate.js';
import { PostgresReads } from './postgres-reads.js';
import { PostgresAuditLog } from './postgres-audit.js';
import { PostgresMessageQueries } from './postgres-queries.js';
import { PostgresRetention } from './postgres-retention.js';
import { idParam, toRecord, type ClaimRow, type MessageRow } from './postgres-rows.js';
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
    return this.c.write(async (q): Promise<BeginResult> => {
      const id = newMessageId();
      const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      const inserted = await q(SQL.beginMessage, [
        id,
        m.trackingId,
        m.senderEndpointId,
        m.brokerUser ?? null,
        m.service,
        m.interaction ?? null,
        m.senderAddress ?? null,
        m.receivedAt,
        bytes.byteLength,
        bytes,
        this.#lease.instanceId,
        this.#lease.until(m.receivedAt),
      ]);
      if (inserted.length === 0) {
        // Only a non-null sender can conflict: NULLs are distinct in the unique index. Read
        // committed: the conflicting row is committed, so this statement sees it. The row lock
        // makes instances that find an expired claim at once take it over one after another.
        const [row] = await q<MessageRow & ClaimRow>(SQL.lockByKey, [
          m.senderEndpointId ?? '',
          m.trackingId,
        ]);
        if (!row)
          throw new StoreError('failed', `insert of ${m.trackingId} ignored, no record found`);
        const record = toRecord(row);
        if (record.completedAt) return { kind: 'existing', record };
        const heldBy = this.#lease.heldElsewhere(row.claimed_by, row.claim_until, m.receivedAt);
        if (heldBy) return { kind: 'existing', record, heldBy };
        await q(SQL.claim, [record.id, this.#lease.instanceId, this.#lease.until(m.receivedAt)]);
        return { kind: 'existing', record };
      }
      return { kind: 'new', id };
    });
  }

  async addEvent(messageId: MessageId, event: NewEvent): Promise<void> {
    if (!isEventState(event.state)) throw invalid(`unknown event state ${String(event.state)}`);
    return this.c.write(async (q) => {
      const writes = new PostgresWrites(q);
      await writes.insertEvent(messageId, await writes.lockState(messageId), event);
    });
  }

  async confirmedDeliveries(messageId: MessageId): Promise<readonly string[]> {
    const rows = await this.c.query<{ e: string }>(SQL.confirmedDeliveries, [idParam(messageId)]);
    return rows.map((r) => r.e);
  }

  async complete(messageId: MessageId, c: Completion): Promise<void> {
    if (!isFinalState(c.state)) throw invalid(`${String(c.state)} is not a final state`);
    return this.c.write(async (q) => {
      const [row] = await q<{ state: MessageState; completed_at: Date | null }>(
        SQL.lockCompletion,
        [idParam(messageId)],
      );
      if (!row) throw new StoreError('unknown-message', `no message with id ${messageId}`);
      if (row.completed_at !== null) {
        throw new StoreError(
          'already-completed',
          `message ${messageId} was completed at ${row.completed_at.toISOString()}`,
        );
      }
      // Three round trips for a message with responses and expected acks, one without.
      await new PostgresWrites(q).insertResponses(messageId, c.responses);
      await recordExpectedAcks(q, messageId, c.expectedAcks);
      await q(SQL.completeWithEvent, [
        messageId,
        c.state,
        c.at,
        c.detail ?? null,
        null, // a completion concerns no one end point
        c.code ?? null,
        advance(row.state, c.state),
      ]);
    });
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
