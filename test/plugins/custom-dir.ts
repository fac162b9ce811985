import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const ROOT = process.cwd();
/** Inside the repository (a dot-directory the architecture check skips), so custom steps resolve `zod`. */
const TMP = join(ROOT, 'test', 'plugins', '.tmp');

export interface CustomDir {
  path: string;
  /** The import specifier of plugins/define-step.js as seen from `custom/steps/`. */
  defineStepImport: string;
  write(file: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/** A fresh custom/ directory with the given files (paths relative to it). */
export async function customDir(files: Record<string, string> = {}): Promise<CustomDir> {
  const path = join(TMP, randomBytes(6).toString('hex'), 'custom');
  await mkdir(path, { recursive: true });
  const dir: CustomDir = {
    path,
    defineStepImport: relative(join(path, 'steps'), join(ROOT, 'plugins', 'define-step.js'))
      .split('\\')
      .join('/'),
    async write(file, content) {
      await mkdir(dirname(join(path, file)), { recursive: true });
      await writeFile(join(path, file), content);
    },
    remove: () => rm(dirname(path), { recursive: true, force: true }),
  };
  for (const [file, content] of Object.entries(files)) await dir.write(file, content);
  return dir;
}

/** Source of a custom step module. */
export function stepSource(dir: CustomDir, name: string, options: { needs?: string[]; body?: string } = {}): string {
  return `import { z } from 'zod';
import { defineStep } from '${dir.defineStepImport}';

export default defineStep({
  name: '${name}',
  needs: ${JSON.stringify(options.needs ?? [])},
  config: z.object({ level: z.number().int().default(1) }),
  async run(ctx, services, settings) {
    ${options.body ?? "return { status: 'succeeded', output: { level: settings.level } };"}
  },
});
`;
}
