// Sign in with cashier number and PIN (shown as dots).
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { fit } from '../format.js';

export function LoginScreen({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, login, input } = view;
  const idShown = login.field === 'id' ? input : login.id;
  const pinShown = login.field === 'pin' ? '•'.repeat(Array.from(input).length) : '';
  const row = (label: string, value: string, active: boolean) => (
    <Text wrap="truncate" bold={active} color={active ? 'cyan' : undefined}>
      {fit(`${active ? ' ▸ ' : '   '}${label}: ${value}`, width)}
    </Text>
  );
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text> </Text>
      <Text bold color="cyan" wrap="truncate">
        {fit(`   ${t('app.title')} — ${t('login.title')}`, width)}
      </Text>
      {view.training && (
        <Text bold color="magenta" wrap="truncate">
          {fit('   ' + t('login.training'), width)}
        </Text>
      )}
      <Text> </Text>
      {row(t('login.id'), idShown, login.field === 'id')}
      {row(t('login.pin'), pinShown, login.field === 'pin')}
      <Text> </Text>
      <Text dimColor wrap="truncate">
        {fit('   ' + t('login.hint'), width)}
      </Text>
    </Box>
  );
}
