/**
 * One instance of each repeated text. Parsed records give every copy of a name its own string;
 * at millions of records, pointing equal copies at one instance halves what they hold.
 */
import type { SignIn, WindowsSession } from "../snapshot/model.js";

/** The instance `table` holds for `value`, which becomes the held one when it is new. */
export function share<T extends string>(table: Map<string, string>, value: T): T {
  const held = table.get(value);
  if (held !== undefined) return held as T;
  table.set(value, value);
  return value;
}

/**
 * A region's week holds millions of sign-ins but few distinct users, apps, devices and places.
 * Used wherever sign-ins are parsed: the Entra sources and a snapshot read back from a file.
 */
export class SignInText {
  /** Per user: names, addresses and devices. */
  private readonly person = new Map<string, string>();
  /** Shared by everyone: apps, systems, places; a small table, so its lookups stay in the CPU cache. */
  private readonly context = new Map<string, string>();

  /** Points the sign-in's repeated texts at their shared instances; returns the same object. */
  apply(signIn: SignIn): SignIn {
    // Field by field, not in a loop over names: a property chosen at run time is several times slower to read and write.
    const person = this.person;
    const context = this.context;
    signIn.userPrincipalName = share(person, signIn.userPrincipalName);
    if (signIn.accountKey !== undefined) signIn.accountKey = share(person, signIn.accountKey);
    if (signIn.ipAddress !== undefined) signIn.ipAddress = share(person, signIn.ipAddress);
    if (signIn.deviceId !== undefined) signIn.deviceId = share(person, signIn.deviceId);
    if (signIn.deviceName !== undefined) signIn.deviceName = share(person, signIn.deviceName);
    if (signIn.appDisplayName !== undefined) signIn.appDisplayName = share(context, signIn.appDisplayName);
    if (signIn.operatingSystem !== undefined) signIn.operatingSystem = share(context, signIn.operatingSystem);
    if (signIn.browser !== undefined) signIn.browser = share(context, signIn.browser);
    if (signIn.trustType !== undefined) signIn.trustType = share(context, signIn.trustType);
    if (signIn.city !== undefined) signIn.city = share(context, signIn.city);
    if (signIn.countryOrRegion !== undefined) signIn.countryOrRegion = share(context, signIn.countryOrRegion);
    return signIn;
  }
}

/**
 * Host and user names, boot times and change kinds of Windows sessions: few distinct values over
 * a million sessions. Used for sessions that crossed from the reader's worker thread (a structured
 * clone gives every copy its own string) and for a snapshot read back from a file.
 */
export class SessionText {
  private readonly strings = new Map<string, string>();

  /** Points the session's repeated texts at their shared instances; returns the same object. */
  apply(session: WindowsSession): WindowsSession {
    const strings = this.strings;
    session.host = share(strings, session.host);
    if (session.bootAt !== undefined) session.bootAt = share(strings, session.bootAt);
    if (session.userSid !== undefined) session.userSid = share(strings, session.userSid);
    if (session.userName !== undefined) session.userName = share(strings, session.userName);
    if (session.userDomain !== undefined) session.userDomain = share(strings, session.userDomain);
    if (session.clientName !== undefined) session.clientName = share(strings, session.clientName);
    for (const change of session.changes) change.kind = share(strings, change.kind);
    return session;
  }
}
