// Every key of the checkout in one table: which command a key runs on which screen. The screens
// ask `commandFor(mode, key)`; F1 help and the hint line are generated from the same table, so
// what the cashier reads is what the keys do.
import type { MessageKey } from '../core/i18n.js';

export type KeyName =
  | 'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'f6' | 'f7' | 'f8' | 'f9' | 'f10' | 'f11' | 'f12'
  | 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' | 'insert' | 'delete'
  | 'escape' | 'tab' | 'shift+tab' | 'ctrl+c' | 'ctrl+d' | 'ctrl+l' | 'ctrl+u' | 'ctrl+p' | 'ctrl+e' | 'ctrl+r' | 'ctrl+x';

/** Terminal sequences → key names (xterm, VT220/rxvt, Linux console, tmux). */
const SEQUENCES: Record<string, KeyName> = {
  '\x1bOP': 'f1', '\x1bOQ': 'f2', '\x1bOR': 'f3', '\x1bOS': 'f4',
  '\x1b[11~': 'f1', '\x1b[12~': 'f2', '\x1b[13~': 'f3', '\x1b[14~': 'f4',
  '\x1b[[A': 'f1', '\x1b[[B': 'f2', '\x1b[[C': 'f3', '\x1b[[D': 'f4', '\x1b[[E': 'f5',
  '\x1b[15~': 'f5', '\x1b[17~': 'f6', '\x1b[18~': 'f7', '\x1b[19~': 'f8', '\x1b[20~': 'f9',
  '\x1b[21~': 'f10', '\x1b[23~': 'f11', '\x1b[24~': 'f12',
  '\x1b[A': 'up', '\x1b[B': 'down', '\x1b[C': 'right', '\x1b[D': 'left',
  '\x1bOA': 'up', '\x1bOB': 'down', '\x1bOC': 'right', '\x1bOD': 'left',
  '\x1b[5~': 'pageup', '\x1b[6~': 'pagedown',
  '\x1b[H': 'home', '\x1b[F': 'end', '\x1bOH': 'home', '\x1bOF': 'end', '\x1b[1~': 'home', '\x1b[4~': 'end', '\x1b[7~': 'home', '\x1b[8~': 'end',
  '\x1b[2~': 'insert', '\x1b[3~': 'delete',
  '\x1b': 'escape', '\x1b\x1b': 'escape',
  '\t': 'tab', '\x1b[Z': 'shift+tab',
  '\x03': 'ctrl+c', '\x04': 'ctrl+d', '\x0c': 'ctrl+l', '\x15': 'ctrl+u',
  '\x10': 'ctrl+p', '\x05': 'ctrl+e', '\x12': 'ctrl+r', '\x18': 'ctrl+x',
};

