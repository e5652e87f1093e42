// The tmux harness of the end-to-end tests: the built binary in a real pseudo-terminal, keys
// sent as a person types them and codes as a scanner does (`send-keys -l` bursts with \r).
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN } from '../helpers/till.js';

/**
 * A tmux server of this test process's own: when the last session of a server ends the server
 * exits, and a session started at that moment by a test running in parallel would fail with it.
 */
const SOCKET = `till-e2e-${process.pid}`;

export function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

/** Checks tmux is there and starts this process's server, kept up by an idle session between tests. */
export function requireTmux(): void {
  const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error('This test drives the checkout in tmux: install tmux (apt-get install -y tmux).');
  tmux('new-session', '-d', '-s', 'keeper', 'sleep 3600');
}

/** Ends this process's tmux server and every session in it. */
export function stopTmux(): void {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
}

export class TmuxCheckout {
  readonly session = `till-e2e-${process.pid}-${Math.floor(Math.random() * 1e9)}`;

  constructor(home: string, lang: 'en' | 'zh-CN', columns = 80, rows = 24) {
    const cmd = `env TILL_HOME='${home}' TILL_LANG='${lang}' '${process.execPath}' '${BIN}' checkout; echo "TILL EXITED $?"; sleep 60`;
    tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), cmd);
  }

  screen(): string {
    return tmux('capture-pane', '-p', '-t', this.session);
  }

  /** Typed by a person: each key on its own. */
  type(text: string): void {
    for (const ch of text) tmux('send-keys', '-t', this.session, '-l', ch);
  }

  /** A named key (Enter, Escape, F8, C-c). */
  key(name: string): void {
    tmux('send-keys', '-t', this.session, name);
  }

  /** A scanner: the code and its carriage return in one burst. */
  scan(code: string): void {
    tmux('send-keys', '-t', this.session, '-l', `${code}\r`);
  }

  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const s = this.screen();
      if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
      if (Date.now() - start > timeoutMs) throw new Error(`the terminal never showed ${String(text)}; it shows:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async signIn(welcome: string | RegExp): Promise<void> {
    this.type('1001');
    this.key('Enter');
    this.type('1111');
    this.key('Enter');
    const screen = await this.waitFor(welcome);
    // Selling needs an open shift: the first sign-in of the day counts the float (¥200).
    if (/尚未开班|No shift is open/.test(screen)) {
      this.type('200');
      this.key('Enter');
      await this.waitFor(/已开班|Shift open/);
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', this.session]);
  }
}
