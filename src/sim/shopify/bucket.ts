/**
 * Shopify's leaky bucket for the GraphQL Admin API, one per app and shop. Points restore
 * continuously at `restoreRate` per second up to `bucketSize`.
 */
export interface PlanLimits {
  restoreRate: number;
  bucketSize: number;
}

export type PlanName = 'standard' | 'advanced' | 'plus' | 'enterprise';

/**
 * Restore rates are Shopify's documented ones. Bucket sizes are not documented for these
 * tiers; historically the bucket was 20x the restore rate (2000/100), which the reference
 * suggests as the default, so every tier uses 20x and tests pass explicit numbers.
 */
export const PLANS: Record<PlanName, PlanLimits> = {
  standard: { restoreRate: 100, bucketSize: 2000 },
  advanced: { restoreRate: 200, bucketSize: 4000 },
  plus: { restoreRate: 1000, bucketSize: 20000 },
  enterprise: { restoreRate: 2000, bucketSize: 40000 },
};

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private at: number;
  /** Lowest level ever observed, so tests can prove a client never overdrew the bucket. */
  lowWater: number;

  constructor(
    readonly limits: PlanLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.available = limits.bucketSize;
    this.at = now();
    this.lowWater = limits.bucketSize;
  }

  private refill(): void {
    const t = this.now();
    this.available = Math.min(this.limits.bucketSize, this.available + ((t - this.at) / 1000) * this.limits.restoreRate);
    this.at = t;
  }

  /** Takes `cost` points if they are all there; Shopify never lets a query run on credit. */
  tryTake(cost: number): boolean {
    this.refill();
    if (this.available < cost) return false;
    this.available -= cost;
    this.lowWater = Math.min(this.lowWater, this.available);
    return true;
  }

  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.limits.bucketSize, this.available + points);
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.limits.bucketSize,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.limits.restoreRate,
    };
  }
}
