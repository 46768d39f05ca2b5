// The contenders, each started inside a lab node's namespace with a given failure-detection budget.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EtcdLab } from '../lab/etcd-lab.js';
import { VIP, type Daemon, type LabNode } from '../lab/netns-lab.js';

export interface Implementation {
  /** Row label: implementation and its settings. */
  readonly name: string;
  /** Budget group, so rows are compared at equal master-down times. */
  readonly group: string;
  /** Nominal master-down time (ms): how long a silent master is waited for. */
  readonly budgetMs: number;
  /** etcd: the lab's etcd cluster, for an implementation that needs one (needsEtcd). */
  start(node: LabNode, index: number, etcd?: EtcdLab): Daemon;
  /** Quorum mode: the scenario runs a three-member etcd cluster beside the lab, and a partition cuts the master off from it too. */
  readonly needsEtcd?: boolean;
  /** Usage of this implementation's daemon on one node: all its processes. */
  readonly command: string;
  /** Compiles its code while it runs (Node.js): its idle cost is measured once more, after the compiler has settled. */
  readonly jit?: boolean;
}

export function floatip(name: string, group: string, timeoutMs: number, intervalMs: number, hostTimeoutMs?: number): Implementation {
  return {
    name,
    group,
    budgetMs: timeoutMs,
    command: `floatip run (echo.timeout_in_ms ${timeoutMs}, echo.interval_in_ms ${intervalMs}${hostTimeoutMs ? `, echo.host_timeout_in_ms ${hostTimeoutMs}` : ''})`,
    jit: true,
    start: (node) =>
      node.start({ timeoutMs, intervalMs, dialTimeoutMs: Math.min(1000, timeoutMs), ...(hostTimeoutMs ? { hostTimeoutMs } : {}), extra: '  status:\n    listen: "off"' }),
  };
}

/**
 * floatip in quorum mode: an etcd lease (TTL `ttlMs`) decides who holds the address, the heartbeats (`timeoutMs`)
 * rank the nodes and tell a killed daemon. Its budget for a silent master is the lease's TTL and etcd's expiry scan.
 */
export function floatipQuorum(name: string, group: string, timeoutMs: number, intervalMs: number, ttlMs: number): Implementation {
  return {
    name,
    group,
    budgetMs: ttlMs + 500,
    needsEtcd: true,
    command: `floatip run (quorum.lease_ttl_in_ms ${ttlMs}, echo.timeout_in_ms ${timeoutMs}, echo.interval_in_ms ${intervalMs})`,
    jit: true,
    start: (node, _index, etcd) => {
      if (!etcd) throw new Error(`${name} needs the lab's etcd cluster`);
      return node.start({ timeoutMs, intervalMs, dialTimeoutMs: Math.min(1000, timeoutMs), extra: `  status:\n    listen: "off"\n${etcd.quorumConfig(ttlMs)}` });
    },
  };
}

/**
 * floatip in the list form, `count` addresses (the first is the lab's VIP), active-active: node i prefers the
 * addresses whose index has its parity. What one heartbeat frame per node costs with one address and with ten.
 */
export function floatipAddresses(count: number, intervalMs = 100, timeoutMs = 1000): Implementation {
  const base = VIP.split('.').slice(0, 3).join('.');
  const first = Number(VIP.split('.')[3]);
  return {
    name: `floatip, ${count} address${count === 1 ? '' : 'es'}, heartbeat ${intervalMs} ms`,
    group: '',
    budgetMs: timeoutMs,
    command: `floatip run (addresses: ${count}, echo.timeout_in_ms ${timeoutMs}, echo.interval_in_ms ${intervalMs})`,
    jit: true,
    start: (node, index) =>
      node.start({
        timeoutMs,
        intervalMs,
        dialTimeoutMs: Math.min(1000, timeoutMs),
        addresses: Array.from({ length: count }, (_, k) => [`ip: ${base}.${first + k}`, `priority: ${k % 2 === index % 2 ? 150 : 50}`]),
        extra: '  status:\n    listen: "off"',
      }),
  };
}

/** keepalived VRRP: equal priorities and nopreempt, like floatip's default stickiness. Master down = 3 x advert + skew. */
export function keepalived(name: string, group: string, version: 2 | 3, advertSeconds: number): Implementation {
  const priority = 100;
  const skew = ((256 - priority) / 256) * advertSeconds;
  return {
    name,
    group,
    budgetMs: Math.round((3 * advertSeconds + skew) * 1000),
    command: `keepalived --vrrp (vrrp_version ${version}, advert_int ${advertSeconds}, nopreempt)`,
    start: (node) => {
      const conf = join(node.lab.dir, `${node.name}-keepalived.conf`);
      writeFileSync(
        conf,
        [
          'global_defs {',
          `  router_id ${node.name}`,
          `  vrrp_version ${version}`,
          '  vrrp_garp_master_delay 0',
          '  vrrp_garp_master_repeat 3',
          '}',
          'vrrp_instance VI_1 {',
          '  state BACKUP',
          '  interface eth0',
          '  virtual_router_id 51',
          `  priority ${priority}`,
          `  advert_int ${advertSeconds}`,
          '  nopreempt',
          `  virtual_ipaddress { ${VIP}/24 dev eth0 label eth0:vip }`,
          '}',
          '',
        ].join('\n'),
      );
      const pid = (p: string): string => join(node.lab.dir, `${node.name}-${p}.pid`);
      return node.startProcess(['keepalived', '--dont-fork', '--log-console', '--vrrp', '-f', conf, '-p', pid('k'), '-r', pid('v'), '-c', pid('c'), '-b', pid('b')]);
    },
  };
}

/** ucarp (CARP): whole-second adverts, so its master-down time is 3 x advbase. */
export function ucarp(name: string, group: string, advbaseSeconds: number): Implementation {
  return {
    name,
    group,
    budgetMs: 3 * advbaseSeconds * 1000,
    command: `ucarp (advbase ${advbaseSeconds}, advskew 0, up/down scripts with ip addr)`,
    start: (node) => {
      const up = join(node.lab.dir, 'ucarp-up.sh');
      const down = join(node.lab.dir, 'ucarp-down.sh');
      writeFileSync(up, '#!/bin/sh\nexec ip addr add "$2"/24 dev "$1" label "$1":carp\n');
      writeFileSync(down, '#!/bin/sh\nexec ip addr del "$2"/24 dev "$1"\n');
      chmodSync(up, 0o755);
      chmodSync(down, 0o755);
      return node.startProcess(['ucarp', '-i', 'eth0', '-s', node.ip, '-v', '10', '-p', 'lab-pass', '-a', VIP, '-b', String(advbaseSeconds), '-k', '0', '-u', up, '-d', down, '-z', '-n']);
    },
  };
}
