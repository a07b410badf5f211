// Text order for names (containers, hosts, roles). Docker's names are ASCII; a code-unit comparison
// orders them as localeCompare does for lowercase names, without loading ICU's collation tables
// (~3 MiB of a long-running screen's resident memory, measured). Pure.
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
