// What each till role may do: one table, read by every check (checkout, CLI, approval receipts).
// A cell says whether the role may do it alone, only with a supervisor's approval, or not at all.
import type { Role } from './types.js';

export const ROLES: readonly Role[] = ['cashier', 'supervisor', 'admin'];

export type Action =
  | 'discount-over-limit'
  | 'remove-line-after-payment'
  | 'refund'
  | 'post-void'
  | 'no-sale'
  | 'reprint-old-receipt'
  | 'price-override'
  | 'manual-weight'
  | 'resume-other-sale'
  | 'pay-in-out'
  | 'close-other-shift'
  | 'z-report'
  | 'user-unlock'
  | 'user-admin';

/** allow: alone · approval: with a supervisor's (or admin's) PIN · deny: never, not even approved. */
export type Grant = 'allow' | 'approval' | 'deny';

export const PERMISSIONS: Readonly<Record<Action, Readonly<Record<Role, Grant>>>> = {
  'discount-over-limit': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'remove-line-after-payment': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  refund: { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'post-void': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'no-sale': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'reprint-old-receipt': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'price-override': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  // A weight typed instead of a scale label (config weigh.manual=supervisor), and taking over a
  // sale another cashier left unfinished.
  'manual-weight': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  'resume-other-sale': { cashier: 'approval', supervisor: 'allow', admin: 'allow' },
  // A cashier pays a delivery out of the drawer alone; the reason is journaled with the movement.
  'pay-in-out': { cashier: 'allow', supervisor: 'allow', admin: 'allow' },
  'close-other-shift': { cashier: 'deny', supervisor: 'allow', admin: 'allow' },
  'z-report': { cashier: 'deny', supervisor: 'allow', admin: 'allow' },
  'user-unlock': { cashier: 'deny', supervisor: 'allow', admin: 'allow' },
  'user-admin': { cashier: 'deny', supervisor: 'deny', admin: 'allow' },
};

export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function grantOf(role: Role, action: Action): Grant {
  return PERMISSIONS[action][role] ?? 'deny';
}

/** May `role` do `action` alone? */
export function can(role: Role, action: Action): boolean {
  return grantOf(role, action) === 'allow';
}

/** May `role` do `action` only once someone else has approved it? */
export function needsApproval(role: Role, action: Action): boolean {
  return grantOf(role, action) === 'approval';
}

export type ApprovalProblem = 'self-approval' | 'not-allowed' | 'inactive';

/**
 * Why `approver` cannot approve `action` asked by `actorId`, or null when they can. A person
 * never approves their own action, whatever their role; an approver must be allowed the action
 * alone (a cashier approves nothing).
 */
export function approvalProblem(actorId: string, approver: { id: string; role: Role; active?: boolean }, action: Action): ApprovalProblem | null {
  if (approver.id === actorId) return 'self-approval';
  if (approver.active === false) return 'inactive';
  if (!can(approver.role, action)) return 'not-allowed';
  return null;
}
