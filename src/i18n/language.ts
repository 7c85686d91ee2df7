/** Report languages. Code, logs and the CLI are English; reports are Swedish or English. */
export const LANGUAGES = ["sv", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in every report language. */
export type Localised = Record<Language, string>;

/** A text with parameters in every report language. */
export type LocalisedTemplate<P> = Record<Language, (params: P) => string>;
