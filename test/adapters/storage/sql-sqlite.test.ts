import { join } from 'node:path';
import { openSqliteStorage } from '../../../adapters/storage/sql/sql.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';
import { tempDir } from './temp-dir.js';

storageContract(
  'sql on sqlite',
  async (now) => {
    const dir = await tempDir();
    // A nested path: the adapter creates the directory the file lives in.
    const file = join(dir.path, 'data', 'ai-implement.db');
    // A twin is a second connection on the same file, as a second process would open.
    const open = () => openSqliteStorage(file, { now });
    return { storage: await open(), reopen: open, twin: open, cleanup: dir.remove };
  },
  { durable: true, shared: true },
);
