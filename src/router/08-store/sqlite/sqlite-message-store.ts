/**
 * The SQLite MessageStore. Each write joins the group commit of sqlite-connection.ts: one IMMEDIATE
 * transaction for the writes of one turn of the event loop.
 */
import { newMessageId } from '../message-ids.js';
import type Database from 'better-sqlite3';
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
import { ProcessingLease, type LeaseOptions } from '../processing-lease.js';
import { isEventState, isFinalState, type MessageState } from '../states.js';
import { StoreError } from '../store-error.js';
import { SqliteAckExpectations } from './sqlite-acks.js';
import { SqliteCarePlanIndex } from './sqlite-careplan-index.js';
import { SqliteConnection } from './sqlite-connection.js';
import type { SchemaStatus } from '../schema-status.js';
import { migrateSqlite, sqliteSchemaStatus } from './sqlite-migrate.js';
import { SqliteReads } from './sqlite-reads.js';
import { SqliteAuditLog } from './sqlite-audit.js';
import { SqliteMessageQueries } from './sqlite-queries.js';
import { SqliteRetention } from './sqlite-retention.js';
import { toText } from './sqlite-rows.js';
import { SQL } from './sqlite-statements.js';
import { readStory } from './sqlite-story.js';
import { SqliteWrites } from './sqlite-writes.js';

const CORRELATION_STATES: readonly string[] = ['inf-acked', 'bus-acked', 'nacked', 'answered'];

/** A message's row as complete and recordAnswers judge it (`answered`: holds responses, 0 or 1). */
interface CompletionRow {
  state: MessageState;
  completed_at: string | null;
  answered: number;
}

export class SqliteMessageStore implements MessageStore {
  readonly #c: SqliteConnection;
  /** The care-plan index, in the same database and transactions' connection. */
  readonly carePlans: SqliteCarePlanIndex;
  readonly acks: SqliteAckExpectations;
  readonly retention: SqliteRetention;
  readonly audit: SqliteAuditLog;
  readonly queries: SqliteMessageQueries;
  readonly #reads: SqliteReads;
  readonly #writes: SqliteWrites;
  readonly #lease: ProcessingLease;

