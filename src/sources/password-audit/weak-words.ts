/**
 * The built-in list of weak passwords: what Swedish municipal staff and helpdesks actually choose
 * (seasons and months with a year, Välkommen1, the municipality's name with a year) and the usual
 * English ones. Compared by NT hash; the words themselves never appear in any output.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

const FIXED = [
  "Password1",
  "Password123",
  "Password1!",
  "password",
  "Qwerty123",
  "qwerty123",
  "Qwerty1!",
  "123456",
  "12345678",
  "123456789",
  "Welcome1",
  "Welcome123",
  "Välkommen1",
  "Välkommen123",
  "Valkommen1",
  "Välkommen!",
  "Kommun123",
  "Kommunen1",
  "Lösenord1",
  "Losenord1",
  "Lösenord123",
  "Hejsan123",
  "Sverige1",
  "Test1234",
  "Changeme1",
  "Sommar",
  "Vinter",
];

const SEASONS = ["Sommar", "Vinter", "Höst", "Var", "Vår", "Summer", "Winter", "Autumn", "Spring", "Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli", "Augusti", "September", "Oktober", "November", "December"];
const SUFFIXES = ["", "!", "!!", "#"];

/** Capitalised and lower-case forms, with no spaces (Exempel Kommun → Exempelkommun). */
function nameForms(name: string): string[] {
  const bare = name.replace(/\s+/g, "");
  if (bare === "") return [];
  const lower = bare.toLowerCase();
  return [...new Set([bare, lower, lower.charAt(0).toUpperCase() + lower.slice(1)])];
}

/**
 * The built-in list for an organisation as of a year: fixed words, seasons and months with the
 * years around it (also two-digit), and the organisation's name alone and with those years.
 */
export function builtInWeakWords(organisation: string, year: number): string[] {
  const years: string[] = [];
  for (let at = year - 6; at <= year + 1; at++) years.push(String(at), String(at).slice(2));
  const words = new Set(FIXED);
  for (const season of SEASONS) for (const form of nameForms(season)) for (const at of years) for (const suffix of SUFFIXES) words.add(`${form}${at}${suffix}`);
  for (const form of nameForms(organisation)) {
    words.add(form);
    for (const suffix of ["1", "123", "1!", "!"]) words.add(`${form}${suffix}`);
    for (const at of years) for (const suffix of SUFFIXES) words.add(`${form}${at}${suffix}`);
  }
  return [...words];
}

/** Streams a word list (UTF-8, one password a line, trailing CR cut); empty lines are skipped. */
export async function* readWordList(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    const word = line.replace(/\r$/, "");
    if (word !== "") yield word;
  }
}
