/**
 * Small wrappers around the pipeline's dependencies, for the self-test's deliberately faulty
 * routers (router-faults.ts): each replaces one method and passes everything else through.
 * Used by nothing but `itk-router harness selftest`.
 */
import type { Publisher } from '../../../router/07-delivery/outbound.js';
import type { PipelineDeps } from '../../../router/09-pipeline/handle-message.js';
import type { RouteTable } from '../../../router/05-routing/index.js';
import type { MessageStore } from '../../../router/08-store/message-store.js';
import type { PublishProperties } from '../../../router/02-transport/publish-properties.js';
import type { Validator } from '../../../router/04-validation/create-validator.js';
import type { ValidationResult } from '../../../router/04-validation/validator.js';

/** One publish the pipeline asked for. */
export interface Publish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly properties: PublishProperties;
}

/** Whether a publish is a delivery of a received message (not one the router wrote itself). */
export const isDelivery = (deps: PipelineDeps, p: Publish): boolean =>
  p.exchange === deps.names.deliverExchange && p.properties.headers?.['itk-sender'] !== 'router';

/** The deps with every publish going through `publish` (which may call the real one, `real`). */
export function withPublisher(
  deps: PipelineDeps,
  publish: (p: Publish, real: Publisher) => Promise<void>,
): PipelineDeps {
  const real = deps.publisher;
  return {
    ...deps,
    publisher: {
      publish: (exchange, routingKey, body, properties) =>
        publish({ exchange, routingKey, body, properties }, real),
    },
  };
}

/** The deps with the route table seen through `table` (the validator unchanged). */
export function withTable(deps: PipelineDeps, table: (t: RouteTable) => RouteTable): PipelineDeps {
  return {
    ...deps,
    routes: () => {
      const current = deps.routes();
      return { table: table(current.table), validator: current.validator };
    },
  };
}

/** The deps with every validation result passed through `result`. */
export function withValidation(
  deps: PipelineDeps,
  result: (r: ValidationResult) => ValidationResult,
): PipelineDeps {
  return {
    ...deps,
    routes: () => {
      const current = deps.routes();
      const v = current.validator;
      const validator: Validator = {
        validate: (bytes) => result(v.validate(bytes)),
        get schemaCount() {
          return v.schemaCount;
        },
        dispose: () => v.dispose(),
      };
      return { table: current.table, validator };
    },
  };
}

/** The deps with the store's methods overridden by `over` (the rest passed through). */
export function withStore(deps: PipelineDeps, over: Partial<MessageStore>): PipelineDeps {
  const real = deps.store;
  const store = new Proxy(real, {
    get(target, key) {
      if (Object.prototype.hasOwnProperty.call(over, key)) return over[key as keyof MessageStore];
      const value: unknown = Reflect.get(target, key);
      // methods of a class instance live on its prototype: keep them bound to the real store
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { ...deps, store };
}
