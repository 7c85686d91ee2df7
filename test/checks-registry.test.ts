import { strict as assert } from "node:assert";
import { POLICY_RULES } from "../src/checks/policy-rules.js";
import { CHECKS } from "../src/checks/registry.js";

describe("check registry", () => {
  it("holds unique ids with complete metadata in both languages", () => {
    const ids = CHECKS.map((check) => check.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const { meta } of CHECKS) {
      assert.match(meta.id, /^[a-z]+\.[a-z-]+$/);
      assert.ok(meta.policyRule in POLICY_RULES, `${meta.id} names a known policy rule`);
      for (const language of ["sv", "en"] as const) {
        // Excel allows 31 characters in a sheet name, and each check gets a sheet named by its title.
        assert.ok(meta.title[language].length <= 31, `${meta.id} title fits a sheet name`);
        assert.ok(meta.description[language].length > 20 && meta.remediation[language].length > 20);
      }
      const defaults = meta.options.parse({}) as { enabled: boolean };
      assert.equal(defaults.enabled, true);
      assert.ok(meta.requires.length > 0, `${meta.id} declares the data it needs`);
    }
  });
});
