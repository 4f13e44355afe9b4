/**
 * The routes the router runs with, swapped whole and atomically on reload: the route table and
 * the validator that knows the configured plan types. A message reads `current` once, at its
 * start, and keeps that snapshot to its end; JavaScript runs one message step at a time, so a
 * swap always falls between steps, never inside one.
 */
import type { Routes } from '../01-config/routes-config.js';
import type { Validator } from '../04-validation/create-validator.js';
import type { RouteTable } from './route-table.js';

export interface RoutesSnapshot {
  readonly routes: Routes;
  readonly table: RouteTable;
  readonly validator: Validator;
}

export class LiveRoutes {
  #current: RoutesSnapshot;

  constructor(initial: RoutesSnapshot) {
    this.#current = initial;
  }

  get current(): RoutesSnapshot {
    return this.#current;
  }

  /** Puts `next` in place and disposes the snapshot it replaces. */
  swap(next: RoutesSnapshot): RoutesSnapshot {
    const previous = this.#current;
    this.#current = next;
    previous.validator.dispose();
    return previous;
  }

  dispose(): void {
    this.#current.validator.dispose();
  }
}
