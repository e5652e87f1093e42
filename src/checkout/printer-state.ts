// What the status bar says about the printer, from a status report (DLE EOT answers, as
// src/print/transport.ts reads them): "ready" only when the printer itself said so.
import type { PrinterState } from '../ui/checkout-types.js';

export interface StatusReportLike {
  kind: string;
  reachable: boolean;
  reportsStatus: boolean;
  online?: boolean;
  coverOpen?: boolean;
  paper?: 'ok' | 'near-end' | 'out';
  error?: boolean;
}

export function printerStateOf(r: StatusReportLike): PrinterState {
  if (!r.reachable) return 'unreachable';
  // Something took the connection but never answered a status request: not a receipt printer
  // (an HTTP server on the port), or one that cannot tell; either way not known to be ready.
  if (!r.reportsStatus) return r.kind === 'tcp' ? 'not-a-printer' : 'unknown';
  if (r.coverOpen) return 'cover-open';
  if (r.paper === 'out') return 'paper-out';
  if (r.error || r.online === false) return 'offline';
  if (r.paper === 'near-end') return 'paper-low';
  return 'ready';
}

/** The failure reasons printing reports (print/transport.ts FailureReason), each with a short text. */
export const PRINT_FAILURES = ['unreachable', 'timeout', 'dropped', 'paper-out', 'cover-open', 'offline', 'io'] as const;
