/**
 * The app's only source of time. In production it is the wall clock; with
 * REFERENCE_TEST_CLOCK on, journeys can move it (POST /_test/clock) so call
 * minutes, OTP expiry and renewals happen in seconds.
 */
export class Clock {
  private offsetMs = 0
  now(): Date {
    return new Date(this.nowMs())
  }
  nowMs(): number {
    return Date.now() + this.offsetMs
  }
  advance(ms: number): void {
    this.offsetMs += ms
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now()
  }
}
