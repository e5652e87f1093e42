// Top line: store and till, cashier, HQ state and sales waiting to sync, printer, clock.
import React from 'react';
import { Text } from 'ink';
import type { MessageKey } from '../../core/i18n.js';
import type { CheckoutView } from '../checkout-controller.js';
import { useClock } from '../hooks/use-clock.js';
import { spread } from '../format.js';

const PRINTER_TROUBLE = new Set(['error', 'paper-out', 'cover-open', 'offline', 'unreachable', 'not-a-printer']);

export function StatusBar({ view, width }: { view: CheckoutView; width: number }) {
  const time = useClock();
  const { t, identity, status, user } = view;
  // The store name gives way first when the line is too long; cashier, sync and time stay.
  const left = `${identity.storeName} ${identity.storeCode}/${identity.tillCode}`;
  const hq = status.hq
    ? `${t('status.hq')} ${status.online === null ? t('status.unknown') : status.online ? t('status.online') : t('status.offline')}`
    : t('status.hqNone');
  const parts = [
    // Training (练习) is marked first of the parts that always stay, on every screen and width: these are not sales.
    ...(view.training ? [`[${t('status.training')}]`] : []),
    ...(user ? [t('status.cashier', { id: user.id, name: user.name })] : []),
    status.hq ? `${hq} ${t('status.pending', { n: status.pending })}` : hq,
    // A sale HQ does not hold as the till sold it stays in view until HQ resolves it.
    ...(status.conflicts > 0 ? [t('status.conflicts', { n: status.conflicts })] : []),
    ...(status.quarantined > 0 ? [t('status.quarantined', { n: status.quarantined })] : []),
    `${t('status.printer')} ${t(`status.printer.${status.printer}` as MessageKey)}`,
    ...(status.suspended > 0 ? [t('status.suspended', { n: status.suspended })] : []),
    time,
  ];
  return (
    <Text inverse bold={false} color={view.training ? 'magenta' : PRINTER_TROUBLE.has(status.printer) || status.conflicts > 0 || status.quarantined > 0 ? 'red' : undefined} wrap="truncate">
      {spread(' ' + left, '│ ' + parts.join(' │ ') + ' ', width)}
    </Text>
  );
}
