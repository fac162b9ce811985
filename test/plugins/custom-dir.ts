import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Inside the repository by default (a dot-directory the architecture check skips): under
 * vitest, whose resolver knows no Node hooks, `ai-implement/plugins` resolves there by the
 * package's self-reference. `outside` puts it in the OS temp dir, as an operator's would be,
 * for tests that run the loader in a child process the way the CLI runs it.
 */
const TMP = join(process.cwd(), 'test', 'plugins', '.tmp');

export interface CustomDir {
  path: string;
  write(file: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/** A fresh custom/ directory with the given files (paths relative to it). */
export async function customDir(files: Record<string, string> = {}, options: { outside?: boolean } = {}): Promise<CustomDir> {
  const root = options.outside
    ? await mkdtemp(join(tmpdir(), 'ai-implement-custom-'))
    : join(TMP, randomBytes(6).toString('hex'));
  const path = join(root, 'custom');
  await mkdir(path, { recursive: true });
  const dir: CustomDir = {
    path,
    async write(file, content) {
      await mkdir(dirname(join(path, file)), { recursive: true });
      await writeFile(join(path, file), content);
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const [file, content] of Object.entries(files)) await dir.write(file, content);
  return dir;
}

/** Source of a custom step module, written as an operator would: against `ai-implement/plugins`. */
export function stepSource(name: string, options: { needs?: string[]; provides?: string; body?: string } = {}): string {
  return `import { defineStep, z } from 'ai-implement/plugins';

export default defineStep({
  name: '${name}',
  needs: ${JSON.stringify(options.needs ?? [])},
  ${options.provides ? `provides: ${options.provides},` : ''}
  config: z.object({ level: z.number().int().default(1) }),
  async run(ctx, services, settings) {
    ${options.body ?? "return { status: 'succeeded', output: { level: settings.level } };"}
  },
});
`;
}
