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
import type { PostgresConnection, Query } from './postgres-connection.js';

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
  plan: `SELECT ${PLAN_COLUMNS} FROM careplans WHERE plan_id = $1`,
  byPatient: `SELECT ${PLAN_COLUMNS} FROM careplans WHERE nhs_number = $1 AND ($2::text IS NULL OR plan_type = $2)
    ORDER BY last_updated DESC, plan_id`,
  versionOf: 'SELECT tracking_id FROM careplan_versions WHERE plan_id = $1 AND version = $2',
  insertPlan: `INSERT INTO careplans (plan_id, nhs_number, plan_type, status, title, owner_endpoint_id, owner_address,
      version, consent_to_share, shared_with, last_updated, closed)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)
    ON CONFLICT (plan_id) DO NOTHING`,
  updatePlan: `UPDATE careplans SET nhs_number = $2, plan_type = $3, status = $4, title = $5,
      owner_endpoint_id = $6, owner_address = $7, version = $8, consent_to_share = $9,
      shared_with = $10::jsonb, last_updated = $11, closed = $12
    WHERE plan_id = $1 AND version = $13`,
  /**
   * The new version, linked to the oldest pending proposal based on the version it replaces ($7),
   * in one round trip; returns that proposal's tracking id (NULL when none).
   */
  insertVersion: `INSERT INTO careplan_versions (plan_id, version, event, endpoint_id, tracking_id, update_tracking_id, at)
    VALUES ($1, $2, $3, $4, $5, (SELECT update_tracking_id FROM careplan_updates WHERE plan_id = $1 AND base_version = $7
    ORDER BY at, update_tracking_id LIMIT 1), $6) RETURNING update_tracking_id`,
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

export class PostgresCarePlanIndex implements CarePlanIndex {
  constructor(private readonly c: PostgresConnection) {}

  async getPlan(planId: string): Promise<PlanRecord | undefined> {
    const [row] = await this.c.query<PlanRow>(SQL.plan, [planId]);
    return row && toPlan(row);
  }

  async findPlans(nhsNumber: string, planType?: string): Promise<readonly PlanRecord[]> {
    return (await this.c.query<PlanRow>(SQL.byPatient, [nhsNumber, planType ?? null])).map(toPlan);
  }

  async applyChange(change: PlanChange): Promise<ApplyResult> {
    return this.c.write(async (q): Promise<ApplyResult> => {
      const { plan } = change;
      // A redelivery of a notification already applied, even if later versions followed it.
      if (await alreadyApplied(q, change)) return { applied: true, updateTrackingId: null };
      const values = [
        plan.planId,
        plan.nhsNumber,
        plan.planType,
        plan.status,
        plan.title,
        plan.ownerEndpointId,
        plan.ownerAddress,
        plan.version,
        plan.consentToShare,
        JSON.stringify(plan.sharedWith),
        plan.lastUpdated,
        change.event === 'closed',
      ];
      const result =
        change.expectedVersion === 0
          ? await q(`${SQL.insertPlan} RETURNING version`, values)
          : await q(`${SQL.updatePlan} RETURNING version`, [...values, change.expectedVersion]);
      if (result.length === 0) {
        // Another transaction got there first; if it applied this same notification (the same
        // message redelivered to another instance), that is success. Read committed: it is visible.
        if (await alreadyApplied(q, change)) return { applied: true, updateTrackingId: null };
        const [current] = await q<PlanRow>(SQL.plan, [plan.planId]);
        return { applied: false, current: current && toPlan(current) };
      }
      const [version] = await q<{ update_tracking_id: string | null }>(SQL.insertVersion, [
        plan.planId,
        plan.version,
        change.event,
        change.endpointId,
        change.trackingId,
        change.at,
        change.expectedVersion,
      ]);
      return { applied: true, updateTrackingId: version?.update_tracking_id ?? null };
    });
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
