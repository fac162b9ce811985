/** The environment a session is started with, at its least: the run's settings and credentials (test values). */
export const SESSION_RUN_ENV = {
  AI_IMPLEMENT_JOB_ID: 'job-1',
  AI_IMPLEMENT_PHASE: 'implementation',
  AI_IMPLEMENT_ISSUE: 'ENG-7',
  AI_IMPLEMENT_CALLBACK_URL: 'https://orchestrator.example/',
  AI_IMPLEMENT_RESULT_TOKEN: 'ait1.result.sig',
  AI_IMPLEMENT_PROGRESS_TOKEN: 'ait1.progress.sig',
  AI_IMPLEMENT_NONCE: 'nonce-123456',
  AI_IMPLEMENT_OWNER: 'acme',
  AI_IMPLEMENT_REPO: 'app',
};
