// How the screen is cut up for a given terminal size. Pure: tested without rendering.

export interface Column {
  key: 'role' | 'index' | 'name' | 'state' | 'endpoint' | 'uptime' | 'image';
  title: string;
  width: number;
}

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;

/** Table columns for a width. Columns that do not fit are dropped (image first, then uptime, then
 * endpoint), never squeezed below their minimum. Name takes what is left. */
export function tableColumns(width: number, longestName = 20): Column[] {
  const inner = width - 2; // selection marker
  const gap = 1;
  const fixed: Column[] = [
    { key: 'role', title: 'ROLE', width: 9 },
    { key: 'index', title: 'IDX', width: 3 },
    { key: 'state', title: 'STATE', width: 15 },
    { key: 'endpoint', title: 'IP:PORT', width: 18 },
    { key: 'uptime', title: 'UPTIME', width: 7 },
  ];
  const optional: Column['key'][] = ['image', 'uptime', 'endpoint'];
  let showImage = true;
  let cols = fixed;
  const used = (cs: Column[], image: boolean): number =>
    cs.reduce((a, c) => a + c.width + gap, 0) + (image ? 16 + gap : 0) + 12; // 12: minimum name
  for (const drop of optional) {
    if (used(cols, showImage) <= inner) break;
    if (drop === 'image') showImage = false;
    else cols = cols.filter((c) => c.key !== drop);
  }
  const rest = inner - cols.reduce((a, c) => a + c.width + gap, 0) - (showImage ? gap : 0);
  let nameWidth = rest;
  let imageWidth = 0;
  if (showImage) {
    // Names matter more than images: a name gets what it needs, the image what is left (16 at least).
    nameWidth = Math.max(12, Math.min(longestName, rest - 16));
    imageWidth = rest - nameWidth;
  }
  const out: Column[] = [];
  for (const c of cols) {
    out.push(c);
    if (c.key === 'index') out.push({ key: 'name', title: 'NAME', width: Math.max(4, nameWidth) });
  }
  if (showImage) out.push({ key: 'image', title: 'IMAGE', width: imageWidth });
  return out;
}

export interface Areas {
  tableRows: number;
  detailRows: number;
}

/** Rows for the table body and the details pane. The whole frame stays shorter than the terminal
 * (Ink clears the screen on every frame otherwise: PITFALLS). Fixed parts: header 2, problems 1,
 * table head 1, details title 1, footer 1, and one spare line. */
export function areas(rows: number, nodeCount: number): Areas {
  const free = Math.max(2, rows - 7);
  const wantTable = Math.max(1, nodeCount);
  const tableRows = Math.max(1, Math.min(wantTable, Math.ceil(free * 0.45), free - 1));
  const detailRows = Math.max(0, free - tableRows);
  return { tableRows, detailRows };
}

/** First visible index so that `selected` is inside a window of `size` rows. */
export function scrollTop(current: number, selected: number, size: number, count: number): number {
  let top = Math.min(current, Math.max(0, count - size));
  if (selected < top) top = selected;
  if (selected >= top + size) top = selected - size + 1;
  return Math.max(0, top);
}
