/**
 * The streamUrl WebSocket: frames of {activities, watermark} from the watermark the client
 * asked for, then each new activity as it is stored (by this or any other process: the
 * store announces them on Redis pub/sub, and each socket reads what it has not yet sent from
 * the list, so announcements can be late, doubled or lost without losing or repeating an
 * activity). Typing passes through unstored. An empty frame every heartbeat, as Azure sends,
 * and a ping whose missing pong closes a dead connection. At each heartbeat the conversations
 * with open sockets are checked to still exist (one EXISTS each): the sockets of one whose data
 * is gone (erased, Redis reset or restored from an older snapshot) are closed with 4404, so the
 * client reconnects, hears 404 like every other call, and can start again.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { RedisConnection } from '../../bot/storage/redisClient';
import type { DirectLineStore, StreamEvent } from './store';
import { withFileOrigin } from './links';

interface Client {
  ws: WebSocket;
  conv: string;
  /** The origin this reader reached us at: stored file paths become links on it. */
  origin: string;
  /** The next watermark to send. */
  cursor: number;
  alive: boolean;
  /** Frames go out one at a time, in order. */
  chain: Promise<void>;
  /** A read is already queued: further announcements need not queue another. */
  readQueued: boolean;
}

export class StreamHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Map<string, { set: Set<Client>; ready: Promise<void> }>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: DirectLineStore,
    private readonly subscriber: RedisConnection,
    private readonly logger: Logger,
    heartbeatMs: number,
  ) {
    subscriber.on('message', (channel: string, raw: string) => this.onAnnouncement(channel, raw));
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Number of open sockets on this process (tests, readiness). */
  get size(): number {
    let n = 0;
    for (const { set } of this.clients.values()) n += set.size;
    return n;
  }

  /** Completes a checked upgrade: the caller has verified the stream token and the conversation. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, conv: string, watermark: number, origin: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, conv, watermark, origin));
  }

  private async open(ws: WebSocket, conv: string, watermark: number, origin: string): Promise<void> {
    const client: Client = { ws, conv, origin, cursor: watermark, alive: true, chain: Promise.resolve(), readQueued: false };
    ws.on('pong', () => (client.alive = true));
    ws.on('message', () => (client.alive = true)); // the client's empty keep-alive frames
    ws.on('error', (err) => this.logger.debug({ err: { message: err.message } }, 'Direct Line socket error'));
    ws.on('close', () => void this.remove(client));
    let entry = this.clients.get(conv);
    if (!entry) {
      const ready = this.subscriber.subscribe(this.store.channel(conv)).then(() => undefined);
      entry = { set: new Set(), ready };
      this.clients.set(conv, entry);
    }
    entry.set.add(client);
    try {
      await entry.ready;
    } catch (err) {
      this.logger.error({ err }, 'Direct Line: cannot subscribe to a conversation');
      ws.close(1011, 'unavailable');
      return;
    }
    // Subscribed first, then read: nothing stored in between can be missed.
    if (ws.readyState === WebSocket.OPEN) this.queueRead(client);
  }

  private async remove(client: Client): Promise<void> {
    const entry = this.clients.get(client.conv);
    if (!entry) return;
    entry.set.delete(client);
    if (entry.set.size === 0) {
      this.clients.delete(client.conv);
      await entry.ready.catch(() => undefined);
      // Someone may have opened the conversation again meanwhile: that entry subscribes anew.
      if (!this.clients.has(client.conv)) await this.subscriber.unsubscribe(this.store.channel(client.conv)).catch(() => undefined);
    }
  }

  private onAnnouncement(channel: string, raw: string): void {
    const m = /dl:ev:\{([^}]+)\}$/.exec(channel);
    const set = m ? this.clients.get(m[1]!)?.set : undefined;
    if (!set) return;
    let event: StreamEvent;
    try {
      event = JSON.parse(raw) as StreamEvent;
    } catch {
      return;
    }
    for (const client of set) {
      if ('ephemeral' in event) this.enqueue(client, async () => this.send(client, { activities: [event.ephemeral] }));
      else if (event.watermark > client.cursor) this.queueRead(client);
    }
  }

  private queueRead(client: Client): void {
    if (client.readQueued) return;
    client.readQueued = true;
    this.enqueue(client, async () => {
      client.readQueued = false;
      for (;;) {
        const page = await this.store.since(client.conv, client.cursor);
        if (page.activities.length === 0) return;
        client.cursor = page.watermark;
        this.send(client, { activities: withFileOrigin(page.activities, client.origin), watermark: String(page.watermark) });
      }
    });
  }

  private enqueue(client: Client, work: () => Promise<void>): void {
    client.chain = client.chain.then(work).catch((err: unknown) => {
      // A failed read (Redis down): close, so the client reconnects from its watermark.
      this.logger.warn({ err }, 'Direct Line: stream read failed; closing the socket');
      client.ws.close(1011, 'unavailable');
    });
  }

  private send(client: Client, frame: unknown): void {
    if (client.ws.readyState === WebSocket.OPEN) client.ws.send(JSON.stringify(frame));
  }

  /** Close code for a conversation that no longer exists (4000–4999: the application's own). */
  static readonly GONE = 4404;

  private beat(): void {
    void this.closeVanished();
    for (const { set } of this.clients.values()) {
      for (const client of set) {
        if (!client.alive) {
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        if (client.ws.readyState !== WebSocket.OPEN) continue;
        client.ws.send('');
        client.ws.ping();
      }
    }
  }

  private async closeVanished(): Promise<void> {
    const convs = [...this.clients.keys()];
    // Issued together: auto-pipelining sends them in one write per Redis node.
    const exists = await Promise.all(convs.map((conv) => this.store.exists(conv).catch(() => true)));
    convs.forEach((conv, i) => {
      if (exists[i]) return;
      this.logger.info({ conversation: conv }, 'Direct Line: conversation gone; closing its sockets');
      for (const client of this.clients.get(conv)?.set ?? []) client.ws.close(StreamHub.GONE, 'conversation not found');
    });
  }

  /** Closes every socket (going away): clients reconnect to another process. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const { set } of this.clients.values()) for (const client of set) client.ws.close(1001, 'server shutting down');
    this.clients.clear();
    this.wss.close();
  }
}
