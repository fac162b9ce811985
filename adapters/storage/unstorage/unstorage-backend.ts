import type { Storage as KeyValueStore } from 'unstorage';
import type { DocumentBackend } from '../document/document-backend.js';
import { idOf, itemKey, tablePrefix } from './keys.js';

/** A stored value is wrapped so that unstorage's parsing never turns the string "123" into 123. */
interface Envelope<T> {
  v: T;
}

/**
 * One unstorage item per entry (`jobs:<id>`), so a listing is a key scan by prefix. A batch is
 * written item by item: on fs and redis a crash in the middle of a dispatch can leave part of
 * it (the mutex above still keeps every other caller of this process from seeing that).
 */
export function createUnstorageBackend(store: KeyValueStore): DocumentBackend {
  return {
    get: async (table, id) => (await store.getItem<Envelope<unknown>>(itemKey(table, id)))?.v,
    entries: async (table) => {
      const prefix = tablePrefix(table);
      const keys = (await store.getKeys(prefix)).filter((key) => idOf(key, prefix) !== undefined);
      if (keys.length === 0) return [];
      const items = await store.getItems(keys);
      return items.flatMap((item) => {
        const value = (item.value as Envelope<unknown> | null)?.v;
        const id = idOf(item.key, prefix);
        return value === undefined || id === undefined ? [] : [[id, value] as [string, unknown]];
      });
    },
    write: async (changes) => {
      for (const change of changes) {
        const key = itemKey(change.table, change.id);
        if (change.value === undefined) await store.removeItem(key);
        else await store.setItem(key, { v: change.value });
      }
    },
    collections: async () => {
      const names = (await store.getKeys('records')).flatMap((key) => {
        const [table, collection, id] = key.split(':');
        return table === 'records' && collection !== undefined && id !== undefined ? [decodeURIComponent(collection)] : [];
      });
      return [...new Set(names)];
    },
    isEmpty: async () => (await store.getKeys()).length === 0,
    // Without dispose an open redis connection (or fs watcher) keeps the process alive.
    close: () => store.dispose(),
  };
}
