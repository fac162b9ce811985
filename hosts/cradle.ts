import type { H3 } from 'h3';
import type { Clock } from '../ports/clock.port.js';
import type { EventBus } from '../ports/event-bus.port.js';
import type { Ids } from '../ports/ids.port.js';
import type { Storage } from '../ports/storage.port.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { AdminAuthService } from './services/admin-auth.service.js';
import type { MappingsService } from './services/mappings.service.js';

/**
 * Everything the container can resolve. Add a key here when registering a new service in
 * hosts/container.ts; route modules and services name the keys they need in their own
 * `XDeps` type instead of taking the whole cradle.
 */
export interface OrchestratorCradle {
  config: Config;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  storage: Storage;
  eventBus: EventBus;
  adminAuth: AdminAuthService;
  mappings: MappingsService;
  httpApp: H3;
}
