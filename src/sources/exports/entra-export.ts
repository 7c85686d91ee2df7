/**
 * Reads an offline Microsoft Graph export of an Entra ID tenant into snapshot parts.
 *
 * The folder mirrors Graph request paths (v1.0/users.jsonl, v1.0/groups/<id>/members.jsonl, …), so
 * an exporter only has to save each response page it received. Any file may be absent; what is
 * absent is reported in coverage rather than guessed.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { EntraAssembler, type EntraResult } from "../entra/assemble.js";
import { ENTRA_COLLECTIONS, type EntraCollection } from "../entra/collections.js";
import { describeError, type CoverageRecorder } from "./coverage.js";
import { findCollectionFile, readCollection, type JsonObject } from "./graph-pages.js";

export type EntraExportResult = EntraResult;

/** Non-interactive sign-ins are only exported from beta, so both versions are read. */
const SIGN_IN_VERSIONS = ["v1.0", "beta"] as const;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function readEntraExport(folder: string): Promise<EntraExportResult> {
  const assembler = new EntraAssembler(folder);
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error("not a folder");
    await readdir(folder);
  } catch (error) {
    const message = `cannot read Entra export folder ${folder}: ${describeError(error)}`;
    assembler.directory.addError(message);
    assembler.signInLog.addError(message);
    return assembler.finish({ directory: false, signIns: false });
  }
  // Accept the folder holding v1.0/ as well as the v1.0 folder itself.
  const v1Root = (await isDirectory(join(folder, "v1.0"))) ? join(folder, "v1.0") : folder;
  const exportRoot = v1Root === folder ? undefined : folder;

  /** Reads one collection file when present; returns the file read, if any. */
  const readOne = async (
    collection: EntraCollection,
    recorder: CoverageRecorder,
    onObject: (object: JsonObject) => void,
    root = v1Root,
  ): Promise<string | undefined> => {
    const file = await findCollectionFile(join(root, collection.path));
    if (file === undefined) return undefined;
    const { truncated } = await readCollection(file, recorder, onObject);
    if (truncated) recorder.addMissing(collection.item, `export truncated: ${file} ends with an @odata.nextLink`);
    return file;
  };

  const c = ENTRA_COLLECTIONS;
  const directoryFiles = [
    await readOne(c.users, assembler.directory, (object) => assembler.addUser(object)),
    await readOne(c.groups, assembler.directory, (object) => assembler.addGroup(object)),
    await readOne(c.devices, assembler.directory, (object) => assembler.addDevice(object)),
    await readOne(c.roleAssignments, assembler.directory, (object) => assembler.addRoleAssignment(object)),
    await readOne(c.roleDefinitions, assembler.directory, (object) => assembler.addRoleDefinition(object)),
  ];
  const [usersFile] = directoryFiles;
  const membersFilesFound = await readGroupMembers(v1Root, assembler);
  await readOne(c.roleEligibilities, assembler.directory, (object) => assembler.addRoleEligibility(object));

  // Sign-ins: overlapping pulls (and v1.0 + beta) repeat sign-ins; the id identifies them.
  const signInFiles: string[] = [];
  for (const version of SIGN_IN_VERSIONS) {
    const root = version === "v1.0" ? v1Root : exportRoot === undefined ? undefined : join(exportRoot, version);
    if (root === undefined) continue;
    const file = await readOne(c.signIns, assembler.signInLog, (object) => void assembler.addSignIn(object), root);
    if (file !== undefined) signInFiles.push(file);
  }

  const securityFiles = [
    await readOne(c.riskDetections, assembler.security, (object) => assembler.addRiskDetection(object)),
    await readOne(c.riskyUsers, assembler.security, (object) => assembler.addRiskyUser(object)),
    await readOne(c.mfaRegistrations, assembler.security, (object) => assembler.addMfaRegistration(object)),
  ];
  const intuneFiles = [
    await readOne(c.managedDevices, assembler.intune, (object) => assembler.addManagedDevice(object)),
    await readOne(c.deviceConfigurations, assembler.intune, (object) => assembler.addLockPolicy(object, "deviceConfiguration")),
    await readOne(c.deviceCompliancePolicies, assembler.intune, (object) => assembler.addLockPolicy(object, "compliancePolicy")),
  ];

  const foundDirectoryFiles = directoryFiles.filter((file) => file !== undefined);
  if (foundDirectoryFiles.length === 0) {
    assembler.directory.addError(`no directory export files (${join(v1Root, c.users.path)}.jsonl, groups, devices, roleManagement) in ${folder}`);
  }
  if (usersFile === undefined && foundDirectoryFiles.length > 0) {
    assembler.directory.addMissing("entra.users", `no user export (${join(v1Root, c.users.path)}.jsonl)`);
  }
  if (assembler.groupCount > 0 && membersFilesFound === 0) {
    assembler.directory.addMissing(
      "entra.groupMembers",
      `no group member export (${join(v1Root, "groups")}/<group id>/members.jsonl): group memberships are unknown`,
    );
  }
  if (signInFiles.length === 0) assembler.signInLog.addError(`no sign-in log export (${c.signIns.path})`);
  else assembler.signInLog.origin = signInFiles.join(", ");
  noteAbsent(assembler.security, securityFiles, [c.riskDetections, c.riskyUsers, c.mfaRegistrations], v1Root);
  noteAbsent(assembler.intune, intuneFiles, [c.managedDevices, c.deviceConfigurations, c.deviceCompliancePolicies], v1Root);

  const anyFound = (files: Array<string | undefined>): boolean | undefined => (files.some((file) => file !== undefined) ? true : undefined);
  const ran = { directory: foundDirectoryFiles.length > 0, signIns: signInFiles.length > 0 };
  const security = anyFound(securityFiles);
  const intune = anyFound(intuneFiles);
  return assembler.finish({ ...ran, ...(security === undefined ? {} : { security }), ...(intune === undefined ? {} : { intune }) });
}

