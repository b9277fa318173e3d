// A real `needlework serve` for the browser tests: a temporary SQLite database, a free loopback port (port 0:
// the server prints the one it got), the fast password hash of tests; the one-time admin password read from
// what it prints. `env` adds settings (docs/server.md), e.g. the test SMTP relay's.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer({ bin, webRoot, data, prepare, env }) {
  const dir = mkdtempSync(join(tmpdir(), 'needlework-e2e-'));
  // Records from the past (a session days ago, so its follow-up is due) are written before the server starts,
  // by the CLI with --now on the same database, as tests/server/api_test.cpp does.
  if (prepare) {
    const cli = (args) =>
      execFileSync(bin, ['--db', join(dir, 'clinic.db'), ...(data ? ['--data', data] : []), ...args], { encoding: 'utf8' });
    prepare(cli, dir);
  }
  const args = [
    '--db', join(dir, 'clinic.db'),
    ...(data ? ['--data', data] : []),
    'serve',
    '--listen', '127.0.0.1:0',
    '--fast-password-hash', 'true',
    '--access-log', join(dir, 'access.log'),
    ...(webRoot ? ['--web-root', webRoot] : []),
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(env ?? {}) } });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 60 s:\n${out}\n${err}`)), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}\n${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const password = /one-time password: (\S+)/.exec(out);
      if (url && password) {
        clearTimeout(timer);
        resolve({ url: url[1], password: password[1] });
      }
    });
  });
  return {
    ...ready,
    output: () => out,
    async stop() {
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
