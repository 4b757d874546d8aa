import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';

/**
 * OAuth resource-server mode (MCP 2025-06-18 authorization): Hearth publishes Protected Resource
 * Metadata (RFC 9728) naming its authorization server, and accepts bearer JWTs that server signed
 * (its JWKS), issued for this resource (audience, RFC 8707), unexpired, with the required scopes.
 * The token's subject (or `principalClaim`) names the Hearth principal the client acts as.
 */
export interface McpOAuthOptions {
  /** The authorization server's issuer identifier (its `iss`), e.g. https://auth.example.org. */
  issuer: string;
  /**
   * Where its signing keys are; default: `jwks_uri` from its metadata
   * (`/.well-known/oauth-authorization-server`, then `/.well-known/openid-configuration`).
   */
  jwksUri?: string;
  /** The `aud` a token must carry; default: this server's MCP URL (http://HOST:PORT/mcp). */
  audience?: string;
  /** Claim holding the principal name; default `sub`. */
  principalClaim?: string;
  /** Scopes every token must hold (`scope`, space-separated, or `scp`). */
  requiredScopes?: string[];
  /** Allowed clock difference for `exp`/`nbf`, seconds; default 60. */
  clockSkewSeconds?: number;
  /** For tests and proxies; default global fetch. */
  fetch?: typeof fetch;
}

/** Why a token was refused; `status` 401 (invalid token) or 403 (valid, but not enough). */
export class TokenRejected extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403 = 401,
  ) {
    super(message);
  }
}

type Claims = Record<string, unknown>;
const ALGORITHMS: Record<string, { hash: string; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
};
/** A JWKS is fetched again for an unknown `kid` at most this often. */
const REFETCH_MS = 30_000;

/** Verifies bearer JWTs against the issuer's JWKS; keys are cached and refreshed on an unknown `kid`. */
export class JwtVerifier {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly options: McpOAuthOptions,
    private readonly audience: string,
  ) {
    this.fetch = options.fetch ?? fetch;
  }

  /** The token's claims when it is valid for this resource; throws {@link TokenRejected} otherwise. */
  async verify(token: string): Promise<Claims> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenRejected('The bearer token is not a JWT');
    const [h, p, sig] = parts as [string, string, string];
    const header = decode(h, 'header');
    const alg = ALGORITHMS[String(header.alg)];
    if (!alg) throw new TokenRejected(`Unsupported token algorithm "${String(header.alg)}"`);
    const key = await this.key(typeof header.kid === 'string' ? header.kid : undefined);
    const ok = verify(
      alg.hash,
      Buffer.from(`${h}.${p}`),
      alg.ec ? { key, dsaEncoding: 'ieee-p1363' } : key,
      Buffer.from(sig, 'base64url'),
    );
    if (!ok) throw new TokenRejected('The token signature does not verify against the issuer keys');
    const claims = decode(p, 'payload');
    this.checkClaims(claims);
    return claims;
  }

  /** The principal name the claims carry. */
  principalOf(claims: Claims): string {
    const claim = this.options.principalClaim ?? 'sub';
    const name = claims[claim];
    if (typeof name !== 'string' || !name) throw new TokenRejected(`The token has no "${claim}" claim`, 403);
    return name;
  }

  private checkClaims(c: Claims): void {
    const now = Date.now() / 1000;
    const skew = this.options.clockSkewSeconds ?? 60;
    if (c.iss !== this.options.issuer) throw new TokenRejected('The token was issued by another authorization server');
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!aud.includes(this.audience)) throw new TokenRejected(`The token is not issued for ${this.audience}`);
    if (typeof c.exp !== 'number' || c.exp < now - skew) throw new TokenRejected('The token has expired');
    if (typeof c.nbf === 'number' && c.nbf > now + skew) throw new TokenRejected('The token is not valid yet');
    const granted = new Set(
      typeof c.scope === 'string' ? c.scope.split(' ') : Array.isArray(c.scp) ? c.scp.map(String) : [],
    );
    const missing = (this.options.requiredScopes ?? []).filter((s) => !granted.has(s));
    if (missing.length) throw new TokenRejected(`The token lacks the scope(s) ${missing.join(', ')}`, 403);
  }

  private async key(kid: string | undefined): Promise<KeyObject> {
    const find = () => (kid ? this.keys.get(kid) : this.keys.size === 1 ? [...this.keys.values()][0] : undefined);
    let key = find();
    if (!key && Date.now() - this.fetchedAt > REFETCH_MS) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
      key = find();
    }
    if (!key) throw new TokenRejected(`No signing key ${kid ? `"${kid}" ` : ''}in the issuer's JWKS`);
    return key;
  }

  private async load(): Promise<void> {
    this.fetchedAt = Date.now();
    let jwksUri = this.options.jwksUri;
    try {
      if (!jwksUri) jwksUri = await this.discover();
      const res = await this.fetch(jwksUri, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const { keys = [] } = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
      const next = new Map<string, KeyObject>();
      keys.forEach((jwk, i) => {
        if (jwk.use && jwk.use !== 'sig') return;
        try {
          next.set(jwk.kid ?? `#${i}`, createPublicKey({ key: jwk, format: 'jwk' }));
        } catch {
          // a key type node:crypto cannot use is skipped, not fatal
        }
      });
      this.keys = next;
    } catch (err) {
      throw new TokenRejected(`Could not fetch the issuer's signing keys (${(err as Error).message})`);
    }
  }

  private async discover(): Promise<string> {
    const base = this.options.issuer.replace(/\/$/, '');
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await this.fetch(base + path, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (!res?.ok) continue;
      const meta = (await res.json()) as { jwks_uri?: string };
      if (meta.jwks_uri) return meta.jwks_uri;
    }
    throw new Error(`no jwks_uri in ${base}'s metadata`);
  }
}

/** RFC 9728 Protected Resource Metadata of the MCP endpoint `resource`. */
export function resourceMetadata(resource: string, options: McpOAuthOptions): Record<string, unknown> {
  return {
    resource,
    authorization_servers: [options.issuer],
    bearer_methods_supported: ['header'],
    ...(options.requiredScopes?.length ? { scopes_supported: options.requiredScopes } : {}),
    resource_name: 'Hearth',
  };
}

/** Where the metadata of `mcpUrl` is published (both the root and the path-suffixed form are served). */
export function metadataUrl(mcpUrl: string): string {
  const u = new URL(mcpUrl);
  return `${u.origin}/.well-known/oauth-protected-resource${u.pathname}`;
}

function decode(part: string, what: string): Claims {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Claims;
  } catch {
    // fall through
  }
  throw new TokenRejected(`The token ${what} is not JSON`);
}
