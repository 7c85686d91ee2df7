/**
 * One instance of each repeated text. Parsed records give every copy of a name its own string;
 * at millions of records, pointing equal copies at one instance halves what they hold.
 */

/** The instance `table` holds for `value`, which becomes the held one when it is new. */
export function share<T extends string>(table: Map<string, string>, value: T): T {
  const held = table.get(value);
  if (held !== undefined) return held as T;
  table.set(value, value);
  return value;
}
