import { renderWorkflowTemplates } from '../../../plugins/workflow-templates/workflow-templates.js';
import { type FakeGithub, startFakeGithub } from '../../../testing/fakes/github/fake-github.js';
import { OWNER, REPO, TOKEN } from '../../../testing/fakes/github/seed.js';

/** The workflow files `sampleLaunch`'s mapping names. */
export const IMPLEMENT_WORKFLOW = 'ai-implement.yml';
export const PLAN_WORKFLOW = 'ai-plan.yml';

/** A fake GitHub knowing TOKEN, whose OWNER/REPO holds our rendered workflow templates (planning on or off). */
export async function fakeGithubWithWorkflows(options: { planningEnabled: boolean }): Promise<FakeGithub> {
  const fake = await startFakeGithub();
  fake.addToken(TOKEN);
  const files: Record<string, string> = { 'README.md': '# widgets\n' };
  for (const f of renderWorkflowTemplates(
    {
      workflowFile: IMPLEMENT_WORKFLOW,
      planningEnabled: options.planningEnabled,
      planningWorkflowFile: PLAN_WORKFLOW,
      orchestratorUrl: 'http://127.0.0.1:4000',
    },
    { sessionBundleSha256: 'a'.repeat(64) },
  ))
    files[f.path] = f.content;
  fake.addRepo({ owner: OWNER, repo: REPO, files });
  return fake;
}
