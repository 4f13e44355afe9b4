/**
 * The care-plan index on PostgreSQL: reads, and the compare-and-set that applies a notification.
 * The compare-and-set holds across router instances: a new plan is an INSERT … ON CONFLICT DO
 * NOTHING, a new version an UPDATE … WHERE version = expected; of two instances applying the same
 * version at once, the second waits on the first's row lock, then finds the version moved on.
 */
import type {
  ApplyResult,
  CarePlanIndex,
  PlanChange,
  PlanRecord,
  PlanVersion,
} from '../../06-careplans/careplan-index.js';
import type {
  ItemOutcome,
  PostgresConnection,
  Query,
  ReadGroup,
  WriteGroup,
} from './postgres-connection.js';

interface PlanRow {
  plan_id: string;
  nhs_number: string;
  plan_type: string;
  status: string;
  title: string;
  owner_endpoint_id: string;
  owner_address: string;
  version: number;
  consent_to_share: boolean;
  shared_with: string[];
  last_updated: string;
  closed: boolean;
}

interface VersionRow {
  version: number;
  event: string;
  endpoint_id: string;
  tracking_id: string;
  update_tracking_id: string | null;
  at: Date;
}

const PLAN_COLUMNS =
  'plan_id, nhs_number, plan_type, status, title, owner_endpoint_id, owner_address, version, ' +
  'consent_to_share, shared_with, last_updated, closed';

const SQL = {
  byPatient: `SELECT ${PLAN_COLUMNS} FROM careplans WHERE nhs_number = $1 AND ($2::text IS NULL OR plan_type = $2)
    ORDER BY last_updated DESC, plan_id`,
  versionOf: 'SELECT tracking_id FROM careplan_versions WHERE plan_id = $1 AND version = $2',
  /** The versions (plan, version) pairs name, where the index holds them. */
  versionsOf: `SELECT v.plan_id, v.version, v.tracking_id FROM careplan_versions v
    JOIN unnest($1::text[], $2::int[]) AS x(plan_id, version) ON v.plan_id = x.plan_id AND v.version = x.version`,
  /** New plans, one element of each array per plan; the ids of those inserted come back. */
  insertPlans: `INSERT INTO careplans (plan_id, nhs_number, plan_type, status, title, owner_endpoint_id, owner_address,
      version, consent_to_share, shared_with, last_updated, closed)
    SELECT x.plan_id, x.nhs_number, x.plan_type, x.status, x.title, x.owner_endpoint_id, x.owner_address,
      x.version, x.consent_to_share, x.shared_with::jsonb, x.last_updated, x.closed
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
      $9::boolean[], $10::text[], $11::text[], $12::boolean[]) WITH ORDINALITY AS x(plan_id, nhs_number, plan_type,
      status, title, owner_endpoint_id, owner_address, version, consent_to_share, shared_with, last_updated, closed, ord)
    ORDER BY x.ord ON CONFLICT (plan_id) DO NOTHING RETURNING plan_id`,
  /** New versions of plans, each only where the index holds its expected version ($13). */
  updatePlans: `UPDATE careplans c SET nhs_number = x.nhs_number, plan_type = x.plan_type, status = x.status,
      title = x.title, owner_endpoint_id = x.owner_endpoint_id, owner_address = x.owner_address, version = x.version,
      consent_to_share = x.consent_to_share, shared_with = x.shared_with::jsonb, last_updated = x.last_updated,
      closed = x.closed
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
      $9::boolean[], $10::text[], $11::text[], $12::boolean[], $13::int[]) AS x(plan_id, nhs_number, plan_type,
      status, title, owner_endpoint_id, owner_address, version, consent_to_share, shared_with, last_updated, closed,
      expected)
    WHERE c.plan_id = x.plan_id AND c.version = x.expected RETURNING c.plan_id`,
  /**
   * The new versions, each linked to the oldest pending proposal based on the version it
   * replaces (`expected`); returns each plan's proposal tracking id (NULL when none).
   */
  insertVersions: `INSERT INTO careplan_versions (plan_id, version, event, endpoint_id, tracking_id, update_tracking_id, at)
    SELECT x.plan_id, x.version, x.event, x.endpoint_id, x.tracking_id, (SELECT u.update_tracking_id
      FROM careplan_updates u WHERE u.plan_id = x.plan_id AND u.base_version = x.expected
      ORDER BY u.at, u.update_tracking_id LIMIT 1), x.at
    FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::int[])
      WITH ORDINALITY AS x(plan_id, version, event, endpoint_id, tracking_id, at, expected, ord)
    ORDER BY x.ord RETURNING plan_id, update_tracking_id`,
  /** Plans by id. */
  plans: `SELECT ${PLAN_COLUMNS} FROM careplans WHERE plan_id = ANY($1::text[])`,
  deleteUpdate: `DELETE FROM careplan_updates WHERE update_tracking_id = $1 AND endpoint_id = $3
    AND plan_id IN (SELECT plan_id FROM careplans WHERE owner_endpoint_id = $2)`,
  insertUpdate: `INSERT INTO careplan_updates (update_tracking_id, plan_id, base_version, endpoint_id, at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (update_tracking_id) DO NOTHING`,
  history: `SELECT version, event, endpoint_id, tracking_id, update_tracking_id, at FROM careplan_versions
    WHERE plan_id = $1 ORDER BY version`,
};

