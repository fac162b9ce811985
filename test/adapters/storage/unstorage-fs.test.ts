import { createUnstorageStorage } from '../../../adapters/storage/unstorage/unstorage.adapter.js';
import { storageContract } from '../../../testing/contracts/storage.contract.js';
import { tempDir } from './temp-dir.js';

storageContract(
  'unstorage fs',
  async (now) => {
    const dir = await tempDir();
    const open = () => createUnstorageStorage({ driver: 'fs', base: dir.path }, { now });
    return { storage: await open(), reopen: open, cleanup: dir.remove };
  },
  { durable: true },
);
