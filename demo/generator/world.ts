/** Assembles the whole municipality from its parts, in the order the parts depend on each other. */
import { planActivity } from "./activity.js";
import { assignSids, buildComputersAndDevices, buildGroups, buildOrganisationalUnits } from "./directory.js";
import type { DemoWorld, RoleAssignment, RoleDefinition } from "./model.js";
import { plantCatalogue } from "./catalogue.js";
import { buildPeople, type People } from "./people.js";
import { RandomStreams } from "./random.js";
import { planSecurity } from "./security.js";

/** Built-in Entra roles (their template ids are the same in every tenant). */
export const ROLE_DEFINITIONS: readonly RoleDefinition[] = [
  {
    id: "62e90394-69f5-4237-9190-012177145e10",
    displayName: "Global Administrator",
    description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
    allowedResourceActions: ["microsoft.directory/*/allProperties/allTasks", "microsoft.office365.exchange/allEntities/allProperties/allTasks"],
  },
  {
    id: "e8611ab8-c189-46e8-94e1-60213ab1f814",
    displayName: "Privileged Role Administrator",
    description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
    allowedResourceActions: ["microsoft.directory/roleAssignments/allProperties/allTasks", "microsoft.directory/roleDefinitions/allProperties/allTasks"],
  },
  {
    id: "fe930be7-5e62-47db-91af-98c3a49a38b1",
    displayName: "User Administrator",
    description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
    allowedResourceActions: ["microsoft.directory/users/allProperties/allTasks", "microsoft.directory/groups/allProperties/allTasks"],
  },
  {
    id: "29232cdf-9323-42fd-ade2-1d097af3e4de",
    displayName: "Exchange Administrator",
    description: "Can manage all aspects of the Exchange product.",
    allowedResourceActions: ["microsoft.office365.exchange/allEntities/basic/allTasks"],
  },
  {
    id: "3a2c62db-5318-420d-8d74-23affee5d9d5",
    displayName: "Intune Administrator",
    description: "Can manage all aspects of the Intune product.",
    allowedResourceActions: ["microsoft.intune/allEntities/allTasks"],
  },
  {
    id: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    displayName: "Helpdesk Administrator",
    description: "Can reset passwords for non-administrators and Helpdesk Administrators.",
    allowedResourceActions: ["microsoft.directory/users/password/update", "microsoft.directory/users/invalidateAllRefreshTokens"],
  },
  {
    id: "194ae4cb-b126-40b2-bd5b-6091b380977d",
    displayName: "Security Administrator",
    description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
    allowedResourceActions: ["microsoft.directory/policies/standard/read", "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"],
  },
  {
    id: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    displayName: "Global Reader",
    description: "Can read everything that a Global Administrator can, but not update anything.",
    allowedResourceActions: ["microsoft.directory/*/allProperties/read"],
  },
  {
    id: "4a5d8f65-41da-4de4-8968-e035b65339cf",
    displayName: "Reports Reader",
    description: "Can read sign-in and audit reports.",
    allowedResourceActions: ["microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"],
  },
];

function role(displayName: string): RoleDefinition {
  const found = ROLE_DEFINITIONS.find((definition) => definition.displayName === displayName);
  if (found === undefined) throw new Error(`no role ${displayName}`);
  return found;
}

export interface BuiltWorld {
  world: DemoWorld;
  people: People;
  streams: RandomStreams;
}

export function buildWorld(seed: number, staff: number): BuiltWorld {
  const streams = new RandomStreams(seed);
  const people = buildPeople(streams, staff);
  const organisationalUnits = buildOrganisationalUnits(streams.get("ou-guids"));
  const groups = buildGroups(streams, people);
  const devices = buildComputersAndDevices(streams, people);
  assignSids(people.identities, groups, devices.computers);
  const activity = planActivity(streams, people, { ...devices, organisationalUnits, groups });

  const [firstAdmin, secondAdmin, thirdAdmin] = people.cloudAdminAccounts;
  const roleAssignments: RoleAssignment[] = [
    ...people.breakGlassAccounts.map((principal) => ({ role: role("Global Administrator"), principal })),
    { role: role("Global Administrator"), principal: firstAdmin! },
    { role: role("Global Administrator"), principal: secondAdmin! },
    { role: role("Intune Administrator"), principal: secondAdmin! },
    { role: role("User Administrator"), principal: thirdAdmin! },
    { role: role("Exchange Administrator"), principal: thirdAdmin! },
  ];

  const security = planSecurity(streams, {
    people,
    computers: devices.computers,
    registeredDevices: devices.registeredDevices,
    hostDays: activity.hostDays,
    signIns: activity.signIns,
    roleDefinitions: ROLE_DEFINITIONS,
    roleAssignments,
  });

  const world: DemoWorld = {
    catalogue: [],
    seed,
    staff,
    domainGuid: streams.get("domain-guid").guidBytes(),
    organisationalUnits,
    identities: people.identities,
    groups,
    computers: devices.computers,
    registeredDevices: devices.registeredDevices,
    hostDays: activity.hostDays,
    hostsWithoutLockAuditing: activity.hostsWithoutLockAuditing,
    deskCases: activity.deskCases,
    signIns: activity.signIns,
    roleDefinitions: [...ROLE_DEFINITIONS],
    roleAssignments,
    ...security,
  };
  world.catalogue = plantCatalogue(streams, world, people);
  return { world, people, streams };
}
