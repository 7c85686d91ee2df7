import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig, parseConfig } from "../src/config/load.js";

const demoConfigFile = path.resolve("demo/kontokoll.demo.yaml");
const demoText = readFileSync(demoConfigFile, "utf8");

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, "broken.yaml", path.resolve("config/broken.yaml"));
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the configuration to be rejected");
}

function lineOf(text: string, needle: string): number {
  return text.split("\n").findIndex((line) => line.includes(needle)) + 1;
}

describe("configuration", () => {
  it("loads the demo configuration with defaults filled in and paths resolved against the file", async () => {
    const loaded = await loadConfig(demoConfigFile);
    assert.equal(loaded.config.organisation.departments.length, 6);
    assert.equal(loaded.config.report.language, "sv");
    assert.equal(loaded.checkOptions.get("stale.inactive")?.inactiveDays, 90);
    assert.deepEqual(loaded.checkOptions.get("stale.disabled-in-groups")?.ignoredGroups, [
      "Denied RODC Password Replication Group",
      "Domain Users",
      "Domain Guests",
      "Guests",
    ]);
    assert.equal(loaded.resolvePath("data/x"), path.resolve("demo/data/x"));
    assert.match(loaded.fingerprint, /^[0-9a-f]{12}$/);
  });

  it("accepts the documented example configuration, with an LDAP source and a comment-only section", async () => {
    const loaded = await loadConfig("config/kontokoll.example.yaml");
    const ad = loaded.config.sources.ad;
    assert.ok(ad !== undefined && !Array.isArray(ad) && ad.type === "ldap");
    assert.equal(ad.bindPasswordEnv, "KONTOKOLL_LDAP_BIND_PASSWORD");
    assert.equal(ad.allowPlainLdap, false);
    assert.equal(loaded.config.audit.asOf, undefined);
  });

  it("rejects an LDAP URL with a path and names the line", () => {
    const text = demoText.replace("  ad:\n    type: ldif\n    files: [data/ad/exempelkommun.ldif]", '  ad:\n    type: ldap\n    url: "ldaps://dc1/DC=x"\n    bindDn: reader');
    const error = errorOf(text);
    assert.equal(error.key, "sources.ad.url");
    assert.equal(error.line, lineOf(text, "ldaps://dc1/DC=x"));
  });

  it("names file, line and key for a wrong type", () => {
    const text = demoText.replace("inactiveDays: 90", 'inactiveDays: "ninety"');
    const error = errorOf(text);
    assert.equal(error.key, "checks.stale.inactive.inactiveDays");
    assert.equal(error.line, lineOf(text, '"ninety"'));
    assert.match(error.message, /^broken\.yaml:\d+: checks\.stale\.inactive\.inactiveDays: expected number, got string "ninety"$/);
  });

  it("names the line of an unknown key", () => {
    const text = demoText.replace("  locale: sv-SE\n", "  locale: sv-SE\n  colour: blue\n");
    const error = errorOf(text);
    assert.equal(error.key, "organisation.colour");
    assert.equal(error.line, lineOf(text, "colour: blue"));
    assert.match(error.message, /unknown key/);
  });

  it("rejects an unknown check id at its line", () => {
    const text = demoText.replace("stale.disabled-in-groups: {}", "stale.disabled-in-grups: {}");
    const error = errorOf(text);
    assert.equal(error.key, "checks.stale.disabled-in-grups");
    assert.equal(error.line, lineOf(text, "disabled-in-grups"));
  });

  it("rejects a bad time zone, a missing required key and bad YAML", () => {
    assert.match(errorOf(demoText.replace("timeZone: Europe/Stockholm", "timeZone: Europe/Stokholm")).message, /organisation\.timeZone: expected an IANA time zone/);
    const noName = errorOf(demoText.replace("  name: Exempelkommun\n", ""));
    assert.equal(noName.key, "organisation.name");
    assert.match(noName.message, /missing/);
    const syntax = errorOf("organisation:\n  name: [unclosed\n");
    assert.match(syntax.message, /^broken\.yaml:\d+: YAML syntax/);
  });

  it("reports a missing file as a configuration error", async () => {
    await assert.rejects(loadConfig("no/such/file.yaml"), (error: unknown) => error instanceof ConfigError && /file not found/.test(error.message));
  });
});
