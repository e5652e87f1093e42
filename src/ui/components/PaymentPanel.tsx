// Payment: what is due, the method, the payments taken so far, and what to do next.
import React from 'react';
import { Box, Text } from 'ink';
import type { MessageKey } from '../../core/i18n.js';
import type { TenderMethod } from '../../core/types.js';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, formatYuan } from '../format.js';

const METHODS: Array<[TenderMethod, string]> = [
  ['cash', 'F2'],
  ['card', 'F3'],
  ['wechat', 'F4'],
  ['alipay', 'F5'],
];

/** A customer's payment code on screen: enough to match the phone, not the whole code. */
export function maskCode(code: string): string {
  return code.length > 8 ? `${code.slice(0, 4)}…${code.slice(-4)}` : code;
}

/** Rows the panel takes, so the cart below it gets the rest. */
export function paymentPanelHeight(view: CheckoutView): number {
  return 4 + Math.min(view.cart.tenders.length, 3) + (view.payment?.method === 'cash' && view.payment.stage === 'amount' ? 1 : 0);
}

export function PaymentPanel({ view, width }: { view: CheckoutView; width: number }) {
  const { t, totals, payment, cart } = view;
  if (!payment) return null;
  const m = (k: TenderMethod) => t(`method.${k}` as MessageKey);
  const amount = formatYuan(payment.amountFen ?? totals.dueFen);
  const promptText =
    totals.dueFen === 0
      ? t('pay.nothingDue')
      : payment.stage === 'amount'
        ? t('pay.amountPrompt', { method: m(payment.method), amount: formatYuan(totals.dueFen) })
        : payment.stage === 'reference'
          ? t('pay.referencePrompt', { amount })
          : payment.stage === 'code'
            ? t('pay.codePrompt', { method: m(payment.method), amount })
            : t('pay.confirmPrompt', { method: m(payment.method), amount, code: maskCode(payment.code ?? '') });
  const taken = cart.tenders.slice(-3);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color="yellow" wrap="truncate">
        {fit(` ${t('pay.title')}  ${t('totals.total', { amount: formatYuan(totals.totalFen) })}   ${t('totals.paid', { amount: formatYuan(totals.paidFen) })}   ${t('pay.due', { amount: formatYuan(totals.dueFen) })}`, width)}
      </Text>
      <Box>
        <Text> {t('pay.methods')}: </Text>
        {METHODS.map(([k, key]) => (
          <Text key={k} inverse={payment.method === k}>
            {` ${key} ${m(k)} `}
          </Text>
        ))}
      </Box>
      {taken.map((tender, i) => (
        <Text key={i} wrap="truncate">
          {fit(`   ${t('pay.taken')}: ${m(tender.method)} ${formatYuan(tender.tenderedFen)}${tender.reference ? `  (${tender.method === 'wechat' || tender.method === 'alipay' ? maskCode(tender.reference) : tender.reference})` : ''}`, width)}
        </Text>
      ))}
      <Text color="cyan" wrap="truncate">
        {fit(' ' + promptText, width)}
      </Text>
      {payment.method === 'cash' && payment.stage === 'amount' && (
        <Text dimColor wrap="truncate">
          {fit(' ' + t('pay.cashKeys'), width)}
        </Text>
      )}
      <Text dimColor wrap="truncate">
        {'─'.repeat(Math.max(0, width))}
      </Text>
    </Box>
  );
}
