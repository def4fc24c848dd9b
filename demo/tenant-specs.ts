/** The demo's tenants, environments and services, with their plans, flags and policies. */
import type { Features, Plan } from '#core/schemas.ts';
import { DEFAULT_ROLES } from '#core/review-rules.ts';

// --- Tenants and services -------------------------------------------------------------------------

export type Version = readonly [number, number, number];
export type Pair = readonly [string, string];

export interface ServiceSpec {
  name: string;
  team: string;
  port: number;
  /** Latest built version when the demo starts; staging runs it. */
  version: Version;
  /** Story services only get patch releases from the random walk; the story makes their minor bumps. */
  minorBumps: boolean;
  /** Production replicas; staging runs about half. */
  replicas: number;
  cpu: Pair;
  memory: Pair;
  /** Container env; `{ns}`, `{domain}`, `{env}` are filled in per target. */
  env: readonly Pair[];
  /** Values a release may switch an env var to. */
  choices: Readonly<Record<string, readonly string[]>>;
  /** Env vars a release may introduce. */
  extraEnv: readonly Pair[];
  changelog: readonly string[];
  hotfixes: readonly string[];
  ticket: string;
  /** Whether the service also has a deployment-patch.yaml. */
  patch: boolean;
}

export interface EnvironmentSpec {
  name: string;
  requiredApprovals: number;
  blockSelfApproval: boolean;
}

export interface TenantSpec {
  name: string;
  plan: Plan;
  features: Features;
  region: string;
  domain: string;
  environments: EnvironmentSpec[];
  services: ServiceSpec[];
  flags: readonly (readonly [string, boolean])[];
  flagPool: readonly string[];
}

export const { requesters: REQUESTERS, approvers: APPROVERS, breakGlass: BREAK_GLASS } = DEFAULT_ROLES;

export function service(spec: Omit<ServiceSpec, 'minorBumps' | 'patch'> & Partial<Pick<ServiceSpec, 'minorBumps' | 'patch'>>): ServiceSpec {
  return { minorBumps: true, patch: false, ...spec };
}

export const LOG_LEVEL: Pair = ['LOG_LEVEL', 'info'];

export function apiGateway(version: Version, minorBumps: boolean, ticket: string): ServiceSpec {
  return service({
    name: 'api-gateway',
    team: 'team-edge',
    port: 8080,
    version,
    minorBumps,
    replicas: 4,
    cpu: ['250m', '1'],
    memory: ['256Mi', '512Mi'],
    env: [LOG_LEVEL, ['UPSTREAM_TIMEOUT_MS', '5000'], ['RATE_LIMIT_RPS', '400'], ['CORS_ALLOWED_ORIGINS', 'https://{domain}']],
    choices: { UPSTREAM_TIMEOUT_MS: ['3000', '4000', '5000', '8000'], RATE_LIMIT_RPS: ['300', '400', '600', '800'] },
    extraEnv: [['JWT_CLOCK_SKEW_SECONDS', '30'], ['ACCESS_LOG_SAMPLE_RATE', '0.1'], ['MAX_BODY_BYTES', '1048576']],
    changelog: [
      'Reject oversized JSON bodies before authentication',
      'Propagate W3C traceparent to upstreams',
      'Cache JWKS keys for 10 minutes',
      'Return 429 with Retry-After when rate limited',
      'Upgrade the HTTP/2 library (stream reset leak)',
      'Normalise trailing slashes in route matching',
    ],
    hotfixes: ['JWKS refresh loop during key rotation', 'upstream timeout not applied to retries', 'CORS preflight missing on /v2 routes'],
    ticket,
  });
}

export function webSpec(version: Version, ticket: string, team = 'team-storefront'): ServiceSpec {
  return service({
    name: 'web',
    team,
    port: 3000,
    version,
    replicas: 4,
    cpu: ['200m', '500m'],
    memory: ['256Mi', '512Mi'],
    env: [['NODE_ENV', 'production'], ['API_BASE_URL', 'https://api.{domain}'], ['SSR_CACHE_TTL_SECONDS', '60'], ['SENTRY_ENVIRONMENT', '{env}']],
    choices: { SSR_CACHE_TTL_SECONDS: ['30', '60', '120', '300'] },
    extraEnv: [['IMAGE_CDN_URL', 'https://img.{domain}'], ['ENABLE_WEB_VITALS', 'true']],
    changelog: [
      'Lazy-load product carousel images',
      'New footer with store locator',
      'Prefetch product pages on hover',
      'Fix hydration warning on the account page',
      'Upgrade React to 19.3',
      'Accessible names for icon-only buttons',
    ],
    hotfixes: ['blank page on Safari 17 with cookies disabled', 'SSR cache serves the wrong locale', 'broken srcset on retina screens'],
    ticket,
  });
}

