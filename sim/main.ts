/**
 * `npm run sim`: the services simulator alone. SIM_PORT (3979), SIM_HOST (127.0.0.1),
 * SIM_OTP_CODE ("123456"), SERVICES_API_KEY ("dev-services-key"), SIM_SESSION_TTL_MS
 * (900000), SIM_AUTOPAY_MS (30000; "off" = pay via /_sim/bills/:n/pay), SIM_CHALLENGES_PER_WINDOW
 * (5 codes per ID per 15 minutes), NODE_ENV, LOG_LEVEL.
 * In development the demo code is printed in the log and /_sim/ admin routes are on.
 */
import { createLogger } from '../bot/logger';
import { createSimulator } from './index';

const env = process.env;
const dev = (env.NODE_ENV ?? 'development') !== 'production';
const logger = createLogger({ level: env.LOG_LEVEL ?? 'info', base: { app: 'musaed-sim' } });
const port = Number(env.SIM_PORT ?? 3979);
const otp = env.SIM_OTP_CODE ?? '123456';
const challengesPerWindow = Number(env.SIM_CHALLENGES_PER_WINDOW ?? 5);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d{4,8}$/.test(otp) || !Number.isInteger(challengesPerWindow) || challengesPerWindow < 1) {
  process.stderr.write('Invalid configuration: SIM_PORT must be a port, SIM_OTP_CODE 4 to 8 digits and SIM_CHALLENGES_PER_WINDOW a whole number ≥ 1\n');
  process.exit(1);
}
const autopay = env.SIM_AUTOPAY_MS === 'off' ? null : Number(env.SIM_AUTOPAY_MS ?? 30_000);

const sim = createSimulator({
  otpCode: otp,
  logger,
  devLogOtp: dev,
  admin: dev || env.SIM_ADMIN === 'true',
  apiKey: env.SERVICES_API_KEY ?? 'dev-services-key',
  sessionTtlMs: Number(env.SIM_SESSION_TTL_MS ?? 15 * 60_000),
  autoPayBillsAfterMs: autopay,
  challengesPerWindow,
});
const { url } = await sim.start(port, env.SIM_HOST ?? '127.0.0.1');
logger.info({ url, openapi: `${url}/openapi.json` }, dev ? 'services simulator ready (demo one-time code is logged per request)' : 'services simulator ready');

const stop = () => void sim.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
