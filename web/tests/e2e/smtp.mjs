// The test SMTP server for the browser tests: tests/mail/smtp_sink.py (Debian python3-aiosmtpd, as the C++ mail
// tests use it) on 127.0.0.1 and a free port. It writes each message it accepts as msg-<n>.json (headers, the
// decoded text and HTML, attachments); `message` waits for the first one that matches, by watching the folder
// (no sleeping: a change of the folder wakes the wait, a deadline ends it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sinkScript = new URL('../../../tests/mail/smtp_sink.py', import.meta.url).pathname;

/** Resolves once `ready()` is true, re-checked whenever `dir` changes; rejects after `ms`. */
function whenReady(dir, ready, ms, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = ready();
      if (value) {
        watcher.close();
        clearTimeout(timer);
        resolve(value);
      }
    };
    const watcher = watch(dir, check);
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${what}: not within ${ms / 1000} s`));
    }, ms);
    check();
  });
}

export async function startSmtpSink() {
  const dir = mkdtempSync(join(tmpdir(), 'needlework-smtp-'));
  const portFile = join(dir, 'port');
  const child = spawn('/usr/bin/python3', [sinkScript, '--dir', join(dir, 'mail'), '--port-file', portFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([
    whenReady(dir, () => existsSync(portFile), 30_000, 'the SMTP sink did not start'),
    exited.then((code) => {
      throw new Error(`the SMTP sink exited with ${code}: ${err}`);
    }),
  ]);
  const port = Number(readFileSync(portFile, 'utf8'));
  const mailDir = join(dir, 'mail');
  const received = () =>
    readdirSync(mailDir)
      .filter((f) => /^msg-\d+\.json$/.test(f))
      .sort((a, b) => Number(a.slice(4, -5)) - Number(b.slice(4, -5)))
      .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')));
  return {
    port,
    /** The settings that point `needlework serve` at this relay (docs/server.md). */
    env: {
      NEEDLEWORK_SMTP_HOST: '127.0.0.1',
      NEEDLEWORK_SMTP_PORT: String(port),
      NEEDLEWORK_SMTP_TLS: 'none',
      NEEDLEWORK_MAIL_FROM: 'Needlework test clinic <front@clinic.test>',
      // An hour between polls: a message queued by a request reaches the relay only because the committed
      // write wakes the worker (docs/mail.md), which the walk's waits then show.
      NEEDLEWORK_MAIL_POLL_S: '3600',
    },
    received,
    /** The first message received for which `match(message)` is true (waits up to `ms`). */
    message(match, ms = 30_000) {
      return whenReady(mailDir, () => received().find(match), ms, 'no matching message at the test SMTP server');
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
