import type { EventBus, OrchestratorEvent } from '../../ports/event-bus.port.js';

/**
 * In-process fan-out. Each listener is called in turn; one that throws (or rejects) is
 * reported through `onListenerError` and does not stop the others or the publisher.
 */
export function createInProcessEventBus(onListenerError: (error: unknown) => void = () => {}): EventBus {
  const listeners = new Set<(event: OrchestratorEvent) => void>();
  return {
    publish(event) {
      for (const listener of [...listeners]) {
        try {
          const result: unknown = listener(event);
          if (result instanceof Promise) result.catch(onListenerError);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
