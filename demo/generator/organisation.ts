/**
 * Fixed facts about Exempelkommun: the domain, the tenant, the departments with their titles and
 * business applications. Everything random is drawn elsewhere; this file is the "org chart".
 */

export const AD_DNS_DOMAIN = "exempelkommun.local";
export const BASE_DN = "DC=exempelkommun,DC=local";
export const NETBIOS_DOMAIN = "EXEMPEL";
export const DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330";
export const TENANT_DOMAIN = "exempelkommun.se";
export const TENANT_INITIAL_DOMAIN = "exempelkommun.onmicrosoft.com";
export const KOMMUN_OU_DN = `OU=Kommun,${BASE_DN}`;
export const USERS_CONTAINER_DN = `CN=Users,${BASE_DN}`;
export const BUILTIN_CONTAINER_DN = `CN=Builtin,${BASE_DN}`;
export const DOMAIN_CONTROLLERS_OU_DN = `OU=Domain Controllers,${BASE_DN}`;
export const SERVICE_ACCOUNTS_OU_DN = `OU=Servicekonton,${KOMMUN_OU_DN}`;
export const ADMIN_ACCOUNTS_OU_DN = `OU=Administratörer,${KOMMUN_OU_DN}`;
export const FUNCTION_ACCOUNTS_OU_DN = `OU=Funktionskonton,${KOMMUN_OU_DN}`;
export const SERVERS_OU_DN = `OU=Servrar,${KOMMUN_OU_DN}`;
export const SCHEMA_DN = `CN=Schema,CN=Configuration,${BASE_DN}`;
export const COMPANY = "Exempelkommun";

export type DepartmentCode = "SOC" | "BUF" | "VOF" | "KLF" | "SBF" | "KFF";

/** An application users sign in to, as the Entra sign-in log names it. */
export interface SignInApp {
  displayName: string;
  appId: string;
  resourceDisplayName: string;
  resourceId: string;
}

/** Who is put in an application or file-share group when the organisation is built. */
export interface ResourceGroupSpec {
  name: string;
  description: string;
  /** Titles whose holders are members; "managers" adds the head and the unit managers. */
  titles: readonly string[];
  managers: boolean;
  /** Share of the title holders that actually got the permission. */
  share: number;
}

export interface DepartmentSpec {
  code: DepartmentCode;
  name: string;
  /** Head count at the default size of 1,500 staff. */
  defaultSize: number;
  /** Share of ordinary staff with a personal workstation; the rest work from shared or mobile devices. */
  workstationShare: number;
  headTitle: string;
  unitManagerTitle: string;
  titles: ReadonlyArray<readonly [string, number]>;
  /** Titles that only ever use a phone or tablet, never a personal PC. */
  mobileOnlyTitles: readonly string[];
  resourceGroups: readonly ResourceGroupSpec[];
  /** The department's own business application in the sign-in log. */
  app: SignInApp;
}

const OFFICE_APPS: readonly SignInApp[] = [
  {
    displayName: "Office 365 Exchange Online",
    appId: "00000002-0000-0ff1-ce00-000000000000",
    resourceDisplayName: "Office 365 Exchange Online",
    resourceId: "00000002-0000-0ff1-ce00-000000000000",
  },
  {
    displayName: "Microsoft Teams",
    appId: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    resourceDisplayName: "Microsoft Teams Services",
    resourceId: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
  },
  {
    displayName: "Office 365 SharePoint Online",
    appId: "00000003-0000-0ff1-ce00-000000000000",
    resourceDisplayName: "Office 365 SharePoint Online",
    resourceId: "00000003-0000-0ff1-ce00-000000000000",
  },
];
export { OFFICE_APPS };

export const ADMIN_PORTAL_APP: SignInApp = {
  displayName: "Azure Portal",
  appId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
  resourceDisplayName: "Windows Azure Service Management API",
  resourceId: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
};

/** The municipality's own enterprise applications (invented ids, fixed so the data is stable). */
function businessApp(displayName: string, id: string): SignInApp {
  return { displayName, appId: id, resourceDisplayName: displayName, resourceId: id };
}

