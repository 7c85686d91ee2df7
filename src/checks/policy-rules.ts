import type { Localised } from "../i18n/language.js";

/**
 * The municipal rules the checks enforce (../shared/policy). Every finding points at one of these,
 * the way ScubaGear results point at a written baseline.
 */
export interface PolicyRule {
  id: string;
  /** The document and section the rule comes from. */
  source: string;
  /** The rule's own words (Swedish, as decided). */
  quote: string;
  summary: Localised;
}

export const POLICY_RULES = {
  "KK-P1": {
    id: "KK-P1",
    source: "Rutin för socialförvaltningens IT-användning, Övrigt; Informationsskyddsguide, Håll kontroll på lösenorden",
    quote:
      "Varje användare i kommunens administrativa IT-nät ska ha eget användarnamn och lösenord. Dessa är personliga och får inte lånas ut eller överlåtas.",
    summary: {
      sv: "Varje användare har ett eget, personligt konto som inte lånas ut eller överlåts.",
      en: "Every user has their own personal account, never lent or handed over.",
    },
  },
  "KK-P2": {
    id: "KK-P2",
    source: "Informationsskyddsguide, Håll kontroll på lösenorden",
    quote:
      "Användning av någon annans eller allmänna inloggningsuppgifter är inte tillåtet vid hantering av personuppgifter eller övrigt känsligt material",
    summary: {
      sv: "Inga gemensamma eller andras inloggningar vid hantering av personuppgifter.",
      en: "No shared or someone else's logins when handling personal data.",
    },
  },
  "KK-P3": {
    id: "KK-P3",
    source: "Informationsskyddsguide, Håll kontroll på lösenorden",
    quote: "Använd inte arbetsapplikationers lösenord i applikationer och tjänster som finns utanför arbetsplatsen.",
    summary: {
      sv: "Arbetslösenord används inte i tjänster utanför arbetet.",
      en: "Work passwords are not used in services outside work.",
    },
  },
  "KK-P4": {
    id: "KK-P4",
    source: "Informationsskyddsguide, Håll arbetsstationerna och arbetspunkterna säkrade",
    quote: "Lås datorn när du avlägsnar dig från din arbetspunkt. Stäng av datorn, om du inte menar återvända samma arbetsdag.",
    summary: {
      sv: "Lås datorn när du går ifrån den; stäng av den om du inte kommer tillbaka samma dag.",
      en: "Lock the computer when you leave it; shut it down if you are not returning the same day.",
    },
  },
  "KK-P5": {
    id: "KK-P5",
    source: "Informationsskyddsguide, Håll arbetsstationerna och arbetspunkterna säkrade",
    quote: "Använd datorerna regelbundet, så att nödvändiga uppdateringar installeras.",
    summary: {
      sv: "Datorer används regelbundet så att uppdateringar installeras.",
      en: "Computers are used regularly so that updates get installed.",
    },
  },
  "KK-P6": {
    id: "KK-P6",
    source: "Informationsskyddsguide, Håll arbetsstationerna och arbetspunkterna säkrade",
    quote: "Använd endast av arbetsgivaren erhållen utrustning och tjänster för arbetsärenden",
    summary: {
      sv: "Endast arbetsgivarens utrustning och tjänster används i arbetet.",
      en: "Only employer-provided equipment and services are used for work.",
    },
  },
  "KK-P7": {
    id: "KK-P7",
    source: "Rutin för socialförvaltningens IT-användning, Övrigt",
    quote: "Behörighetsbegränsningar och organisatoriska gränser i kommunens dokumentlagring skall respekteras och inte överträdas.",
    summary: {
      sv: "Behörigheter och organisatoriska gränser respekteras.",
      en: "Authorisation limits and organisational boundaries are respected.",
    },
  },
  "KK-P8": {
    id: "KK-P8",
    source: "Rutin för socialförvaltningens IT-användning, Användningsområden",
    quote:
      "I verksamheter där kommunens kunder (klienter/ brukare) ska nyttja dator, ska det för detta ändamål finnas speciella arbetsplatser, som ligger utanför kommunens administrativa nät.",
    summary: {
      sv: "Brukar- och elevdatorer ligger utanför det administrativa nätet; skolnätet kräver personlig inloggning.",
      en: "Client and pupil computers sit outside the administrative network; the school network needs personal logins.",
    },
  },
} as const satisfies Record<string, PolicyRule>;

export type PolicyRuleId = keyof typeof POLICY_RULES;
