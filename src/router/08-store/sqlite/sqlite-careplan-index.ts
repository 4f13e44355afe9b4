/** The care-plan index on SQLite: reads, and the compare-and-set that applies a notification. */
import type {
  ApplyResult,
  CarePlanIndex,
  PlanChange,
  PlanRecord,
  PlanVersion,
} from '../../06-careplans/careplan-index.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toText } from './sqlite-rows.js';

interface PlanRow {
  plan_id: string;
  nhs_number: string;
  plan_type: string;
  status: string;
  title: string;
  owner_endpoint_id: string;
  owner_address: string;
  version: number;
  consent_to_share: number;
  shared_with: string;
  last_updated: string;
  closed: number;
}

const SQL = {
  plan: 'SELECT * FROM careplans WHERE plan_id = ?',
  byPatient: 'SELECT * FROM careplans WHERE nhs_number = ? ORDER BY last_updated DESC, plan_id',
  byPatientType:
    'SELECT * FROM careplans WHERE nhs_number = ? AND plan_type = ? ORDER BY last_updated DESC, plan_id',
  versionOf: 'SELECT tracking_id FROM careplan_versions WHERE plan_id = ? AND version = ?',
  insertPlan: `INSERT INTO careplans (plan_id, nhs_number, plan_type, status, title, owner_endpoint_id, owner_address,
      version, consent_to_share, shared_with, last_updated, closed)
    VALUES (@planId, @nhsNumber, @planType, @status, @title, @ownerEndpointId, @ownerAddress, @version, @consent,
      @sharedWith, @lastUpdated, @closed)`,
  updatePlan: `UPDATE careplans SET nhs_number = @nhsNumber, plan_type = @planType, status = @status, title = @title,
      owner_endpoint_id = @ownerEndpointId, owner_address = @ownerAddress, version = @version,
      consent_to_share = @consent, shared_with = @sharedWith, last_updated = @lastUpdated, closed = @closed
    WHERE plan_id = @planId AND version = @expectedVersion`,
  pendingUpdate: `SELECT update_tracking_id FROM careplan_updates WHERE plan_id = ? AND base_version = ?
    ORDER BY at, update_tracking_id LIMIT 1`,
  insertVersion: `INSERT INTO careplan_versions (plan_id, version, event, endpoint_id, tracking_id, update_tracking_id, at)
    VALUES (@planId, @version, @event, @endpointId, @trackingId, @updateTrackingId, @at)`,
  insertUpdate: `INSERT OR IGNORE INTO careplan_updates (update_tracking_id, plan_id, base_version, endpoint_id, at)
    VALUES (@updateTrackingId, @planId, @baseVersion, @endpointId, @at)`,
  history: 'SELECT * FROM careplan_versions WHERE plan_id = ? ORDER BY version',
  deleteUpdate: `DELETE FROM careplan_updates WHERE update_tracking_id = @updateTrackingId
    AND endpoint_id = @proposer
    AND plan_id IN (SELECT plan_id FROM careplans WHERE owner_endpoint_id = @owner)`,
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
    consentToShare: r.consent_to_share === 1,
    sharedWith: Object.freeze(JSON.parse(r.shared_with) as string[]),
    lastUpdated: r.last_updated,
    closed: r.closed === 1,
  });

export class SqliteCarePlanIndex implements CarePlanIndex {
  constructor(private readonly c: SqliteConnection) {}

  async getPlan(planId: string): Promise<PlanRecord | undefined> {
    return this.c.run(() => {
      const row = this.c.prepare(SQL.plan).get(planId) as PlanRow | undefined;
      return row ? toPlan(row) : undefined;
    });
  }

  async findPlans(nhsNumber: string, planType?: string): Promise<readonly PlanRecord[]> {
    return this.c.run(() =>
      (planType
        ? (this.c.prepare(SQL.byPatientType).all(nhsNumber, planType) as PlanRow[])
        : (this.c.prepare(SQL.byPatient).all(nhsNumber) as PlanRow[])
      ).map(toPlan),
    );
  }

  async applyChange(change: PlanChange): Promise<ApplyResult> {
    return this.c.write((): ApplyResult => {
      const { plan } = change;
      const already = this.c.prepare(SQL.versionOf).get(plan.planId, plan.version) as
        { tracking_id: string } | undefined;
      if (already?.tracking_id === change.trackingId)
        return { applied: true, updateTrackingId: null };
      const row = {
        ...plan,
        consent: plan.consentToShare ? 1 : 0,
        sharedWith: JSON.stringify(plan.sharedWith),
        closed: change.event === 'closed' ? 1 : 0,
        expectedVersion: change.expectedVersion,
      };
      const changed =
        change.expectedVersion === 0
          ? this.c.prepare(SQL.insertPlan.replace('INSERT', 'INSERT OR IGNORE')).run(row).changes
          : this.c.prepare(SQL.updatePlan).run(row).changes;
      if (changed === 0) {
        const current = this.c.prepare(SQL.plan).get(plan.planId) as PlanRow | undefined;
        return { applied: false, current: current ? toPlan(current) : undefined };
      }
      const pending = this.c.prepare(SQL.pendingUpdate).get(plan.planId, change.expectedVersion) as
        { update_tracking_id: string } | undefined;
      const updateTrackingId = pending?.update_tracking_id ?? null;
      this.c.prepare(SQL.insertVersion).run({
        planId: plan.planId,
        version: plan.version,
        event: change.event,
        endpointId: change.endpointId,
        trackingId: change.trackingId,
        updateTrackingId,
        at: toText(change.at),
      });
      return { applied: true, updateTrackingId };
    });
  }

  async recordUpdateProposal(p: {
    updateTrackingId: string;
    planId: string;
    baseVersion: number;
    endpointId: string;
    at: Date;
  }): Promise<void> {
    return this.c.write(() => {
      this.c.prepare(SQL.insertUpdate).run({ ...p, at: toText(p.at) });
    });
  }

  async withdrawUpdateProposal(
    updateTrackingId: string,
    by: { readonly ownerEndpointId: string; readonly proposerEndpointId: string },
  ): Promise<void> {
    return this.c.write(() => {
      this.c.prepare(SQL.deleteUpdate).run({
        updateTrackingId,
        owner: by.ownerEndpointId,
        proposer: by.proposerEndpointId,
      });
    });
  }

  async history(planId: string): Promise<readonly PlanVersion[]> {
    return this.c.run(() =>
      (
        this.c.prepare(SQL.history).all(planId) as {
          version: number;
          event: string;
          endpoint_id: string;
          tracking_id: string;
          update_tracking_id: string | null;
          at: string;
        }[]
      ).map((r) =>
        Object.freeze({
          version: r.version,
          event: r.event,
          endpointId: r.endpoint_id,
          trackingId: r.tracking_id,
          updateTrackingId: r.update_tracking_id,
          at: new Date(r.at),
        }),
      ),
    );
  }
}