export const DEPARTMENTS: readonly DepartmentSpec[] = [
  {
    code: "SOC",
    name: "Socialförvaltningen",
    defaultSize: 380,
    workstationShare: 0.97,
    headTitle: "förvaltningschef",
    unitManagerTitle: "enhetschef",
    titles: [
      ["socialsekreterare", 40],
      ["biståndshandläggare", 10],
      ["familjebehandlare", 12],
      ["handläggare", 8],
      ["boendestödjare", 12],
      ["socialpedagog", 8],
      ["administratör", 6],
      ["alkohol- och drogterapeut", 4],
    ],
    mobileOnlyTitles: [],
    resourceGroups: [
      {
        name: "SOC-App-Treserva",
        description: "Behörighet till verksamhetssystemet Treserva (känsliga personuppgifter)",
        titles: ["socialsekreterare", "biståndshandläggare", "familjebehandlare", "handläggare", "administratör"],
        managers: true,
        share: 0.97,
      },
      {
        name: "SOC-App-Procapita-IFO",
        description: "Läsbehörighet till arkiverade akter i Procapita IFO",
        titles: ["socialsekreterare", "administratör"],
        managers: false,
        share: 0.4,
      },
    ],
    app: businessApp("Treserva", "6a0f3c52-8d1e-4b7a-9c25-3e4f5a6b7c81"),
  },
  {
    code: "BUF",
    name: "Barn- och utbildningsförvaltningen",
    defaultSize: 420,
    workstationShare: 0.88,
    headTitle: "förvaltningschef",
    unitManagerTitle: "rektor",
    titles: [
      ["lärare", 40],
      ["förskollärare", 22],
      ["barnskötare", 16],
      ["fritidspedagog", 8],
      ["elevassistent", 6],
      ["speciallärare", 4],
      ["skolsköterska", 2],
      ["kurator", 2],
    ],
    mobileOnlyTitles: [],
    resourceGroups: [
      {
        name: "BUF-App-Procapita-Elev",
        description: "Behörighet till elevregistret i Procapita (personuppgifter om elever)",
        titles: ["lärare", "speciallärare", "skolsköterska", "kurator"],
        managers: true,
        share: 0.6,
      },
      {
        name: "BUF-App-Unikum",
        description: "Behörighet till lärplattformen Unikum",
        titles: ["lärare", "förskollärare", "fritidspedagog", "speciallärare"],
        managers: true,
        share: 0.95,
      },
    ],
    app: businessApp("Unikum", "2b7d9e41-5c3a-4f86-8e1b-7a9c0d2e4f63"),
  },
  {
    code: "VOF",
    name: "Vård- och omsorgsförvaltningen",
    defaultSize: 260,
    workstationShare: 0.72,
    headTitle: "förvaltningschef",
    unitManagerTitle: "enhetschef",
    titles: [
      ["undersköterska", 45],
      ["vårdbiträde", 15],
      ["sjuksköterska", 12],
      ["arbetsterapeut", 5],
      ["fysioterapeut", 4],
      ["biståndshandläggare", 8],
      ["samordnare", 4],
    ],
    mobileOnlyTitles: [],
    resourceGroups: [
      {
        name: "VOF-App-Lifecare",
        description: "Behörighet till verksamhetssystemet Lifecare (känsliga personuppgifter)",
        titles: ["undersköterska", "vårdbiträde", "sjuksköterska", "arbetsterapeut", "fysioterapeut", "biståndshandläggare", "samordnare"],
        managers: true,
        share: 0.9,
      },
      {
        name: "VOF-App-Treserva-Hemtjänst",
        description: "Behörighet till Treserva för hemtjänstens planering",
        titles: ["biståndshandläggare", "samordnare"],
        managers: true,
        share: 0.9,
      },
      {
        name: "VOF-App-Phoniro",
        description: "Digitala nycklar (Phoniro) för hemtjänsten",
        titles: ["undersköterska", "vårdbiträde"],
        managers: false,
        share: 0.7,
      },
    ],
    app: businessApp("Lifecare", "9c4e2a17-3b6d-4e58-a1f2-8d7c6b5a4e39"),
  },
  {
    code: "KLF",
    name: "Kommunledningsförvaltningen",
    defaultSize: 180,
    workstationShare: 1,
    headTitle: "kommundirektör",
    unitManagerTitle: "avdelningschef",
    titles: [
      ["handläggare", 10],
      ["ekonom", 12],
      ["HR-specialist", 10],
      ["kommunikatör", 6],
      ["registrator", 4],
      ["jurist", 3],
      ["upphandlare", 5],
      ["löneadministratör", 6],
      ["nämndsekreterare", 4],
      ["utredare", 5],
    ],
    mobileOnlyTitles: [],
    resourceGroups: [
      {
        name: "KLF-App-Public360",
        description: "Behörighet till diariet Public 360",
        titles: ["registrator", "nämndsekreterare", "handläggare", "jurist", "utredare"],
        managers: true,
        share: 0.95,
      },
      {
        name: "KLF-App-Raindance",
        description: "Behörighet till ekonomisystemet Raindance",
        titles: ["ekonom", "upphandlare"],
        managers: true,
        share: 0.95,
      },
      {
        name: "KLF-App-Heroma",
        description: "Behörighet till personal- och lönesystemet Heroma (känsliga personuppgifter)",
        titles: ["HR-specialist", "löneadministratör"],
        managers: false,
        share: 1,
      },
    ],
    app: businessApp("Public 360", "4f8a1c93-7e2b-4d65-b0a9-1c3e5f7a9b24"),
  },
  {
    code: "SBF",
    name: "Samhällsbyggnadsförvaltningen",
    defaultSize: 160,
    workstationShare: 1,
    headTitle: "förvaltningschef",
    unitManagerTitle: "enhetschef",
    titles: [
      ["bygglovshandläggare", 14],
      ["planarkitekt", 8],
      ["miljöinspektör", 12],
      ["GIS-ingenjör", 5],
      ["lantmätare", 6],
      ["projektledare", 8],
      ["gatuingenjör", 6],
      ["administratör", 4],
    ],
    mobileOnlyTitles: [],
    resourceGroups: [
      {
        name: "SBF-App-ByggR",
        description: "Behörighet till bygglovssystemet ByggR",
        titles: ["bygglovshandläggare", "planarkitekt", "administratör"],
        managers: true,
        share: 0.95,
      },
      {
        name: "SBF-App-Ecos",
        description: "Behörighet till miljö- och hälsoskyddssystemet Ecos",
        titles: ["miljöinspektör"],
        managers: true,
        share: 1,
      },
    ],
    app: businessApp("ByggR", "7d2c5e98-1a4f-4b3c-9e6d-2f8a0b1c3d57"),
  },
  {
    code: "KFF",
    name: "Kultur- och fritidsförvaltningen",
    defaultSize: 100,
    workstationShare: 0.9,
    headTitle: "förvaltningschef",
    unitManagerTitle: "enhetschef",
    titles: [
      ["bibliotekarie", 20],
      ["biblioteksassistent", 12],
      ["fritidsledare", 16],
      ["kulturstrateg", 4],
      ["badvärd", 8],
      ["vaktmästare", 4],
    ],
    mobileOnlyTitles: ["badvärd"],
    resourceGroups: [
      {
        name: "KFF-App-Quria",
        description: "Behörighet till bibliotekssystemet Quria (låntagaruppgifter)",
        titles: ["bibliotekarie", "biblioteksassistent"],
        managers: true,
        share: 1,
      },
    ],
    app: businessApp("Quria", "1e6b8d24-9f3a-4c7e-b5d1-6a2c4e8f0b93"),
  },
];

