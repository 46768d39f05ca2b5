import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Directories of do-nothing programs, for PATH lookups; remove() deletes every one made. */
export class ToolDirs {
  private readonly dirs: string[] = [];

  /** A new directory holding an executable file for each name. */
  bin(...tools: string[]): string {
    const d = mkdtempSync(join(tmpdir(), 'floatip-bin-'));
    this.dirs.push(d);
    for (const t of tools) {
      writeFileSync(join(d, t), '#!/bin/sh\n');
      chmodSync(join(d, t), 0o755);
    }
    return d;
  }

  remove(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
