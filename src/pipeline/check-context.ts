import type { CheckContext } from "../checks/types.js";
import type { KontokollConfig } from "../config/schema.js";

/** What the checks learn from the configuration: the organisation's clock, working day and departments. */
export function checkContextOf(config: KontokollConfig): CheckContext {
  const { organisation } = config;
  return {
    timeZone: organisation.timeZone,
    workingHours: organisation.workingHours,
    classification: config.classification,
    organisation: { departments: organisation.departments, crossDepartmentGrants: organisation.crossDepartmentGrants },
  };
}
