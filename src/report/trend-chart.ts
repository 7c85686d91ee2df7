/**
 * A native Excel line chart added to a finished .xlsx. exceljs writes no charts, so the DrawingML
 * parts are added to the zip afterwards: the chart (xl/charts/chartN.xml), a drawing that anchors
 * it on the sheet (xl/drawings/drawingN.xml + rels), the sheet's <drawing r:id> and relationship,
 * and the content types. The series point at a data table on the sheet and carry a cache of its
 * values, so Excel and LibreOffice draw the same chart without recalculating.
 */
import { createWriteStream } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import JSZip from "jszip";

export interface ChartSeries {
  name: string;
  /** Cell range of the values, e.g. B16:B27 (absolute references are made here). */
  valuesRange: string;
  /** Cell of the series name (its column header), e.g. B15. */
  nameCell: string;
  /** Values as written to the sheet; null for a week without data. */
  values: Array<number | null>;
  /** RGB hex of the line, e.g. "1F4E78". */
  colour: string;
}

export interface LineChart {
  /** The sheet's part, e.g. xl/worksheets/sheet1.xml, and its name (for the range references). */
  sheetPart: string;
  sheetName: string;
  title: string;
  categoriesRange: string;
  categories: string[];
  series: ChartSeries[];
  /** Zero-based cells of the top-left and bottom-right corners. */
  from: { column: number; row: number };
  to: { column: number; row: number };
  /** Width of each column in characters (zero-based), for the frame's size; rows are 15 pt. */
  columnWidths: (column: number) => number;
}

const EMU_PER_PIXEL = 9525;
const ROW_PIXELS = 20;

/** Excel's pixel width of a column `characters` wide (Calibri 11: 7 px per character plus 5 px padding). */
function columnPixels(characters: number): number {
  return Math.trunc(characters * 7 + 5);
}

const NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart";
const NS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_SS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing";
const NS_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL_DRAWING = `${NS_REL}/drawing`;
const REL_CHART = `${NS_REL}/chart`;
const TYPE_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml";
const TYPE_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** 'Sheet name'!$A$1:$A$12 */
function reference(sheetName: string, range: string): string {
  const absolute = range
    .split(":")
    .map((cell) => cell.replace(/^([A-Z]+)(\d+)$/, "$$$1$$$2"))
    .join(":");
  return `'${sheetName.replace(/'/g, "''")}'!${absolute}`;
}

function chartXml(chart: LineChart): string {
  const categoryCache = `<c:strCache><c:ptCount val="${chart.categories.length}"/>${chart.categories
    .map((category, index) => `<c:pt idx="${index}"><c:v>${escapeXml(category)}</c:v></c:pt>`)
    .join("")}</c:strCache>`;
  const series = chart.series
    .map(
      (one, index) =>
        `<c:ser><c:idx val="${index}"/><c:order val="${index}"/>` +
        `<c:tx><c:strRef><c:f>${escapeXml(reference(chart.sheetName, one.nameCell))}</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>${escapeXml(one.name)}</c:v></c:pt></c:strCache></c:strRef></c:tx>` +
        `<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="${one.colour}"/></a:solidFill><a:round/></a:ln></c:spPr>` +
        `<c:marker><c:symbol val="circle"/><c:size val="5"/><c:spPr><a:solidFill><a:srgbClr val="${one.colour}"/></a:solidFill></c:spPr></c:marker>` +
        `<c:cat><c:strRef><c:f>${escapeXml(reference(chart.sheetName, chart.categoriesRange))}</c:f>${categoryCache}</c:strRef></c:cat>` +
        `<c:val><c:numRef><c:f>${escapeXml(reference(chart.sheetName, one.valuesRange))}</c:f><c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="${one.values.length}"/>${one.values
          .map((value, point) => (value === null ? "" : `<c:pt idx="${point}"><c:v>${value}</c:v></c:pt>`))
          .join("")}</c:numCache></c:numRef></c:val>` +
        `<c:smooth val="0"/></c:ser>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<c:chartSpace xmlns:c="${NS_CHART}" xmlns:a="${NS_DRAWING}" xmlns:r="${NS_REL}">` +
    `<c:roundedCorners val="0"/>` +
    `<c:chart>` +
    `<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="1200" b="1"/></a:pPr><a:r><a:rPr lang="sv-SE" sz="1200" b="1"/><a:t>${escapeXml(chart.title)}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>` +
    `<c:autoTitleDeleted val="0"/>` +
    `<c:plotArea><c:layout/>` +
    `<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>${series}` +
    `<c:marker val="1"/><c:axId val="500000001"/><c:axId val="500000002"/></c:lineChart>` +
    `<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/>` +
    `<c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>` +
    `<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>` +
    `<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/>` +
    `<c:majorGridlines/><c:numFmt formatCode="#,##0" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>` +
    `<c:crossAx val="500000001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>` +
    `</c:plotArea>` +
    `<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>` +
    `<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>` +
    `</c:chart></c:chartSpace>`
  );
}

