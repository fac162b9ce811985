import { join } from 'node:path';
import { createLowdbStorage } from '../../../adapters/storage/lowdb/lowdb.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';
import { tempDir } from './temp-dir.js';

storageContract(
  'lowdb',
  async (now) => {
    const dir = await tempDir();
    // A nested path: the adapter creates the directory the file lives in.
    const file = join(dir.path, 'data', 'ai-implement.json');
    const open = () => createLowdbStorage({ file, now });
    return { storage: await open(), reopen: open, cleanup: dir.remove };
  },
  { durable: true },
);
