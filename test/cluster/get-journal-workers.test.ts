import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetJournal, type JournalEntry } from '../../src/messages/get-journal.js';

/**
 * `serve --workers` on a SQLite file: every worker journals its answered Gets into the one `<db>.get-journal/`
 * folder. Journals opened together must each write segments of their own, or their records would interleave in one
 * file and two Gets would get the same message id (docs/several-nodes.md).
 */
const entry = (bodId: string): JournalEntry => ({
  service: 'InventoryServices', operation: 'GetInventoryAvailability', verb: 'Get', noun: 'InventoryAvailability', bodId, senderId: '', status: 'processed',
  requestXml: `<r>${bodId}</r>`, responseXml: `<a>${bodId}</a>`, error: null, receivedAt: Date.now(), answeredAt: Date.now(),
});

describe('Get journal shared by several processes (serve --workers on SQLite)', function () {
  it('journals opened on one folder at the same time write segments of their own: ids never collide, every record reads back', async function () {
    const root = mkdtempSync(join(tmpdir(), 'dombridge-journals-'));
    const dir = join(root, 'db.sqlite.get-journal');
    const a = new GetJournal(dir);
    const b = new GetJournal(dir);
    try {
      const ids = new Map<string, string>();
      for (let i = 0; i < 20; i++) {
        for (const [j, name] of [[a, 'a'], [b, 'b']] as const) {
          const id = String(j.append(entry(`${name}-${i}`))!);
          expect(ids.has(id), `id ${id} handed out twice`).to.equal(false);
          ids.set(id, `${name}-${i}`);
        }
      }
      await Promise.all([a.flush(), b.flush()]);
      const reader = new GetJournal(dir);
      try {
        for (const [id, bodId] of ids) expect(reader.read(id)?.bodId, `record ${id}`).to.equal(bodId);
      } finally {
        await reader.close();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