export function tenantSpecs(): TenantSpec[] {
  return [
    {
      name: 'acme',
      plan: 'enterprise',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      region: 'eu-west-1',
      domain: 'shop.acme.example.com',
      environments: [
        { name: 'staging', requiredApprovals: 0, blockSelfApproval: true },
        { name: 'production', requiredApprovals: 1, blockSelfApproval: true },
      ],
      services: [
        apiGateway([1, 19, 4], true, 'EDGE'),
        service({
          name: 'payments',
          team: 'team-payments',
          port: 8080,
          version: [2, 13, 1],
          minorBumps: false,
          patch: true,
          replicas: 4,
          cpu: ['500m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [LOG_LEVEL, ['PAYMENT_PROVIDER', 'stripe'], ['PAYMENT_PROVIDER_TIMEOUT_MS', '3000'], ['DB_POOL_SIZE', '20'], ['LEDGER_WRITE_MODE', 'sync']],
          choices: { PAYMENT_PROVIDER_TIMEOUT_MS: ['2500', '3000', '3500', '4000'], DB_POOL_SIZE: ['16', '20', '24', '32'] },
          extraEnv: [['IDEMPOTENCY_WINDOW_SECONDS', '86400'], ['REFUND_BATCH_SIZE', '50']],
          changelog: [
            'Retry idempotent captures on provider 503',
            'Add ledger reconciliation metrics',
            'Upgrade the pg driver to 8.12',
            'Store the 3-D Secure outcome on the payment intent',
            'Expose refund status on the admin API',
            'Reduce lock contention in the ledger writer',
          ],
          hotfixes: ['double capture on client retry', 'webhook signature check rejects rotated secret', 'refunds stuck pending after provider timeout'],
          ticket: 'PAY',
        }),
        service({
          name: 'checkout',
          team: 'team-checkout',
          port: 8080,
          version: [3, 7, 2],
          minorBumps: false,
          patch: true,
          replicas: 3,
          cpu: ['250m', '750m'],
          memory: ['512Mi', '768Mi'],
          env: [LOG_LEVEL, ['CART_TTL_SECONDS', '1800'], ['PAYMENTS_URL', 'http://payments.{ns}.svc.cluster.local:8080'], ['FEATURE_ONE_CLICK', 'false']],
          choices: { CART_TTL_SECONDS: ['1200', '1800', '2400'], FEATURE_ONE_CLICK: ['true', 'false'] },
          extraEnv: [['PROMO_ENGINE_URL', 'http://promotions.{ns}.svc.cluster.local:8080'], ['ADDRESS_VALIDATION', 'strict']],
          changelog: [
            'Validate postcode format per country',
            'Show the delivery estimate on the review step',
            'Keep the cart across devices for signed-in users',
            'Debounce quantity updates',
            'Move tax calculation behind the pricing API',
          ],
          hotfixes: ['cart total ignores promo on quantity change', 'guest checkout loses the address on back navigation', 'duplicate order on double submit'],
          ticket: 'CHK',
        }),
        webSpec([4, 11, 0], 'WEB'),
        service({
          name: 'search',
          team: 'team-discovery',
          port: 8080,
          version: [3, 4, 3],
          minorBumps: false,
          replicas: 3,
          cpu: ['500m', '1500m'],
          memory: ['1Gi', '2Gi'],
          env: [LOG_LEVEL, ['INDEX_ALIAS', 'products'], ['QUERY_TIMEOUT_MS', '800'], ['SHARD_COUNT', '3']],
          choices: { QUERY_TIMEOUT_MS: ['600', '800', '1000', '1200'] },
          extraEnv: [['SYNONYMS_FILE', '/etc/search/synonyms.txt'], ['FACET_CACHE_TTL_SECONDS', '120']],
          changelog: [
            'Boost in-stock products in ranking',
            'Typo tolerance for brand names',
            'Faceted filters for size and colour',
            'Cut p99 latency with a query result cache',
            'Index product videos',
          ],
          hotfixes: ['empty results for queries with an apostrophe', 'facet counts ignore the active filters', 'indexer stalls on products without a price'],
          ticket: 'SRCH',
        }),
      ],
      flags: [
        ['newCheckoutFlow', false],
        ['searchV2', true],
        ['recommendationsCarousel', false],
      ],
      flagPool: ['oneClickPay', 'giftCards', 'wishlistSharing', 'expressShipping'],
    },
    {
      name: 'globex',
      plan: 'pro',
      features: { basic_rollback: true, rollback: true, selective_rollback: true, rollback_approval: true },
      region: 'us-east-1',
      domain: 'globex.example.com',
      environments: [
        { name: 'staging', requiredApprovals: 1, blockSelfApproval: true },
        { name: 'production', requiredApprovals: 2, blockSelfApproval: true },
      ],
      services: [
        apiGateway([2, 3, 5], false, 'GX'),
        service({
          name: 'payments',
          team: 'team-billing',
          port: 8080,
          version: [1, 8, 2],
          replicas: 3,
          cpu: ['250m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [LOG_LEVEL, ['PAYMENT_PROVIDER', 'adyen'], ['PAYMENT_PROVIDER_TIMEOUT_MS', '4000'], ['DB_POOL_SIZE', '16']],
          choices: { PAYMENT_PROVIDER_TIMEOUT_MS: ['3000', '4000', '5000'], DB_POOL_SIZE: ['12', '16', '24'] },
          extraEnv: [['INVOICE_PDF_RENDERER', 'chromium'], ['DUNNING_RETRY_DAYS', '3']],
          changelog: [
            'Invoice PDFs with the new letterhead',
            'Retry declined renewals after 3 days',
            'Idempotency keys on the refunds endpoint',
            'Upgrade the Adyen client to 28.1',
          ],
          hotfixes: ['renewals charged twice at month end', 'VAT rounding on multi-currency invoices'],
          ticket: 'GX',
        }),
        service({
          name: 'inventory',
          team: 'team-supply',
          port: 8080,
          version: [1, 11, 4],
          minorBumps: false,
          patch: true,
          replicas: 3,
          cpu: ['500m', '1'],
          memory: ['768Mi', '1536Mi'],
          env: [LOG_LEVEL, ['RESERVATION_TTL_SECONDS', '900'], ['WAREHOUSE_SYNC_INTERVAL', '5m'], ['DB_POOL_SIZE', '24']],
          choices: { RESERVATION_TTL_SECONDS: ['600', '900', '1200'], WAREHOUSE_SYNC_INTERVAL: ['2m', '5m', '10m'] },
          extraEnv: [['LOW_STOCK_THRESHOLD', '5'], ['SUPPLIER_FEED_URL', 'https://feeds.{domain}/suppliers']],
          changelog: [
            'Batch warehouse sync writes',
            'Expose stock levels per warehouse',
            'Soft-delete discontinued SKUs',
            'Faster reservation lookups with a covering index',
          ],
          hotfixes: ['negative stock after concurrent returns', 'warehouse sync skips SKUs with slashes'],
          ticket: 'GX',
        }),
        webSpec([5, 2, 1], 'GX', 'team-portal'),
      ],
      flags: [
        ['bulkImport', true],
        ['partnerApi', false],
      ],
      flagPool: ['newPricingEngine', 'backorders', 'supplierPortal'],
    },
    {
      name: 'initech',
      plan: 'free',
      features: { basic_rollback: true, rollback: false, selective_rollback: false, rollback_approval: false },
      region: 'us-west-2',
      domain: 'initech.example.com',
      environments: [{ name: 'production', requiredApprovals: 1, blockSelfApproval: true }],
      services: [
        service({
          name: 'api',
          team: 'team-initech',
          port: 8080,
          version: [1, 9, 2],
          replicas: 2,
          cpu: ['250m', '500m'],
          memory: ['256Mi', '512Mi'],
          env: [LOG_LEVEL, ['DATABASE_HOST', 'db.initech.internal'], ['WORKERS', '4'], ['REQUEST_TIMEOUT_MS', '10000']],
          choices: { WORKERS: ['2', '4', '6'], REQUEST_TIMEOUT_MS: ['5000', '10000', '15000'] },
          extraEnv: [['CACHE_TTL_SECONDS', '300']],
          changelog: ['TPS report export as CSV', 'Pagination on /reports', 'Cover sheet template v2', 'Upgrade Django to 5.2'],
          hotfixes: ['report export times out for large teams', 'login loop after password reset'],
          ticket: 'INI',
        }),
        webSpec([0, 14, 3], 'INI', 'team-initech'),
        service({
          name: 'worker',
          team: 'team-initech',
          port: 9090,
          version: [1, 3, 7],
          patch: true,
          replicas: 2,
          cpu: ['250m', '1'],
          memory: ['512Mi', '1Gi'],
          env: [['QUEUE_NAME', 'jobs'], ['CONCURRENCY', '8'], LOG_LEVEL, ['MAX_RETRIES', '5']],
          choices: { CONCURRENCY: ['4', '8', '12', '16'], MAX_RETRIES: ['3', '5', '8'] },
          extraEnv: [['DEAD_LETTER_QUEUE', 'jobs-dlq']],
          changelog: ['Nightly digest e-mails', 'Retry with exponential backoff', 'Graceful shutdown on SIGTERM'],
          hotfixes: ['jobs retried forever on poison messages', 'digest sent twice after a restart'],
          ticket: 'INI',
        }),
      ],
      flags: [
        ['tpsReportsV2', false],
        ['nightlyDigest', true],
      ],
      flagPool: ['legacyExport', 'coverSheetReminder'],
    },
  ];
}
