/**
 * Plays the day scene by scene: tells the story, plays the scene, and waits until every message
 * it must cause has arrived (or the timeout passes, or the demo is interrupted). Stops at the
 * first scene whose messages do not all arrive: later scenes build on it. A system's trouble (its
 * connection lost) is reported at once; the day goes on, and says what then goes missing.
 */
import { describeArrival, nameOf, type DescribeContext } from './describe-arrival.js';
import { SceneWatch, type Expected } from './expectations.js';
import type { Journal } from './journal.js';
import type { Narrator } from './narrator.js';
import type { Arrival } from './read-arrival.js';
import type { DayContext, Scene } from './day/the-day.js';

export interface DayOutcome {
  /** Scenes that played as expected, from the first. */
  /** Scenes that played as expected, from the first. */
  readonly scenesPlayed: number;
  /** The index of the scene that did not play as expected, if one did not. */
  readonly failedScene?: number;
  readonly messages: number;
  /** What went wrong: missing messages, unexpected ones, the systems' problems. */
  readonly problems: readonly string[];
  readonly interrupted: boolean;
}

type Waited = 'done' | 'timeout' | 'aborted';

/** Waits for `done`, at most `ms`; the timer is cleared either way. */
function waitAtMost(done: Promise<void>, ms: number, signal?: AbortSignal): Promise<Waited> {
  return new Promise((resolve) => {
    const finish = (how: Waited) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onAbort = () => finish('aborted');
    const timer = setTimeout(() => finish('timeout'), ms);
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) onAbort();
    void done.then(() => finish('done'));
  });
}

export class DayPlayer {
  private watch: SceneWatch | undefined;
  private messages = 0;
  private readonly problems: string[] = [];

  constructor(
    private readonly narrator: Narrator,
    private readonly describe: DescribeContext,
    private readonly journal: Journal,
    private readonly day: DayContext,
  ) {}

  /** Every arrival at every simulated system comes here, before the system answers it. */
  readonly arrived = (a: Arrival): void => {
    this.messages++;
    const told = describeArrival(a, this.describe);
    const expected = this.watch?.offer(a) ?? false;
    this.narrator.arrival(this.day.clock.label, told, !expected);
    if (!expected)
      this.problems.push(`unexpected at ${this.day.clock.label}: ${told.who}: ${told.meaning}`);
  };

  readonly trouble = (text: string): void => {
    this.problems.push(text);
    this.narrator.problem(text);
  };

  private missing(scene: Scene, e: Expected): string {
    const { table } = this.describe;
    return `missing at ${scene.time} (${scene.title}): ${e.what}, ${nameOf(table, e.from)} → ${nameOf(table, e.to)} (${e.kind})`;
  }

  /** Plays the scenes, `pauseMs` apart; stops at the first whose messages do not all arrive. */
  async play(
    scenes: readonly Scene[],
    timeoutMs: number,
    pauseMs: number,
    signal?: AbortSignal,
  ): Promise<DayOutcome> {
    let played = 0;
    let interrupted = false;
    let failed: number | undefined;
    for (const scene of scenes) {
      if (played > 0 && pauseMs > 0)
        await waitAtMost(new Promise(() => undefined), pauseMs, signal);
      if (signal?.aborted) break;
      this.day.clock.set(scene.time);
      this.narrator.scene(scene.time, scene.title, scene.story);
      const watch = new SceneWatch(scene.expect(), this.journal);
      this.watch = watch;
      try {
        await scene.play(this.day);
      } catch (err) {
        if (signal?.aborted) {
          interrupted = true;
          break;
        }
        this.trouble(`${scene.time} ${scene.title}: ${(err as Error).message}`);
        failed = played;
        break;
      }
      const how = await waitAtMost(watch.done, timeoutMs, signal);
      if (how === 'aborted') {
        interrupted = true;
        break;
      }
      if (how === 'timeout') {
        for (const e of watch.missing) this.problems.push(this.missing(scene, e));
        failed = played;
        break;
      }
      played++;
    }
    if (!interrupted && signal?.aborted) interrupted = true;
    // Anything arriving late, or more than once, shows up now.
    if (!interrupted && this.problems.length === 0) {
      this.watch = new SceneWatch([], this.journal);
      await waitAtMost(new Promise(() => undefined), 300, signal);
    }
    return {
      scenesPlayed: played,
      messages: this.messages,
      problems: this.problems,
      interrupted,
      ...(failed !== undefined ? { failedScene: failed } : {}),
    };
  }
}
