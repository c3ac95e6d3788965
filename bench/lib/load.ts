/**
 * One load cell: autocannon (programmatic API) with C connections for a few seconds against
 * POST /api/messages, expectReplies. Requests draw conversations from a pool of 2×C (first
 * in, first out, so one conversation never has two turns in flight) and send each
 * conversation's next scripted step. Latency is recorded per response for exact p50/p95/p99.
 * The first `rampSeconds` of a cell only open the connections: the burst of C first requests
 * at once is a cold start of its own, so turns/s, latency and CPU count what follows it.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { pick, type Script } from './scripts';
import { summarize, type Summary } from './stats';

export interface CellOptions {
  url: string;
  connections: number;
  seconds: number;
  script: Script;
  /** Conversation ids start with this (unique per cell, so state starts fresh). */
  conversationPrefix: string;
  /** The target's process id, to charge it the CPU time it spent (Linux /proc). */
  pid?: number;
  /** Seconds at the start of the cell left out of the figures (default 1). */
  rampSeconds?: number;
}

export interface CellResult extends Summary {
  connections: number;
  seconds: number;
  /** Turns answered with 2xx after the ramp. */
  turns: number;
  turnsPerSec: number;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
  /** 2xx answers without the step's expected fragment (over the whole cell, ramp included). */
  unexpected: number;
  conversations: number;
  /**
   * CPU time (user + system) the target spent per turn, in ms. Unlike turns/s it barely
   * moves when other processes compete for the cores, so it is the steadier comparison.
   */
  cpuMsPerTurn: number;
  /** The first unexpected reply, to say what went wrong. */
  sample?: string;
}

interface Cursor {
  id: string;
  /** The conversation's number, which picks its per-conversation texts (e.g. its identity). */
  n: number;
  step: number;
}

let seq = 0;

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, from /proc/<pid>/stat; NaN where there is no /proc. */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

function body(script: Script, c: Cursor): string {
  const step = script.steps[c.step % script.steps.length];
  const text = pick(step.text, c.n);
  // Built by hand: JSON.stringify of the whole activity costs the load generator more CPU.
  return (
    `{"type":"message","id":"b${++seq}","timestamp":"${new Date().toISOString()}","channelId":"emulator",` +
    `"serviceUrl":"http://127.0.0.1:9/","deliveryMode":"expectReplies",` +
    `"from":{"id":"u-${c.id}","name":"bench","role":"user"},"recipient":{"id":"bot","name":"bot","role":"bot"},` +
    `"conversation":{"id":"${c.id}","isGroup":false,"conversationType":"personal"},` +
    `"locale":"${step.locale}","text":${JSON.stringify(text)}}`
  );
}

export function runCell(options: CellOptions): Promise<CellResult> {
  const { script } = options;
  const free: Cursor[] = [];
  let minted = 0;
  const mint = (): Cursor => ({ id: `${options.conversationPrefix}-${minted}`, n: minted++, step: 0 });
  for (let i = 0; i < options.connections * 2; i++) free.push(mint());

  const latencies: number[] = [];
  let turns = 0;
  let unexpected = 0;
  let sample: string | undefined;
  const rampMs = (options.rampSeconds ?? 1) * 1000;
  const measureFrom = performance.now() + rampMs;
  let cpuBefore = cpuMs(options.pid);
  const ramp = setTimeout(() => (cpuBefore = cpuMs(options.pid)), rampMs);

  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        timeout: 30,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            path: '/api/messages',
            setupRequest: (request, context) => {
              // A request lost to a timeout keeps its conversation; mint another then.
              const cursor = free.shift() ?? mint();
              context.cursor = cursor;
              context.sentAt = performance.now();
              return { ...request, body: body(script, cursor) };
            },
            onResponse: (status, text, context) => {
              const cursor = context.cursor as Cursor | undefined;
              if (!cursor) return;
              if (status >= 200 && status < 300) {
                const now = performance.now();
                const sentAt = context.sentAt as number;
                // Throughput and CPU count completions after the ramp; latency, requests sent after it.
                if (now >= measureFrom) turns++;
                if (sentAt >= measureFrom) latencies.push(now - sentAt);
                const step = script.steps[cursor.step % script.steps.length];
                if (!text.includes(pick(step.expect, cursor.n))) {
                  unexpected++;
                  sample ??= `${step.name}: ${text.slice(0, 300)}`;
                }
              }
              cursor.step++;
              // A one-pass script retires a finished conversation and starts a new one.
              free.push(script.once && cursor.step >= script.steps.length ? mint() : cursor);
            },
          },
        ],
      },
      (err, result) => {
        clearTimeout(ramp);
        if (err) return reject(err);
        const measured = Math.max(0.001, (performance.now() - measureFrom) / 1000);
        resolve({
          connections: options.connections,
          seconds: options.seconds,
          ...summarize(latencies),
          turns,
          turnsPerSec: turns / measured,
          cpuMsPerTurn: (cpuMs(options.pid) - cpuBefore) / Math.max(1, turns),
          errors: result.errors + result.non2xx,
          unexpected,
          conversations: minted,
          sample,
        });
      },
    );
  });
}
