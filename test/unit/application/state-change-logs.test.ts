import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../support/fake-clock.js';
import { SimCluster } from '../../support/cluster.js';
import { VIP } from '../../support/builders.js';

const A = '198.18.0.11';
const B = '198.18.0.12';

describe('state changes carry structured fields', () => {
  it('from, to, cause, term, address and interface, beside the message as before', async () => {
    const clock = new FakeClock();
    const cluster = new SimCluster(clock);
    const a = cluster.add(A);
    const b = cluster.add(B);
    await a.node.start();
    await b.node.start();
    await clock.advance(5000);
    assert.deepEqual(b.logger.fieldsOf('INIT -> MASTER'), { from: 'INIT', to: 'MASTER', cause: 'elected', term: 1, address: VIP, interface: 'eth0' });
    assert.deepEqual(a.logger.fieldsOf('INIT -> BACKUP'), { from: 'INIT', to: 'BACKUP', cause: 'outranked', term: 0, address: VIP, interface: 'eth0' });
    await b.node.stop('SIGTERM received');
    await clock.advance(1);
    assert.deepEqual(a.logger.fieldsOf('BACKUP -> MASTER'), { from: 'BACKUP', to: 'MASTER', cause: 'handover', term: 2, address: VIP, interface: 'eth0' });
    assert.equal(b.logger.fieldsOf('MASTER -> STOPPED')?.['cause'], 'stop');
  });
});
