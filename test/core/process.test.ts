import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { NODE_TSX, ROOT, startProcess } from '../helpers/processes';
import { messageActivity } from '../helpers/http';
import { startApp } from '../helpers/app';

class SlowDialog extends Dialog {
  constructor() {
    super('faq');
  }
  async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await new Promise((r) => setTimeout(r, 400));
    await dc.context.sendActivity('slow answer');
    return dc.endDialog();
  }
}

describe('process lifecycle', () => {
  it('stops at start-up with one line naming a wrong variable', async () => {
    const proc = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), path.join(ROOT, 'bot/main.ts')], { cwd: ROOT, env: { ...process.env, PORT: 'abc' } });
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(1);
    const lines = err.split('\n').filter((l) => l.trim() && !l.includes('DeprecationWarning') && !l.includes('--trace-deprecation'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: PORT/);
  });

  it('npm start warns once about in-memory state and exits 0 on SIGTERM', async () => {
    const child = await startProcess('bot/main.ts', { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '' }, /"url":"(http:\/\/localhost:\d+)"/);
    const health = await fetch(`${child.url.replace('localhost', '127.0.0.1')}/healthz`);
    expect(health.status).toBe(200);
    expect(await child.stop('SIGTERM')).toBe(0);
    expect(child.output().match(/state is kept in memory/g)).toHaveLength(1);
    expect(child.output()).toContain('"msg":"stopped"');
  });

  it('close() stops accepting but finishes the turn in flight', async () => {
    const app = await startApp({}, { recognizer: { recognize: (text) => ({ language: 'ar', normalized: text, intent: 'faq', score: 1, entities: {} }) }, features: [() => new SlowDialog()] });
    await fetch(`${app.baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(messageActivity('drain-1', 'first')) });
    const inFlight = fetch(`${app.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(messageActivity('drain-1', 'question')),
    });
    while (app.inflight.count === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = app.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('slow answer');
    await closing;
    await expect(fetch(`${app.baseUrl}/healthz`)).rejects.toThrow();
  });
});
