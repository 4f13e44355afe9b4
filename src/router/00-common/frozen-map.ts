/** A Map that refuses changes, since Object.freeze alone does not stop `set`. */
const refuse = (): never => {
  throw new TypeError('this map is read-only');
};

/** Builds a Map from entries, then makes `set`, `delete` and `clear` throw. */
export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  for (const method of ['set', 'delete', 'clear']) {
    Object.defineProperty(map, method, { value: refuse, enumerable: false });
  }
  return Object.freeze(map);
}
