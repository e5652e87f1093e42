// What each role may do, from the one table in core/permissions.ts.
import { describe, expect, it } from 'vitest';
import { ACTIONS, PERMISSIONS, ROLES, approvalProblem, can, needsApproval } from '../../src/core/permissions.js';

describe('permissions', () => {
  it('a cashier needs a supervisor for a discount over the limit, a refund or a post-void; a supervisor does them alone', () => {
    for (const action of ['discount-over-limit', 'refund', 'post-void', 'no-sale', 'price-override', 'reprint-old-receipt', 'remove-line-after-payment'] as const) {
      expect(needsApproval('cashier', action)).toBe(true);
      expect(can('cashier', action)).toBe(false);
      expect(can('supervisor', action)).toBe(true);
    }
  });

  it("only supervisors and admins close another cashier's shift or take a Z; only admins manage users", () => {
    expect(can('cashier', 'close-other-shift')).toBe(false);
    expect(needsApproval('cashier', 'close-other-shift')).toBe(false);
    expect(can('supervisor', 'z-report')).toBe(true);
    expect(can('supervisor', 'user-admin')).toBe(false);
    expect(can('admin', 'user-admin')).toBe(true);
  });

  it('every action has a grant for every role, and an admin may do everything alone', () => {
    for (const a of ACTIONS) for (const r of ROLES) expect(['allow', 'approval', 'deny']).toContain(PERMISSIONS[a][r]);
    for (const a of ACTIONS) expect(can('admin', a)).toBe(true);
  });

  it('a supervisor never approves their own action, a cashier approves nothing, a disabled supervisor neither', () => {
    expect(approvalProblem('9001', { id: '9001', role: 'supervisor' }, 'refund')).toBe('self-approval');
    expect(approvalProblem('1001', { id: '1002', role: 'cashier' }, 'refund')).toBe('not-allowed');
    expect(approvalProblem('1001', { id: '9001', role: 'supervisor', active: false }, 'refund')).toBe('inactive');
    expect(approvalProblem('1001', { id: '9001', role: 'supervisor' }, 'refund')).toBeNull();
  });
});
