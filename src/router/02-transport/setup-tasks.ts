/** The named setup tasks of a connection, and which connection each last ran on. */
import type { ChannelModel } from 'amqplib';
import type { SetupTask } from './connection-options.js';

interface Entry {
  readonly name: string;
  readonly task: SetupTask;
  lastModel?: ChannelModel;
}

export class SetupTasks {
  readonly #entries: Entry[] = [];

  add(name: string, task: SetupTask): void {
    if (this.#entries.some((e) => e.name === name))
      throw new Error(`setup task ${name} already registered`);
    this.#entries.push({ name, task });
  }

  remove(name: string): void {
    const index = this.#entries.findIndex((e) => e.name === name);
    if (index >= 0) this.#entries.splice(index, 1);
  }

  /** Runs one task on `model`. */
  async run(name: string, model: ChannelModel): Promise<void> {
    const entry = this.#entries.find((e) => e.name === name);
    if (!entry) return;
    entry.lastModel = model;
    await entry.task(model);
  }

  /** Runs, in order, every task not yet run on `model`, including any added meanwhile. */
  async runAll(model: ChannelModel): Promise<void> {
    for (let i = 0; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.lastModel === model) continue;
      entry.lastModel = model;
      await entry.task(model);
    }
  }
}
