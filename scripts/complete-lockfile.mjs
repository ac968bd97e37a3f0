// Adds lock entries for platform-specific optional packages (other OSes and CPUs) that the
// package registry reachable here does not serve, so `npm ci` accepts the lock file everywhere.
// npm skips such entries at install time by their `os`/`cpu` fields. Run after `npm install`:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;
const osNames = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'android', 'openharmony', 'cygwin'];
const cpuNames = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'ppc', 's390', 'mips', 'wasm32'];
let added = 0;

for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = location === '' ? '' : `${location}/`;
    const nested = `${base}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    const parts = name.split('/').pop().split(/[-_.]/);
    const os = osNames.filter((o) => parts.includes(o) || (o === 'win32' && parts.includes('windows')));
    const cpu = cpuNames.filter((c) => parts.includes(c) || (c === 'arm' && parts.includes('armv7')) || (c === 'x64' && parts.includes('64') && parts.includes('x86')));
    packages[hoisted] = { version: version.replace(/^[\^~]/, ''), optional: true, ...(cpu.length ? { cpu } : {}), ...(os.length ? { os } : {}) };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} platform-specific optional entries`);
