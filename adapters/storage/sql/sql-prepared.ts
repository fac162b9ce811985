/**
 * The hot SQL texts (those of every `/runner/progress` call and the other compiled-once
 * queries), run on PostgreSQL as named prepared statements: each connection parses and plans a
 * text once, where an unnamed statement is planned at every run (measured: planning was 150 µs
 * of a 190 µs batched point read). Only texts fixed by the code are named, so a connection
 * holds a bounded set of them; SQLite prepares its statements itself (sql-connect.ts).
 */
const names = new Map<string, string>();

/** Marks `text` as a hot statement and returns it unchanged. */
export function preparedOnServer(text: string): string {
  if (!names.has(text)) names.set(text, `ai_implement_${names.size + 1}`);
  return text;
}

/** The name `text` is prepared under, if it is a hot statement. */
export const preparedName = (text: string): string | undefined => names.get(text);
