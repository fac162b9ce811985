/**
 * `@linear/sdk` is 3.2 MB of JavaScript (its generated models and documents): loaded at the
 * first Linear request rather than at start, so a server with no Linear mapping never loads it
 * (start-up time and memory). Loaded once per process.
 */
import type * as LinearSdk from '@linear/sdk';

export type LinearSdkModule = typeof LinearSdk;

let loading: Promise<LinearSdkModule> | undefined;

export function loadLinearSdk(): Promise<LinearSdkModule> {
  loading ??= import('@linear/sdk');
  return loading;
}
