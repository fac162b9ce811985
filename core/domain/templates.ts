/**
 * Workflow-template staleness (spec: `GET /api/admin/template-status`, "Stale workflow
 * templates in target repos"). Pure: the shell reads the files, this compares them.
 *
 * A file is `missing` when the repository lacks it, `current` when it is the expected text
 * (line endings and trailing blank space aside), and `stale` otherwise — an older template
 * version, a local edit, or an orchestrator URL that changed. The version marker line
 * (`# ai-implement-template: <version>`) is reported so the admin can say which version a
 * repository has; `null` when the file has none (it was not written by us).
 */

export interface TemplateFile {
  path: string;
  content: string;
}

export type TemplateFileStatus = 'current' | 'stale' | 'missing';

export interface TemplateStatusEntry {
  path: string;
  status: TemplateFileStatus;
  expectedVersion: string | null;
  /** Undefined when the file is missing. */
  actualVersion?: string | null;
}

const MARKER = /^#\s*ai-implement-template:\s*(\S+)\s*$/m;

export function templateVersion(content: string): string | null {
  return MARKER.exec(content)?.[1] ?? null;
}

const normalize = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');

export function templateStatus(
  expected: readonly TemplateFile[],
  actual: ReadonlyArray<{ path: string; content: string | undefined }>,
): TemplateStatusEntry[] {
  const found = new Map(actual.map((f) => [f.path, f.content]));
  return expected.map(({ path, content }) => {
    const expectedVersion = templateVersion(content);
    const have = found.get(path);
    if (have === undefined) return { path, status: 'missing', expectedVersion };
    const status = normalize(have) === normalize(content) ? 'current' : 'stale';
    return { path, status, expectedVersion, actualVersion: templateVersion(have) };
  });
}

/** One word for a repository: `missing` if any file is, else `stale` if any is, else `current`. */
export function overallTemplateStatus(entries: readonly TemplateStatusEntry[]): TemplateFileStatus {
  if (entries.some((e) => e.status === 'missing')) return 'missing';
  if (entries.some((e) => e.status === 'stale')) return 'stale';
  return 'current';
}
