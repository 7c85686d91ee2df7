/**
 * Entra keeps sign-ins for 7 or 30 days; kontokoll keeps its own copy so the checks can look
 * further back and a missed night loses nothing. Pulls are incremental from a watermark.
 */
import type { IsoInstant, SignIn } from "../../snapshot/model.js";
import { byTimeThenId } from "../entra/assemble.js";

export interface SignInArchive {
  /** Where the last complete pull of this stream ended. */
  watermark(stream: string): IsoInstant | undefined;
  /** Stores sign-ins (a repeated id is ignored) and, in the same transaction, the new watermark. Returns how many were new. */
  store(signIns: readonly SignIn[], watermark?: { stream: string; at: IsoInstant }): number;
  /** Sign-ins with start ≤ at ≤ end, oldest first. */
  between(start: IsoInstant, end: IsoInstant): SignIn[];
}

/** For runs without a state file (test-connection, a one-off run on a snapshot). */
export class MemorySignInArchive implements SignInArchive {
  private readonly signIns = new Map<string, SignIn>();
  private readonly watermarks = new Map<string, IsoInstant>();

  watermark(stream: string): IsoInstant | undefined {
    return this.watermarks.get(stream);
  }

  store(signIns: readonly SignIn[], watermark?: { stream: string; at: IsoInstant }): number {
    let added = 0;
    for (const signIn of signIns) {
      if (this.signIns.has(signIn.id)) continue;
      this.signIns.set(signIn.id, signIn);
      added++;
    }
    if (watermark !== undefined) this.watermarks.set(watermark.stream, watermark.at);
    return added;
  }

  between(start: IsoInstant, end: IsoInstant): SignIn[] {
    return [...this.signIns.values()].filter((signIn) => signIn.at >= start && signIn.at <= end).sort(byTimeThenId);
  }
}
