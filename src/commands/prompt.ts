// Asking a person for a secret on a terminal. With no terminal, a prompt fails at once with
// the option to pass instead of hanging.
import { createInterface } from 'node:readline';
import { UsageError, CancelledError } from '../errors.js';

export async function askSecret(question: string, optionHint: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`No terminal to ask for it: pass ${optionHint}.`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Hide what is typed: write the question ourselves and swallow the echo.
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  let asked = false;
  out._writeToOutput = (s: string) => {
    if (!asked) {
      process.stderr.write(s);
      asked = true;
    }
  };
  return new Promise((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new CancelledError());
    });
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer.trim());
    });
  });
}

/** The first line of stdin (the PIN), never echoed, never logged; a pipe left open is not waited for. */
export async function readStdinLine(): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, terminal: false });
  return new Promise((resolve) => {
    let done = false;
    const finish = (line: string) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(line.trim());
    };
    rl.once('line', finish);
    rl.once('close', () => finish(''));
  });
}