const toPlan = (r: PlanRow): PlanRecord =>
  Object.freeze({
    planId: r.plan_id,
    nhsNumber: r.nhs_number,
    planType: r.plan_type,
    status: r.status,
    title: r.title,
    ownerEndpointId: r.owner_endpoint_id,
    ownerAddress: r.owner_address,
    version: r.version,
    consentToShare: r.consent_to_share,
    sharedWith: Object.freeze([...r.shared_with]),
    lastUpdated: r.last_updated,
    closed: r.closed,
  });

/** Whether the index already holds `version` of the plan from this very notification. */
const alreadyApplied = async (q: Query, change: PlanChange): Promise<boolean> => {
  const [row] = await q<{ tracking_id: string }>(SQL.versionOf, [
    change.plan.planId,
    change.plan.version,
  ]);
  return row?.tracking_id === change.trackingId;
};

/** The columns of each plan of a change, as arrays of one element per plan (insert and update). */
const planColumns = (changes: readonly PlanChange[]): unknown[][] => {
  const ps = changes.map((c) => c.plan);
  return [
    ps.map((p) => p.planId),
    ps.map((p) => p.nhsNumber),
    ps.map((p) => p.planType),
    ps.map((p) => p.status),
    ps.map((p) => p.title),
    ps.map((p) => p.ownerEndpointId),
    ps.map((p) => p.ownerAddress),
    ps.map((p) => p.version),
    ps.map((p) => p.consentToShare),
    ps.map((p) => JSON.stringify(p.sharedWith)),
    ps.map((p) => p.lastUpdated),
    changes.map((c) => c.event === 'closed'),
  ];
};

/** The plan ids a write returned, as a set. */
const idsOf = (rows: readonly { plan_id: string }[]): Set<string> =>
  new Set(rows.map((r) => r.plan_id));

/**
 * applyChange for every change of a batch (a write group, postgres-connection.ts): one read of
 * the redeliveries, one insert of the new plans, one update of the new versions, one insert of
 * the versions. A change that lost its compare-and-set is then judged alone; so is a second
 * change of a plan in the same batch, after the first (it may build on it).
 */