/**
 * A source whose export holds some of its files: the absent ones are missing data. A source with
 * none of its files is left out of coverage and so counts as "did not run".
 */
function noteAbsent(recorder: CoverageRecorder, files: Array<string | undefined>, collections: EntraCollection[], v1Root: string): void {
  if (files.every((file) => file === undefined)) return;
  files.forEach((file, index) => {
    const collection = collections[index]!;
    if (file === undefined) recorder.addMissing(collection.item, `not in the export (${join(v1Root, collection.path)}.jsonl)`);
  });
}

/**
 * Reads v1.0/groups/<id>/members files. Returns how many members files were found, so the caller
 * can tell "no memberships exported" from "groups without members".
 */
async function readGroupMembers(v1Root: string, assembler: EntraAssembler): Promise<number> {
  let groupFolders: string[];
  try {
    const entries = await readdir(join(v1Root, "groups"), { withFileTypes: true });
    groupFolders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch {
    return 0;
  }
  let found = 0;
  const unknownGroups: string[] = [];
  for (const groupId of groupFolders) {
    const file = await findCollectionFile(join(v1Root, "groups", groupId, "members"));
    if (file === undefined) continue;
    found++;
    if (!assembler.hasGroup(groupId)) {
      unknownGroups.push(groupId);
      continue;
    }
    const { truncated } = await readCollection(file, assembler.directory, (object) => assembler.addMember(groupId, object));
    if (truncated) assembler.directory.addMissing("entra.groupMembers", `export truncated: ${file} ends with an @odata.nextLink`);
  }
  if (unknownGroups.length > 0) {
    assembler.directory.addMissing(
      "entra.groupMembers",
      `${unknownGroups.length} members export(s) belong to groups not in the group export (e.g. ${unknownGroups[0]}); ignored`,
    );
  }
  return found;
}
