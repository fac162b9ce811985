import { generateKeyPairSync } from 'node:crypto';
import { renderWorkflowTemplates, WORKFLOW_INPUTS } from '../../../plugins/workflow-templates/workflow-templates.js';
import type { FakeGithub } from './fake-github.js';

export const OWNER = 'acme';
export const REPO = 'widgets';
export const TOKEN = 'ghp_fake_orchestrator_token';
export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
export const IMPLEMENT_FILE = 'claude-implement.yml';
export const PLAN_FILE = 'claude-plan.yml';

/** Everything a GitHub App with our needs is granted on an installation. */
export const APP_PERMISSIONS = {
  actions: 'write',
  contents: 'write',
  pull_requests: 'write',
  workflows: 'write',
  issues: 'write',
  metadata: 'read',
} as const;

/** An RSA key pair in the formats GitHub uses: PKCS#1 private key, SPKI public key. */
export function appKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/** The session bundle hash the seeded templates pin (a stand-in: nothing downloads it here). */
export const SEEDED_BUNDLE_SHA256 = 'b'.repeat(64);

/** The orchestrator's own templates, as sync-workflows would write them. */
export const templateFiles = (orchestratorUrl = 'http://127.0.0.1:4000') =>
  renderWorkflowTemplates(
    { workflowFile: IMPLEMENT_FILE, planningEnabled: true, planningWorkflowFile: PLAN_FILE, orchestratorUrl },
    { sessionBundleSha256: SEEDED_BUNDLE_SHA256 },
  );

/** acme/widgets on `main` with a README and the synced workflow templates. */
export function seedAcme(fake: FakeGithub, repo = REPO): void {
  const files: Record<string, string> = { 'README.md': '# widgets\n' };
  for (const f of templateFiles()) files[f.path] = f.content;
  fake.addRepo({ owner: OWNER, repo, files });
}

/** The inputs the implementation template requires, with `jobId` as its marker. */
export function dispatchInputs(jobId: string, issue = 'ENG-1'): Record<string, string> {
  return {
    [WORKFLOW_INPUTS.jobId]: jobId,
    [WORKFLOW_INPUTS.phase]: 'implementation',
    [WORKFLOW_INPUTS.issueIdentifier]: issue,
    [WORKFLOW_INPUTS.callbackUrl]: 'http://127.0.0.1:4000',
    [WORKFLOW_INPUTS.resultToken]: `result-${jobId}`,
    [WORKFLOW_INPUTS.progressToken]: `progress-${jobId}`,
    [WORKFLOW_INPUTS.nonce]: `nonce-${jobId}`,
  };
}