const applyGroup: WriteGroup<PlanChange, ApplyResult> = {
  async run(q, changes) {
    const results = new Array<ItemOutcome<ApplyResult>>(changes.length);
    const first = new Map<string, number>();
    const later: number[] = [];
    changes.forEach((c, i) => {
      if (first.has(c.plan.planId)) later.push(i);
      else first.set(c.plan.planId, i);
    });
    const firsts = [...first.values()].map((i) => ({ i, change: changes[i]! }));
    const applied = (i: number) =>
      (results[i] = { ok: true, value: { applied: true, updateTrackingId: null } });

    // A redelivery of a notification already applied, even if later versions followed it.
    const held = await q<{ plan_id: string; tracking_id: string }>(SQL.versionsOf, [
      firsts.map((x) => x.change.plan.planId),
      firsts.map((x) => x.change.plan.version),
    ]);
    const heldBy = new Map(held.map((r) => [r.plan_id, r.tracking_id]));
    const todo = firsts.filter((x) => {
      if (heldBy.get(x.change.plan.planId) !== x.change.trackingId) return true;
      applied(x.i);
      return false;
    });

    const created = todo.filter((x) => x.change.expectedVersion === 0);
    const moved = todo.filter((x) => x.change.expectedVersion !== 0);
    const won = new Set<string>();
    if (created.length > 0) {
      const cols = planColumns(created.map((x) => x.change));
      for (const id of idsOf(await q<{ plan_id: string }>(SQL.insertPlans, cols))) won.add(id);
    }
    if (moved.length > 0) {
      const changed = moved.map((x) => x.change);
      const cols = [...planColumns(changed), changed.map((c) => c.expectedVersion)];
      for (const id of idsOf(await q<{ plan_id: string }>(SQL.updatePlans, cols))) won.add(id);
    }

    const winners = todo.filter((x) => won.has(x.change.plan.planId)).map((x) => x.change);
    if (winners.length > 0) {
      const versions = await q<{ plan_id: string; update_tracking_id: string | null }>(
        SQL.insertVersions,
        [
          winners.map((c) => c.plan.planId),
          winners.map((c) => c.plan.version),
          winners.map((c) => c.event),
          winners.map((c) => c.endpointId),
          winners.map((c) => c.trackingId),
          winners.map((c) => c.at),
          winners.map((c) => c.expectedVersion),
        ],
      );
      const linked = new Map(versions.map((r) => [r.plan_id, r.update_tracking_id]));
      for (const x of todo) {
        if (!won.has(x.change.plan.planId)) continue;
        const updateTrackingId = linked.get(x.change.plan.planId) ?? null;
        results[x.i] = { ok: true, value: { applied: true, updateTrackingId } };
      }
    }
    for (const x of todo)
      if (!won.has(x.change.plan.planId)) results[x.i] = await lost(q, x.change);
    for (const i of later) results[i] = (await applyGroup.run(q, [changes[i]!]))[0]!;
    return results;
  },
};

/**
 * A change whose compare-and-set found another version: if another transaction applied this same
 * notification (the same message redelivered to another instance), that is success; otherwise
 * the plan as it is now. Read committed: what the other transaction committed is visible.
 */
async function lost(q: Query, change: PlanChange): Promise<ItemOutcome<ApplyResult>> {
  if (await alreadyApplied(q, change))
    return { ok: true, value: { applied: true, updateTrackingId: null } };
  const [current] = await q<PlanRow>(SQL.plans, [[change.plan.planId]]);
  return { ok: true, value: { applied: false, current: current && toPlan(current) } };
}

/** getPlan for every plan asked for in one turn: one statement. */
const plansGroup: ReadGroup<string, PlanRecord | undefined> = {
  async run(q, planIds) {
    const rows = await q<PlanRow>(SQL.plans, [[...new Set(planIds)]]);
    const byId = new Map(rows.map((r) => [r.plan_id, toPlan(r)]));
    return planIds.map((id) => byId.get(id));
  },
};

export class PostgresCarePlanIndex implements CarePlanIndex {
  constructor(private readonly c: PostgresConnection) {}

  async getPlan(planId: string): Promise<PlanRecord | undefined> {
    return this.c.readIn(plansGroup, planId);
  }

  async findPlans(nhsNumber: string, planType?: string): Promise<readonly PlanRecord[]> {
    return (await this.c.query<PlanRow>(SQL.byPatient, [nhsNumber, planType ?? null])).map(toPlan);
  }

  async applyChange(change: PlanChange): Promise<ApplyResult> {
    return this.c.writeIn(applyGroup, change);
  }

  async recordUpdateProposal(p: {
    updateTrackingId: string;
    planId: string;
    baseVersion: number;
    endpointId: string;
    at: Date;
  }): Promise<void> {
    await this.c.write((q) =>
      q(SQL.insertUpdate, [p.updateTrackingId, p.planId, p.baseVersion, p.endpointId, p.at]),
    );
  }

  async withdrawUpdateProposal(
    updateTrackingId: string,
    by: { readonly ownerEndpointId: string; readonly proposerEndpointId: string },
  ): Promise<void> {
    await this.c.write((q) =>
      q(SQL.deleteUpdate, [updateTrackingId, by.ownerEndpointId, by.proposerEndpointId]),
    );
  }

  async history(planId: string): Promise<readonly PlanVersion[]> {
    return (await this.c.query<VersionRow>(SQL.history, [planId])).map((r) =>
      Object.freeze({
        version: r.version,
        event: r.event,
        endpointId: r.endpoint_id,
        trackingId: r.tracking_id,
        updateTrackingId: r.update_tracking_id,
        at: r.at,
      }),
    );
  }
}
