import { createHash, type KeyObject, randomBytes } from 'node:crypto';

export type Permission = 'read' | 'write';
export type Permissions = Record<string, Permission>;

export interface Branch {
  sha: string;
  files: Map<string, string>;
}

export interface FakeRun {
  id: number;
  owner: string;
  repo: string;
  workflowPath: string;
  workflowName: string;
  displayTitle: string;
  headBranch: string;
  headSha: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  runNumber: number;
  inputs: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface FakePull {
  id: number;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  draft: boolean;
  state: 'open' | 'closed';
  /** Label names (a pull request can carry labels like an issue). */
  labels?: string[];
  mergedAt: number | null;
  closedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  body: string;
  user: string;
  createdAt: number;
  updatedAt: number;
}

/** An issue (never a pull request: those live in `pulls` and share the numbering). */
export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** Why it was closed: GitHub's `completed`, `not_planned` or `duplicate`. */
  stateReason: 'completed' | 'not_planned' | 'duplicate' | 'reopened' | null;
  /** Label names, in the order they were added. */
  labels: string[];
  /** The single-select option of the issue's `Priority` field (GitHub issue fields), if set. */
  priority?: string;
  comments: FakeComment[];
  /** Issue ids (`id`, not number) of the issues that block this one, in this or another repository. */
  blockedBy: number[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  branches: Map<string, Branch>;
  runs: FakeRun[];
  pulls: FakePull[];
  issues: FakeIssue[];
  /** Repository labels by lower-cased name (GitHub's label names are case-insensitive). */
  labels: Map<string, FakeLabel>;
  nextIssueNumber: number;
}

export interface FakeApp {
  appId: string;
  slug: string;
  publicKey: KeyObject;
}

export interface FakeInstallation {
  id: number;
  appId: string;
  account: string;
  /** `all` or the repository names the installation was granted. */
  repositories: 'all' | string[];
  permissions: Permissions;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  account: string;
  /** Lower-cased repository names the token may reach, or `all` of the installation's. */
  repositories: 'all' | string[];
  permissions: Permissions;
  expiresAt: number;
  /** The body of the request that minted it, as sent. */
  requested: unknown;
  /** Set by `DELETE /installation/token`: the token is refused from then on. */
  revoked?: boolean;
}

export const repoKey = (owner: string, repo: string) => `${owner}/${repo}`.toLowerCase();

/** Git's blob id: sha1 of `blob <length>\0<content>`, what the contents API calls `sha`. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export const randomSha = () => randomBytes(20).toString('hex');

/** Everything the fake remembers; plain maps, mutated by the routes and the test handle. */
export class GithubState {
  readonly repos = new Map<string, FakeRepo>();
  readonly tokens = new Set<string>();
  readonly apps = new Map<string, FakeApp>();
  readonly installations = new Map<number, FakeInstallation>();
  readonly issuedTokens = new Map<string, IssuedToken>();
  private nextId = 1000;

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  repo(owner: string, repo: string): FakeRepo | undefined {
    return this.repos.get(repoKey(owner, repo));
  }

  addRepo(owner: string, name: string, defaultBranch: string, files: Record<string, string>): FakeRepo {
    const repo: FakeRepo = {
      id: this.id(),
      owner,
      name,
      defaultBranch,
      private: true,
      branches: new Map([[defaultBranch, { sha: randomSha(), files: new Map(Object.entries(files)) }]]),
      runs: [],
      pulls: [],
      issues: [],
      labels: new Map(),
      nextIssueNumber: 1,
    };
    this.repos.set(repoKey(owner, name), repo);
    return repo;
  }

  /** The installation of `appId` that covers `owner/repo`, if any. */
  installationFor(appId: string, owner: string, repo: string): FakeInstallation | undefined {
    for (const inst of this.installations.values()) {
      if (inst.appId !== appId || inst.account.toLowerCase() !== owner.toLowerCase()) continue;
      if (inst.repositories === 'all' || inst.repositories.some((r) => r.toLowerCase() === repo.toLowerCase())) return inst;
    }
    return undefined;
  }

  /** The repository label named `name` (any case), created with GitHub's default colour when missing. */
  label(repo: FakeRepo, name: string): FakeLabel {
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: this.id(), name, color: 'ededed', description: null };
      repo.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  /** The issue with this id, in whatever repository it lives. */
  issueById(id: number): { repo: FakeRepo; issue: FakeIssue } | undefined {
    for (const repo of this.repos.values()) {
      const issue = repo.issues.find((i) => i.id === id);
      if (issue) return { repo, issue };
    }
    return undefined;
  }

  allRuns(): FakeRun[] {
    return [...this.repos.values()].flatMap((r) => r.runs);
  }
}
