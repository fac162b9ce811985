import { createHash, randomBytes } from 'node:crypto';

/**
 * The state behind the fake Machines API: apps, their machines and their secrets. Shapes follow
 * Fly's published OpenAPI description (`Machine`, `fly.MachineConfig`, `AppSecret`).
 */
export type MachineState = 'created' | 'starting' | 'started' | 'stopping' | 'stopped' | 'destroying' | 'destroyed';

export interface FakeMachine {
  id: string;
  name: string;
  state: MachineState;
  region: string;
  instance_id: string;
  private_ip: string;
  config: Record<string, unknown> & { metadata?: Record<string, string>; auto_destroy?: boolean };
  image_ref: { registry: string; repository: string; tag: string; digest: string };
  created_at: string;
  updated_at: string;
}

export interface FakeSecret {
  name: string;
  value: string;
  digest: string;
  created_at: string;
  updated_at: string;
}

export interface FakeApp {
  name: string;
  machines: Map<string, FakeMachine>;
  secrets: Map<string, FakeSecret>;
  secretsVersion: number;
}

/** How a created machine moves on: at once to `started`, or one step per `tick()`. */
export type Progression = 'immediate' | 'manual';

const NEXT: Partial<Record<MachineState, MachineState>> = {
  created: 'starting',
  starting: 'started',
  stopping: 'stopped',
  destroying: 'destroyed',
};

export function newMachineId(): string {
  return randomBytes(7).toString('hex');
}

function ulid(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return Array.from(randomBytes(26), (byte) => alphabet[byte % 32]).join('');
}

export function secretDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export function newMachine(input: {
  name?: string;
  region?: string;
  config: FakeMachine['config'];
  state?: MachineState;
  at: string;
}): FakeMachine {
  const id = newMachineId();
  const image = String(input.config.image ?? '');
  const [repository = image, tag = 'latest'] = image.split(':');
  return {
    id,
    name: input.name ?? `machine-${id.slice(0, 6)}`,
    state: input.state ?? 'created',
    region: input.region ?? 'iad',
    instance_id: ulid(),
    private_ip: `fdaa:0:1:a7b:${id.slice(0, 4)}::2`,
    config: input.config,
    image_ref: { registry: 'registry.fly.io', repository, tag, digest: `sha256:${secretDigest(image)}` },
    created_at: input.at,
    updated_at: input.at,
  };
}

/** One step of the lifecycle; a stopped machine with `auto_destroy` goes on to `destroyed`. */
export function advance(machine: FakeMachine, at: string): void {
  const next = NEXT[machine.state];
  if (next) {
    machine.state = next;
    machine.updated_at = at;
  }
  if (machine.state === 'stopped' && machine.config.auto_destroy) machine.state = 'destroyed';
}

/** Runs a machine through every step until it rests. */
export function settle(machine: FakeMachine, at: string): void {
  let before: MachineState;
  do {
    before = machine.state;
    advance(machine, at);
  } while (machine.state !== before);
}