export function departmentByCode(code: DepartmentCode): DepartmentSpec {
  const department = DEPARTMENTS.find((candidate) => candidate.code === code);
  if (department === undefined) throw new Error(`unknown department ${code}`);
  return department;
}

export function departmentOuDn(code: DepartmentCode): string {
  return `OU=${departmentByCode(code).name},${KOMMUN_OU_DN}`;
}

export const IT_TITLES = ["IT-tekniker", "IT-tekniker", "systemadministratör", "systemadministratör", "nätverkstekniker", "IT-driftansvarig"] as const;

export const POLITICIAN_TITLES = [
  "Ordförande, kommunstyrelsen",
  "Ledamot, kommunstyrelsen",
  "Ordförande, socialnämnden",
  "Ledamot, socialnämnden",
  "Ordförande, barn- och utbildningsnämnden",
  "Ledamot, barn- och utbildningsnämnden",
  "Ledamot, vård- och omsorgsnämnden",
  "Ledamot, samhällsbyggnadsnämnden",
  "Kommunfullmäktigeledamot",
  "Ersättare, kommunfullmäktige",
] as const;

/** Made-up external organisations on the reserved .example top-level domain. */
export const GUEST_ORGANISATIONS = ["konsultbyran.example", "arkitektgruppen.example", "regionen.example", "revision.example"] as const;

/** Egress addresses of the municipal network (RFC 5737 documentation ranges). */
export const MUNICIPAL_EGRESS_PREFIXES = ["192.0.2.", "198.51.100."] as const;
/** Home and mobile networks of politicians, consultants and guests (also RFC 5737). */
export const OUTSIDE_PREFIX = "203.0.113.";

export const MUNICIPAL_LOCATION = {
  city: "Exempelstad",
  state: "Östergötlands län",
  countryOrRegion: "SE",
  geoCoordinates: { altitude: null, latitude: 58.53, longitude: 15.04 },
} as const;