function drawingXml(chart: LineChart, chartRelId: string): string {
  const marker = (cell: { column: number; row: number }): string =>
    `<xdr:col>${cell.column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>${cell.row}</xdr:row><xdr:rowOff>0</xdr:rowOff>`;
  const width = (from: number, to: number): number => {
    let pixels = 0;
    for (let column = from; column < to; column++) pixels += columnPixels(chart.columnWidths(column));
    return pixels * EMU_PER_PIXEL;
  };
  const x = width(0, chart.from.column);
  const cx = width(chart.from.column, chart.to.column);
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<xdr:wsDr xmlns:xdr="${NS_SS_DRAWING}" xmlns:a="${NS_DRAWING}">` +
    `<xdr:twoCellAnchor><xdr:from>${marker(chart.from)}</xdr:from><xdr:to>${marker(chart.to)}</xdr:to>` +
    `<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="${escapeXml(chart.title)}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>` +
    `<xdr:xfrm><a:off x="${x}" y="${chart.from.row * ROW_PIXELS * EMU_PER_PIXEL}"/><a:ext cx="${cx}" cy="${(chart.to.row - chart.from.row) * ROW_PIXELS * EMU_PER_PIXEL}"/></xdr:xfrm>` +
    `<a:graphic><a:graphicData uri="${NS_CHART}"><c:chart xmlns:c="${NS_CHART}" xmlns:r="${NS_REL}" r:id="${chartRelId}"/></a:graphicData></a:graphic>` +
    `</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>`
  );
}

function relationships(entries: Array<{ id: string; type: string; target: string }>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS_PACKAGE_REL}">` +
    entries.map((entry) => `<Relationship Id="${entry.id}" Type="${entry.type}" Target="${entry.target}"/>`).join("") +
    `</Relationships>`
  );
}

/** The first free number N for a part named like prefixN.xml. */
function freeNumber(zip: JSZip, prefix: string): number {
  let n = 1;
  while (zip.file(`${prefix}${n}.xml`) !== null) n++;
  return n;
}

/**
 * Adds the chart to the workbook at `file`, rewriting it in place through a temporary file beside
 * it (the caller renames the finished workbook into place afterwards).
 */
export async function addLineChart(file: string, chart: LineChart): Promise<void> {
  const zip = await JSZip.loadAsync(await readFile(file));
  const sheet = zip.file(chart.sheetPart);
  if (sheet === null) throw new Error(`chart: ${chart.sheetPart} is not in ${file}`);
  const sheetXml = await sheet.async("string");
  if (!sheetXml.includes(`xmlns:r="${NS_REL}"`) || !sheetXml.includes(`<worksheet xmlns="${NS_MAIN}"`)) {
    throw new Error(`chart: ${chart.sheetPart} is not a worksheet this code understands`);
  }
  if (sheetXml.includes("<drawing ")) throw new Error(`chart: ${chart.sheetPart} already has a drawing`);

  const chartNumber = freeNumber(zip, "xl/charts/chart");
  const drawingNumber = freeNumber(zip, "xl/drawings/drawing");
  zip.file(`xl/charts/chart${chartNumber}.xml`, chartXml(chart), { createFolders: false });
  zip.file(`xl/drawings/drawing${drawingNumber}.xml`, drawingXml(chart, "rId1"), { createFolders: false });
  zip.file(
    `xl/drawings/_rels/drawing${drawingNumber}.xml.rels`,
    relationships([{ id: "rId1", type: REL_CHART, target: `../charts/chart${chartNumber}.xml` }]),
    { createFolders: false },
  );

  // The sheet's relationship to the drawing, beside any it has (hyperlinks, comments).
  const sheetFile = chart.sheetPart.split("/").pop()!;
  const relsPart = chart.sheetPart.replace(sheetFile, `_rels/${sheetFile}.rels`);
  const existingRels = zip.file(relsPart);
  let relsXml = existingRels === null ? relationships([]) : await existingRels.async("string");
  let relId = "rIdKkChart1";
  for (let n = 2; relsXml.includes(`Id="${relId}"`); n++) relId = `rIdKkChart${n}`;
  relsXml = relsXml.replace(
    "</Relationships>",
    `<Relationship Id="${relId}" Type="${REL_DRAWING}" Target="../drawings/drawing${drawingNumber}.xml"/></Relationships>`,
  );
  if (relsXml.endsWith("/>") && !relsXml.includes("</Relationships>")) {
    // An empty <Relationships .../> element.
    relsXml = relsXml.replace(/<Relationships([^>]*)\/>/, `<Relationships$1><Relationship Id="${relId}" Type="${REL_DRAWING}" Target="../drawings/drawing${drawingNumber}.xml"/></Relationships>`);
  }
  zip.file(relsPart, relsXml, { createFolders: false });

  // <drawing> comes after pageSetup/headerFooter/rowBreaks and before legacyDrawing, tableParts, extLst.
  const drawingTag = `<drawing r:id="${relId}"/>`;
  const before = ["<legacyDrawing ", "<legacyDrawingHF ", "<picture ", "<oleObjects", "<controls", "<webPublishItems", "<tableParts", "<extLst", "</worksheet>"]
    .map((tag) => sheetXml.indexOf(tag))
    .filter((index) => index >= 0);
  const at = Math.min(...before);
  zip.file(chart.sheetPart, `${sheetXml.slice(0, at)}${drawingTag}${sheetXml.slice(at)}`, { createFolders: false });

  const types = zip.file("[Content_Types].xml");
  if (types === null) throw new Error(`chart: ${file} has no [Content_Types].xml`);
  const typesXml = (await types.async("string")).replace(
    "</Types>",
    `<Override PartName="/xl/charts/chart${chartNumber}.xml" ContentType="${TYPE_CHART}"/>` +
      `<Override PartName="/xl/drawings/drawing${drawingNumber}.xml" ContentType="${TYPE_DRAWING}"/></Types>`,
  );
  zip.file("[Content_Types].xml", typesXml, { createFolders: false });

  const rewritten = `${file}.chart`;
  try {
    await pipeline(
      zip.generateNodeStream({ type: "nodebuffer", streamFiles: true, compression: "DEFLATE", compressionOptions: { level: 6 } }),
      createWriteStream(rewritten, { mode: 0o600 }),
    );
    await rename(rewritten, file);
  } catch (error) {
    await rm(rewritten, { force: true });
    throw error;
  }
}
