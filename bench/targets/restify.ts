/**
 * The HTTP ceiling: restify with the same JSON body parser as the bot, answering every
 * POST /api/messages with a fixed expectReplies-shaped body. No botbuilder at all.
 */
import restify from 'restify';
import { announce, port } from './serve';

const REPLY = JSON.stringify({ activities: [{ type: 'message', text: 'ok' }] });
const server = restify.createServer({ name: 'bench-restify', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(REPLY);
});
server.listen(port(), '127.0.0.1', () => {
  const address = server.address();
  void announce(`http://127.0.0.1:${address.port}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
});
