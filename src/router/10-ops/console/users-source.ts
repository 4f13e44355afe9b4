/**
 * The users as the running router sees them: the users file, read again whenever it changes
 * (a `stat` per request; `itk-router users` renames a new file over it), so a user removed from
 * the shell loses their sessions and tokens at the next request. A file that cannot be read is
 * not guessed around: nobody is let in until it is fixed (fail closed), and the reason is kept.
 */
import fs from 'node:fs';
import { readUsersFile, type ConsoleUser } from './users-file.js';

export interface UsersView {
  readonly users: readonly ConsoleUser[];
  /** Why the file was refused, when it was (then `users` is empty). */
  readonly problem?: string;
}

export class UsersSource {
  #stamp = '';
  #view: UsersView = { users: [] };

  constructor(
    readonly file: string,
    private readonly onProblem: (problem: string) => void = () => undefined,
  ) {}

  current(): UsersView {
    let stamp: string;
    try {
      const s = fs.statSync(this.file);
      stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp !== this.#stamp) {
      this.#stamp = stamp;
      try {
        this.#view = { users: readUsersFile(this.file) };
      } catch (err) {
        this.#view = { users: [], problem: (err as Error).message };
        this.onProblem((err as Error).message);
      }
    }
    return this.#view;
  }

  find(name: string): ConsoleUser | undefined {
    return this.current().users.find((u) => u.name === name);
  }
}
