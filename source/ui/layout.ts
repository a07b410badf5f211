// How the screen is cut up for a given terminal size. Pure: tested without rendering.

export type ColumnKey =
  | 'role'
  | 'index'
  | 'name'
  | 'state'
  | 'endpoint'
  | 'node'
  | 'host'
  | 'uptime'
  | 'cpu'
  | 'mem'
  | 'net'
  | 'gpu'
  | 'train'
  | 'image';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 10;
const MIN_NAME = 12;
const MIN_IMAGE = 16;

/** Every column but name and image has a fixed width. Listed in the order they appear. */
const FIXED: Record<Exclude<ColumnKey, 'name' | 'image'>, { title: string; width: number }> = {
  role: { title: 'ROLE', width: 9 },
  index: { title: 'IDX', width: 3 },
  state: { title: 'STATE', width: 15 },
  endpoint: { title: 'IP:PORT', width: 18 },
  node: { title: 'SWARM NODE', width: 12 },
  host: { title: 'ENGINE', width: 14 },
  uptime: { title: 'UPTIME', width: 7 },
  cpu: { title: 'CPU', width: 12 },
  mem: { title: 'MEM', width: 19 },
  net: { title: 'NET RX/TX', width: 15 },
  gpu: { title: 'GPU', width: 11 },
  train: { title: 'TRAIN', width: 11 },
};

const ORDER: ColumnKey[] = [
  'role',
  'index',
  'name',
  'state',
  'host',
  'cpu',
  'mem',
  'gpu',
  'net',
  'endpoint',
  'node',
  'uptime',
  'train',
  'image',
];
/** What goes first when the width runs out: the last of this list is dropped first. The training's
 * pace is what a narrow terminal keeps after the state and the node's CPU and memory. */
const PRIORITY: ColumnKey[] = [
  'role',
  'index',
  'name',
  'state',
  'host',
  'node',
  'cpu',
  'mem',
  'train',
  'endpoint',
  'gpu',
  'net',
  'uptime',
  'image',
];

export interface ColumnOptions {
  longestName?: number;
  usage?: boolean;
  gpu?: boolean;
  /** Swarm tasks: a column for the swarm node that runs each. */
  swarm?: boolean;
  /** Several engines: a column for the engine each node runs on. */
  engines?: boolean;
  /** Some node prints training progress: a TRAIN column. */
  train?: boolean;
}

/** Table columns for a width. Columns that do not fit are dropped in a fixed order (image, uptime,
 * net, gpu, endpoint, train, mem, cpu), never squeezed. Name gets what it needs, the image what is left. */
export function tableColumns(
  width: number,
  { longestName = 20, usage = false, gpu = false, swarm = false, engines = false, train = false }: ColumnOptions = {},
): Column[] {
  const inner = width - 2; // selection marker
  const available = PRIORITY.filter((k) =>
    k === 'cpu' || k === 'mem' || k === 'net'
      ? usage
      : k === 'gpu'
        ? gpu
        : k === 'node'
          ? swarm
          : k === 'host'
            ? engines
            : k === 'train'
              ? train
              : true,
  );
  const widthOf = (k: ColumnKey): number => (k === 'name' ? MIN_NAME : k === 'image' ? MIN_IMAGE : FIXED[k].width);
  let keys = [...available];
  const total = (ks: ColumnKey[]): number => ks.reduce((a, k) => a + widthOf(k) + 1, -1);
  while (keys.length > 3 && total(keys) > inner) keys = keys.slice(0, -1);

  let spare = inner - total(keys);
  const nameWidth = MIN_NAME + Math.min(spare, Math.max(0, longestName - MIN_NAME));
  spare -= nameWidth - MIN_NAME;
  const out: Column[] = [];
  for (const key of ORDER) {
    if (!keys.includes(key)) continue;
    if (key === 'name') out.push({ key, title: 'NAME', width: nameWidth });
    else if (key === 'image') out.push({ key, title: 'IMAGE', width: MIN_IMAGE + spare });
    else out.push({ key, title: FIXED[key].title, width: FIXED[key].width });
  }
  return out;
}

export interface Areas {
  tableRows: number;
  detailRows: number;
}

/** Rows for the table body and the details pane; the frame fills the terminal exactly (Ink 7+ draws
 * a frame as tall as the terminal in place). Fixed parts: header 3 (+1 with the host line), table
 * head 1, details title 1, footer 1. */
export function areas(rows: number, nodeCount: number, hostLine = false): Areas {
  const free = Math.max(2, rows - 6 - (hostLine ? 1 : 0));
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

/** How the rows under the table are shared by the details pane and the log tail below it, both
 * counted with their title lines. Each gets what it has to show while both fit; when one has more,
 * it takes what the other leaves; the tail never takes more than half while the details have more
 * to say. Below 9 rows there is no tail. Rows neither can fill stay under the tail. */
export function shareDetails(region: number, detailsNeed: number, tailNeed: number): { details: number; tail: number } {
  if (region < 9 || tailNeed <= 1) return { details: region, tail: 0 };
  const tail = Math.min(tailNeed, Math.floor(region / 2));
  const details = Math.min(detailsNeed, region - tail);
  return { details, tail: region - details };
}
