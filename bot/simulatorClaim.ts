/**
 * Issue #21, item 9: without SERVICES_API_URL each process starts its own services simulator,
 * and two replicas sharing Redis then disagree (a one-time code asked from one is unknown
 * to the other, a request filed on one cannot be tracked on the other). Rule: a process
 * that shares state (REDIS_URL or REDIS_CLUSTER_NODES) holds a presence key while it runs
 * its in-process simulator; a second live process finding the key refuses to start, with
 * one line telling the operator to run one shared services API. In-memory state cannot be
 * shared, so one process without Redis never asks.
 *
 * The key has a short TTL renewed while the process runs: a holder that crashed stops
 * blocking others after at most CLAIM_TTL_MS; a clean stop deletes it at once.
 */
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './storage/redisClient';

export const CLAIM_TTL_MS = 10_000;
const RENEW_MS = 3_000;

/** Renews only our own claim: a process that lost the key (expired during a stall) must not take it back blindly. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class SimulatorInUseError extends Error {}

export interface SimulatorClaim {
  release(): Promise<void>;
}

export const simulatorClaimKey = (prefix: string) => `${prefix}sim:in-process`;

/** Takes the presence key or throws SimulatorInUseError naming what to do. */
export async function claimInProcessSimulator(redis: RedisConnection, prefix: string, onLost: () => void): Promise<SimulatorClaim> {
  const key = simulatorClaimKey(prefix);
  const id = `${process.pid}:${randomBytes(6).toString('hex')}`;
  const taken = await redis.set(key, id, 'PX', CLAIM_TTL_MS, 'NX');
  if (taken !== 'OK') {
    throw new SimulatorInUseError(
      `SERVICES_API_URL: required when replicas share Redis (REDIS_URL, prefix "${prefix}"): another running process already uses its own in-process services simulator, ` +
        `and two simulators do not share one-time codes or requests. Run one services API (npm run sim) and give every replica its URL.`,
    );
  }
  let lost = false;
  const timer = setInterval(() => {
    redis
      .eval(RENEW, 1, key, id, CLAIM_TTL_MS)
      .then((renewed) => {
        if (renewed === 0 && !lost) {
          lost = true;
          onLost();
        }
      })
      .catch(() => undefined); // Redis down: readiness reports it; the claim expires or is renewed later.
  }, RENEW_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, id).catch(() => undefined);
    },
  };
}
