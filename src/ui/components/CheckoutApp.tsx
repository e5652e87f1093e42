// The checkout screen: status bar, the main panel of the current mode, totals, message, the
// input line and the key hints — always within the terminal (at most rows-1 lines, cut to width).
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutController, CheckoutView } from '../checkout-controller.js';
import { useCheckout } from '../hooks/use-checkout.js';
import { useTerminalInput } from '../hooks/use-terminal-input.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { fit } from '../format.js';
import { StatusBar } from './StatusBar.js';
import { CartList } from './CartList.js';
import { TotalsLine } from './TotalsLine.js';
import { MessageLine } from './MessageLine.js';
import { InputLine } from './InputLine.js';
import { KeyHints } from './KeyHints.js';
import { SearchPanel } from './SearchPanel.js';
import { PaymentPanel, paymentPanelHeight } from './PaymentPanel.js';
import { DialogPanel, dialogHeight } from './DialogPanel.js';
import { HeldList } from './HeldList.js';
import { HelpPanel } from './HelpPanel.js';
import { LastSalePanel } from './LastSalePanel.js';
import { LoginScreen } from './LoginScreen.js';

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 12;
/** Status bar, totals, message, input, hints. */
const CHROME_ROWS = 5;

function Main({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const under = view.help ? 'help' : view.dialog ? 'dialog' : view.mode;
  switch (under) {
    case 'help':
      return <HelpPanel view={view} width={width} height={height} />;
    case 'login':
      return <LoginScreen view={view} width={width} height={height} />;
    case 'dialog': {
      const h = Math.min(height, dialogHeight(view));
      if (!view.user) {
        return (
          <Box flexDirection="column" height={height} overflow="hidden">
            <DialogPanel view={view} width={width} />
            <LoginScreen view={view} width={width} height={height - h} />
          </Box>
        );
      }
      return (
        <Box flexDirection="column" height={height} overflow="hidden">
          <DialogPanel view={view} width={width} />
          <CartList view={view} width={width} height={height - h} />
        </Box>
      );
    }
    case 'list':
      return <HeldList view={view} width={width} height={height} />;
    case 'payment': {
      const h = Math.min(height, paymentPanelHeight(view));
      return (
        <Box flexDirection="column" height={height} overflow="hidden">
          <PaymentPanel view={view} width={width} />
          <CartList view={view} width={width} height={height - h} />
        </Box>
      );
    }
    case 'search':
      return <SearchPanel view={view} width={width} height={height} />;
    default:
      if (view.cart.lines.length === 0 && view.lastSale) return <LastSalePanel view={view} width={width} height={height} />;
      if (view.cart.lines.length === 0) {
        return (
          <Box flexDirection="column" height={height}>
            <CartList view={view} width={width} height={1} />
            <Text dimColor wrap="truncate">
              {fit('   ' + view.t('cart.empty'), width)}
            </Text>
          </Box>
        );
      }
      return <CartList view={view} width={width} height={height} />;
  }
}

export function CheckoutApp({ controller }: { controller: CheckoutController }) {
  const view = useCheckout(controller);
  useTerminalInput(controller.handleInput);
  const { columns, rows } = useTerminalSize();
  const width = Math.max(1, columns);
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return <Text wrap="truncate">{fit(view.t('app.tooSmall', { size: `${columns}×${rows}`, need: `${MIN_COLUMNS}×${MIN_ROWS}` }), width)}</Text>;
  }
  // One line fewer than the terminal: a full-height frame makes Ink clear the screen each time.
  const height = rows - 1;
  const mainHeight = height - CHROME_ROWS;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StatusBar view={view} width={width} />
      <Main view={view} width={width} height={mainHeight} />
      {view.user ? <TotalsLine view={view} width={width} /> : <Text> </Text>}
      <MessageLine message={view.message} width={width} />
      <InputLine view={view} width={width} />
      <KeyHints view={view} width={width} />
    </Box>
  );
}
