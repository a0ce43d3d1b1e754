/**
 * Plain HTTP access to the two systems for the chaos suite's merchant actions and its checks.
 * Deliberately not the hub's connector clients: what the suite verifies must not pass through
 * the code under test. Both talk to the simulators directly (never through the fault proxies).
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The Service Layer as any OData client sees it: Login cookie, JSON, odata.nextLink paging. */
export class ServiceLayerProbe {
  private cookie: string | undefined;
  private readonly origin: string;

  constructor(
    private readonly baseUrl: string,
    private readonly creds = { CompanyDB: 'SBODEMOUS', UserName: 'manager', Password: '1234' },
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  private async login(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/Login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(this.creds),
    });
    if (!res.ok) throw new Error(`Service Layer login: HTTP ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    this.cookie = cookies.join('; ');
    return this.cookie;
  }

  private async send(method: string, url: string, body?: unknown): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const cookie = this.cookie ?? (await this.login());
      const res = await fetch(url, {
        method,
        headers: {
          Cookie: cookie,
          Accept: 'application/json',
          Prefer: 'odata.maxpagesize=500',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (res.status === 401 && attempt === 0) {
        this.cookie = undefined;
        continue;
      }
      return res;
    }
  }

  /** Every record of an entity set (all pages). */
  async list<T = Record<string, unknown>>(set: string, query: { select?: string[]; filter?: string } = {}): Promise<T[]> {
    const qs = new URLSearchParams();
    if (query.select) qs.set('$select', query.select.join(','));
    if (query.filter) qs.set('$filter', query.filter);
    let url: string | undefined = `${this.baseUrl}/${set}${qs.size ? `?${qs.toString()}` : ''}`;
    const out: T[] = [];
    for (let pages = 0; url && pages < 10_000; pages++) {
      const res = await this.send('GET', url);
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${set}: HTTP ${res.status} ${text.slice(0, 300)}`);
      const j = JSON.parse(text) as { value?: T[]; 'odata.nextLink'?: string; '@odata.nextLink'?: string };
      out.push(...(j.value ?? []));
      const next = j['odata.nextLink'] ?? j['@odata.nextLink'];
      url = next ? (next.startsWith('/') ? `${this.origin}${next}` : `${this.baseUrl}/${next}`) : undefined;
    }
    return out;
  }

  async post<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    const res = await this.send('POST', `${this.baseUrl}/${path}`, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async patch(path: string, body: unknown): Promise<void> {
    const res = await this.send('PATCH', `${this.baseUrl}/${path}`, body);
    if (!res.ok) throw new Error(`PATCH ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
}

interface GqlResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Shopify's Admin GraphQL API (and the simulator's control endpoints for what it has no mutation for). */
export class AdminProbe {
  constructor(
    private readonly origin: string,
    private readonly accessToken: string,
    private readonly apiVersion = '2026-07',
  ) {}

  async gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const res = await fetch(`${this.origin}/admin/api/${this.apiVersion}/graphql.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': this.accessToken },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`Admin API: HTTP ${res.status} ${text.slice(0, 300)}`);
      const j = JSON.parse(text) as GqlResult<T>;
      if (j.errors?.some((e) => e.extensions?.code === 'THROTTLED')) {
        await sleep(1000);
        continue;
      }
      if (j.errors?.length) throw new Error(`Admin API: ${j.errors.map((e) => e.message).join('; ')}`);
      return j.data as T;
    }
    throw new Error('Admin API: still throttled after 60 s');
  }

  /** All nodes of a top-level connection, `fields` being the node selection. */
  async all<N>(connection: string, fields: string, pageSize: number, args = ''): Promise<N[]> {
    const out: N[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10_000; pages++) {
      const q = `query($first: Int!, $after: String) { ${connection}(first: $first, after: $after${args ? `, ${args}` : ''}) { nodes { ${fields} } pageInfo { hasNextPage endCursor } } }`;
      const d: Record<string, { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> = await this.gql(q, {
        first: pageSize,
        after,
      });
      const conn = d[connection]!;
      out.push(...conn.nodes);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    return out;
  }

  async control<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': this.accessToken },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}
