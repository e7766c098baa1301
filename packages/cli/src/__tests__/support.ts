import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';
import type { Env } from '../io.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** A writable stream that keeps what is written, for asserting on output. */
export function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

/** Runs `celeriac <args>` in-process with its own env and captured output. */
export async function runMain(
  args: string[],
  env: Env = {},
  options: { stderrIsTTY?: boolean } = {},
): Promise<Captured> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['node', 'celeriac', ...args], {
    env,
    stdout: stdout.stream,
    stderr: stderr.stream,
    stderrIsTTY: options.stderrIsTTY ?? false,
    exit: (exitCode) => {
      throw new Error(`unexpected exit(${exitCode})`);
    },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}
