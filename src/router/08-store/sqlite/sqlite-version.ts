/** The version of the SQLite library the SQLite store runs on (for evidence reports). */
export async function sqliteLibraryVersion(): Promise<string> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}
