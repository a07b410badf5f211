// An exported document as YAML: a comment saying where it came from, what it could not carry and
// how to use it, then the document. YAML 1.1 quoting (Compose 1.29 reads with PyYAML: an unquoted
// `no` would be false and `2222:22` a number), no folded lines. Pure.
import { Document } from 'yaml';

export interface Exported {
  doc: Record<string, unknown>;
  /** One line each: what the format cannot carry, or carries with a caveat (printed to stderr too). */
  warnings: string[];
  /** Lines for the reader of the file (null: none). */
  notes: (string | null)[];
}

export const FORMATS = ['compose', 'tfjob', 'pytorchjob', 'jobset', 'trainjob'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export function renderYaml(format: ExportFormat, source: string, exported: Exported): string {
  const doc = new Document(exported.doc, { version: '1.1', aliasDuplicateObjects: false });
  const lines = [
    ` Written by tfmon export ${format} from ${source}.`,
    ...exported.notes.filter((n): n is string => n !== null).map((n) => ` ${n}`),
    ...(exported.warnings.length
      ? [' Not carried, or carried with a caveat:', ...exported.warnings.map((w) => `   ${w}`)]
      : []),
  ];
  doc.commentBefore = lines.join('\n');
  return doc.toString({ lineWidth: 0 });
}
