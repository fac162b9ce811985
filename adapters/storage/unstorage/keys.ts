/**
 * Where each item lives in the key-value store. unstorage rewrites keys (`/` and `\` become
 * `:`, anything after `?` is cut, `..` segments are refused, a trailing `$` hides a key from
 * listings), so every caller-given part is percent-encoded, dots and all, into one segment
 * that survives every driver: a file name on fs, a key on redis.
 */
export function segment(part: string): string {
  return encodeURIComponent(part).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const keys = {
  mappings: 'mappings',
  mapping: (teamKey: string) => `mappings:${segment(teamKey)}`,
  jobs: 'jobs',
  job: (id: string) => `jobs:${segment(id)}`,
  dedup: 'dedup',
  dedupEntry: (issueId: string) => `dedup:${segment(issueId)}`,
  setting: (key: string) => `settings:${segment(key)}`,
  records: (collection: string) => `records:${segment(collection)}`,
  record: (collection: string, id: string) => `records:${segment(collection)}:${segment(id)}`,
  claim: (key: string) => `claims:${segment(key)}`,
  dispatchLog: 'dispatch-log',
  recordLog: (stream: string) => `record-logs:${segment(stream)}`,
};
