import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The project's own lint configuration, run on code that breaks the dependency rule.
const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'floatip/layering').map((m) => m.message);
}

describe('lint enforces the dependency rule', () => {
  const cases: [string, string, RegExp | null][] = [
    ['src/domain/x.ts', "import { A } from '../application/index.js';\nexport const x = A;\n", /domain must not import from application/],
    ['src/domain/x.ts', "import { Container } from 'inversify';\nexport const x = Container;\n", /domain must not import "inversify"/],
    ['src/domain/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", /only infrastructure may use node:fs/],
    ['src/application/x.ts', "import { X } from '../infrastructure/index.js';\nexport const x = X;\n", /application must not import from infrastructure/],
    ['src/application/x.ts', "import { execFile } from 'node:child_process';\nexport const x = execFile;\n", /only infrastructure may use node:child_process/],
    ['src/application/x.ts', "import winston from 'winston';\nexport const x = winston;\n", /application must not import "winston"/],
    ['src/interfaces/x.ts', "import { createServer } from 'node:net';\nexport const x = createServer;\n", /only infrastructure may use node:net/],
    ['src/infrastructure/x.ts', "import { createContainer } from '../interfaces/container.js';\nexport const x = createContainer;\n", /infrastructure must not import from interfaces/],
    ['src/infrastructure/x.ts', "import { Container } from 'inversify';\nexport const x = new Container();\n", /only interfaces builds the container/],
    ['src/application/x.ts', "import { injectable } from 'inversify';\nimport { Lease } from '../domain/index.js';\nexport const x = [injectable, Lease];\n", null],
    ['src/infrastructure/x.ts', "import { createSocket } from 'node:dgram';\nexport const x = createSocket;\n", null],
  ];
  for (const [file, code, expected] of cases) {
    it(`${file}: ${code.split('\n')[0]} -> ${expected ? 'refused' : 'allowed'}`, async () => {
      const errors = await layeringErrors(file, code);
      if (expected) assert.ok(errors.some((e) => expected.test(e)), `got ${JSON.stringify(errors)}`);
      else assert.deepEqual(errors, []);
    });
  }
});
