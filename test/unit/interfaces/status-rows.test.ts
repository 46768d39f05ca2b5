import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatus } from '../../../src/interfaces/cli/format-status.js';
import type { ServiceStatus } from '../../../src/interfaces/floatip.service.js';

const row = (name: string, address: string, state: ServiceStatus['state'], priority: number): NonNullable<ServiceStatus['addresses']>[number] => ({
  name,
  id: '198.18.0.11',
  address,
  state,
  priority,
  effectivePriority: priority,
  preempt: false,
  term: 2,
  holder: state === 'MASTER' ? '198.18.0.11' : '198.18.0.12',
  lease: null,
  lastChange: null,
  peers: [{ id: '198.18.0.12', priority: 50, state: 'MASTER', term: 2, alive: true, lastSeenMsAgo: 40 }],
  checks: [],
  witnessLastAnsweredMsAgo: null,
});

describe('floatip status of a node of several addresses', () => {
  it('prints one row per address (or group), then the peers once', () => {
    const rows = [
      row('198.18.0.234', '198.18.0.234/24 on eth0:fip234', 'MASTER', 150),
      row('198.18.0.235', '198.18.0.235/24 on eth0:fip235', 'BACKUP', 50),
      row('web', 'fd00:198:18::234/64 on eth0, 198.18.0.236/24 on eth0:fip236', 'MASTER', 150),
    ];
    const text = formatStatus({ ...rows[0]!, addresses: rows });
    const lines = text.split('\n');
    assert.deepEqual(
      lines.filter((l) => /^ {2}(MASTER|BACKUP) /.test(l)).map((l) => l.replace(/\s+/g, ' ').trim()),
      [
        'MASTER 198.18.0.234/24 on eth0:fip234 priority 150 holder 198.18.0.11 term 2',
        'BACKUP 198.18.0.235/24 on eth0:fip235 priority 50 holder 198.18.0.12 term 2',
        'MASTER web: fd00:198:18::234/64 on eth0, 198.18.0.236/24 on eth0:fip236 priority 150 holder 198.18.0.11 term 2',
      ],
    );
    assert.equal(lines.filter((l) => l.includes('198.18.0.12  ') && /alive/.test(l)).length, 1, text);
  });
});