  constructor(
    db: Database.Database,
    private readonly migrationsDir: string,
    lease: LeaseOptions = {},
  ) {
    this.#c = new SqliteConnection(db);
    this.carePlans = new SqliteCarePlanIndex(this.#c);
    this.acks = new SqliteAckExpectations(this.#c);
    this.retention = new SqliteRetention(this.#c);
    this.audit = new SqliteAuditLog(this.#c);
    this.queries = new SqliteMessageQueries(this.#c);
    this.#reads = new SqliteReads((sql) => this.#c.prepare(sql));
    this.#writes = new SqliteWrites((sql) => this.#c.prepare(sql));
    this.#lease = new ProcessingLease(lease);
  }

  get instanceId(): string {
    return this.#lease.instanceId;
  }

  async migrate(onApplied?: (name: string, ms: number) => void): Promise<readonly string[]> {
    return this.#c.run(() =>
      migrateSqlite(this.#c.db, readMigrations(this.migrationsDir), onApplied),
    );
  }

  async schemaStatus(): Promise<SchemaStatus> {
    return this.#c.run(() => sqliteSchemaStatus(this.#c.db, readMigrations(this.migrationsDir)));
  }

  async begin(m: IncomingMessage): Promise<BeginResult> {
    return this.#c.write((): BeginResult => {
      const id = newMessageId();
      const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      const inserted = this.#c.prepare(SQL.insertMessage).run({
        id,
        trackingId: m.trackingId,
        sender: m.senderEndpointId,
        brokerUser: m.brokerUser ?? null,
        service: m.service,
        interaction: m.interaction ?? null,
        senderAddress: m.senderAddress ?? null,
        receivedAt: toText(m.receivedAt),
        size: bytes.byteLength,
        original: bytes,
        claimedBy: this.#lease.instanceId,
        claimUntil: toText(this.#lease.until(m.receivedAt)),
      });
      if (inserted.changes === 0) {
        // Only a non-null sender can conflict: NULLs are distinct in the unique index.
        const record = this.#reads.recordByKey(m.senderEndpointId ?? '', m.trackingId);
        if (!record)
          throw new StoreError('failed', `insert of ${m.trackingId} ignored, no record found`);
        if (record.completedAt) return { kind: 'existing', record };
        const claim = this.#c
          .prepare(SQL.claimByKey)
          .get(m.senderEndpointId ?? '', m.trackingId) as
          { claimed_by: string | null; claim_until: string | null } | undefined;
        const until = claim?.claim_until ? new Date(claim.claim_until) : null;
        const heldBy = this.#lease.heldElsewhere(claim?.claimed_by ?? null, until, m.receivedAt);
        if (heldBy) return { kind: 'existing', record, heldBy };
        this.#c.prepare(SQL.claim).run({
          id: record.id,
          claimedBy: this.#lease.instanceId,
          claimUntil: toText(this.#lease.until(m.receivedAt)),
        });
        return { kind: 'existing', record };
      }
      this.#writes.insertEvent(id, 'received', { state: 'received', at: m.receivedAt });
      return { kind: 'new', id };
    });
  }

  async addEvent(messageId: MessageId, event: NewEvent): Promise<void> {
    if (!isEventState(event.state)) throw invalid(`unknown event state ${String(event.state)}`);
    return this.#c.write(() => {
      this.#writes.insertEvent(messageId, this.#writes.currentState(messageId), event);
    });
  }

  async confirmedDeliveries(messageId: MessageId): Promise<readonly string[]> {
    return this.#c.run(() =>
      (this.#c.prepare(SQL.confirmedDeliveries).all(messageId) as { e: string }[]).map((r) => r.e),
    );
  }

  async complete(messageId: MessageId, c: Completion): Promise<void> {
    if (!isFinalState(c.state)) throw invalid(`${String(c.state)} is not a final state`);
    return this.#c.write(() => {
      const row = this.#unfinished(messageId);
      // Recorded answers the completion does not list were never sent (recordAnswers).
      if (row.answered) {
        this.#c
          .prepare(SQL.dropUnsent)
          .run(messageId, JSON.stringify(c.responses.map((r) => r.trackingId)));
      }
      for (const r of c.responses) this.#writes.insertResponse(messageId, r);
      this.#writes.insertEvent(messageId, row.state, c);
      this.acks.record(messageId, c.expectedAcks);
      this.#c.prepare(SQL.setOutcome).run({ id: messageId, outcome: c.state, at: toText(c.at) });
    });
  }

  async recordAnswers(
    messageId: MessageId,
    answers: readonly RouterResponse[],
    expected: readonly string[],
  ): Promise<readonly RouterResponse[]> {
    return this.#c.write(() => {
      this.#unfinished(messageId);
      const held = this.#reads.responses(messageId).filter((r) => r.kind === 'response');
      const same =
        held.length === expected.length && held.every((r) => expected.includes(r.trackingId));
      if (!same) return held;
      this.#c.prepare(SQL.dropAnswers).run(messageId);
      for (const r of answers) this.#writes.insertResponse(messageId, r);
      return answers;
    });
  }

  /** The message's row, inside a write; refused when unknown or completed. */
  #unfinished(messageId: MessageId): CompletionRow {
    const row = this.#c.prepare(SQL.completion).get(messageId) as CompletionRow | undefined;
    if (!row) throw new StoreError('unknown-message', `no message with id ${messageId}`);
    if (row.completed_at !== null) {
      throw new StoreError(
        'already-completed',
        `message ${messageId} was completed at ${row.completed_at}`,
      );
    }
    return row;
  }

  async responsesFor(messageId: MessageId): Promise<readonly RouterResponse[]> {
    return this.#c.run(() => this.#reads.responses(messageId));
  }

  async originalBytes(messageId: MessageId): Promise<Buffer | undefined> {
    return this.#c.run(() => {
      const row = this.#c.prepare(SQL.original).get(messageId) as { original: Buffer } | undefined;
      return row?.original;
    });
  }

  async findByTrackingId(trackingId: string): Promise<readonly MessageHistory[]> {
    return this.#c.read(() =>
      this.#reads.recordsByTrackingId(trackingId).map((r) => this.#reads.history(r)),
    );
  }

  async correlate(originalTrackingId: string, c: Correlation): Promise<readonly MessageRecord[]> {
    if (!CORRELATION_STATES.includes(c.state))
      throw invalid(`${String(c.state)} is not a correlation state`);
    return this.#c.write(() =>
      this.#reads
        .recordsByTrackingId(originalTrackingId)
        .filter((r) => c.originalSender === undefined || r.senderEndpointId === c.originalSender)
        .map((original) => {
          const key = { id: original.id, state: c.state, ack: c.ackTrackingId, by: c.by };
          if (!this.#c.prepare(SQL.sameCorrelation).get(key)) {
            const event = {
              state: c.state,
              at: c.at,
              detail: c.detail,
              endpointId: c.by,
              code: c.code,
            };
            this.#writes.insertEvent(original.id, original.state, event, c.ackTrackingId);
            this.acks.settle(original.id, c.state, c.by, c.at);
          }
          return this.#reads.recordById(original.id) ?? original;
        }),
    );
  }

  async track(trackingId: string): Promise<MessageStory | undefined> {
    return this.#c.read(() => readStory(this.#reads, trackingId));
  }

  async ping(): Promise<void> {
    return this.#c.run(() => {
      this.#c.prepare('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    this.#c.close();
  }
}

const invalid = (text: string): StoreError => new StoreError('invalid-argument', text);