/** The key a raw sequence stands for; modifiers on function keys (e.g. "\x1b[1;2P") are dropped. */
export function keyName(seq: string): KeyName | undefined {
  const direct = SEQUENCES[seq];
  if (direct) return direct;
  // xterm with modifiers: ESC [ 1 ; m P  /  ESC [ 15 ; m ~
  const m = /^\x1b\[(?:1;\d+([PQRSABCDHF])|(\d+);\d+~)$/.exec(seq);
  if (m) return m[1] ? SEQUENCES[`\x1bO${m[1]}`] ?? SEQUENCES[`\x1b[${m[1]}`] : SEQUENCES[`\x1b[${m[2]}~`];
  return undefined;
}

/** Where the cashier is: each has its own bindings. */
export type Mode = 'login' | 'sale' | 'search' | 'payment' | 'dialog' | 'list' | 'help';

export type Command =
  | 'help' | 'quit' | 'cancel' | 'nextField'
  | 'up' | 'down' | 'pageUp' | 'pageDown' | 'first' | 'last'
  | 'pay' | 'qty' | 'remove' | 'lineDiscount' | 'orderDiscount' | 'suspend' | 'resume' | 'voidSale' | 'logout' | 'reprint' | 'clearInput'
  | 'cash' | 'card' | 'wechat' | 'alipay' | 'exact' | 'cash50' | 'cash100' | 'removeTender'
  | 'confirmAlt' | 'resumeForeign' | 'unlock'
  | 'training' | 'cashMove' | 'closeShift' | 'switchField' | 'returnSale' | 'xReport' | 'takeZ';

export interface Binding {
  command: Command;
  keys: KeyName[];
  modes: Mode[];
  /** The words in F1 help and the hint line. */
  label: MessageKey;
  /** Shown in the one-line hint at the bottom of that screen. */
  hint?: Mode[];
}

const ALL: Mode[] = ['login', 'sale', 'search', 'payment', 'dialog', 'list', 'help'];

export const BINDINGS: Binding[] = [
  { command: 'help', keys: ['f1'], modes: ALL, label: 'cmd.help', hint: ['sale', 'payment', 'login'] },
  { command: 'unlock', keys: ['f2'], modes: ['login'], label: 'cmd.unlock', hint: ['login'] },
  { command: 'training', keys: ['f3'], modes: ['login'], label: 'cmd.training', hint: ['login'] },
  { command: 'pay', keys: ['f10'], modes: ['sale'], label: 'cmd.pay', hint: ['sale'] },
  { command: 'qty', keys: ['f2'], modes: ['sale'], label: 'cmd.qty', hint: ['sale'] },
  { command: 'remove', keys: ['delete', 'f3'], modes: ['sale'], label: 'cmd.remove', hint: ['sale'] },
  { command: 'lineDiscount', keys: ['f4'], modes: ['sale'], label: 'cmd.lineDiscount', hint: ['sale'] },
  { command: 'orderDiscount', keys: ['f5'], modes: ['sale'], label: 'cmd.orderDiscount', hint: ['sale'] },
  { command: 'suspend', keys: ['f6'], modes: ['sale'], label: 'cmd.suspend', hint: ['sale'] },
  { command: 'resume', keys: ['f7'], modes: ['sale'], label: 'cmd.resume', hint: ['sale'] },
  { command: 'voidSale', keys: ['f8'], modes: ['sale'], label: 'cmd.voidSale', hint: ['sale'] },
  { command: 'logout', keys: ['f9'], modes: ['sale'], label: 'cmd.logout', hint: ['sale'] },
  { command: 'reprint', keys: ['f12'], modes: ['sale'], label: 'cmd.reprint', hint: ['sale'] },
  { command: 'cash', keys: ['f2'], modes: ['payment'], label: 'cmd.cash', hint: ['payment'] },
  { command: 'card', keys: ['f3'], modes: ['payment'], label: 'cmd.card', hint: ['payment'] },
  { command: 'wechat', keys: ['f4'], modes: ['payment'], label: 'cmd.wechat', hint: ['payment'] },
  { command: 'alipay', keys: ['f5'], modes: ['payment'], label: 'cmd.alipay', hint: ['payment'] },
  { command: 'exact', keys: ['f6'], modes: ['payment'], label: 'cmd.exact', hint: ['payment'] },
  { command: 'cash50', keys: ['f7'], modes: ['payment'], label: 'cmd.cash50', hint: ['payment'] },
  { command: 'cash100', keys: ['f8'], modes: ['payment'], label: 'cmd.cash100', hint: ['payment'] },
  { command: 'removeTender', keys: ['delete'], modes: ['payment'], label: 'cmd.removeTender' },
  { command: 'cashMove', keys: ['ctrl+p'], modes: ['sale'], label: 'cmd.cashMove' },
  { command: 'closeShift', keys: ['ctrl+e'], modes: ['sale', 'dialog'], label: 'cmd.closeShift' },
  { command: 'returnSale', keys: ['ctrl+r'], modes: ['sale'], label: 'cmd.returnSale' },
  { command: 'xReport', keys: ['ctrl+x'], modes: ['sale'], label: 'cmd.xReport' },
  { command: 'takeZ', keys: ['f4'], modes: ['dialog'], label: 'cmd.takeZ' },
  { command: 'switchField', keys: ['f2'], modes: ['dialog'], label: 'cmd.switchField' },
  { command: 'confirmAlt', keys: ['f6'], modes: ['dialog'], label: 'cmd.suspendAndQuit' },
  { command: 'resumeForeign', keys: ['f7'], modes: ['dialog'], label: 'cmd.resumeForeign' },
  { command: 'up', keys: ['up'], modes: ['sale', 'search', 'list', 'help'], label: 'cmd.up' },
  { command: 'down', keys: ['down'], modes: ['sale', 'search', 'list', 'help'], label: 'cmd.down' },
  { command: 'pageUp', keys: ['pageup'], modes: ['sale', 'search', 'list', 'help'], label: 'cmd.pageUp' },
  { command: 'pageDown', keys: ['pagedown'], modes: ['sale', 'search', 'list', 'help'], label: 'cmd.pageDown' },
  { command: 'first', keys: ['home'], modes: ['sale', 'search', 'list'], label: 'cmd.first' },
  { command: 'last', keys: ['end'], modes: ['sale', 'search', 'list'], label: 'cmd.last' },
  { command: 'nextField', keys: ['tab', 'shift+tab'], modes: ['login', 'dialog'], label: 'cmd.nextField' },
  { command: 'clearInput', keys: ['ctrl+u'], modes: ['login', 'sale', 'search', 'payment', 'dialog'], label: 'cmd.clearInput' },
  { command: 'cancel', keys: ['escape'], modes: ALL, label: 'cmd.cancel', hint: ['payment'] },
  { command: 'quit', keys: ['ctrl+c'], modes: ALL, label: 'cmd.quit' },
];

/** Enter is not in the table as a command of its own: it finishes the input line (scan buffer). */
export const ENTER_LABELS: Partial<Record<Mode, MessageKey>> = {
  login: 'enter.login',
  sale: 'enter.sale',
  search: 'enter.search',
  payment: 'enter.payment',
  dialog: 'enter.dialog',
  list: 'enter.list',
};

const index = new Map<string, Command>();
for (const b of BINDINGS) for (const m of b.modes) for (const k of b.keys) {
  const id = `${m}:${k}`;
  if (index.has(id)) throw new Error(`key ${k} is bound twice on the ${m} screen`);
  index.set(id, b.command);
}

export function commandFor(mode: Mode, key: KeyName): Command | undefined {
  return index.get(`${mode}:${key}`);
}

export function bindingsFor(mode: Mode): Binding[] {
  return BINDINGS.filter((b) => b.modes.includes(mode));
}

const KEY_LABELS: Partial<Record<KeyName, string>> = {
  up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
  delete: 'Del', insert: 'Ins', escape: 'Esc', tab: 'Tab', 'shift+tab': 'Shift+Tab',
  'ctrl+c': 'Ctrl+C', 'ctrl+d': 'Ctrl+D', 'ctrl+l': 'Ctrl+L', 'ctrl+u': 'Ctrl+U',
  'ctrl+p': 'Ctrl+P', 'ctrl+e': 'Ctrl+E', 'ctrl+r': 'Ctrl+R', 'ctrl+x': 'Ctrl+X',
};

export function keyLabel(k: KeyName): string {
  return KEY_LABELS[k] ?? k.toUpperCase();
}
