// Reading untyped JSON (engine answers, TF_CONFIG) without trusting its shape. Pure.

export type Json = Record<string, unknown>;

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The value as an object, or {} when it is anything else. */
export const obj = (v: unknown): Json => (isRecord(v) ? v : {});
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
