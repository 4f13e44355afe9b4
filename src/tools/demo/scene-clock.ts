/**
 * The demo's story time: each scene of the day has a clock time ("09:00") on today's date.
 * Messages carry it (lastUpdated, due dates); the printed lines show it. Real time is not shown.
 */
export class SceneClock {
  private hhmm = '08:00';
  private readonly day: string;

  constructor(today: Date = new Date()) {
    this.day = today.toISOString().slice(0, 10);
  }

  set(hhmm: string): void {
    this.hhmm = hhmm;
  }

  /** The scene's time, as printed: "09:00". */
  get label(): string {
    return this.hhmm;
  }

  /** The scene's time as an xs:dateTime in UTC: "2026-11-25T09:00:00Z". */
  iso(): string {
    return `${this.day}T${this.hhmm}:00Z`;
  }

  /** A date `days` after today, as an xs:date. */
  date(days: number): string {
    const d = new Date(`${this.day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }
}
