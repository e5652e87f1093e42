// The one input line: what is typed or scanned goes here, whatever the screen. PINs show as dots.
import React from 'react';
import { Box, Text } from 'ink';
import type { MessageKey, Params } from '../../core/i18n.js';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, textWidth } from '../format.js';

function prompt(view: CheckoutView): { key: MessageKey; params?: Params; secret?: boolean } | null {
  switch (view.mode) {
    case 'login':
      return view.login.field === 'id' ? { key: 'login.id' } : { key: 'login.pin', secret: true };
    case 'sale':
      return view.pendingQty !== null ? { key: 'input.qty', params: { qty: view.pendingQty } } : { key: 'input.sale' };
    case 'search':
      return { key: 'input.search' };
    case 'payment': {
      const stage = view.payment?.stage ?? 'amount';
      return { key: stage === 'amount' ? 'input.amount' : stage === 'reference' ? 'input.reference' : stage === 'code' ? 'input.code' : 'input.confirm' };
    }
    case 'dialog': {
      const d = view.dialog!;
      if (d.kind === 'qty') return { key: 'input.newQty' };
      if (d.kind === 'discount') return { key: 'input.discount' };
      if (d.kind === 'report' && d.field !== null) return d.field === 'id' ? { key: 'input.supervisorId' } : { key: 'input.supervisorPin', secret: true };
      if (d.kind === 'approve' || d.kind === 'return-preview') return d.field === 'id' ? { key: 'input.supervisorId' } : { key: 'input.supervisorPin', secret: true };
      if (d.kind === 'float' || (d.kind === 'cash-move' && d.field === 'amount') || (d.kind === 'close-count' && d.by === 'total')) return { key: 'input.amount' };
      if (d.kind === 'return-find') return { key: 'input.receipt' };
      if (d.kind === 'return-pick') return { key: 'input.returnLines' };
      if (d.kind === 'weight') return { key: 'input.weight' };
      if (d.kind === 'cash-move') return { key: 'input.reason' };
      if (d.kind === 'close-count') return { key: 'input.count' };
      return { key: 'input.confirm' };
    }
    case 'list':
      return { key: 'input.choose' };
    case 'help':
      return null;
  }
}

export function InputLine({ view, width }: { view: CheckoutView; width: number }) {
  const p = prompt(view);
  if (!p) return <Text> </Text>;
  const label = ` ${view.t(p.key, p.params)} > `;
  const shown = p.secret ? '•'.repeat(Array.from(view.input).length) : view.input;
  const room = Math.max(1, width - textWidth(label) - 2);
  // Long input scrolls: the end (where the cursor is) stays visible.
  const chars = Array.from(shown);
  let tail = shown;
  while (textWidth(tail) > room && chars.length > 0) {
    chars.shift();
    tail = chars.join('');
  }
  return (
    <Box width={width}>
      <Text bold color="cyan">
        {fit(label, width - 2)}
      </Text>
      <Text wrap="truncate">{tail}</Text>
      <Text inverse> </Text>
    </Box>
  );
}
