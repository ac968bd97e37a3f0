import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeLock } from '../../demo/demo-lock.js';

describe('takeLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repka-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the lock with its pid and URL, refuses it to a second taker naming the owner, and removes it on release', () => {
    const path = join(dir, 'data', 'demo.sqlite.lock');
    const first = takeLock(path);
    if (!('held' in first)) throw new Error('the first taker got no lock');
    first.held.tell('http://127.0.0.1:8080');
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\nhttp://127.0.0.1:8080\n`);

    // Another demo: the same file, and this (live) process as its owner.
    expect(takeLock(path)).toEqual({ owner: { pid: process.pid, url: 'http://127.0.0.1:8080' } });
    first.held.release();
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose process is gone', () => {
    const path = join(dir, 'demo.sqlite.lock');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(path, `${gone}\nhttp://127.0.0.1:8080\n`);
    const taken = takeLock(path);
    expect('held' in taken).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('leaves a lock it does not hold any more alone on release', () => {
    const path = join(dir, 'demo.sqlite.lock');
    const taken = takeLock(path);
    if (!('held' in taken)) throw new Error('no lock');
    writeFileSync(path, '1\n');
    taken.held.release();
    expect(readFileSync(path, 'utf8')).toBe('1\n');
  });
});
