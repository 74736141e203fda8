/** One step of a dial beyond TCP: its outcome, one line for the user, and the raw cause if any. */
export interface Step<Outcome extends string> {
  outcome: Outcome;
  message: string;
  /** errno code, HTTP status or client error behind the outcome. */
  detail?: string;
}
