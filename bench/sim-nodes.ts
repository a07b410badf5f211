// Sim nodes for a bench window: `docker run` four at a time (docker run is mostly the daemon's work),
// each printing a progress line every `stepS` seconds.
import { spawn } from 'node:child_process';

export async function runSimNodes(
  image: string,
  names: readonly string[],
  network: string,
  label: string,
  stepS: number,
): Promise<void> {
  const todo = [...names];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
        const args = ['run', '-d', '--name', name, '--network', network, '--label', label];
        await new Promise<void>((resolve, reject) =>
          spawn('docker', [...args, '--env', `SIM_STEP_S=${stepS}`, image], { stdio: 'ignore' }).on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`docker run ${name} failed`)),
          ),
        );
      }
    }),
  );
}
