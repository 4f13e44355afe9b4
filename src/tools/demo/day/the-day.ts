/**
 * The day the demo plays: the three parts of the care-plan guide (docs/care-plans.md) in five
 * scenes, in the order they happen.
 */
import { locate } from './locate.js';
import { pull } from './pull.js';
import { push } from './push.js';
import type { Scene } from './scene.js';
import { staleUpdate } from './stale-update.js';
import { update } from './update.js';

export type { DayContext, Scene } from './scene.js';

export const THE_DAY: readonly Scene[] = [push, locate, pull, update, staleUpdate];
