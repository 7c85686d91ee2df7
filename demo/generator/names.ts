/**
 * Account-name rules of Exempelkommun: sAMAccountName = three letters of the first name + three of
 * the surname, UPN = firstname.lastname, both ASCII-folded (å→a, ä→a, ö→o, é→e) and lower-case;
 * the second holder of a taken name gets a 2, the third a 3, and so on.
 */

/** "Åsa Öberg-Linné" → "Asa Oberg-Linne": decompose, then drop the combining marks. */
export function asciiFold(value: string): string {
  return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
}

/** Lower-case ASCII letters only: the material for a sAMAccountName. */
function lettersOnly(value: string): string {
  return asciiFold(value).toLowerCase().replace(/[^a-z]/g, "");
}

/** A name as it may appear in the local part of a UPN: letters, digits and hyphens. */
export function upnPart(value: string): string {
  return asciiFold(value)
    .toLowerCase()
    .trim()
    .replace(/\s+/g, "-")
    .replace(/[^a-z0-9-]/g, "");
}

export class NameRegistry {
  private readonly sams = new Set<string>();
  private readonly upnLocalParts = new Set<string>();

  /** Marks a fixed name as taken (built-in and planted accounts). */
  reserveSam(sam: string): string {
    const lower = sam.toLowerCase();
    if (this.sams.has(lower)) throw new Error(`sAMAccountName ${sam} reserved twice`);
    this.sams.add(lower);
    return sam;
  }

  reserveUpnLocalPart(localPart: string): string {
    const lower = localPart.toLowerCase();
    if (this.upnLocalParts.has(lower)) throw new Error(`UPN ${localPart} reserved twice`);
    this.upnLocalParts.add(lower);
    return localPart;
  }

  personSam(givenName: string, surname: string): string {
    const base = lettersOnly(givenName).slice(0, 3) + lettersOnly(surname).slice(0, 3);
    return this.claim(this.sams, base);
  }

  /** `prefix` distinguishes e.g. external consultants ("ext.") from staff. */
  personUpnLocalPart(givenName: string, surname: string, prefix = ""): string {
    return this.claim(this.upnLocalParts, `${prefix}${upnPart(givenName)}.${upnPart(surname)}`);
  }

  private claim(taken: Set<string>, base: string): string {
    let candidate = base;
    for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${base}${suffix}`;
    taken.add(candidate);
    return candidate;
  }
}
