/**
 * Debounces a check's raw results: `fall` failures in a row make it unhealthy, `rise` successes in a row
 * make it healthy again, so one lost probe does not move the address.
 */
export class HealthCheckState {
  private healthyNow = true;
  private streak = 0;
  private lastDetail = 'not run yet';

  constructor(
    readonly fall: number,
    readonly rise: number,
  ) {}

  /** Returns true when the debounced health changed. */
  record(ok: boolean, detail: string): boolean {
    this.lastDetail = detail;
    if (ok === this.healthyNow) {
      this.streak = 0;
      return false;
    }
    this.streak++;
    if (this.streak < (this.healthyNow ? this.fall : this.rise)) return false;
    this.healthyNow = ok;
    this.streak = 0;
    return true;
  }

  get healthy(): boolean {
    return this.healthyNow;
  }

  get detail(): string {
    return this.lastDetail;
  }
}
