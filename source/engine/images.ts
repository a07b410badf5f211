// Images: looked up locally, imported from a root filesystem tarball. Nothing is ever pulled.
import { EngineError, isNotFound } from './errors.js';
import { enc, type EngineCalls } from './connection.js';

export class Images {
  constructor(private readonly c: EngineCalls) {}

  /** A local image of this repository (any tag), or null: nothing is ever pulled. */
  async localImageOf(repo: string): Promise<string | null> {
    const list = await this.c.call(() =>
      this.c.get<{ RepoTags?: string[] | null }[]>('/images/json', { filters: { reference: [repo] } }),
    );
    return list.flatMap((i) => i.RepoTags ?? []).find((t) => t.startsWith(`${repo}:`)) ?? null;
  }

  async imageExists(ref: string): Promise<boolean> {
    try {
      await this.c.call(() => this.c.get(`/images/${enc(ref)}/json`));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** `docker import` of a root filesystem tarball; `changes` are Dockerfile lines (CMD, LABEL…). */
  async importImage(tar: Buffer, ref: string, changes: string[]): Promise<void> {
    const { Readable: ReadableStream } = await import('node:stream');
    const [repo, tag = 'latest'] = ref.split(':');
    const docker = await this.c.api();
    const stream = await this.c.call(() => docker.importImage(ReadableStream.from([tar]), { repo, tag, changes }));
    const output = await new Promise<string>((resolve, reject) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
    });
    if (/"error"/.test(output)) throw new EngineError(`docker import failed: ${output.trim().slice(0, 300)}`);
  }
}
