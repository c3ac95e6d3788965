/**
 * Connector clients reused across turns. CloudAdapter asks its ConnectorFactory for a new
 * ConnectorClient on every turn, and building one (credentials, an Azure HTTP pipeline of a
 * dozen policies, a user-agent string) was the largest single allocator of a product turn
 * under load, about 15% of its garbage. A client holds nothing of the turn, only the
 * service URL, the audience and the bot's credentials (which cache their own tokens), so
 * one client per (app id, service URL, audience) serves every turn; botbuilder's older
 * BotFrameworkAdapter kept such a cache too. The cache is bounded because on an anonymous
 * bot the service URL comes from the request.
 */
import {
  type Activity,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import {
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  AuthenticationConstants,
  ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { type ConnectorLimits, limitConnectorClient } from './connectorLimits';

/** The app id botbuilder builds outbound credentials for (as ParameterizedBotFrameworkAuthentication decides it). */
function credentialScope(identity: ClaimsIdentity): string {
  return identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';
}

/** A small insertion-ordered cache of promises: the oldest entry goes first when it is full. */
export class BoundedCache<V> {
  private readonly map = new Map<string, Promise<V>>();
  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The cached promise for key, or make()'s; a promise that rejects is not remembered. */
  getOrCreate(key: string, make: () => Promise<V>): Promise<V> {
    const hit = this.map.get(key);
    if (hit) return hit;
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    const created = make();
    this.map.set(key, created);
    created.catch(() => {
      if (this.map.get(key) === created) this.map.delete(key);
    });
    return created;
  }
}

/**
 * Wraps a ConnectorFactory so that each (service URL, audience) gets one client, kept in `cache`
 * under `scope`; with `limits`, every client it hands out has a timeout and bounded retries.
 */
export class CachingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly cache: BoundedCache<ConnectorClient>,
    private readonly scope: string,
    private readonly limits?: ConnectorLimits,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const limits = this.limits;
    return this.cache.getOrCreate(`${this.scope}\n${serviceUrl}\n${audience ?? ''}`, async () => {
      const client = await this.inner.create(serviceUrl, audience);
      return limits ? limitConnectorClient(client, limits) : client;
    });
  }
}

/**
 * ConfigurationBotFrameworkAuthentication whose connector factories share one client cache,
 * and whose user-token clients (also built per turn, also holding only credentials) are
 * kept per app id.
 */
export class CachingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients: BoundedCache<ConnectorClient>;
  private readonly tokenClients = new BoundedCache<UserTokenClient>(16);

  constructor(
    options: ConfigurationBotFrameworkAuthenticationOptions,
    maxClients = 256,
    private readonly limits?: ConnectorLimits,
  ) {
    super(options);
    this.clients = new BoundedCache(maxClients);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.tokenClients.getOrCreate(credentialScope(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  private wrap(factory: ConnectorFactory, identity: ClaimsIdentity): ConnectorFactory;
  private wrap(factory: ConnectorFactory | undefined, identity: ClaimsIdentity): ConnectorFactory | undefined;
  private wrap(factory: ConnectorFactory | undefined, identity: ClaimsIdentity): ConnectorFactory | undefined {
    if (!factory) return undefined;
    // The app id in the claims decides which credentials a client carries.
    return new CachingConnectorFactory(factory, this.clients, credentialScope(identity), this.limits);
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    return { ...result, connectorFactory: this.wrap(result.connectorFactory, result.claimsIdentity) };
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateStreamingRequest(authHeader, channelIdHeader);
    return { ...result, connectorFactory: this.wrap(result.connectorFactory, result.claimsIdentity) };
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.wrap(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }
}
