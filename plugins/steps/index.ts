import type { DefinedStep } from '../define-step.js';
import clone from './clone.step.js';
import commitPush from './commit-push.step.js';
import implement from './implement.step.js';
import openPr from './open-pr.step.js';
import plan from './plan.step.js';
import postPushReview from './post-push-review.step.js';
import report from './report.step.js';
import setup from './setup.step.js';
import verify from './verify.step.js';

/** The built-in step modules by name; each lives in `plugins/steps/<name>.step.ts`. */
export const BUILT_IN_STEPS: readonly DefinedStep[] = [
  clone,
  setup,
  plan,
  implement,
  verify,
  commitPush,
  openPr,
  postPushReview,
  report,
];
