// One family of errors, one handler (src/cli.ts). A TillError is something the user can act
// on: its message is one line saying what is wrong and what to do next. Anything else is a bug.

export const ExitCode = {
  ok: 0,
  userError: 1,
  usage: 2,
  partial: 3,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class TillError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.userError,
    readonly code = 'E_TILL',
  ) {
    super(message);
    this.name = 'TillError';
  }
}

/** Bad input the user can fix: exit 1. */
export class UserError extends TillError {
  constructor(message: string, code = 'E_INPUT') {
    super(message, ExitCode.userError, code);
  }
}

export class NotFoundError extends TillError {
  constructor(message: string) {
    super(message, ExitCode.userError, 'E_NOT_FOUND');
  }
}

/** A receipt of another store: only HQ knows it, and a return there is not taken offline. */
export class OtherStoreError extends TillError {
  constructor(
    readonly receiptNo: string,
    readonly storeCode: string,
    readonly ownStore: string,
  ) {
    super(
      `Receipt ${receiptNo} is from store ${storeCode}, not this store (${ownStore}): a return there needs HQ to know the receipt, and this till cannot ask HQ for it. Take the return at store ${storeCode}.`,
      ExitCode.userError,
      'E_OTHER_STORE',
    );
  }
}

export class UsageError extends TillError {
  constructor(message: string) {
    super(message, ExitCode.usage, 'E_USAGE');
  }
}

export class CancelledError extends TillError {
  constructor(message = 'Cancelled.') {
    super(message, ExitCode.cancelled, 'E_CANCELLED');
  }
}

/** Some of the work was done, some was refused (e.g. an import with rejected rows): exit 3. */
export class PartialError extends TillError {
  constructor(message: string) {
    super(message, ExitCode.partial, 'E_PARTIAL');
  }
}

/**
 * Another message quoted inside a sentence of ours: without its closing full stop, so that
 * "…: <clause>. What to do next." never reads "…code..".
 */
export function clause(message: string): string {
  return message.replace(/[.。\s]+$/u, '');
}
